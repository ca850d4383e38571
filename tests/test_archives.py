"""Archive workbooks (一乡一库、一村一册、一人一档): sheets, headers, row counts and cells against the database.
The command line and /export are in test_archive_export.py."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.workbook import Labels, write_archive
from bot.models import DepartmentLiaison, Issue, IssueEvent, Member, Role, Team, Unit
from bot.services.archive_directory import Directory, SubjectKind
from bot.services.archive_sheets import SHEETS
from bot.services.archive_subjects import find_subject
from bot.services.scoring import Month, monthly_scores
from bot.services.scoring_counts import services_per_member
from tests.harness.archives import FORMULA_LIKE, ZH_LIBRARY, rows, seed

NOW = datetime(2026, 11, 2, 2, tzinfo=UTC)  # the clock fixture's


async def workbook_of(session: AsyncSession, settings: Settings, kind: SubjectKind, code: str,
                      language: str = "zh", now: datetime = NOW) -> Workbook:
    directory = await Directory.load(session)
    subject = find_subject(directory, kind, code)
    labels = Labels.build(Translator("zh").localizer(language), settings)
    out = io.BytesIO()
    await write_archive(session, subject, out, labels=labels, settings=settings, now=now, directory=directory)
    return load_workbook(io.BytesIO(out.getvalue()))


async def test_township_library_against_the_database(session: AsyncSession, settings: Settings) -> None:
    people = await seed(session)
    book = await workbook_of(session, settings, SubjectKind.township, "GC01")
    assert book.sheetnames == ZH_LIBRARY

    township = await session.scalar(select(Unit).where(Unit.code == "GC01"))
    assert township is not None
    village_codes = list(await session.scalars(select(Unit.code).where(Unit.parent_id == township.id)
                                               .order_by(Unit.code)))
    assert [row[0] for row in rows(book, "村")[1:]] == village_codes

    issues = rows(book, "问题")
    assert issues[0][:8] == ("编号", "村编码", "村", "工作队", "上报人", "紧急程度", "层级", "状态")
    assert [row[0] for row in issues[1:]] == ["2026-0001", "2026-0002", "2026-0003"]  # not GC02's 2026-0004
    first = dict(zip(issues[0], issues[1], strict=True))
    assert first["村"] == "角什科村" and first["工作队"] == "生态文明工作队" and first["状态"] == "已销号"
    assert first["上报人"] == people.reporter.display_name and first["验收人"] == people.lead.display_name
    assert first["上报时间"] == datetime(2026, 10, 5, 10, 0)  # county time, Asia/Shanghai
    assert first["办结说明"] == "已修好"
    assert dict(zip(issues[0], issues[3], strict=True))["重复于"] == "2026-0001"
    cell = book["问题"].cell(row=3, column=27)
    assert (cell.value, cell.data_type) == (FORMULA_LIKE, "s")  # stays text; the control character is gone

    events = await session.scalar(select(func.count()).select_from(IssueEvent).join(Issue)
                                  .where(Issue.number.in_(["2026-0001", "2026-0002", "2026-0003"])))
    timeline = rows(book, "处理记录")
    assert len(timeline) == 1 + events == 1 + 9
    verify = dict(zip(timeline[0], timeline[4], strict=True))
    assert (verify["编号"], verify["操作"], verify["操作人"]) == ("2026-0001", "验收销号", people.lead.display_name)
    assert (verify["原状态"], verify["新状态"], verify["时间"]) == ("已办结待验收", "已销号", datetime(2026, 10, 7, 10))
    assert dict(zip(timeline[0], timeline[9], strict=True))["说明"] == "同一处"

    meetings = rows(book, "会议")
    assert len(meetings) == 2
    assert meetings[1][:6] == (datetime(2026, 10, 20), "GC01-02", "角什科村", "季度联席会", 2,
                               f"{people.reporter.display_name}、{people.mate.display_name}")
    assert meetings[1][6] == "2026-0002"

    village_ids = list(await session.scalars(select(Unit.id).where(Unit.parent_id == township.id)))
    team_ids = select(Team.id).where(Team.village_id.in_(village_ids))
    liaisons = select(DepartmentLiaison.member_id).where(DepartmentLiaison.township_id == township.id)
    expected = await session.scalar(select(func.count(func.distinct(Member.id))).join(Role).where(or_(
        Role.team_id.in_(team_ids), Role.unit_id.in_([*village_ids, township.id]), Member.id.in_(liaisons))))
    assert len(rows(book, "人员")) == 1 + expected

    scores = rows(book, "月度得分")
    teams = await session.scalar(select(func.count()).select_from(Team).where(Team.village_id.in_(village_ids)))
    assert len(scores) == 1 + 2 * (1 + len(village_ids) + teams)  # October and November, township first
    october = await monthly_scores(session, settings, 2026, 10, now=NOW, township_id=township.id)
    assert scores[1][:6] == ("2026-10", "乡镇", "GC01", "沙柳河镇", None, october.townships[township.id].shown)
    overview = dict(rows(book, "概况")[1:])
    assert (overview["档案"], overview["问题数"], overview["未办结"], overview["已销号"]) == ("一乡一库", 3, 1, 1)


async def test_village_register_in_english(session: AsyncSession, settings: Settings) -> None:
    await seed(session)
    book = await workbook_of(session, settings, SubjectKind.village, "GC01-02", language="en")
    assert book.sheetnames == ["Overview", "Teams", "Members", "Issues", "Timeline", "Meetings", "Monthly scores"]
    issues = rows(book, "Issues")
    assert issues[0][:4] == ("Number", "Village code", "Village", "Team")
    assert issues[1][7] == "signed off" and issues[2][5] == "urgent"
    teams = await session.scalar(select(func.count()).select_from(Team).join(Unit, Unit.id == Team.village_id)
                                 .where(Unit.code == "GC01-02"))
    assert len(rows(book, "Teams")) == 1 + teams
    assert dict(rows(book, "Overview")[1:])["Archive"] == "Village register"


async def test_member_files(session: AsyncSession, settings: Settings) -> None:
    people = await seed(session)
    reporter = await workbook_of(session, settings, SubjectKind.member, people.reporter.code)
    assert reporter.sheetnames == ["概况", "角色", "上报的问题", "办结", "验收", "考核贡献"]
    assert [row[0] for row in rows(reporter, "上报的问题")[1:]] == ["2026-0001", "2026-0002", "2026-0004"]
    assert rows(reporter, "角色")[1] == ("队员", "GC01-02", "角什科村", "生态文明工作队")

    mate = await workbook_of(session, settings, SubjectKind.member, people.mate.code)
    assert rows(mate, "办结")[1:] == [(datetime(2026, 10, 6, 10), "2026-0001", "角什科村", "生态文明工作队", "办结",
                                       "已修好", "已销号")]
    contribution = rows(mate, "考核贡献")
    assert [row[0] for row in contribution[1:]] == ["2026-10", "2026-11"]
    october = await monthly_scores(session, settings, 2026, 10, now=NOW)
    logged = services_per_member(Month(2026, 10).start(settings.tz), Month(2026, 11).start(settings.tz))
    services = {member: n for member, n in await session.execute(select(logged.c.member_id, logged.c.services))}
    team = next(t for t in october.teams.values() if t.code == "GC01-02/ecology")
    assert contribution[1][4:6] == (team.shown, services.get(people.mate.id, 0))

    lead = await workbook_of(session, settings, SubjectKind.member, people.lead.code)
    assert [row[1:5] for row in rows(lead, "验收")[1:]] == [("2026-0001", "角什科村", "生态文明工作队", "验收销号")]
    overview = dict(rows(lead, "概况")[1:])
    assert (overview["档案"], overview["验收次数"], overview["角色"]) == ("一人一档", 1, "队长")


def test_every_sheet_and_header_has_words_in_both_languages(settings: Settings) -> None:
    translator = Translator("zh")
    for language in ("zh", "en"):
        labels = Labels.build(translator.localizer(language), settings)
        assert all(not name.startswith("archive-") for name in labels.sheets.values()), language
        assert all(not header.startswith("archive-") for header in labels.headers.values()), language
        assert len(set(labels.sheets.values())) == len(SHEETS)
        for spec in SHEETS:
            headers = [labels.headers[column.key] for column in spec.columns]
            assert len(set(headers)) == len(headers), (language, spec.key)
