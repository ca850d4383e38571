"""python -m emulator: run the Bot API emulator and its sandbox page until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from emulator.app import DEFAULT_TOKEN, Emulator
from emulator.faults import RateLimits


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the one bot token accepted")
    parser.add_argument("--bot-username", default="five_teams_bot")
    parser.add_argument("--bot-name", default="Five Teams Bot", help="the bot's first_name")
    parser.add_argument(
        "--no-privacy", action="store_true", help="give the bot every group message, as with privacy mode off"
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="answer 429 when Telegram's limits are broken"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        args.token,
        bot_username=args.bot_username,
        bot_first_name=args.bot_name,
        host=args.host,
        port=args.port,
        privacy_mode=not args.no_privacy,
        rate_limits=RateLimits(enabled=args.rate_limits),
    )
    base_url = await emulator.start()
    print(
        f"Bot API emulator on {base_url}  (sandbox page: {base_url}/, control API: {base_url}/control/)",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parser().parse_args()))


if __name__ == "__main__":
    main()
