"""Command line: run | sandbox | db upgrade | org import FILE."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from bot.db import create_engine, create_sessionmaker, resolve_url
from bot.export_cli import add_parsers as add_export_parsers
from bot.export_cli import run as run_export
from bot.i18n import Translator
from bot.logs import secrets_of, setup_logging
from bot.messaging.workbook import roster_format
from bot.services.org_import import apply_org
from bot.services.org_model import OrgFileError
from bot.services.org_parse import parse_org
from bot.services.roster_import import roster_from_file
from bot.services.roster_read import is_roster_file


def db_upgrade(database_url: str, revision: str = "head") -> None:
    # Alembic is imported by the commands that migrate, not at every start of the bot
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = resolve_url(database_url)
    command.upgrade(config, revision)


def db_downgrade(database_url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = resolve_url(database_url)
    command.downgrade(config, revision)


async def import_org(settings: Settings, raw: bytes, name: str) -> str:
    roster = is_roster_file(name)
    org = None if roster else parse_org(raw, settings.kind_keys)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            if org is None:  # a spreadsheet roster: members checked against the units already in the database
                org = await roster_from_file(session, raw, name, settings.kind_keys,
                                             roster_format(Translator(settings.default_language), settings))
            counts = await apply_org(session, org)
    finally:
        await engine.dispose()
    return (f"imported {name}: {counts.townships} townships, {counts.villages} villages, "
            f"{counts.teams} teams, {counts.departments} departments, {counts.members} members")


async def jobs_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import Clock
    from bot.scheduler.jobs import job_registry
    from bot.scheduler.periods import trigger_for
    from bot.scheduler.runner import recent_runs
    from bot.scheduler.service import JobScheduler

    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    registry = job_registry()
    try:
        if args.jobs_command == "list":
            now = Clock().now()
            async with sessionmaker() as session:
                for name, job in settings.jobs.items():
                    upcoming = trigger_for(job.cron, settings.tz).get_next_fire_time(None, now)
                    runs = ", ".join(f"{r.period} {r.status}" for r in await recent_runs(session, name)) or "-"
                    state = "" if job.enabled else " (disabled)"
                    when = upcoming.strftime("%Y-%m-%d %H:%M %Z") if upcoming else "-"
                    print(f"{name:30} {job.cron:20} next {when}{state}  last: {runs}")
            return 0
        if args.name not in registry or args.name not in settings.jobs:
            print(f"no such job: {args.name} (known: {', '.join(sorted(settings.jobs))})", file=sys.stderr)
            return 2
        scheduler = JobScheduler(sessionmaker, settings, registry, Clock(), worker="cli")
        try:
            outcome = await scheduler.run(args.name, args.period)
        except ValueError:
            print(f"bad period {args.period!r}: use YYYY-MM-DDTHH:MM", file=sys.stderr)
            return 2
        if outcome.ran:
            print(f"{args.name} ran for {outcome.period}: {outcome.detail}")
        else:
            print(f"{args.name}: period {outcome.period} was already done; nothing posted")
        return 0
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description="Five Teams Bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling; the sandbox when no token is set)")
    run.add_argument("--webhook", action="store_true",
                     help="serve the Bot API webhook (and /healthz, /metrics) instead of polling")
    sub.add_parser("sandbox", help="run the local Bot API emulator, the bot and the chat page")
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply every migration")
    down = db.add_parser("downgrade", help="revert to a revision")
    down.add_argument("revision")
    copy = db.add_parser("copy", help="copy every row into another, empty database (SQLite <-> PostgreSQL)")
    copy.add_argument("--from", dest="source", required=True, help="database URL to read")
    copy.add_argument("--to", dest="target", required=True, help="database URL to write (migrated, must be empty)")
    backup = db.add_parser("backup", help="online backup of the SQLite database (PostgreSQL: prints pg_dump)")
    backup.add_argument("--to", help="a file, or a folder (existing or ending in /) for a dated name (data/backups/)")
    sub.add_parser("permissions", help="print the permission matrix (who may do what) as a Markdown table")
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="jobs_command", required=True)
    jobs.add_parser("list", help="each job, its next run and its last periods")
    job_run = jobs.add_parser("run", help="run one job now (its posts go out through the outbox)")
    job_run.add_argument("name")
    job_run.add_argument("--period", help="the period to run, e.g. 2026-11-27T18:00 (default: the latest)")
    org = sub.add_parser("org", help="organisation roster").add_subparsers(dest="org_command", required=True)
    org_import = org.add_parser("import", help="create or update the organisation from a TOML file, or its members "
                                               "from an .xlsx or .csv roster")
    org_import.add_argument("file", type=Path)
    add_export_parsers(sub, org)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        return _dispatch(args, settings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    setup_logging(settings.log_level, secrets_of(settings))
    if args.command == "db":
        if args.db_command == "copy":
            from bot.dbcopy import run_copy

            return run_copy(args.source, args.target)
        if args.db_command == "backup":
            from bot.backup import run_backup

            return run_backup(settings, args.to)
        if args.db_command == "upgrade":
            db_upgrade(settings.database_url)
        else:
            db_downgrade(settings.database_url, args.revision)
        return 0
    if args.command == "permissions":
        from bot.services.permissions import render_markdown

        print(render_markdown(), end="")
        return 0
    if args.command == "jobs":
        return asyncio.run(jobs_command(settings, args))
    if args.command == "export" or (args.command == "org" and args.org_command == "export"):
        return run_export(settings, args)
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
        if not settings.webhook.base_url:
            print("config error: webhook.base_url: set the public URL the Bot API posts to (WEBHOOK__BASE_URL)",
                  file=sys.stderr)
            return 2
        from bot.webhook import run_webhook

        asyncio.run(run_webhook(settings))
        return 0
    from bot.app import run_polling

    asyncio.run(run_polling(settings))
    return 0
