## Weekly digest and meeting reminders
digest-title = 📊 { $name } 本周工作小结（{ $start } 至 { $end }）
digest-nothing = 本周没有新问题，也没有未办结的问题。👍
digest-team = 【{ $team }】新增 { $new } · 未办结 { $open } · 超期 { $overdue } · 办结 { $resolved } · 销号 { $closed }
digest-total = 合计：新增 { $new } · 未办结 { $open } · 超期 { $overdue } · 办结 { $resolved } · 销号 { $closed }
digest-oldest = 最早的未办结问题：
digest-oldest-item = • { $number } { $description }
digest-item = { $overdue ->
    [yes] ⚠️
   *[no] •
} { $number } { $description }（期限 { $due }）
agenda-title = 📅 { $name } 季度联席会将于 { $date } 召开。议程（未办结和超期问题）：
agenda-nothing = 目前没有未办结的问题。
agenda-team = 【{ $team }】{ $count } 项
agenda-footer = 会后村书记可发送 /meeting 记录会议，并把村里解决不了的问题一次上报乡镇。
dept-meeting-title = 📅 { $name } 月度推进会（{ $date }）：任务 { $count } 项，超期 { $overdue } 项。
dept-meeting-nothing = 目前没有任务。
