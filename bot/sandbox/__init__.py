"""The local sandbox: try the bot in a browser page, without Telegram and without a token."""

from bot.sandbox.launcher import run_sandbox

__all__ = ["run_sandbox"]
