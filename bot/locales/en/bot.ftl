## General
error-internal = Sorry, something went wrong. It has been logged for the admins; please try again later.
not-a-member = I don't know you yet. Send /join in your village group and pick your name from the roster.

## Chat purposes and roles
purpose-village = village group
purpose-township = township supervision group
purpose-county = county supervision group
purpose-department = department group
role-member = team member
role-team_lead = team lead
role-village_secretary = village party secretary
role-township_supervisor = township supervisor
role-department_liaison = department liaison
role-county_leader = county leader
role-admin = admin

## Commands menu
command-report = Report a problem (one problem, one form)
command-open = Open items of this village
command-mine = Items I reported or hold
command-issue = Show an item: /issue NUMBER
command-join = Claim your name on the roster
command-whoami = Who am I, my roles
command-help = Help
command-cancel = Cancel what you are doing

## /help
help-title = "One core, five teams" work assistant
help-unknown-member = You are not linked to the roster yet. Send /join in your village group and pick your name; the village secretary confirms.
help-chat-bound = This group is { $name } ({ $code }), { $purpose }.
help-chat-unbound = This group is not bound to a village, township or department yet. An admin can send /bind CODE.
help-private = In a private chat: /report a problem of your village, /mine your items, /issue NUMBER for details, /whoami who you are.
help-village = In the village group: /report a problem, /open the village's open items, /mine your items, /issue NUMBER for details. The buttons under a card claim, add progress, resolve and verify.
help-village-join = Send /join and pick your name from the village roster; once the secretary confirms you can report.
help-village-lead = Team leads and the secretary can also verify and sign off, reopen, withdraw or mark duplicates.
help-township = In the township group: items escalated by the villages arrive here to acknowledge, dispatch to a county department, send back or verify.
help-county = In the county supervision group: the county's overdue and unacknowledged items.
help-department = In the department group: your task list arrives here to acknowledge, add progress and resolve.
help-lookup = Always: /whoami who you are, /help this help, /cancel cancel what you are doing.
help-admin = Admins: /bind CODE binds a group to a village, township, the county or a department; /unbind undoes it (you must also be an admin of the group).

## /whoami
whoami-unknown = I don't know you yet. Send /join in your village group and pick your name from the roster.
whoami-title = You are { $name } ({ $code })
whoami-role = · { $role }: { $scope }
whoami-no-roles = You hold no roles at the moment.

## /bind
bind-usage = Usage: /bind CODE, e.g. /bind GC01-01 (village), /bind GC01 (township), /bind GC (county) or a department code.
bind-not-org-admin = Only an organisation admin can bind or unbind a group.
bind-not-chat-admin = You must also be an admin of this group to bind or unbind it.
bind-unknown-code = There is no village, township, county or department with code "{ $code }".
bind-chat-already-bound = This group is already bound to { $name } ({ $code }). Send /unbind first to change it.
bind-unit-has-chat = { $name } ({ $code }) is already bound to another group: { $title }.
bind-done = Bound: this group is the { $purpose } of { $name } ({ $code }).
unbind-not-bound = This group is not bound.
unbind-done = Unbound: this group is no longer the group of { $name } ({ $code }).

## /join
join-already-member = You are already { $name }; nothing to claim.
join-roster-empty = Every name on this village's roster is already claimed. Ask the secretary or an admin.
join-pick = Pick your name on the roster of { $village }:
join-not-on-roster = That name is not on this village's list of unclaimed names.
join-already-pending = You already have a request waiting; the secretary will confirm it.
join-requested-alert = Sent; the village secretary will confirm.
join-requested = { $user } asks to be linked as "{ $name }". The village secretary or an admin, please confirm:
join-approve = ✅ Approve
join-reject = ❌ Reject
join-approver-only = Only this village's secretary or an admin can confirm a request.
join-request-gone = That request does not exist or is not for this village.
join-already-decided = That request has already been decided.
join-member-taken = "{ $name }" is already linked to another account.
join-approved = Confirmed: welcome, { $name }! (by { $by })
join-rejected = The request to be "{ $name }" was declined ({ $by }).
