"""/score: its arguments, and every part of the score shown in both languages in village, township and private
chats."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import RoleName
from bot.services.errors import DomainError
from bot.services.scoring import Month
from bot.services.scoring_card import parse_score_args
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, person
from tests.harness.scoring import TOWNSHIP, VILLAGE, add_issue, cast_of, oct_, verified


def test_score_arguments() -> None:
    now = Month(2026, 11)
    assert parse_score_args(None, now) == (None, now)
    assert parse_score_args("2026-10", now) == (None, Month(2026, 10))
    assert parse_score_args("GC01-02 2026-9", now) == ("GC01-02", Month(2026, 9))
    assert parse_score_args("2026-09 gc01", now) == ("gc01", Month(2026, 9))
    for bad, key in (("2026-13", "score-bad-month"), ("2026", "score-bad-month"), ("2026-10-01", "score-bad-month"),
                     ("2027-01", "score-future-month"), ("A B C", "score-usage"), ("2026-01 2026-02", "score-usage"),
                     ("GC01 GC02", "score-usage")):
        with pytest.raises(DomainError) as refused:
            parse_score_args(bad, now)
        assert refused.value.key == key, bad


async def test_score_command_in_both_languages(harness: ChatHarness, session: AsyncSession,
                                               settings: Settings) -> None:
    c = await cast_of(session)
    verified(session, c, created=oct_(1), due=oct_(8), resolved=oct_(5))
    add_issue(session, c, created=oct_(3), due=oct_(10))
    await session.commit()
    village_chat, township_chat = -100_501, -100_502
    await bind(session, village_chat, VILLAGE)
    await bind(session, township_chat, TOWNSHIP)
    harness.group(village_chat, VILLAGE)
    harness.group(township_chat, TOWNSHIP)
    zh = await person(session, RoleName.member, village=VILLAGE, kind="ecology")
    en = await person(session, RoleName.member, 1, language="en", village=VILLAGE, kind="ecology")

    async def say(who: object, chat: int, text: str) -> str:
        requests = await harness.send(who, chat, text)  # type: ignore[arg-type]
        return "\n".join(r.text for r in requests if isinstance(r, SendMessage))

    answer = await say(zh, village_chat, "/score 2026-10")
    assert "角什科村（GC01-02）2026-10 百分制考核" in answer
    assert "问题办结率（权重 40）：50.0%" in answer
    assert "到期问题 2 项，由办结人以外的人验收 1 项" in answer
    assert "上报确认时效（权重 15）：只计乡镇" in answer and "÷ 85" in answer
    assert "各工作队：" in answer and "生态文明工作队" in answer

    answer = await say(en, village_chat, "/score 2026-10")
    assert "(GC01-02), 2026-10:" in answer and "Resolution rate (weight 40): 50.0%" in answer
    assert "2 due items, 1 verified by someone other than the resolver" in answer
    assert "Teams:" in answer and "Ecological civilisation team" in answer

    answer = await say(zh, village_chat, "/score")
    assert "2026-11" in answer and "本月尚未结束" in answer
    answer = await say(en, township_chat, "/score GC01-02 2026-10")
    assert "(GC01-02), 2026-10:" in answer
    answer = await say(zh, township_chat, "/score")
    assert "沙柳河镇（GC01）2026-11" in answer and "上报确认时效（权重 15）：本月无数据" in answer
    assert "各村：" in answer and "角什科村" in answer
    answer = await say(en, en.telegram_id, "/score GC 2026-10")
    assert "the county is not scored itself" in answer and "Townships:" in answer
    answer = await say(zh, zh.telegram_id, "/score 2026-10")  # in private: the member's own village
    assert "角什科村（GC01-02）2026-10" in answer
    admin = await person(session, RoleName.admin)
    assert "用法：" in await say(admin, admin.telegram_id, "/score")  # no village of one's own: name one

    assert "看不懂月份“2026-13”" in await say(zh, village_chat, "/score 2026-13")
    assert "I cannot read the month \"2026-13\"" in await say(en, village_chat, "/score 2026-13")
    assert "没有代码为“XX99”的村、乡镇或县" in await say(zh, township_chat, "/score XX99")
    assert "No village, township or county has the code \"XX99\"" in await say(en, township_chat, "/score XX99 2026-10")
    assert "2027-01 还没有开始" in await say(zh, village_chat, "/score 2027-01")
