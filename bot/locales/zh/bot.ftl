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
anonymous-admin = 您正以匿名管理员身份（以本群的名义）发言，我无法知道您是谁。请在管理员设置中关闭「保持匿名」后再发命令，或私聊我。

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

## Refusals and lookups
report-no-village = 您不属于任何村，无法上报。请联系村书记。
report-pick-village-group = 您属于多个村，请在相应的村工作群里发送 /report。
report-not-your-village = 您不是本村的成员，不能在这里上报。
report-no-such-team = 本村没有这个工作队。
report-only-village = /report 只能在已绑定的村工作群或与我的私聊中使用。
report-description-empty = 问题描述不能为空，请写几句话说明情况。
report-description-too-long = 问题描述太长了（最多 { $limit } 字）。
report-description-need-text = 请用文字描述问题（可以稍后再发照片）。
report-place-empty = 地点不能为空。
report-place-too-long = 地点描述太长了（最多 { $limit } 字）。
refuse-team-only = 只有本队队员、队长或村书记可以这样做。
refuse-verifier-only = 只有上报人、队长或村书记可以验收或退回。
refuse-lead-only = 只有队长或村书记可以撤销或标记重复。
refuse-self-verify = 办结人不能验收自己办结的问题，请由上报人、队长或村书记验收。
refuse-wrong-state = 问题 { $number } 现在是「{ $status ->
    [open] 待处理
    [in_progress] 处理中
    [resolved] 已办结待验收
    [closed] 已销号
    [withdrawn] 已撤销
   *[other] 已标记重复
}」，这个操作已不适用，没有做任何更改。
issue-not-found = 找不到这个问题，可能按钮已过期。
issue-number-unknown = 没有编号为 { $number } 的问题。
issue-not-here = 问题 { $number } 不是本群的问题。
issue-usage = 用法：/issue 编号，例如 /issue 2026-0001
issue-only-bound-or-private = /issue 只能在已绑定的群（查看本群的问题）或与我的私聊中使用。
issue-private-not-allowed = 只有问题的上报人、处理人、本村队员、本乡镇督导员、承办部门的联络员、县领导和管理员可以在这里查看这个问题；在已绑定的群里，/issue 可以查看本群的问题。
text-required = 请输入文字说明。
text-too-long = 文字太长了（最多 { $limit } 字）。
duplicate-unknown = 本村没有编号为 { $number } 的问题。请回复原问题的编号。
duplicate-self = 不能标记为与自己重复。
duplicate-of-closed = 问题 { $number } 已撤销或本身是重复项，请选择原始问题。
button-stale = 这个按钮已失效。
open-only-village = /open 只能在村工作群中使用。

## Card
card-title = 📋 { $number } · { $team }{ $urgent ->
    [yes] {" "}· 🔴 紧急
   *[no] {""}
}
card-origin = 🏠 { $village } · 上报人：{ $reporter } · { $days ->
    [0] 今天
   *[other] { $days } 天前
}
card-status = 状态：{ $status } · 层级：{ $level } · 负责人：{ $holder }
card-due = ⏰ 期限：{ $date }{ $overdue ->
    [yes] {" "}（已超期）
   *[no] {""}
}
card-place = 📍 { $place }
card-resolution = ✅ 办结（{ $resolver }）：{ $note }
card-verified = 🔏 已验收销号：{ $verifier }
card-unmet = ↩️ 退回原因：{ $reason }
card-closed-reason = 说明：{ $reason }
card-duplicate-of = 与 { $number } 重复
card-more = （全文请发送 /issue { $number }）
status-open = 待处理
status-in_progress = 处理中
status-resolved = 已办结待验收
status-closed = 已销号
status-withdrawn = 已撤销
status-duplicate = 重复
level-village = 村
level-township = 乡镇
level-county = 县
action-claim = 🙋 认领
action-note = 📝 进展
action-resolve = ✅ 办结
action-verify = 🔏 验收销号
action-reopen = ↩️ 退回重办
action-withdraw = 🗑 撤销
action-duplicate = 🔁 重复
action-photos = 📷 更多照片（{ $count }）
photos-of = 问题 { $number } 的照片

