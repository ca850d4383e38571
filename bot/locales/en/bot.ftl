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
anonymous-admin = You are posting anonymously, in the group's name, so I cannot tell who you are. Turn off “Remain anonymous” in your admin rights and send the command again, or write to me privately.

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

## Refusals and lookups
report-no-village = You do not belong to a village, so you cannot report. Ask your village secretary.
report-pick-village-group = You belong to several villages; send /report in the right village group.
report-not-your-village = You are not a member of this village, so you cannot report here.
report-no-such-team = This village has no such team.
report-only-village = /report works in a bound village group or in a private chat with me.
report-description-empty = The description cannot be empty; a few words about the problem, please.
report-description-too-long = The description is too long (at most { $limit } characters).
report-description-need-text = Please describe the problem in words (photos come next).
report-place-empty = The place cannot be empty.
report-place-too-long = The place is too long (at most { $limit } characters).
refuse-team-only = Only members of this team, its lead or the village secretary can do that.
refuse-verifier-only = Only the reporter, the team lead or the village secretary can verify or reopen.
refuse-lead-only = Only the team lead or the village secretary can withdraw or mark a duplicate.
refuse-self-verify = Whoever resolved an item cannot verify it; the reporter, the team lead or the secretary must.
refuse-wrong-state = Item { $number } is now "{ $status ->
    [open] open
    [in_progress] in progress
    [resolved] resolved, awaiting verification
    [closed] signed off
    [withdrawn] withdrawn
   *[other] a duplicate
}"; that action no longer applies and nothing changed.
issue-not-found = That item cannot be found; the button may be out of date.
issue-number-unknown = There is no item numbered { $number }.
issue-not-here = Item { $number } is not one of this group's items.
issue-usage = Usage: /issue NUMBER, e.g. /issue 2026-0001
issue-only-bound-or-private = /issue works in a bound group (for that group's items) or in a private chat with me.
issue-private-not-allowed = Only the item's reporter and holder, the members of its village, its township's supervisors, the liaisons of the department it was sent to, county leaders and admins can read it here. In a bound group, /issue shows that group's own items.
text-required = Please write a few words.
text-too-long = That text is too long (at most { $limit } characters).
duplicate-unknown = This village has no item numbered { $number }. Reply with the original item's number.
duplicate-self = An item cannot duplicate itself.
duplicate-of-closed = Item { $number } is withdrawn or itself a duplicate; pick the original.
button-stale = This button is no longer valid.
open-only-village = /open works in village groups only.

## Card
card-title = 📋 { $number } · { $team }{ $urgent ->
    [yes] {" "}· 🔴 URGENT
   *[no] {""}
}
card-origin = 🏠 { $village } · reported by { $reporter } · { $days ->
    [0] today
    [one] 1 day ago
   *[other] { $days } days ago
}
card-status = Status: { $status } · level: { $level } · holder: { $holder }
card-due = ⏰ Due { $date }{ $overdue ->
    [yes] {" "}(OVERDUE)
   *[no] {""}
}
card-place = 📍 { $place }
card-resolution = ✅ Resolved by { $resolver }: { $note }
card-verified = 🔏 Verified and signed off by { $verifier }
card-unmet = ↩️ Reopened: { $reason }
card-closed-reason = Reason: { $reason }
card-duplicate-of = Duplicate of { $number }
card-more = (full text: /issue { $number })
status-open = open
status-in_progress = in progress
status-resolved = resolved, awaiting verification
status-closed = signed off
status-withdrawn = withdrawn
status-duplicate = duplicate
level-village = village
level-township = township
level-county = county
action-claim = 🙋 Claim
action-note = 📝 Progress
action-resolve = ✅ Resolve
action-verify = 🔏 Verify and sign off
action-reopen = ↩️ Reopen
action-withdraw = 🗑 Withdraw
action-duplicate = 🔁 Duplicate
action-photos = 📷 More photos ({ $count })
photos-of = Photos of item { $number }

## Report conversation
report-ask-kind = Report a problem in { $village } (one problem, one form). Which team? (✅ marks your own)
report-ask-description = Describe the problem: which household, what is wrong, what help is needed. (Reply to this message.)
report-ask-photos = Any photos? Reply to this message with photos (at most { $limit }), then press Done.
report-photos-none = ⏭ No photos
report-photos-none-hint = No photos? Press here:
report-photos-done = ✅ Done
report-photo-received = Photo { $count } received. Send another or press Done.
report-photos-full = At most { $limit } photos; please press Done.
report-photos-need-photo = This step takes photos. Send a photo, or press Done / No photos to go on.
report-ask-place = Where is it? Reply with a location, or write the household or pasture name.
report-place-skip = ⏭ Skip the place
report-place-skip-hint = No place? Press here:
report-place-need = Send a location or write the place, or press Skip.
report-ask-urgency = How urgent is it?
urgency-normal = Normal
urgency-urgent = 🔴 Urgent
report-summary = Please check:
    Village: { $village }
    Team: { $team }
    Problem: { $description }
    Photos: { $photos }
    Place: { $place }
    Urgency: { $urgency }
report-summary-no-place = not given
report-confirm = ✅ Confirm
report-edit = ✏️ Edit
report-cancel = ❌ Cancel
report-edit-which = What do you want to change?
report-field-kind = Team
report-field-description = Description
report-field-photos = Photos (send again)
report-field-place = Place
report-field-urgency = Urgency
report-use-buttons = Please choose with the buttons above, or send /cancel.
report-not-your-button = This is someone else's report; send /report to start your own.
report-resumed = You have an unfinished report; let's carry on (/cancel to drop it):
report-created = Reported as { $number }. Thank you!
report-cancelled = Cancelled; nothing was saved.
cancel-nothing = Nothing is in progress.
conversation-expired = Nothing happened for { $minutes } minutes, so it was cancelled. Please start again.

## Actions with text
ask-note = Reply to this message with the progress on item { $number }.
ask-resolve = Reply to this message with how item { $number } was solved (you may attach one photo, with the text as its caption).
ask-reopen = Reply to this message with why item { $number } is not solved (required).
ask-withdraw = Reply to this message with why item { $number } is withdrawn (required).
ask-duplicate = Reply with the number of the original item that { $number } duplicates, and a note, e.g.: 2026-0012 same well.
action-finish-report-first = Finish or /cancel the report you are writing first.
done-claim = You hold { $number } now.
done-note = Progress on { $number } recorded.
done-resolve = { $number } resolved; awaiting verification.
done-verify = { $number } verified and signed off.
done-reopen = { $number } reopened.
done-withdraw = { $number } withdrawn.
done-duplicate = { $number } marked as a duplicate.

## Lists and the full form
list-line = { $overdue ->
    [yes] ⚠️
   *[no] •
} { $number } [{ $status }] { $description } ({ $days } d, due { $due })
list-page = Page { $page }/{ $pages }, { $total } items
list-team = [{ $team }]
page-previous = ⬅️ Previous
page-next = Next ➡️
open-title = Open items of { $village }
open-empty = { $village } has no open items. 👍
mine-title = Open items I reported or hold
mine-empty = You have no open items.
timeline-title = Timeline:
timeline-line = { $at } { $actor }: { $action } { $detail }
timeline-system = system
event-reported = reported
event-claim = claimed
event-note = progress
event-resolve = resolved
event-verify = verified and signed off
event-reopen = reopened
event-withdraw = withdrew
event-duplicate = marked duplicate

## Escalation, supervision and department tasks
refuse-wrong-level = Item { $number } is now handled at { $level ->
    [village] the village
    [township] the township
   *[county] the county
}; that cannot be done from here.
refuse-escalate-lead-only = Only the team lead or the village secretary can escalate to the township.
refuse-supervisor-only = Only this township's supervisors (at county level: county leaders or admins) can do that.
refuse-liaison-only = Only the liaison of the assigned department can do that.
refuse-already-acknowledged = Item { $number } has already been acknowledged; nothing changed.
dispatch-unknown-department = There is no such department.
due-unparseable = I cannot read "{ $text }". Write a date such as 2026-12-20, or a number of days such as 15.
due-in-past = The due date must be after today.
due-too-far = The due date cannot be more than { $days } days away.
button-not-yours = This button is meant for someone else.
card-awaiting-ack = ⏳ Awaiting acknowledgement
card-owner = 👤 Owner: { $owner }
card-escalated = ⬆️ Escalated: { $reason }
card-department = 🏢 Department: { $department }{ $acknowledged ->
    [yes] {" "}(acknowledged)
   *[no] {" "}(not yet acknowledged)
}
action-escalate = ⬆️ Escalate
action-acknowledge = 👌 Acknowledge
action-dispatch = 📤 Dispatch
action-send_back = ↩️ Send back
action-sign_off = 🔏 Verify and sign off
action-unmet = ❌ Unmet
action-task_ack = 👌 Acknowledge task
action-task_note = 📝 Progress
action-task_resolve = ✅ Resolve
ask-escalate = Reply to this message with why the village cannot solve item { $number } (required).
ask-send_back = Reply to this message with why item { $number } is sent back (required).
ask-unmet = Reply to this message with what is not met on item { $number } (required); a new due date follows.
ask-task_note = Reply to this message with the progress on task { $number }.
ask-task_resolve = Reply to this message with how task { $number } was solved.
ask-department = Which department should item { $number } go to?
ask-due = Due date for item { $number }? Reply with a date (e.g. 2026-12-20) or a number of days (e.g. 15).
due-default = ✅ Default: { $date }
due-default-hint = Or take the default due date:
done-escalate = { $number } escalated to the township.
done-acknowledge = { $number } acknowledged; you own it now.
done-dispatch = { $number } dispatched to the department.
done-send_back = { $number } sent back.
done-sign_off = { $number } verified and signed off.
done-unmet = { $number } marked unmet; back to work.
done-task_ack = Task { $number } acknowledged.
done-task_note = Progress on { $number } recorded.
done-task_resolve = Task { $number } resolved; awaiting the township's verification.
event-escalate = escalated
event-acknowledge = acknowledged
event-dispatch = dispatched
event-send_back = sent back
event-sign_off = signed off
event-unmet = marked unmet
event-task_ack = department acknowledged
event-task_note = department progress
event-task_resolve = department resolved
event-auto_escalate = escalated automatically (overdue)
event-climb = not acknowledged, climbed to the county
event-renotify = reminded to acknowledge
event-reminder = overdue reminder
notice-task-assigned = 📤 New task { $number } for your department; please acknowledge it in the department group.
notice-sent-back = ↩️ Item { $number } was sent back: { $reason }
notice-task-resolved = ✅ The department resolved task { $number }; please verify and sign off, or mark it unmet.
notice-unacknowledged = ⏰ Item { $number } was escalated { $hours } hours ago and is still not acknowledged.
notice-overdue = ⚠️ Item { $number } is { $days } days overdue.
notice-chat-problem = ⚠️ The bot cannot post in "{ $title }": { $error }. Check whether it was removed from that group.
notice-person-unreachable = ⚠️ The bot cannot write to { $name } in private ({ $error }): they have not started the bot, or have blocked it. Please ask them to open a private chat with the bot and press Start; until then they miss its private notices.
notice-topic-gone = ⚠️ The topic the bot posts to in "{ $title }" was closed or deleted ({ $error }); from now on it posts to that group's General topic. To use another topic, send /unbind and then /bind with the code in that topic.

## Task lists and the county overview
tasks-only-township-or-department = /tasks works in a township supervision group or a department group.
tasks-title = Task list of { $name }
tasks-empty = { $name } has no open tasks.
overview-only-county = /overview works in the county supervision group.
overview-title = County overview ({ $date })
overview-township = [{ $name }] open { $open } · overdue { $overdue } · unacknowledged { $unacknowledged }
command-tasks = Task list (township or department group)
command-overview = County overview (county supervision group)
