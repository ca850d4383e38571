"""The sheets of an archive workbook: each sheet's columns and how each raw value in them shows.

The workbook writer (bot/messaging/workbook.py) turns the raw values into cells and words.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.services.scoring import PARTS


class Show(enum.StrEnum):
    """How the writer shows a raw value; a list is shown item by item, joined."""

    text = "text"
    number = "number"
    moment = "moment"        # an aware datetime, shown in the county's time zone
    day = "day"              # a date
    status = "status"        # IssueStatus value
    level = "level"          # IssueLevel value
    urgency = "urgency"
    event = "event"          # IssueEvent kind
    team = "team"            # team kind key
    role = "role"            # RoleName
    meeting = "meeting"      # MeetingKind
    scope = "scope"          # team, village or township (scores)
    yesno = "yesno"
    item = "item"            # an overview line's name
    any = "any"              # an overview line's value: text, number, moment or Label


@dataclass(frozen=True)
class Label:
    """A value that is a word from the locale files (the archive's title on the overview)."""

    key: str


@dataclass(frozen=True)
class Column:
    key: str                 # header: archive-col-KEY
    show: Show = Show.text
    width: int = 12


@dataclass(frozen=True)
class SheetSpec:
    key: str                 # sheet name: archive-sheet-KEY
    columns: tuple[Column, ...]


Row = tuple[Any, ...]
Chunks = AsyncIterator[list[Row]]

N, M, D, T = Show.number, Show.moment, Show.day, Show.team
OVERVIEW = SheetSpec("overview", (Column("item", Show.item, 20), Column("value", Show.any, 40)))
VILLAGES = SheetSpec("villages", (
    Column("village_code"), Column("village", width=14), Column("township", width=14), Column("team_count", N),
    Column("member_count", N), Column("issues", N), Column("open", N), Column("closed", N)))
TEAMS = SheetSpec("teams", (
    Column("village_code"), Column("village", width=14), Column("team", T, 16), Column("leads", width=16),
    Column("member_count", N), Column("issues", N), Column("open", N), Column("closed", N)))
MEMBERS = SheetSpec("members", (
    Column("member_code"), Column("member", width=14), Column("roles", Show.role, 24), Column("villages", width=16),
    Column("teams", T, 24), Column("township", width=14), Column("department", width=18),
    Column("phone", width=14), Column("username", width=16), Column("linked", Show.yesno)))
ISSUES = SheetSpec("issues", (
    Column("number"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("reporter"), Column("urgency", Show.urgency), Column("level", Show.level),
    Column("status", Show.status, 14), Column("holder"), Column("department", width=18), Column("created", M, 17),
    Column("due", M, 17), Column("resolved", M, 17), Column("resolver"), Column("resolution", width=30),
    Column("verifier"), Column("closed_at", M, 17), Column("escalated", M, 17),
    Column("escalation_reason", width=24), Column("acknowledged", M, 17), Column("unmet_reason", width=24),
    Column("close_reason", width=24), Column("duplicate_of"), Column("place", width=20), Column("latitude", N),
    Column("longitude", N), Column("description", width=60)))
TIMELINE = SheetSpec("timeline", (
    Column("number"), Column("village_code"), Column("at", M, 17), Column("action", Show.event, 16),
    Column("actor_code"), Column("actor"), Column("status_from", Show.status, 14),
    Column("status_to", Show.status, 14), Column("detail", width=50)))
MEETINGS = SheetSpec("meetings", (
    Column("held_on", D), Column("unit_code"), Column("unit", width=14), Column("kind", Show.meeting, 14),
    Column("attendee_count", N), Column("attendees", width=40), Column("escalated_numbers", width=30),
    Column("recorded_by"), Column("recorded_at", M, 17)))
SCORES = SheetSpec("scores", (
    Column("month"), Column("scope", Show.scope), Column("code", width=14), Column("name", width=14),
    Column("team", T, 16), Column("score", N), *(Column(f"part_{part}", N) for part in PARTS),
    Column("complete", Show.yesno)))
ROLES = SheetSpec("roles", (
    Column("role", Show.role, 16), Column("unit_code"), Column("unit", width=18), Column("team", T, 16)))
REPORTS = SheetSpec("reports", (
    Column("number"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("created", M, 17), Column("status", Show.status, 14), Column("level", Show.level),
    Column("closed_at", M, 17), Column("description", width=60)))
RESOLUTIONS = SheetSpec("resolutions", (
    Column("at", M, 17), Column("number"), Column("village", width=14), Column("team", T, 16),
    Column("action", Show.event, 16), Column("note", width=50), Column("status", Show.status, 14)))
VERIFICATIONS = SheetSpec("verifications", (
    Column("at", M, 17), Column("number"), Column("village", width=14), Column("team", T, 16),
    Column("action", Show.event, 16), Column("note", width=50)))
MEMBER_SCORES = SheetSpec("member_scores", (
    Column("month"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("team_score", N), Column("services", N), Column("counted", N)))
SHEETS = (OVERVIEW, VILLAGES, TEAMS, MEMBERS, ISSUES, TIMELINE, MEETINGS, SCORES, ROLES, REPORTS, RESOLUTIONS,
          VERIFICATIONS, MEMBER_SCORES)
OVERVIEW_ITEMS = ("archive", "code", "name", "township", "exported", "villages", "teams", "members", "issues",
                  "open", "closed", "events", "meetings", "phone", "username", "linked", "roles", "reports",
                  "resolutions", "verifications")
TITLES = ("archive-title-township", "archive-title-county", "archive-title-village", "archive-title-member")
