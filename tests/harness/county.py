"""A county for escalation tests: a village, its township, the county and a department, each with its bound
group, and the people who act in them (tests/test_escalation.py and the tests that start from an escalated
issue)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Issue, Member, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import as_person, bind, person
from tests.harness.reporter import Reporter

VILLAGE, TOWNSHIP, COUNTY, DEPARTMENT = -100_301, -100_302, -100_303, -100_304


class County:
    def __init__(self, harness: ChatHarness, session: AsyncSession) -> None:
        self.h, self.session = harness, session

    async def setup(self) -> County:
        s = self.session
        for chat, code in ((VILLAGE, "GC01-02"), (TOWNSHIP, "GC01"), (COUNTY, "GC"), (DEPARTMENT, "AGRI")):
            await bind(s, chat, code)
            self.h.group(chat, code)
        self.reporter = await person(s, RoleName.member, village="GC01-02", kind="ecology")
        self.lead = await person(s, RoleName.team_lead, village="GC01-02", kind="ecology")
        self.supervisor = await person(s, RoleName.township_supervisor, township="GC01")
        self.supervisor2 = await person(s, RoleName.township_supervisor, township="GC01", index=1)
        self.other_supervisor = await person(s, RoleName.township_supervisor, township="GC02")
        self.admin = await person(s, RoleName.admin)
        liaison = await s.scalar(select(Member).where(Member.code == "M0013"))
        assert liaison is not None
        self.liaison = as_person(liaison)
        await s.commit()
        return self

    async def issue(self) -> Issue:
        await self.session.rollback()
        issue = await self.session.scalar(select(Issue).order_by(Issue.id.desc()))
        assert issue is not None
        return issue

    def card(self, chat: int) -> int:
        return next(m for (c, m), sent in reversed(self.h.session.sent.items())
                    if c == chat and (sent.text or "").startswith("📋"))

    def text(self, chat: int) -> str:
        return self.h.session.sent[(chat, self.card(chat))].text or ""

    def buttons(self, chat: int) -> dict[str, str]:
        return self.h.buttons(chat, self.card(chat))

    async def press(self, who: Person, chat: int, label: str) -> list:
        data = next(d for text, d in self.buttons(chat).items() if label in text)
        return await self.h.press(who, chat, self.card(chat), data)

    async def reply(self, who: Person, chat: int, text: str) -> list:
        return await self.h.send(who, chat, text, reply_to=self.h.last_sent(chat).message_id)

    async def report_and_escalate(self) -> Issue:
        await Reporter(self.h, self.reporter, VILLAGE).full("草场退化严重，村里无力治理", photos=())
        await self.press(self.lead, VILLAGE, "上报乡镇")
        await self.reply(self.lead, VILLAGE, "需要县农牧局专业支持")
        return await self.issue()
