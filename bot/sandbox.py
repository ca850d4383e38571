"""The local sandbox: until the emulator lands, say clearly how to run against Telegram."""

from __future__ import annotations

import sys

from bot.config import Settings


def run_sandbox(settings: Settings) -> int:
    print(
        "No BOT_TOKEN configured. Set BOT_TOKEN (and TELEGRAM_API_URL for a local Bot API server) to run "
        "against Telegram; the local sandbox is not available yet.",
        file=sys.stderr,
    )
    return 2
