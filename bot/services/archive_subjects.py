"""Finding an archive's subject: by code (the command line), by the chat /export is sent in, or all of them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatPurpose, Issue, UnitLevel
from bot.services.actors import Actor
from bot.services.archive_directory import Directory, Subject, SubjectKind
from bot.services.chats import BoundChat
from bot.services.errors import Conflict, NotAllowed, NotFound

# A workbook sent in a chat is written inside the update's transaction, which on SQLite holds the write lock
# for as long; a township bigger than this (a few seconds' work) is a job for `main.py export`, which reads
# beside the bot without the lock.
CHAT_MAX_ISSUES = 10_000


def find_subject(directory: Directory, kind: SubjectKind, code: str) -> Subject:
    """The township, village or member with this code (codes are matched as typed, then case-blind)."""
    if kind == SubjectKind.member:
        member = next((i for i, m in directory.members.items() if m[0] == code), None)
        member = member or next((i for i, m in directory.members.items() if m[0].upper() == code.upper()), None)
        if member is None:
            raise NotFound("export-unknown-code", code=code)
        return member_subject(directory, member)
    level = UnitLevel(kind.value)
    unit_id = next((i for i, u in directory.units.items() if u.level == level and u.code == code), None)
    unit_id = unit_id or next((i for i, u in directory.units.items()
                               if u.level == level and u.code.upper() == code.upper()), None)
    if unit_id is None:
        raise NotFound("export-unknown-code", code=code)
    return unit_subject(directory, unit_id)


def unit_subject(directory: Directory, unit_id: int) -> Subject:
    unit = directory.units[unit_id]
    if unit.level == UnitLevel.county:
        return Subject(SubjectKind.county, unit_id, unit.code, unit.name, directory.all_villages(), None)
    if unit.level == UnitLevel.township:
        return Subject(SubjectKind.township, unit_id, unit.code, unit.name, directory.villages_of(unit_id), unit_id)
    return Subject(SubjectKind.village, unit_id, unit.code, unit.name, (unit_id,), unit.parent_id)


def member_subject(directory: Directory, member_id: int) -> Subject:
    code, name, *_ = directory.members[member_id]
    villages = {directory.grant_village(g) for g in directory.by_member[member_id]}
    return Subject(SubjectKind.member, member_id, code, name,
                   tuple(directory.sorted_units(v for v in villages if v is not None)), None)


async def chat_subject(session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                       code: str | None) -> Subject:
    """What /export in this chat sends: the library of the township or county the group is bound to (or of a
    township or village inside it, named by code). Township supervisors of that township, county leaders and
    admins only; the county group's, county leaders and admins only."""
    if bound is None or bound.unit_id is None or bound.purpose not in (ChatPurpose.township, ChatPurpose.county):
        raise NotAllowed("export-only-township-or-county")
    allowed = actor is not None and (actor.is_county or (bound.purpose == ChatPurpose.township
                                                         and actor.supervises(bound.unit_id)))
    if not allowed:
        raise NotAllowed("export-not-allowed")
    directory = await Directory.load(session)
    unit_id = bound.unit_id
    if code:
        inside = {bound.unit_id, *(directory.all_villages() if bound.purpose == ChatPurpose.county
                                   else directory.villages_of(bound.unit_id))}
        if bound.purpose == ChatPurpose.county:
            inside |= {i for i, u in directory.units.items() if u.level == UnitLevel.township}
        unit_id = next((i for i in inside if directory.units[i].code.upper() == code.strip().upper()), None)
        if unit_id is None:
            raise NotFound("export-unknown-code", code=code.strip()[:40])
    subject = unit_subject(directory, unit_id)
    issues = await session.scalar(select(func.count()).select_from(Issue)
                                  .where(Issue.village_id.in_(subject.village_ids))) or 0
    if issues > CHAT_MAX_ISSUES:
        raise Conflict("export-too-big", issues=issues, limit=CHAT_MAX_ISSUES)
    return subject


def all_subjects(directory: Directory) -> list[Subject]:
    """Every township's library, every village's register and every member's file, in that order."""
    townships = directory.sorted_units(i for i, u in directory.units.items() if u.level == UnitLevel.township)
    members = sorted(directory.members, key=lambda member_id: directory.members[member_id][0])
    return [*(unit_subject(directory, i) for i in townships),
            *(unit_subject(directory, i) for i in directory.all_villages()),
            *(member_subject(directory, i) for i in members)]
