"""The monthly public digest (公示) of every village: what was signed off last month, what is pending, and where
the village stands among its township's villages — with personal data removed.

Descriptions are typed by people and may hold phone numbers and names, so each is scrubbed before it leaves
this module: runs of 7 or more digits (spaces and dashes allowed between them) and the names and usernames of
the county's members are replaced by masks. The result is a list of segments, `[kind, text]` with kind "text",
"name" or "phone", so the outbox row itself holds no personal data and the renderer words the masks in the
reader's language. Households and places are shown only when the config makes them public; reporters never
by name, only by team.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import CLOSED_STATUSES, Issue, IssueStatus, Member, Unit, UnitLevel
from bot.services.scoring import Month, monthly_scores
from bot.services.scoring_ranks import ranked

Segments = list[list[str]]

# Seven or more digits, optionally separated by single spaces or dashes: phone numbers however they are typed.
PHONE = r"(?<!\d)\+?\d(?:[ \-－]?\d){6,}(?!\d)"
# Digit runs of that length which are plainly not phone numbers: issue numbers (2026-0137) and dates.
HARMLESS = re.compile(r"(?:19|20)\d{2}-\d{4}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}")
MIN_NAME = 2        # a one-character "name" would mask half of any Chinese sentence
MASK_WIDTH = 2      # what a mask counts for when a description is cut to length


class Scrubber:
    """Finds phone numbers and the given names (and usernames, in any case) in a text."""

    def __init__(self, names: Iterable[str], usernames: Iterable[str]) -> None:
        parts = [f"(?P<phone>{PHONE})"]
        names = sorted({n.strip() for n in names if len(n.strip()) >= MIN_NAME}, key=len, reverse=True)
        if names:
            parts.append("(?P<name>" + "|".join(map(re.escape, names)) + ")")
        usernames = sorted({u.lstrip("@") for u in usernames if len(u.lstrip("@")) >= MIN_NAME}, key=len, reverse=True)
        if usernames:
            parts.append("(?P<user>(?i:" + "|".join(map(re.escape, usernames)) + "))")
        self._pattern = re.compile("|".join(parts))

    def segments(self, text: str, limit: int) -> Segments:
        """The text with whitespace collapsed, masked, and cut to about `limit` characters."""
        text = " ".join(text.split())
        raw: Segments = []
        position = 0
        for match in self._pattern.finditer(text):
            if match.lastgroup == "phone" and HARMLESS.fullmatch(match.group()):
                continue
            if match.start() > position:
                raw.append(["text", text[position:match.start()]])
            raw.append(["phone" if match.lastgroup == "phone" else "name", ""])
            position = match.end()
        if position < len(text):
            raw.append(["text", text[position:]])
        return _cut(raw, limit)


def _cut(segments: Segments, limit: int) -> Segments:
    """Cut after masking, so a phone number is never left half-shown by the cut."""
    result: Segments = []
    budget = limit
    for kind, text in segments:
        width = len(text) if kind == "text" else MASK_WIDTH
        if width > budget:
            if kind == "text" and budget > 1:
                result.append(["text", text[:budget - 1]])
            result.append(["text", "…"])
            break
        result.append([kind, text])
        budget -= width
    return result


async def county_scrubber(session: AsyncSession) -> Scrubber:
    rows = (await session.execute(select(Member.display_name, Member.username))).all()
    return Scrubber((name for name, _ in rows), (username for _, username in rows if username))


@dataclass(frozen=True)
class VillageShare:
    """A village's share of due items signed off in the month; `shown` is the percentage ranks compare."""

    id: int
    code: str
    name: str
    parent_id: int | None
    items: int
    signed: int

    @property
    def shown(self) -> float | None:
        return round(100 * self.signed / self.items, 1) if self.items else None


def _item(issue: Issue, scrubber: Scrubber, settings: Settings) -> dict[str, Any]:
    public = settings.disclosure
    return {
        "number": issue.number, "kind": issue.kind,
        "description": scrubber.segments(issue.description, public.description_chars)
        if public.show_descriptions else None,
        "place": scrubber.segments(issue.place_text, public.description_chars)
        if public.show_places and issue.place_text else None,
    }


