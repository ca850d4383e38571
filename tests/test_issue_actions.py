"""Card buttons through the real router tree: each life-cycle action allowed and refused by role."""

from __future__ import annotations

import asyncio

from aiogram.methods import AnswerCallbackQuery, EditMessageCaption, EditMessageText, SendMessage
from aiogram.types import ForceReply
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.callbacks import CardAction
from bot.models import Issue, IssueEvent, IssueStatus, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, texts

CHAT = -100_201
OTHER_CHAT = -100_202


class Village:
    def __init__(self, harness: ChatHarness, reporter: Person, mate: Person, lead: Person, secretary: Person,
                 other_team: Person) -> None:
        self.h, self.reporter, self.mate, self.lead = harness, reporter, mate, lead
        self.secretary, self.other_team = secretary, other_team
        self.card_id = 0
        self.issue_id = 0

    async def report(self, session: AsyncSession, text: str = "饮水管道冻裂") -> None:
        await Reporter(self.h, self.reporter, CHAT).full(text, photos=())
        await session.rollback()
        issue = await session.scalar(select(Issue).order_by(Issue.id.desc()))
        assert issue is not None
        self.issue_id = issue.id
        self.card_id = next(m for (c, m), sent in self.h.session.sent.items()
                            if c == CHAT and sent.text and issue.number in sent.text and "📋" in sent.text)

    def button(self, label: str) -> str:
        return next(data for text, data in self.h.buttons(CHAT, self.card_id).items() if label in text)

    async def press(self, who: Person, label: str) -> list:
        return await self.h.press(who, CHAT, self.card_id, self.button(label))

    async def reply(self, who: Person, text: str, **fields: object) -> list:
        prompt = self.h.last_sent(CHAT)
        return await self.h.send(who, CHAT, text, reply_to=prompt.message_id, **fields)

    def card(self) -> str:
        return self.h.session.sent[(CHAT, self.card_id)].text or ""


async def status(session: AsyncSession, issue_id: int) -> IssueStatus:
    await session.rollback()
    value = await session.scalar(select(Issue.status).where(Issue.id == issue_id))
    assert value is not None
    return value


async def events(session: AsyncSession, issue_id: int) -> int:
    query = select(func.count()).select_from(IssueEvent).where(IssueEvent.issue_id == issue_id)
    return await session.scalar(query) or 0


def alerts(requests: list) -> list[str]:
    return [r.text or "" for r in requests if isinstance(r, AnswerCallbackQuery) and r.show_alert]


async def village(harness: ChatHarness, session: AsyncSession) -> Village:
    await bind(session, CHAT, "GC01-02")
    harness.group(CHAT, "角什科村")
    return Village(
        harness,
        await person(session, RoleName.member, village="GC01-02", kind="ecology"),
        await person(session, RoleName.member, village="GC01-02", kind="ecology", index=1),
        await person(session, RoleName.team_lead, village="GC01-02", kind="ecology"),
        await person(session, RoleName.village_secretary, village="GC01-02"),
        await person(session, RoleName.member, village="GC01-02", kind="industry"),
    )


