"""A person the bot cannot write to privately (never started it, or blocked it): the county admins are told who,
once; after the person presses Start, a later refusal is told again. Likewise a group the bot was added back to."""

from __future__ import annotations

from datetime import timedelta

from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.models import RoleName
from bot.services.outbox import enqueue_notice
from tests.harness.chat import ChatHarness
from tests.harness.people import as_person, bind, members_with

NEVER_STARTED = "Forbidden: bot can't initiate conversation with a user"
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the supergroup chat"
VILLAGE = -100_777
t = Translator("zh").localizer("zh")


class Refusing:
    """A chat the outbox sends notices to, which Telegram may refuse."""

    def __init__(self, harness: ChatHarness, sessionmaker: async_sessionmaker[AsyncSession], clock: ManualClock,
                 chat_id: int) -> None:
        self.harness, self.sessionmaker, self.clock, self.chat_id = harness, sessionmaker, clock, chat_id
        self.queued = 0

    def refuses(self, description: str | None) -> None:
        """Telegram refuses every request to the chat with this description (None: no longer)."""
        if description is None:
            self.harness.session.fail_chats.pop(self.chat_id, None)
        else:
            self.harness.session.fail_chats[self.chat_id] = TelegramForbiddenError(
                method=SendMessage(chat_id=self.chat_id, text=""), message=description)

    async def notify(self) -> None:
        """A notice queued to the chat, and the outbox delivered."""
        self.queued += 1
        async with self.sessionmaker.begin() as session:
            await enqueue_notice(session, chat_id=self.chat_id, key="notice-overdue",
                                 args={"number": f"2026-{self.queued:04d}", "days": 2},
                                 dedupe_key=f"test:{self.chat_id}:{self.queued}", now=self.clock.now())
        await self.harness.deliver()

    def told(self, admin: int, naming: str) -> list[str]:
        """What the admin was sent that names `naming`."""
        return [r.text for r in self.harness.session.requests
                if isinstance(r, SendMessage) and r.chat_id == admin and naming in r.text]


async def admin_chats(session: AsyncSession) -> list[int]:
    return [m.telegram_id for m in await members_with(session, RoleName.admin) if m.telegram_id is not None]


async def test_the_admins_are_told_who_cannot_be_reached_and_told_again_after_start(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        clock: ManualClock) -> None:
    admins = await admin_chats(session)
    [liaison, *_] = await members_with(session, RoleName.department_liaison)
    assert admins and liaison.telegram_id is not None
    person = Refusing(harness, sessionmaker, clock, liaison.telegram_id)

    person.refuses(NEVER_STARTED)
    await person.notify()
    await person.notify()
    expected = t("notice-person-unreachable", name=liaison.display_name, error=NEVER_STARTED)
    assert all(person.told(admin, liaison.display_name) == [expected] for admin in admins)

    clock.advance(timedelta(days=3))
    person.refuses(None)
    await harness.send(as_person(liaison), liaison.telegram_id, "/start")
    person.refuses(BLOCKED)
    await person.notify()
    blocked = t("notice-person-unreachable", name=liaison.display_name, error=BLOCKED)
    assert all(person.told(admin, liaison.display_name) == [expected, blocked] for admin in admins)


async def test_a_group_the_bot_was_added_back_to_is_reported_again_when_lost_again(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        clock: ManualClock) -> None:
    admins = await admin_chats(session)
    [secretary, *_] = await members_with(session, RoleName.village_secretary)
    owner = as_person(secretary)
    harness.group(VILLAGE, "果洛村工作群", admins={owner.user.id})
    await bind(session, VILLAGE, "GC01-01")
    await session.commit()
    group = Refusing(harness, sessionmaker, clock, VILLAGE)

    group.refuses(KICKED)
    await group.notify()
    assert all(len(group.told(admin, KICKED)) == 1 for admin in admins)

    clock.advance(timedelta(days=1))
    group.refuses(None)
    await harness.add_bot(owner, VILLAGE)
    group.refuses(KICKED)
    await group.notify()
    assert all(len(group.told(admin, KICKED)) == 2 for admin in admins)