async def _listed(session: AsyncSession, where: list[Any], order: list[Any], limit: int) -> dict[int, list[Issue]]:
    """The first `limit` issues of every village matching `where`, in `order` (one windowed query)."""
    result: dict[int, list[Issue]] = defaultdict(list)
    if limit == 0:
        return result
    rank = func.row_number().over(partition_by=Issue.village_id, order_by=order).label("r")
    inner = select(Issue.id, rank).where(*where).subquery()
    rows = await session.scalars(select(Issue).join(inner, inner.c.id == Issue.id).where(inner.c.r <= limit)
                                 .order_by(Issue.village_id, inner.c.r))
    for issue in rows.all():
        result[issue.village_id].append(issue)
    return result


async def village_disclosures(session: AsyncSession, settings: Settings, month: Month, *,
                              now: datetime) -> dict[int, dict[str, Any]]:
    """Per village id: the public digest's data for `month` (a finished month), pending items as of `now`."""
    tz, limit = settings.tz, settings.disclosure.max_items
    start, end = month.start(tz), month.following().start(tz)
    scrubber = await county_scrubber(session)
    villages = {row.id: row for row in (await session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.parent_id).where(Unit.level == UnitLevel.village))).all()}
    townships = dict((await session.execute(select(Unit.id, Unit.name)
                                            .where(Unit.level == UnitLevel.township))).all())

    solved_where = [Issue.status == IssueStatus.closed, Issue.closed_at >= start, Issue.closed_at < end]
    pending_where = [Issue.status.not_in(CLOSED_STATUSES)]
    solved_counts = dict((await session.execute(select(Issue.village_id, func.count()).where(*solved_where)
                                                .group_by(Issue.village_id))).all())
    pending_counts = {village: (int(n), int(late)) for village, n, late in (await session.execute(
        select(Issue.village_id, func.count(),
               func.count().filter(Issue.due_at < now, Issue.status != IssueStatus.resolved))
        .where(*pending_where).group_by(Issue.village_id))).all()}
    solved = await _listed(session, solved_where, [Issue.closed_at.desc(), Issue.id.desc()], limit)
    pending = await _listed(session, pending_where, [Issue.created_at, Issue.id], limit)

    # The score's own count of due items, so the disclosure and the monthly ranking agree on what was due.
    scores = await monthly_scores(session, settings, month.year, month.month, now=now)
    shares = [VillageShare(v.id, v.code, v.name, v.parent_id, v.tally.items, v.tally.verified)
              for v in scores.villages.values()]
    by_township: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for entry in ranked(shares):
        share = entry.unit
        by_township[share.parent_id].append({"id": share.id, "rank": entry.rank, "name": share.name,
                                             "items": share.items, "signed": share.signed, "share": share.shown})

    result: dict[int, dict[str, Any]] = {}
    for village_id, village in villages.items():
        overdue = pending_counts.get(village_id, (0, 0))[1]
        result[village_id] = {
            "month": str(month), "name": village.name, "township": townships.get(village.parent_id, ""),
            "solved_count": int(solved_counts.get(village_id, 0)),
            "pending_count": pending_counts.get(village_id, (0, 0))[0], "overdue_count": overdue,
            "solved": [{**_item(issue, scrubber, settings),
                        "date": issue.closed_at.isoformat() if issue.closed_at else None}
                       for issue in solved.get(village_id, [])],
            "pending": [{**_item(issue, scrubber, settings), "status": str(issue.status), "level": str(issue.level),
                         "overdue": issue.due_at is not None and issue.due_at < now
                         and issue.status != IssueStatus.resolved}
                        for issue in pending.get(village_id, [])],
            "ranking": [{**row, "own": row["id"] == village_id} for row in by_township.get(village.parent_id, [])],
        }
    return result