async def test_claim_resolve_verify_edits_the_card_in_place(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    assert "待处理" in v.card()

    refused = await v.press(v.other_team, "认领")
    assert any("只有本队队员" in text for text in alerts(refused))
    assert await status(session, v.issue_id) == IssueStatus.open

    claimed = await v.press(v.mate, "认领")
    assert any(isinstance(r, EditMessageText) and r.message_id == v.card_id for r in claimed)
    assert "处理中" in v.card() and "✅ 办结" in v.h.buttons(CHAT, v.card_id)

    prompt = await v.press(v.mate, "办结")
    asked = [r for r in prompt if isinstance(r, SendMessage)]
    assert isinstance(asked[0].reply_markup, ForceReply) and asked[0].reply_markup.selective
    done = await v.reply(v.mate, "已更换管道并做了保温")
    assert "已办结" in texts(done)[-1]
    assert "已办结待验收" in v.card() and "已更换管道" in v.card()

    self_verify = await v.press(v.mate, "验收")
    assert any("只有上报人、队长或村书记" in text for text in alerts(self_verify))
    assert await status(session, v.issue_id) == IssueStatus.resolved

    await v.press(v.reporter, "验收")
    assert await status(session, v.issue_id) == IssueStatus.closed
    assert "已销号" in v.card() and v.h.buttons(CHAT, v.card_id) == {}


async def test_reopen_needs_a_reason_and_goes_back_to_work(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    await v.press(v.mate, "认领")
    await v.press(v.mate, "办结")
    await v.reply(v.mate, "修好了")
    await v.press(v.lead, "退回重办")
    empty = await v.reply(v.lead, "   ")
    assert "请输入文字" in texts(empty)[0] or "不能为空" in texts(empty)[0]
    assert await status(session, v.issue_id) == IssueStatus.resolved
    await v.reply(v.lead, "下游还是没水")
    assert await status(session, v.issue_id) == IssueStatus.in_progress
    assert "下游还是没水" in v.card()


async def test_resolve_with_a_photo(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    await v.press(v.mate, "认领")
    await v.press(v.mate, "办结")
    from aiogram.types import PhotoSize

    photo = [PhotoSize(file_id="after.jpg", file_unique_id="a", width=1, height=1)]
    await v.h.send(v.mate, CHAT, None, photo=photo, caption="修复后照片", reply_to=v.h.last_sent(CHAT).message_id)
    assert await status(session, v.issue_id) == IssueStatus.resolved
    assert "📷 更多照片（1）" in v.h.buttons(CHAT, v.card_id)


async def test_withdraw_and_duplicate_only_by_lead_or_secretary(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session, "第一个问题")
    first_card, first_id = v.card_id, v.issue_id
    await v.report(session, "同一个问题又报了一次")
    assert any("只有队长或村书记" in text for text in alerts(await v.press(v.mate, "重复")))
    await v.press(v.secretary, "重复")
    number = "2026-0001"
    await v.reply(v.secretary, f"{number} 同一处管道")
    assert await status(session, v.issue_id) == IssueStatus.duplicate
    assert f"与 {number} 重复" in v.card()

    v.card_id, v.issue_id = first_card, first_id
    await v.press(v.lead, "撤销")
    await v.reply(v.lead, "牧户已自行解决")
    assert await status(session, first_id) == IssueStatus.withdrawn


async def test_two_members_press_claim_at_once(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    data = v.button("认领")
    before = await events(session, v.issue_id)
    start = len(harness.session.requests)
    await asyncio.gather(harness.press(v.mate, CHAT, v.card_id, data), harness.press(v.lead, CHAT, v.card_id, data))
    answers = [r.text or "" for r in harness.session.requests[start:] if isinstance(r, AnswerCallbackQuery)]
    assert sum("已认领" in a for a in answers) == 1
    assert sum("处理中" in a and "没有做任何更改" in a for a in answers) == 1
    await session.rollback()
    assert await events(session, v.issue_id) == before + 1


async def test_forged_and_stale_buttons(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    gone = await harness.press(v.mate, CHAT, v.card_id, CardAction(action="claim", issue_id=999_999).pack())
    assert any("找不到" in text for text in alerts(gone))
    made_up = await harness.press(v.mate, CHAT, v.card_id, CardAction(action="fly", issue_id=v.issue_id).pack())
    assert any("已失效" in text for text in alerts(made_up))
    for junk in ("ia:claim", "ia:claim:abc", "x" * 64, "ia:claim:1:2:3", "\udcff"[:0] + "ia:\u0000:1"):
        answer = await harness.press(v.mate, CHAT, v.card_id, junk)
        assert alerts(answer), junk

    await bind(session, OTHER_CHAT, "GC02-01")
    harness.group(OTHER_CHAT, "other village")
    outsider = await person(session, RoleName.team_lead, village="GC02-01")
    wrong_chat = await harness.press(outsider, OTHER_CHAT, 1, v.button("认领"))
    assert any("不是本群的问题" in text for text in alerts(wrong_chat))
    stranger = Person(6_000_001, "路人")
    assert any("还不认识您" in text for text in alerts(await v.press(stranger, "认领")))
    assert await status(session, v.issue_id) == IssueStatus.open
    assert await events(session, v.issue_id) == 1


async def test_stale_card_after_the_item_moved_on(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    claim = v.button("认领")
    await v.press(v.mate, "认领")
    again = await harness.press(v.lead, CHAT, v.card_id, claim)
    assert any("处理中" in text for text in alerts(again))


async def test_lookups_list_timeline_and_paging(harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    for n in range(12):
        await Reporter(harness, v.reporter, CHAT).full(f"问题{n:02d}", photos=(), place=None)
    await session.rollback()
    first = await harness.send(v.reporter, CHAT, "/open")
    page = next(r for r in first if isinstance(r, SendMessage))
    assert "第 1/2 页，共 12 项" in page.text and "【生态文明工作队】" in page.text and "问题00" in page.text
    next_page = harness.buttons(CHAT)["下一页 ➡️"]
    turned = await harness.press(v.reporter, CHAT, harness.last_sent(CHAT).message_id, next_page)
    edit = next(r for r in turned if isinstance(r, EditMessageText))
    assert "第 2/2 页" in edit.text and "问题11" in edit.text

    mine = next(r for r in await harness.send(v.reporter, CHAT, "/mine") if isinstance(r, SendMessage))
    assert "共 12 项" in mine.text
    await Village.report(v, session, "看时间线")
    await v.press(v.mate, "认领")
    form = [r.text for r in await harness.send(v.mate, CHAT, "/issue 2026-0013") if isinstance(r, SendMessage)]
    assert "处理记录" in form[-1] and "上报" in form[-1] and "认领" in form[-1]
    assert "没有编号为 2099-0001" in texts(await harness.send(v.mate, CHAT, "/issue 2099-0001"))[0]
    assert "用法" in texts(await harness.send(v.mate, CHAT, "/issue"))[0]


async def test_card_in_english_for_the_actors_reply_but_group_card_in_county_language(
        harness: ChatHarness, session: AsyncSession) -> None:
    v = await village(harness, session)
    await v.report(session)
    english_mate = Person(v.mate.telegram_id, v.mate.first_name, v.mate.username, "en")
    answer = await v.press(english_mate, "认领")
    assert any("You hold" in (r.text or "") for r in answer if isinstance(r, AnswerCallbackQuery))
    assert "处理中" in v.card()
    assert not [r for r in answer if isinstance(r, EditMessageCaption)]