## Report conversation
report-ask-kind = 向 { $village } 上报问题（一问题一表）。请选择工作队（✅ 为您所在的队）：
report-ask-description = 请描述问题：谁家、什么情况、需要什么帮助。（回复这条消息）
report-ask-photos = 有照片吗？回复这条消息发送照片（最多 { $limit } 张），发完后点「完成」。
report-photos-none = ⏭ 没有照片
report-photos-none-hint = 没有照片就点这里：
report-photos-done = ✅ 完成
report-photo-received = 已收到第 { $count } 张照片。可以继续发送，或点「完成」。
report-photos-full = 最多 { $limit } 张照片，请点「完成」。
report-photos-need-photo = 这一步需要照片。请发送照片，或点「完成」/「没有照片」继续。
report-ask-place = 问题在哪里？回复这条消息发送位置，或写下户名、草场名等地点。
report-place-skip = ⏭ 跳过地点
report-place-skip-hint = 不填地点就点这里：
report-place-need = 请发送位置或写下地点，或点「跳过地点」。
report-ask-urgency = 紧急程度？
urgency-normal = 一般
urgency-urgent = 🔴 紧急
report-summary = 请核对：
    村：{ $village }
    工作队：{ $team }
    问题：{ $description }
    照片：{ $photos } 张
    地点：{ $place }
    紧急程度：{ $urgency }
report-summary-no-place = 未填写
report-confirm = ✅ 确认上报
report-edit = ✏️ 修改
report-cancel = ❌ 取消
report-edit-which = 要修改哪一项？
report-field-kind = 工作队
report-field-description = 问题描述
report-field-photos = 照片（重新发送）
report-field-place = 地点
report-field-urgency = 紧急程度
report-use-buttons = 请点上面的按钮选择，或发送 /cancel 取消。
report-not-your-button = 这是别人的上报，请发送 /report 开始您自己的上报。
report-resumed = 您有一个还没完成的上报，我们接着来（发送 /cancel 可取消）：
report-created = 已上报，编号 { $number }。谢谢！
report-cancelled = 已取消，什么都没有保存。
cancel-nothing = 现在没有进行中的操作。
conversation-expired = 超过 { $minutes } 分钟没有操作，已自动取消。请重新开始。

## Actions with text
ask-note = 请回复这条消息，写下问题 { $number } 的进展。
ask-resolve = 请回复这条消息，说明问题 { $number } 是怎样解决的（可以附一张照片，文字写在照片说明里）。
ask-reopen = 请回复这条消息，说明为什么问题 { $number } 没有解决好（必填）。
ask-withdraw = 请回复这条消息，说明撤销问题 { $number } 的原因（必填）。
ask-duplicate = 请回复这条消息，写出与问题 { $number } 重复的原问题编号和说明，例如：2026-0012 同一口井。
action-finish-report-first = 请先完成或 /cancel 您正在进行的上报。
done-claim = 已认领 { $number }。
done-note = 已记录 { $number } 的进展。
done-resolve = 已办结 { $number }，等待验收。
done-verify = { $number } 已验收销号。
done-reopen = { $number } 已退回重办。
done-withdraw = { $number } 已撤销。
done-duplicate = { $number } 已标记为重复。

## Lists and the full form
list-line = { $overdue ->
    [yes] ⚠️
   *[no] •
} { $number } [{ $status }] { $description }（{ $days } 天，期限 { $due }）
list-page = 第 { $page }/{ $pages } 页，共 { $total } 项
list-team = 【{ $team }】
page-previous = ⬅️ 上一页
page-next = 下一页 ➡️
open-title = { $village } 未办结问题
open-empty = { $village } 目前没有未办结的问题。👍
mine-title = 我上报或负责的未办结问题
mine-empty = 您没有未办结的问题。
timeline-title = 处理记录：
timeline-line = { $at } { $actor }：{ $action } { $detail }
timeline-system = 系统
event-reported = 上报
event-claim = 认领
event-note = 进展
event-resolve = 办结
event-verify = 验收销号
event-reopen = 退回重办
event-withdraw = 撤销
event-duplicate = 标记重复

