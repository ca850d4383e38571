"""An async client for the control API, for tests and scripts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import aiohttp

from emulator.models import JSON


class EmulatorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class EmulatorClient:
    """Wraps /control/. Keeps an event cursor so `wait_for_event` / `next_bot_message` see each event once."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.cursor = 0

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._http().request(method, f"{self.base_url}/control{path}", **kwargs) as response:
            body = await response.json()
            if response.status >= 400:
                raise EmulatorError(response.status, body.get("error", str(body)))
            return body

    # --- the world -------------------------------------------------------------------------------

    async def reset(self) -> None:
        await self._request("POST", "/reset")

    async def bot(self) -> JSON:
        return await self._request("GET", "/bot")

    async def upsert_users(self, users: Iterable[JSON]) -> list[JSON]:
        return (await self._request("POST", "/users", json={"users": list(users)}))["users"]

    async def upsert_user(self, user_id: int, first_name: str, **fields: Any) -> JSON:
        return (await self.upsert_users([{"id": user_id, "first_name": first_name, **fields}]))[0]

    async def set_started(self, user_id: int, started: bool = True) -> JSON:
        """False: the user never pressed Start, so the bot's requests to their private chat are refused (403)."""
        return (await self.upsert_users([{"id": user_id, "started_bot": started}]))[0]

    async def block_bot(self, user_id: int, blocked: bool = True) -> JSON:
        """The user blocks (or, with False, unblocks) the bot: its requests to their private chat are refused."""
        return (await self.upsert_users([{"id": user_id, "blocked_bot": blocked}]))[0]

    async def users(self) -> list[JSON]:
        return (await self._request("GET", "/users"))["users"]

    async def create_chat(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "group",
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        owner: int | None = None,
        bot_status: str = "member",
        **extra: Any,
    ) -> JSON:
        spec = {
            "id": chat_id,
            "type": chat_type,
            "title": title,
            "members": list(members),
            "admins": list(admins),
            "owner": owner,
            "bot_status": bot_status,
            **extra,
        }
        return (await self._request("POST", "/chats", json=spec))["chats"][0]

    async def chats(self, member: int | None = None) -> list[JSON]:
        params = {"member": member} if member is not None else {}
        return (await self._request("GET", "/chats", params=params))["chats"]

    async def chat(self, chat_id: int) -> JSON:
        return await self._request("GET", f"/chats/{chat_id}")

    async def add_members(self, chat_id: int, user_ids: Iterable[int], *, admin: bool = False) -> JSON:
        body = {"user_ids": list(user_ids), "admin": admin}
        return await self._request("POST", f"/chats/{chat_id}/members", json=body)

    async def remove_member(self, chat_id: int, user_id: int) -> JSON:
        return await self._request("DELETE", f"/chats/{chat_id}/members/{user_id}")

    async def set_bot_status(self, chat_id: int, status: str, *, by: int | None = None) -> JSON:
        return await self._request("POST", f"/chats/{chat_id}/bot", json={"status": status, "by": by})

    async def kick_bot(self, chat_id: int, *, by: int | None = None) -> JSON:
        return await self.set_bot_status(chat_id, "kicked", by=by)

    async def set_topic(self, chat_id: int, thread_id: int, status: str) -> JSON:
        """Close, reopen or delete a forum topic: `status` is open, closed or deleted."""
        return await self._request("POST", f"/chats/{chat_id}/topics/{thread_id}", json={"status": status})

    # --- acting as a user: each returns {"message", "update_id", "event_id"} -----------------------

    async def send_message(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> JSON:
        body = {"from": user_id, "text": text, "reply_to": reply_to}
        return await self._request("POST", f"/chats/{chat_id}/messages", json=body)

    async def send_photo(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        *,
        filename: str = "photo.png",
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> JSON:
        form = aiohttp.FormData()
        form.add_field("from", str(user_id))
        form.add_field("photo", data, filename=filename)
        if caption is not None:
            form.add_field("caption", caption)
        if reply_to is not None:
            form.add_field("reply_to", str(reply_to))
        return await self._request("POST", f"/chats/{chat_id}/photos", data=form)

    async def send_location(
        self, chat_id: int, user_id: int, latitude: float, longitude: float, *, reply_to: int | None = None
    ) -> JSON:
        body = {"from": user_id, "latitude": latitude, "longitude": longitude, "reply_to": reply_to}
        return await self._request("POST", f"/chats/{chat_id}/locations", json=body)

    async def edit_message(self, chat_id: int, message_id: int, user_id: int, text: str) -> JSON:
        body = {"from": user_id, "text": text}
        return await self._request("POST", f"/chats/{chat_id}/messages/{message_id}/edit", json=body)

    async def press_button(self, chat_id: int, message_id: int, user_id: int, callback_data: str) -> JSON:
        """Returns {"callback_query_id", "update_id"}."""
        body = {"from": user_id, "callback_data": callback_data}
        return await self._request("POST", f"/chats/{chat_id}/messages/{message_id}/press", json=body)

    # --- watching the bot ------------------------------------------------------------------------

    async def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[JSON]:
        params = {"include_deleted": "1"} if include_deleted else {}
        return (await self._request("GET", f"/chats/{chat_id}/messages", params=params))["messages"]

    async def calls(
        self, method: str | None = None, *, chat_id: int | None = None, after: int = 0
    ) -> list[JSON]:
        params: dict[str, Any] = {"after": after}
        if method is not None:
            params["method"] = method
        if chat_id is not None:
            params["chat_id"] = chat_id
        return (await self._request("GET", "/calls", params=params))["calls"]

    async def callback_answers(self) -> list[JSON]:
        return (await self._request("GET", "/callback_answers"))["answers"]

    async def pending_updates(self) -> list[JSON]:
        return (await self._request("GET", "/updates"))["pending"]

    async def file(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.base_url}/control/files/{file_id}") as response:
            if response.status >= 400:
                raise EmulatorError(response.status, "unknown file_id")
            return await response.read()

    async def events(self, after: int = 0, *, wait: float = 0.0, limit: int = 100) -> JSON:
        """One long poll of the change feed, waiting up to `wait` seconds: {"events": [...], "last_id": N}."""
        params = {"after": after, "timeout": wait, "limit": limit}
        return await self._request("GET", "/events", params=params)

    async def skip_to_now(self) -> None:
        """Move the cursor past every event so far, so waits only see what happens next."""
        self.cursor = (await self.events(self.cursor, limit=1))["last_id"]

    async def wait_for_event(self, predicate: Callable[[JSON], bool], *, within: float = 5.0) -> JSON:
        """The first matching event after the cursor, within `within` seconds; the cursor moves past it."""
        async with asyncio.timeout(within):
            while True:
                page = await self.events(self.cursor, wait=within)
                for event in page["events"]:
                    self.cursor = event["id"]
                    if predicate(event):
                        return event

    async def next_bot_message(self, chat_id: int | None = None, *, within: float = 5.0) -> JSON:
        """The next message the bot sends (to `chat_id` if given), as the control API's message view."""

        def sent_by_bot(event: JSON) -> bool:
            return (
                event["kind"] == "message"
                and event["message"]["from_bot"]
                and (chat_id is None or event["chat_id"] == chat_id)
            )

        return (await self.wait_for_event(sent_by_bot, within=within))["message"]

    # --- faults and limits -----------------------------------------------------------------------

    async def add_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        count: int | None = 1,
        retry_after: int = 5,
        status: int = 500,
        seconds: float = 1.0,
        chat_id: int | None = None,
        migrate_to_chat_id: int = 0,
    ) -> JSON:
        """kind: too_many_requests | server_error | delay | drop | migrated; count None means until cleared;
        chat_id: only requests for that chat."""
        body = {
            "kind": kind,
            "method": method,
            "count": count,
            "retry_after": retry_after,
            "status": status,
            "seconds": seconds,
            "chat_id": chat_id,
            "migrate_to_chat_id": migrate_to_chat_id,
        }
        return await self._request("POST", "/faults", json=body)

    async def faults(self) -> list[JSON]:
        return (await self._request("GET", "/faults"))["faults"]

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def set_rate_limits(self, **limits: Any) -> JSON:
        """enabled, overall_per_second, group_per_minute, chat_per_second."""
        return await self._request("POST", "/rate_limits", json=limits)

    async def stats(self) -> JSON:
        return await self._request("GET", "/stats")
