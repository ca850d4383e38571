## Weekly digest and meeting reminders
digest-title = 📊 { $name }: this week ({ $start } to { $end })
digest-nothing = No new items this week and nothing open. 👍
digest-team = [{ $team }] new { $new } · open { $open } · overdue { $overdue } · resolved { $resolved } · signed off { $closed }
digest-total = Total: new { $new } · open { $open } · overdue { $overdue } · resolved { $resolved } · signed off { $closed }
digest-oldest = Oldest open items:
digest-oldest-item = • { $number } { $description }
digest-item = { $overdue ->
    [yes] ⚠️
   *[no] •
} { $number } { $description } (due { $due })
agenda-title = 📅 { $name }: the quarterly joint meeting is on { $date }. Agenda (open and overdue items):
agenda-nothing = Nothing is open at the moment.
agenda-team = [{ $team }] { $count } items
agenda-footer = After the meeting the village secretary can send /meeting to record it and send what the village cannot solve to the township in one step.
dept-meeting-title = 📅 { $name }: monthly progress meeting ({ $date }): { $count } tasks, { $overdue } overdue.
dept-meeting-nothing = No tasks at the moment.
