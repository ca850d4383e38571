"""Command line for spreadsheets: `org export FILE.xlsx|FILE.csv` (the roster that `org import` reads back) and
`export --township CODE | --village CODE | --member CODE | --all` (the archive workbooks)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import LANGUAGES, Settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.messaging.workbook import Labels, Written, archive_filename, roster_format, write_archive
from bot.services.archive_directory import Directory, Subject, SubjectKind
from bot.services.archive_source import ScoreCache
from bot.services.archive_subjects import all_subjects, find_subject
from bot.services.errors import NotFound
from bot.services.org_model import OrgFileError
from bot.services.roster_export import roster_rows, write_roster_csv, write_roster_xlsx
from bot.services.roster_import import org_structure

FOLDERS = {SubjectKind.township: "townships", SubjectKind.village: "villages", SubjectKind.member: "members"}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                org: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    org_export = org.add_parser("export", help="write the roster to FILE.xlsx or FILE.csv, as org import reads it")
    org_export.add_argument("file", type=Path)
    export = sub.add_parser("export", help="write archive workbooks (.xlsx): a township's library, a village's "
                                           "register, a member's file, or all of them")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--township", metavar="CODE", help="the township's library")
    which.add_argument("--village", metavar="CODE", help="the village's register")
    which.add_argument("--member", metavar="CODE", help="the member's file")
    which.add_argument("--all", action="store_true",
                       help="every library, register and file, in OUT/townships, OUT/villages and OUT/members")
    export.add_argument("--lang", choices=LANGUAGES, help="language of sheet names, headers and words "
                                                          "(default: the configured default language)")
    export.add_argument("--out", type=Path, default=Path("archives"), help="folder to write to (default: archives)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "org":
        return asyncio.run(export_roster(settings, args.file))
    return asyncio.run(export_archives(settings, args))


async def _snapshot(session: AsyncSession) -> None:
    """One consistent view for the whole export while the bot keeps writing: SQLite's read transaction is a
    snapshot already (WAL); PostgreSQL's default reads each statement anew."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def export_roster(settings: Settings, path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        print(f"{path}: the roster is written as .xlsx or .csv", file=sys.stderr)
        return 2
    fmt = roster_format(Translator(settings.default_language), settings)
    # Reads only: no write lock, so a running bot is not held up.
    engine = create_engine(settings.database_url, write_lock_upfront=False)
    try:
        async with create_sessionmaker(engine)() as session:
            await _snapshot(session)
            rows = await roster_rows(session)
            structure = await org_structure(session)
    except OrgFileError as error:
        print(f"nothing to export: {error.problems[0].why}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    part = path.with_name(path.name + ".part")
    with part.open("wb") as target:
        if suffix == ".csv":
            write_roster_csv(rows, target, fmt)
        else:
            write_roster_xlsx(rows, structure, target, fmt)
    part.replace(path)
    print(f"exported {len(rows)} members to {path}")
    return 0


class StderrProgress:
    """A progress line on stderr at most once a second: rewritten in place on a terminal, one line every few
    seconds in a log."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every = 1.0 if self.tty else 10.0
        self.label = ""
        self.last = time.monotonic()

    def start(self, label: str) -> None:
        self.label = label

    def update(self, sheet: str, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        line = f"{self.label}: {sheet} {rows:,} rows"
        self.stream.write(f"\r\x1b[K{line}" if self.tty else f"{line}\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


async def export_archives(settings: Settings, args: argparse.Namespace) -> int:
    translator = Translator(settings.default_language)
    labels = Labels.build(translator.localizer(args.lang or settings.default_language), settings)
    now = Clock().now()
    progress = StderrProgress()
    engine = create_engine(settings.database_url, write_lock_upfront=False)
    try:
        async with create_sessionmaker(engine)() as session:
            await _snapshot(session)
            directory = await Directory.load(session)
            if args.all:
                subjects = all_subjects(directory)
                targets = [(args.out / FOLDERS[s.kind], s) for s in subjects]
                # One county-wide computation per month serves every workbook of the run.
                cache: ScoreCache | None = ScoreCache(settings, now, None)
            else:
                kind, code = next((k, getattr(args, k.value)) for k in FOLDERS if getattr(args, k.value))
                try:
                    subject = find_subject(directory, kind, code)
                except NotFound:
                    print(f"no such {kind.value}: {code}", file=sys.stderr)
                    return 1
                targets, cache = [(args.out, subject)], None
            total = 0
            for index, (folder, subject) in enumerate(targets, start=1):
                path = folder / archive_filename(subject)
                progress.start(f"[{index}/{len(targets)}] {path}" if len(targets) > 1 else str(path))
                written = await _write(session, subject, path, labels, settings, now, directory, cache, progress)
                total += written.rows
                if len(targets) == 1:
                    progress.clear()
                    print(f"wrote {path}: {len(written.sheets)} sheets, {written.rows:,} rows")
            if len(targets) > 1:
                progress.clear()
                counts = ", ".join(f"{sum(1 for _, s in targets if s.kind == kind)} {folder}"
                                   for kind, folder in FOLDERS.items())
                print(f"wrote {len(targets)} workbooks to {args.out} ({counts}; {total:,} rows)")
    finally:
        await engine.dispose()
    return 0


async def _write(session: AsyncSession, subject: Subject, path: Path, labels: Labels, settings: Settings,
                 now: datetime, directory: Directory, cache: ScoreCache | None, progress: StderrProgress) -> Written:
    """Write to a side file and move it in place, so an interrupted export never leaves half a workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        written = await write_archive(session, subject, part, labels=labels, settings=settings, now=now,
                                      directory=directory, cache=cache, progress=progress.update)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(path)
    return written
