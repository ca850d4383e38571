"""A small county in full swing for hostile updates: bound groups of every kind, an unbound group, a basic group,
a channel, issues at several stages and people half-way through every conversation the bot holds."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    Animation,
    Audio,
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Contact,
    Dice,
    Document,
    ForumTopicCreated,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    InlineQuery,
    Location,
    Message,
    MessageEntity,
    MessageOriginHiddenUser,
    PhotoSize,
    Poll,
    PollOption,
    Sticker,
    Update,
    User,
    Venue,
    Video,
    VideoNote,
    Voice,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Member, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.hostile import Spec
from tests.harness.people import as_person, bind, members_with, person
from tests.harness.reporter import Reporter
from tests.harness.telegram import BOT_USER

CHAT_IDS = {"village": -100_701, "township": -100_702, "county": -100_703, "department": -100_704,
            "unbound": -100_705, "basic": -706, "fresh": -1_000_000_000_706}
CHANNEL = Chat(id=-100_709, type="channel", title="县融媒体")
OTHER_BOT = User(id=5_550_001, is_bot=True, first_name="Other bot", username="other_bot")
ANONYMOUS_ADMIN = User(id=1_087_968_824, is_bot=True, first_name="Group", username="GroupAnonymousBot")
CHANNEL_BOT = User(id=136_817_688, is_bot=True, first_name="Channel", username="Channel_Bot")
NOT_PEOPLE = {"bot": OTHER_BOT, "anonymous_admin": ANONYMOUS_ADMIN, "channel_in_group": CHANNEL_BOT}


@dataclass
class World:
    harness: ChatHarness
    people: dict[str, Person]
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1_000_000))

    def chat(self, chat_id: int) -> Chat:
        for chat in (*self.harness.chats.values(), CHANNEL):
            if chat.id == chat_id:
                return chat
        kind = self.harness.session.chat_types.get(chat_id, "private" if chat_id > 0 else "supergroup")
        return Chat(id=chat_id, type=kind, first_name="someone" if kind == "private" else None)

    def chat_id(self, name: str, sender: Person | None) -> int:
        if name == "private":
            return sender.telegram_id if sender else CHAT_IDS["village"]
        return CHAT_IDS[name]

    def update(self, spec: Spec) -> Update:
        update_id = next(self._ids)
        person = self.people.get(spec.sender)
        if spec.kind == "callback":
            assert person is not None
            return Update(update_id=update_id, callback_query=self._press(spec, person))
        user = person.user if person else NOT_PEOPLE[spec.sender]
        chat = self.chat(self.chat_id(spec.chat, person))
        now = datetime.now(UTC)
        if spec.kind in ("my_chat_member", "chat_member"):
            target = BOT_USER if spec.kind == "my_chat_member" else user
            left = ChatMemberLeft(user=target) if spec.number % 2 else ChatMemberBanned(user=target, until_date=0)
            changed = ChatMemberUpdated(chat=chat, from_user=user, date=now, old_chat_member=ChatMemberMember(
                user=target), new_chat_member=left)
            return Update(update_id=update_id, **{spec.kind: changed})
        if spec.kind == "inline_query":
            return Update(update_id=update_id, inline_query=InlineQuery(
                id=str(update_id), from_user=user, query=(spec.text or "")[:256], offset=""))
        if spec.kind in ("channel_post", "edited_channel_post"):
            message = self._message(spec, CHANNEL, None, CHANNEL, now)
        else:
            sender_chat = {"anonymous_admin": chat, "channel_in_group": CHANNEL}.get(spec.sender)
            message = self._message(spec, chat, user, sender_chat, now)
        return Update(update_id=update_id, **{spec.kind: message})

    def _message(self, spec: Spec, chat: Chat, user: User | None, sender_chat: Chat | None,
                 now: datetime) -> Message:
        fields: dict[str, Any] = {"sender_chat": sender_chat}
        entities = [MessageEntity(type=kind, offset=offset, length=length, url="https://example.org/x",
                                  user=BOT_USER, custom_emoji_id="5368324170671202286")
                    for kind, offset, length in spec.entities] or None
        content = _content(spec, self.chat_id(spec.target, None), user or BOT_USER)
        if content is None:
            fields.update(text=spec.text, entities=entities)
        elif not set(content) & {"new_chat_members", "left_chat_member", "pinned_message", "new_chat_title",
                                 "group_chat_created", "forum_topic_created", "migrate_to_chat_id",
                                 "migrate_from_chat_id", "dice", "location", "venue", "contact", "poll"}:
            fields.update(caption=spec.text, caption_entities=entities)
        fields.update(content or {})
        if spec.topic is not None and chat.type == "supergroup":
            fields.update(message_thread_id=spec.topic, is_topic_message=bool(chat.is_forum) or None)
        if spec.reply:
            sent = [m for (c, m) in self.harness.session.sent if c == chat.id]
            if sent:
                fields["reply_to_message"] = Message(message_id=sent[-1], date=now, chat=chat, from_user=BOT_USER,
                                                     text=self.harness.session.sent[(chat.id, sent[-1])].text)
        if spec.forwarded:
            fields["forward_origin"] = MessageOriginHiddenUser(date=now, sender_user_name="转发的人")
        if spec.kind.startswith("edited"):
            fields["edit_date"] = int(now.timestamp())
        return Message(message_id=next(self._ids), date=now, chat=chat, from_user=user, **fields)

    def _press(self, spec: Spec, person: Person) -> CallbackQuery:
        now = datetime.now(UTC)
        buttons = [(chat_id, message_id, button.callback_data)
                   for (chat_id, message_id), sent in self.harness.session.sent.items()
                   if isinstance(sent.reply_markup, InlineKeyboardMarkup) and chat_id in (person.telegram_id,
                                                                                         *CHAT_IDS.values())
                   for row in sent.reply_markup.inline_keyboard for button in row if button.callback_data]
        message: Message | InaccessibleMessage | None
        here = [button for button in buttons if button[0] == self.chat_id(spec.chat, person)]
        if spec.button is not None and (here or buttons):
            chat_id, message_id, data = (here or buttons)[spec.button % len(here or buttons)]
            message = Message(message_id=message_id, date=now, chat=self.chat(chat_id), from_user=BOT_USER,
                              text=self.harness.session.sent[(chat_id, message_id)].text or "card")
        else:
            data = spec.data if spec.data is not None else "ia:claim:1"
            chat = self.chat(self.chat_id(spec.chat, person))
            message = (None, InaccessibleMessage(chat=chat, message_id=abs(spec.number) % 10**6, date=0),
                       Message(message_id=abs(spec.number) % 10**6, date=now, chat=chat, from_user=BOT_USER,
                               text="card"))[spec.number % 3]
        return CallbackQuery(id=str(next(self._ids)), from_user=person.user, chat_instance="ci", message=message,
                             inline_message_id="inline-1" if message is None else None, data=data)


def _content(spec: Spec, target: int, user: User) -> dict[str, Any] | None:
    """The message's content besides its text: a kind of media or a service message."""
    n, file = spec.number, {"file_id": f"file-{spec.number}", "file_unique_id": f"u-{spec.number}"}
    coordinate = float(n % 180) - 90.0
    location = Location(latitude=coordinate, longitude=coordinate * 2)
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "photo": lambda: {"photo": [PhotoSize(**file, width=90, height=90), PhotoSize(**file, width=1280, height=960)]},
        "sticker": lambda: {"sticker": Sticker(**file, type="regular", width=512, height=512, is_animated=False,
                                               is_video=False, emoji="🐑")},
        "document": lambda: {"document": Document(**file, file_name="../../etc/passwd",
                                                  mime_type="application/x-msdownload")},
        "voice": lambda: {"voice": Voice(**file, duration=n % 1000)},
        "video": lambda: {"video": Video(**file, width=640, height=480, duration=n % 1000)},
        "video_note": lambda: {"video_note": VideoNote(**file, length=240, duration=n % 60)},
        "audio": lambda: {"audio": Audio(**file, duration=n % 1000)},
        "animation": lambda: {"animation": Animation(**file, width=320, height=240, duration=3)},
        "location": lambda: {"location": location},
        "venue": lambda: {"venue": Venue(location=location, title=spec.text or "", address="刚察县")},
        "contact": lambda: {"contact": Contact(phone_number="+86 138 0000 0000", first_name=user.first_name,
                                               user_id=user.id)},
        "poll": lambda: {"poll": Poll(id="p1", question=spec.text or "?", options=[
            PollOption(persistent_id="a", text="是", voter_count=0), PollOption(persistent_id="b", text="否",
                                                                                voter_count=n % 100)],
            total_voter_count=n % 100, is_closed=False, is_anonymous=True, type="regular",
            allows_multiple_answers=False, allows_revoting=False, members_only=False)},
        "dice": lambda: {"dice": Dice(emoji="🎲", value=n)},
        "new_chat_members": lambda: {"new_chat_members": [user, BOT_USER]},
        "left_chat_member": lambda: {"left_chat_member": user},
        "pinned_message": lambda: {"pinned_message": InaccessibleMessage(chat=Chat(id=target, type="supergroup"),
                                                                         message_id=1, date=0)},
        "new_chat_title": lambda: {"new_chat_title": spec.text or "新名字"},
        "group_chat_created": lambda: {"group_chat_created": True},
        "forum_topic_created": lambda: {"forum_topic_created": ForumTopicCreated(name=spec.text or "话题",
                                                                                 icon_color=0)},
        "migrate_to": lambda: {"migrate_to_chat_id": target},
        "migrate_from": lambda: {"migrate_from_chat_id": target},
    }
    return builders[spec.content]() if spec.content else None


