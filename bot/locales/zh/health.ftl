## 持续故障，告知县级管理员（bot/services/health.py）
trouble-kind = { $kind ->
    [telegram] 机器人收不到 Telegram 的消息
    [database] 数据库无法使用
   *[delivery] 机器人的消息发不出去
}
notice-trouble-started = ⚠️ { trouble-kind }，始于 { $since }（已 { $minutes } 分钟，失败 { $failures } 次；最近一次：{ $detail }）。机器人会自动重试，恢复后会再通知您。
notice-trouble-recovered = ✅ 已于 { $until } 恢复：{ $kind ->
    [telegram] 接收 Telegram 消息
    [database] 数据库
   *[delivery] 发送消息
}（故障始于 { $since }，持续 { $minutes } 分钟）。期间排队的消息正在发出。
notice-trouble-passed = ⚠️✅ { $kind ->
    [telegram] 接收 Telegram 消息
    [database] 数据库
   *[delivery] 发送消息
}在 { $since } 至 { $until } 期间不可用（{ $minutes } 分钟，失败 { $failures } 次；最近一次：{ $detail }），现已恢复。期间可能有成员被提示稍后再试。
error-database-busy = 抱歉，机器人暂时连不上数据库，刚才的操作没有保存。请几分钟后再试。
