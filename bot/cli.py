"""Command line: run | sandbox | db upgrade | org import FILE."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from bot.db import create_engine, create_sessionmaker, resolve_url
from bot.logs import setup_logging
from bot.services.org_import import apply_org
from bot.services.org_model import OrgFileError
from bot.services.org_parse import parse_org


def db_upgrade(database_url: str, revision: str = "head") -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = resolve_url(database_url)
    command.upgrade(config, revision)


def db_downgrade(database_url: str, revision: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = resolve_url(database_url)
    command.downgrade(config, revision)


async def import_org(settings: Settings, raw: bytes, name: str) -> str:
    org = parse_org(raw, settings.kind_keys)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            counts = await apply_org(session, org)
    finally:
        await engine.dispose()
    return (f"imported {name}: {counts.townships} townships, {counts.villages} villages, "
            f"{counts.teams} teams, {counts.departments} departments, {counts.members} members")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="Five Teams Bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling; the sandbox when no token is set)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook instead of polling")
    sub.add_parser("sandbox", help="run the local Bot API emulator, the bot and the chat page")
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every migration")
    down = db.add_parser("downgrade", help="revert to a revision")
    down.add_argument("revision")
    org = sub.add_parser("org", help="organisation roster").add_subparsers(dest="org_command", required=True)
    org_import = org.add_parser("import", help="create or update the organisation from a TOML file")
    org_import.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, (settings.bot_token.get_secret_value(),))
    if args.command == "db":
        if args.db_command == "upgrade":
            db_upgrade(settings.database_url)
        else:
            db_downgrade(settings.database_url, args.revision)
        return 0
    if args.command == "org":
        try:
            print(asyncio.run(import_org(settings, args.file.read_bytes(), args.file.name)))
        except FileNotFoundError:
            print(f"no such file: {args.file}", file=sys.stderr)
            return 1
        except OrgFileError as exc:
            print(f"{args.file}: rejected, nothing imported ({len(exc.problems)} problems):", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        return 0
    if args.command == "sandbox" or (args.command == "run" and not settings.has_token):
        from bot.sandbox import run_sandbox

        return run_sandbox(settings)
    if args.webhook:
        print("webhook mode is not available yet; run without --webhook", file=sys.stderr)
        return 2
    from bot.app import run_polling

    asyncio.run(run_polling(settings))
    return 0
