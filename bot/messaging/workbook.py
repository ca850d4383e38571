"""Archive workbooks (.xlsx) in openpyxl's write-only mode, and the words of the roster spreadsheet.

Rows arrive from bot/services/archive.py in chunks read asynchronously; each chunk is turned into cells and
appended in a worker thread (`asyncio.to_thread`), so the event loop is never blocked by openpyxl and memory
holds one chunk at a time: a write-only sheet streams its rows to a temporary file and the workbook is zipped
together when saved. Every word is looked up in the locale files once, before the first row, so the thread
never calls into Fluent.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer, Translator
from bot.models import IssueLevel, IssueStatus, MeetingKind, RoleName, Urgency
from bot.services.archive import Archive
from bot.services.archive_directory import Directory, Subject
from bot.services.archive_sheets import OVERVIEW_ITEMS, SHEETS, TITLES, Label, Row, SheetSpec, Show
from bot.services.archive_source import ScoreCache
from bot.services.lifecycle import Action
from bot.services.roster_format import COLUMN_KEYS, RosterFormat
from bot.services.spreadsheet import header_sheet, text_cell

MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
DAY_FORMAT = "yyyy-mm-dd"
# Events written by the SLA sweep and the report flow rather than by a lifecycle action.
OTHER_EVENTS = ("reported", "auto_escalate", "climb", "renotify", "reminder")
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

Progress = Callable[[str, int], None]  # (sheet name, rows written so far in it)


def roster_format(translator: Translator, settings: Settings) -> RosterFormat:
    zh, en = translator.localizer("zh"), translator.localizer("en")
    return RosterFormat(
        labels={key: zh(f"roster-col-{key}") for key in COLUMN_KEYS},
        sheet=zh("roster-sheet"),
        codes_sheet=zh("roster-codes-sheet"),
        codes_headers=(zh("roster-codes-col-what"), zh("roster-codes-col-code"), zh("roster-codes-col-name"),
                       zh("roster-codes-col-parent")),
        role_names={role.value: f"{zh(f'role-{role.value}')} / {en(f'role-{role.value}')}" for role in RoleName},
        kind_names={kind.key: f"{kind.zh} / {kind.en}" for kind in settings.team_kinds},
    )


@dataclass(frozen=True)
class Labels:
    """Every word a workbook shows, in one language."""

    sheets: dict[str, str]
    headers: dict[str, str]
    values: dict[Show, dict[str, str]]
    other: dict[str, str]            # the archives' titles, yes and no
    separator: str

    @classmethod
    def build(cls, t: Localizer, settings: Settings) -> Labels:
        events = [*(action.value for action in Action), *OTHER_EVENTS]
        values = {
            Show.status: {s.value: t(f"status-{s.value}") for s in IssueStatus},
            Show.level: {level.value: t(f"level-{level.value}") for level in IssueLevel},
            Show.urgency: {u.value: t(f"archive-urgency-{u.value}") for u in Urgency},
            Show.event: {kind: t(f"event-{kind}") for kind in events},
            Show.team: {kind.key: kind.label(t.language) for kind in settings.team_kinds},
            Show.role: {role.value: t(f"role-{role.value}") for role in RoleName},
            Show.meeting: {kind.value: t(f"archive-meeting-{kind.value}") for kind in MeetingKind},
            Show.scope: {scope: t(f"archive-scope-{scope}") for scope in ("team", "village", "township")},
            Show.item: {item: t(f"archive-item-{item}") for item in OVERVIEW_ITEMS},
        }
        other = {key: t(key) for key in (*TITLES, "archive-yes", "archive-no")}
        return cls(
            sheets={spec.key: t(f"archive-sheet-{spec.key}") for spec in SHEETS},
            headers={column.key: t(f"archive-col-{column.key}") for spec in SHEETS for column in spec.columns},
            values=values, other=other, separator=t("archive-separator"))


@dataclass
class ArchiveBook:
    """One write-only workbook; used from one thread at a time."""

    labels: Labels
    tz: ZoneInfo
    workbook: Workbook = field(default_factory=lambda: Workbook(write_only=True))
    rows: dict[str, int] = field(default_factory=dict)   # sheet name -> data rows written

    def add_sheet(self, spec: SheetSpec) -> WriteOnlyWorksheet:
        title = self.labels.sheets[spec.key]
        sheet = header_sheet(self.workbook, title, [self.labels.headers[column.key] for column in spec.columns],
                             [column.width for column in spec.columns])
        self.rows[title] = 0
        return sheet

    def append(self, sheet: WriteOnlyWorksheet, spec: SheetSpec, rows: list[Row]) -> int:
        shows = [column.show for column in spec.columns]
        for row in rows:
            sheet.append([self._cell(sheet, show, value) for show, value in zip(shows, row, strict=True)])
        self.rows[sheet.title] += len(rows)
        return self.rows[sheet.title]

    def save(self, target: Path | BinaryIO) -> None:
        self.workbook.save(target)

    def _cell(self, sheet: WriteOnlyWorksheet, show: Show, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            words = [self._word(show, item) for item in value]
            return text_cell(sheet, self.labels.separator.join(w for w in words if w)) if words else None
        if isinstance(value, datetime):
            # Excel has no time zones: the county's wall-clock time is what people read.
            cell = WriteOnlyCell(sheet, value=value.astimezone(self.tz).replace(tzinfo=None, microsecond=0))
            cell.number_format = MOMENT_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DAY_FORMAT
            return cell
        if isinstance(value, bool):
            return self.labels.other["archive-yes" if value else "archive-no"]
        if isinstance(value, Label):
            return self.labels.other[value.key]
        if isinstance(value, int | float):
            return value
        return text_cell(sheet, self._word(show, value))

    def _word(self, show: Show, value: Any) -> str:
        if isinstance(value, RoleName):
            show = Show.role  # also on the overview, whose values are of every kind
        text = value.value if isinstance(value, enum.Enum) else str(value)
        # An unknown key (an event kind added later) shows as itself rather than failing the export.
        return self.labels.values.get(show, {}).get(text, text)


@dataclass(frozen=True)
class Written:
    sheets: dict[str, int]   # sheet name -> data rows

    @property
    def rows(self) -> int:
        return sum(self.sheets.values())


async def write_archive(session: AsyncSession, subject: Subject, target: Path | BinaryIO, *, labels: Labels,
                        settings: Settings, now: datetime, directory: Directory | None = None,
                        cache: ScoreCache | None = None, progress: Progress | None = None) -> Written:
    """Read the subject's sheets chunk by chunk and write each chunk in a worker thread."""
    directory = directory or await Directory.load(session)
    cache = cache or ScoreCache(settings, now, subject.township_id)
    archive = Archive(session, subject, directory, cache, now, settings)
    book = ArchiveBook(labels, settings.tz)
    async for spec, chunks in archive.sheets():
        sheet = await asyncio.to_thread(book.add_sheet, spec)
        async for chunk in chunks:
            written = await asyncio.to_thread(book.append, sheet, spec, chunk)
            if progress is not None:
                progress(sheet.title, written)
    await asyncio.to_thread(book.save, target)
    return Written(dict(book.rows))


def archive_filename(subject: Subject, suffix: str = "") -> str:
    """`GC01_沙柳河镇.xlsx`: the code sorts the files, the name tells them apart at a glance."""
    name = UNSAFE_IN_FILE_NAMES.sub("_", f"{subject.code}_{subject.name}{suffix}").strip(". ")
    return f"{name}.xlsx"
