"""Archives leaving the bot: the command line writing every workbook, and /export in the township and county
groups, allowed and refused; the workbook (phones included) goes to the asker's private chat, never the group."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendChatAction, SendDocument, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.db import create_sessionmaker
from bot.export_cli import export_archives
from bot.models import RoleName
from bot.services import archive_subjects
from bot.services.org_import import apply_org
from bot.services.org_parse import parse_org
from tests.harness.archives import ZH_LIBRARY, rows, seed
from tests.harness.chat import ChatHarness, Person
from tests.harness.org_files import small_org
from tests.harness.people import as_person, bind, members_with, person

TOWNSHIP_CHAT, COUNTY_CHAT, VILLAGE_CHAT = -100_701, -100_702, -100_703


LEAD_AND_ADMIN = """
[[members]]
code = "M1"
name = "Lead"
village = "V1"
team = "ecology"
roles = ["team_lead"]
[[members]]
code = "M2"
name = "Boss"
roles = ["admin"]
"""


def files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _args(out: Path, **which: Any) -> argparse.Namespace:
    base = {"township": None, "village": None, "member": None, "all": False, "lang": None, "out": out}
    return argparse.Namespace(**{**base, **which})


async def test_command_line_writes_every_archive(empty_engine: AsyncEngine, settings: Settings,
                                                 tmp_path: Path, capsys: Any) -> None:
    async with create_sessionmaker(empty_engine).begin() as session:
        await apply_org(session, parse_org(small_org(LEAD_AND_ADMIN), settings.kind_keys))
    settings = settings.model_copy(update={"database_url": empty_engine.url.render_as_string(hide_password=False)})

    out = tmp_path / "archives"
    assert await export_archives(settings, _args(out, all=True)) == 0
    assert files(out) == ["members/M1_Lead.xlsx", "members/M2_Boss.xlsx", "townships/T1_Town.xlsx",
                       "villages/V1_Village_one.xlsx", "villages/V2_Village two.xlsx"]
    assert "wrote 5 workbooks" in capsys.readouterr().out
    assert load_workbook(out / "townships/T1_Town.xlsx").sheetnames == ZH_LIBRARY

    assert await export_archives(settings, _args(tmp_path / "one", village="v2", lang="en")) == 0
    book = load_workbook(tmp_path / "one" / "V2_Village two.xlsx")
    kinds = [settings.kind(key) for key in ("ecology", "culture")]
    assert [row[2] for row in book["Teams"].iter_rows(min_row=2, values_only=True)] == [k.en for k in kinds if k]
    assert await export_archives(settings, _args(tmp_path, member="M9")) == 1
    assert "no such member: M9" in capsys.readouterr().err


def _document(requests: list[Any], asker: Person, group: int) -> tuple[BufferedInputFile, str]:
    """The one workbook sent, to the asker's private chat; the group gets one line and nothing else."""
    sent = [r for r in requests if isinstance(r, SendDocument)]
    assert [r.chat_id for r in sent] == [asker.telegram_id], requests
    assert [r.chat_id for r in requests if isinstance(r, SendMessage)] == [group]
    document = sent[0].document
    assert isinstance(document, BufferedInputFile)
    return document, sent[0].caption or ""


def _replies(requests: list[Any]) -> list[str]:
    assert not any(isinstance(r, SendDocument) for r in requests)
    return [r.text for r in requests if isinstance(r, SendMessage)]


