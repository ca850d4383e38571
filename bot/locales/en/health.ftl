## Lasting trouble, told to the county admins (bot/services/health.py)
trouble-kind = { $kind ->
    [telegram] The bot cannot receive messages from Telegram
    [database] The database is unavailable
   *[delivery] The bot's messages are not getting out to Telegram
}
notice-trouble-started = ⚠️ { trouble-kind } since { $since } ({ $minutes } min, { $failures } failed attempts; last: { $detail }). The bot keeps retrying by itself; you will be told when it works again.
notice-trouble-recovered = ✅ Working again since { $until }: { $kind ->
    [telegram] receiving messages from Telegram
    [database] the database
   *[delivery] sending messages
} (trouble from { $since }, { $minutes } min). Anything queued meanwhile is being delivered now.
notice-trouble-passed = ⚠️✅ { $kind ->
    [telegram] Receiving messages from Telegram
    [database] The database
   *[delivery] Sending messages
} was unavailable from { $since } to { $until } ({ $minutes } min, { $failures } failed attempts; last: { $detail }). It works again; members may have been asked to try again during that time.
error-database-busy = Sorry, the bot cannot reach its database right now, so nothing was saved. Please try again in a few minutes.