## Escalation, supervision and department tasks
refuse-wrong-level = 问题 { $number } 现在在{ $level ->
    [village] 村里
    [township] 乡镇
   *[county] 县
}处理，这里不能这样操作。
refuse-escalate-lead-only = 只有队长或村书记可以上报乡镇。
refuse-supervisor-only = 只有本乡镇的督导员（县级为县领导或管理员）可以这样做。
refuse-liaison-only = 只有承办部门的联络人可以这样做。
refuse-already-acknowledged = 问题 { $number } 已经有人确认了，没有做任何更改。
dispatch-unknown-department = 没有这个部门。
due-unparseable = 看不懂「{ $text }」。请写日期，例如 2026-12-20，或天数，例如 15。
due-in-past = 期限必须在今天之后。
due-too-far = 期限不能超过 { $days } 天。
button-not-yours = 这个按钮是给别人的。
card-awaiting-ack = ⏳ 等待督导确认
card-owner = 👤 督导负责人：{ $owner }
card-escalated = ⬆️ 上报原因：{ $reason }
card-department = 🏢 承办部门：{ $department }{ $acknowledged ->
    [yes] {" "}（已确认）
   *[no] {" "}（待确认）
}
action-escalate = ⬆️ 上报乡镇
action-acknowledge = 👌 确认接收
action-dispatch = 📤 派发部门
action-send_back = ↩️ 退回
action-sign_off = 🔏 验收销号
action-unmet = ❌ 未达标
action-task_ack = 👌 确认任务
action-task_note = 📝 进展
action-task_resolve = ✅ 办结
ask-escalate = 请回复这条消息，说明为什么问题 { $number } 村里解决不了、需要乡镇协调（必填）。
ask-send_back = 请回复这条消息，说明把问题 { $number } 退回的原因（必填）。
ask-unmet = 请回复这条消息，说明问题 { $number } 哪里没有达标（必填），然后再给新的期限。
ask-task_note = 请回复这条消息，写下任务 { $number } 的进展。
ask-task_resolve = 请回复这条消息，说明任务 { $number } 是怎样办结的。
ask-department = 问题 { $number } 派发给哪个部门？
ask-due = 问题 { $number } 的期限？回复日期（例如 2026-12-20）或天数（例如 15）。
due-default = ✅ 默认期限 { $date }
due-default-hint = 或者使用默认期限：
done-escalate = { $number } 已上报乡镇。
done-acknowledge = 已确认接收 { $number }，您是负责人。
done-dispatch = { $number } 已派发到部门。
done-send_back = { $number } 已退回。
done-sign_off = { $number } 已验收销号。
done-unmet = { $number } 已标记未达标，重新办理。
done-task_ack = 已确认任务 { $number }。
done-task_note = 已记录 { $number } 的进展。
done-task_resolve = 任务 { $number } 已办结，等待乡镇验收。
event-escalate = 上报上级
event-acknowledge = 确认接收
event-dispatch = 派发部门
event-send_back = 退回
event-sign_off = 验收销号
event-unmet = 未达标
event-task_ack = 部门确认
event-task_note = 部门进展
event-task_resolve = 部门办结
event-auto_escalate = 超期自动上报
event-climb = 未确认，升级到县
event-renotify = 再次提醒确认
event-reminder = 超期提醒
notice-task-assigned = 📤 新任务 { $number } 已派发给您的部门，请在部门群中确认。
notice-sent-back = ↩️ 问题 { $number } 被退回：{ $reason }
notice-task-resolved = ✅ 部门已办结任务 { $number }，请验收销号或标记未达标。
notice-unacknowledged = ⏰ 问题 { $number } 已上报 { $hours } 小时仍未确认，请督导员尽快确认。
notice-overdue = ⚠️ 问题 { $number } 已超期 { $days } 天，请尽快办理。
notice-chat-problem = ⚠️ 机器人无法在群「{ $title }」发消息：{ $error }。请检查机器人是否被移出该群。
notice-person-unreachable = ⚠️ 机器人无法私聊{ $name }（{ $error }）：对方还没有启动机器人，或已将其屏蔽。请提醒对方打开与机器人的私聊并点击“开始”，在此之前对方收不到机器人的私信通知。
notice-topic-gone = ⚠️ 群「{ $title }」里机器人发消息的话题已被关闭或删除（{ $error }），之后的消息改发到该群的主话题（General）。如要换到别的话题，请在那个话题里发送 /unbind，再发送 /bind 加编码。

## Task lists and the county overview
tasks-only-township-or-department = /tasks 只能在乡镇督导群或部门工作群中使用。
tasks-title = { $name } 任务清单
tasks-empty = { $name } 目前没有未办结的任务。
overview-only-county = /overview 只能在县总督导群中使用。
overview-title = 全县问题概况（{ $date }）
overview-township = 【{ $name }】未办结 { $open } · 超期 { $overdue } · 待确认 { $unacknowledged }
command-tasks = 任务清单（乡镇或部门群）
command-overview = 全县概况（县总督导群）
