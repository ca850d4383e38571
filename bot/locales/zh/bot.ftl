## General
error-internal = 抱歉，处理时出了点问题，请稍后再试。已记录，管理员会处理。
not-a-member = 还不认识您。请在本村群里发送 /join 从花名册中选择您的名字。

## Chat purposes and roles
purpose-village = 村工作群
purpose-township = 乡镇督导群
purpose-county = 县总督导群
purpose-department = 部门工作群
role-member = 队员
role-team_lead = 队长
role-village_secretary = 村党支部书记
role-township_supervisor = 乡镇督导员
role-department_liaison = 部门联络人
role-county_leader = 县领导
role-admin = 管理员

## Commands menu
command-report = 上报问题（一问题一表）
command-open = 本村未办结问题
command-mine = 我上报或负责的问题
command-issue = 查看问题详情：/issue 编号
command-join = 认领花名册中的身份
command-whoami = 我是谁、我的角色
command-help = 帮助
command-cancel = 取消当前操作

## /help
help-title = 「一核五队」工作助手
help-unknown-member = 您还没有和花名册关联。在本村群发送 /join 选择您的名字，村书记确认后即可使用。
help-chat-bound = 本群是：{ $name }（{ $code }），{ $purpose }。
help-chat-unbound = 本群还没有绑定到任何村、乡镇或部门。管理员可发送 /bind 编码 进行绑定。
help-private = 在私聊中：/report 上报本村问题，/mine 查看我的问题，/issue 编号 查看详情，/whoami 查看身份。
help-village = 在村工作群：/report 上报问题，/open 查看本村未办结问题，/mine 我的问题，/issue 编号 查看详情。问题卡片下的按钮可以认领、记录进展、办结和验收。
help-village-join = 发送 /join 从本村花名册中选择您的名字，村书记确认后即可上报问题。
help-village-lead = 队长和村书记还可以：验收销号、退回重办、撤销或标记重复。
help-township = 在乡镇督导群：接收各村上报的问题，确认、派发到县直部门、退回或验收。
help-county = 在县总督导群：查看全县超期和未确认的问题。
help-department = 在部门工作群：接收派发的任务清单，确认、记录进展并办结。
help-lookup = 随时可用：/whoami 我是谁，/help 帮助，/cancel 取消当前操作。
help-admin = 管理员：在群里发送 /bind 编码 把群绑定到村、乡镇、县或部门；/unbind 解除绑定（需同时是本群管理员）。

## /whoami
whoami-unknown = 还不认识您。请在本村群里发送 /join 从花名册中选择您的名字。
whoami-title = 您是 { $name }（{ $code }）
whoami-role = · { $role }：{ $scope }
whoami-no-roles = 您目前没有任何角色。

## /bind
bind-usage = 用法：/bind 编码，例如 /bind GC01-01（村）、/bind GC01（乡镇）、/bind GC（县）或部门编码。
bind-not-org-admin = 只有组织管理员才能绑定或解绑群。
bind-not-chat-admin = 您需要同时是本群的管理员才能绑定或解绑。
bind-unknown-code = 没有编码为「{ $code }」的村、乡镇、县或部门。
bind-chat-already-bound = 本群已经绑定到 { $name }（{ $code }）。如需更改，请先发送 /unbind。
bind-unit-has-chat = { $name }（{ $code }）已经绑定了另一个群：{ $title }。
bind-done = 已绑定：本群是 { $name }（{ $code }）的{ $purpose }。
unbind-not-bound = 本群没有绑定。
unbind-done = 已解除绑定：本群不再是 { $name }（{ $code }）的工作群。

## /join
join-already-member = 您已经是 { $name }，无需再认领。
join-roster-empty = 本村花名册中已没有待认领的名字。请联系村书记或管理员。
join-pick = 请在 { $village } 花名册中选择您的名字：
join-not-on-roster = 这个名字不在本村待认领的花名册中。
join-already-pending = 您已有一个待确认的申请，请等待村书记确认。
join-requested-alert = 已提交，请等待村书记确认。
join-requested = { $user } 申请认领身份「{ $name }」。请村书记或管理员确认：
join-approve = ✅ 同意
join-reject = ❌ 拒绝
join-approver-only = 只有本村书记或管理员可以确认认领申请。
join-request-gone = 这个申请不存在或不属于本村。
join-already-decided = 这个申请已经处理过了。
join-member-taken = 「{ $name }」已经关联了另一个账号。
join-approved = 已确认：欢迎 { $name }！（{ $by } 确认）
join-rejected = 申请认领「{ $name }」未通过（{ $by }）。