async def seed(harness: ChatHarness, session: AsyncSession) -> World:
    """Bind the chats, report two items (one escalated to the township and acknowledged there) and leave people
    half-way through each conversation: a report at four steps, a reason, a dispatch, a meeting, a service."""
    for name, code in (("village", "GC01-02"), ("township", "GC01"), ("county", "GC"), ("department", "AGRI"),
                       ("basic", "GC01-01")):
        await bind(session, CHAT_IDS[name], code)
    harness.group(CHAT_IDS["unbound"], "闲聊群")
    harness.group(CHAT_IDS["fresh"], "吉尔孟村（超级群）")
    harness.group(CHAT_IDS["basic"], "吉尔孟村", kind="group")
    for name in ("township", "county", "department"):
        harness.group(CHAT_IDS[name], name)
    harness.chats[CHAT_IDS["village"]] = Chat(id=CHAT_IDS["village"], type="supergroup", title="角什科村",
                                              is_forum=True)
    harness.session.chat_types[CHAT_IDS["village"]] = "supergroup"
    village = CHAT_IDS["village"]
    villagers = [as_person(m) for m in await members_with(session, RoleName.member, village="GC01-02")]
    liaison = await session.scalar(select(Member).where(Member.code == "M0013"))
    assert liaison is not None
    people = {
        **dict(zip(("reporter", "describing", "photographing", "confirming", "servicing", "private_reporter"),
                   villagers, strict=False)),
        "lead": await person(session, RoleName.team_lead, village="GC01-02", kind="ecology"),
        "secretary": await person(session, RoleName.village_secretary, village="GC01-02"),
        "supervisor": await person(session, RoleName.township_supervisor, township="GC01"),
        "liaison": as_person(liaison), "admin": await person(session, RoleName.admin),
        "stranger": Person(9_990_001, "Stranger", "stranger_one", "en"),
        "no_username": Person(9_990_002, "无名氏", None, None),
    }
    people["withdrawing"], people["dispatching"], people["meeting"] = (
        people["lead"], people["supervisor"], people["secretary"])
    await session.commit()
    world = World(harness, people)
    await Reporter(harness, people["reporter"], village).full("围栏倒了")
    escalated = Reporter(harness, people["reporter"], village)
    await escalated.full("草场退化严重", photos=())
    lead, supervisor = people["lead"], people["supervisor"]
    await _press_card(harness, lead, village, "⬆️ 上报乡镇")
    await harness.send(lead, village, "需要县农牧局支持", reply_to=harness.last_sent(village).message_id)
    await _press_card(harness, supervisor, CHAT_IDS["township"], "👌 确认接收")
    await _press_card(harness, supervisor, CHAT_IDS["township"], "📤 派发部门")
    await _press_card(harness, lead, village, "🗑 撤销", first=True)
    await Reporter(harness, people["describing"], village).start(kind="生态")
    await Reporter(harness, people["photographing"], village).start("水井干了", kind="生态")
    confirming = Reporter(harness, people["confirming"], village)
    await confirming.start("合作社账目不清", kind="产业")
    await confirming.to_summary()
    private = Reporter(harness, people["private_reporter"], people["private_reporter"].telegram_id)
    await private.start("广播站坏了", kind="文化")
    await private.press("没有照片")
    await harness.send(people["secretary"], village, "/meeting")
    await harness.send(people["servicing"], village, "/service")
    return world


async def _press_card(harness: ChatHarness, who: Person, chat_id: int, label: str, *, first: bool = False) -> None:
    cards = [m for (c, m), sent in harness.session.sent.items() if c == chat_id and (sent.text or "").startswith("📋")]
    card = cards[0] if first else cards[-1]
    data = next(d for text, d in harness.buttons(chat_id, card).items() if label in text)
    await harness.press(who, chat_id, card, data)