async def test_export_in_the_township_group(harness: ChatHarness, session: AsyncSession,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(session)
    await bind(session, TOWNSHIP_CHAT, "GC01")
    harness.group(TOWNSHIP_CHAT, "GC01")
    supervisor = await person(session, RoleName.township_supervisor, township="GC01")

    asked = await harness.send(supervisor, TOWNSHIP_CHAT, "/export")
    document, caption = _document(asked, supervisor, TOWNSHIP_CHAT)
    assert _replies([r for r in asked if not isinstance(r, SendDocument)]) == [
        "📬 沙柳河镇的一乡一库已私信发给您（其中有电话号码）。"]
    assert document.filename == "GC01_沙柳河镇_2026-11-02.xlsx"
    assert "一乡一库" in caption and "沙柳河镇" in caption
    book = load_workbook(io.BytesIO(document.data))
    assert book.sheetnames == ZH_LIBRARY and len(rows(book, "问题")) == 1 + 3

    document, _ = _document(await harness.send(supervisor, TOWNSHIP_CHAT, "/export gc01-02"), supervisor,
                            TOWNSHIP_CHAT)
    assert document.filename.startswith("GC01-02_角什科村_")
    assert "村" not in load_workbook(io.BytesIO(document.data)).sheetnames

    english = Person(supervisor.telegram_id, supervisor.first_name, supervisor.username, "en")
    document, caption = _document(await harness.send(english, TOWNSHIP_CHAT, "/export"), english, TOWNSHIP_CHAT)
    assert caption.startswith("📚 Township library") and "Issues" in load_workbook(io.BytesIO(document.data)).sheetnames

    assert _replies(await harness.send(supervisor, TOWNSHIP_CHAT, "/export GC02-01")) == [
        "本群范围内没有代码为“GC02-01”的乡镇或村。"]

    monkeypatch.setattr(archive_subjects, "CHAT_MAX_ISSUES", 2)
    assert _replies(await harness.send(supervisor, TOWNSHIP_CHAT, "/export")) == [
        "这里有 3 个问题，超过了在群里发送的上限（2 个）。请管理员用命令行导出：main.py export。"]


async def test_export_is_refused_to_others_and_elsewhere(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, TOWNSHIP_CHAT, "GC01")
    await bind(session, VILLAGE_CHAT, "GC01-02")
    harness.group(TOWNSHIP_CHAT, "GC01")
    harness.group(VILLAGE_CHAT, "GC01-02")
    refusal = "只有本乡镇的督导员、县领导或管理员可以导出档案。"
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    other_supervisor = await person(session, RoleName.township_supervisor, township="GC02")
    for who in (member, secretary, other_supervisor):
        assert _replies(await harness.send(who, TOWNSHIP_CHAT, "/export")) == [refusal]
    stranger = Person(9_999_999, "stranger")
    assert _replies(await harness.send(stranger, TOWNSHIP_CHAT, "/export")) == [refusal]
    supervisor = await person(session, RoleName.township_supervisor, township="GC01")
    assert _replies(await harness.send(supervisor, VILLAGE_CHAT, "/export")) == [
        "/export 只能在乡镇督导群或县总督导群中使用。"]
    assert _replies(await harness.send(supervisor, supervisor.telegram_id, "/export")) == [
        "/export 只能在乡镇督导群或县总督导群中使用。"]


async def test_export_in_the_county_group(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, COUNTY_CHAT, "GC")
    harness.group(COUNTY_CHAT, "GC")
    admin = as_person((await members_with(session, RoleName.admin))[0])
    document, caption = _document(await harness.send(admin, COUNTY_CHAT, "/export"), admin, COUNTY_CHAT)
    assert document.filename.startswith("GC_刚察县_") and "全县档案库" in caption
    book = load_workbook(io.BytesIO(document.data))
    assert len(rows(book, "村")) == 1 + 31 and len(rows(book, "人员")) == 1 + 473
    supervisor = await person(session, RoleName.township_supervisor, township="GC01")
    assert _replies(await harness.send(supervisor, COUNTY_CHAT, "/export")) == [
        "只有本乡镇的督导员、县领导或管理员可以导出档案。"]


async def test_export_to_someone_the_bot_cannot_write_to(harness: ChatHarness, session: AsyncSession) -> None:
    """Telegram answers 403 to a bot writing first to someone who never started it: the group is told to open the
    private chat (a button links to it) and gets nothing else; after /start there, /export delivers."""
    await bind(session, TOWNSHIP_CHAT, "GC01")
    harness.group(TOWNSHIP_CHAT, "GC01")
    supervisor = await person(session, RoleName.township_supervisor, township="GC01")
    private = supervisor.telegram_id
    harness.session.fail_chats[private] = TelegramForbiddenError(
        SendChatAction(chat_id=private, action="upload_document"),
        "Forbidden: bot can't initiate conversation with a user")

    asked = await harness.send(supervisor, TOWNSHIP_CHAT, "/export")
    assert not [r for r in asked if isinstance(r, SendDocument)]
    [reply] = [r for r in asked if isinstance(r, SendMessage)]
    assert reply.chat_id == TOWNSHIP_CHAT and reply.text == (
        "我还不能私信您；档案中有电话号码，不能发在群里。"
        "请点下面的按钮打开与我的私聊并点「开始」，然后在本群再发一次 /export。")
    assert isinstance(reply.reply_markup, InlineKeyboardMarkup)
    assert [[(b.text, b.url) for b in row] for row in reply.reply_markup.inline_keyboard] == [
        [("💬 打开与我的私聊", "https://t.me/five_teams_bot?start=export")]]

    del harness.session.fail_chats[private]  # the member pressed the button and Start
    assert _replies(await harness.send(supervisor, private, "/start export")) == [
        "现在可以私信您了。请回到乡镇或县督导群再发一次 /export，档案会发到这里。"]
    document, _ = _document(await harness.send(supervisor, TOWNSHIP_CHAT, "/export"), supervisor, TOWNSHIP_CHAT)
    assert document.filename.startswith("GC01_沙柳河镇_")
