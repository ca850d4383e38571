"""A member going through the report conversation the way a person would: pressing buttons, replying."""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram.methods import AnswerCallbackQuery, SendMessage, SendPhoto

from tests.harness.chat import ChatHarness, Person


def texts(requests: list) -> list[str]:
    """What the member saw: messages, captions and button answers, in order."""
    out = []
    for r in requests:
        if isinstance(r, SendMessage):
            out.append(r.text)
        elif isinstance(r, SendPhoto):
            out.append(r.caption or "")
        elif isinstance(r, AnswerCallbackQuery) and r.text:
            out.append(r.text)
    return out


def alerts(requests: list) -> list[str]:
    """The pop-up alerts a member saw in answer to a button."""
    return [r.text or "" for r in requests if isinstance(r, AnswerCallbackQuery) and r.show_alert]


class Reporter:
    """Drives one member through the conversation by pressing what a person would press."""

    def __init__(self, harness: ChatHarness, who: Person, chat_id: int, *, topic: int | None = None) -> None:
        self.h, self.who, self.chat = harness, who, chat_id
        # what the member writes goes to this forum topic
        self.topic = {"message_thread_id": topic, "is_topic_message": True} if topic is not None else {}
        self.mine: list[int] = []  # bot messages sent while handling this member's own updates

    async def _feed(self, action: Awaitable[list]) -> list:
        before = set(self.h.session.sent)
        requests = await action
        self.mine += [m for (c, m) in self.h.session.sent if (c, m) not in before and c == self.chat]
        return requests

    def prompt_with(self, label: str) -> tuple[int, str]:
        """The newest bot message sent to this member holding a button whose text contains `label`."""
        for message_id in reversed(self.mine):
            for text, data in self.h.buttons(self.chat, message_id).items():
                if label in text:
                    return message_id, data
        raise AssertionError(f"no button {label!r}")

    async def press(self, label: str, who: Person | None = None) -> list:
        message_id, data = self.prompt_with(label)
        return await self._feed(self.h.press(who or self.who, self.chat, message_id, data))

    async def say(self, text: str) -> list:
        return await self._feed(self.h.send(self.who, self.chat, text, **self.topic))

    async def photo(self, file_id: str) -> list:
        return await self._feed(self.h.send_photo(self.who, self.chat, file_id, **self.topic))

    async def start(self, description: str | None = None, *, kind: str = "生态", command: str = "/report") -> list:
        """Start a report and pick the team; with a description, give it too."""
        await self.say(command)
        answer = await self.press(kind)
        return answer if description is None else await self.say(description)

    async def to_summary(self, *, photos: tuple[str, ...] = (), place: str | None = None,
                         urgent: bool = False) -> list:
        """From the photos step to the summary: photos or none, the place or skip, the urgency."""
        for photo in photos:
            await self.photo(photo)
        await self.press("完成" if photos else "没有照片")
        if place:
            await self.say(place)
        else:
            await self.press("跳过")
        return await self.press("紧急" if urgent else "一般")

    async def confirm(self) -> list:
        return await self.press("确认上报")

    async def full(self, description: str = "草场围栏被风吹倒，牛羊进入禁牧区", *, kind: str = "生态",
                   photos: tuple[str, ...] = ("photo-1",), place: str | None = "才让家夏季草场",
                   urgent: bool = False) -> list:
        await self.start(description, kind=kind)
        await self.to_summary(photos=photos, place=place, urgent=urgent)
        return await self.confirm()
