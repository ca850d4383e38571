"""Checks and parameter readers shared by the Bot API methods."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from emulator.errors import bad_request, forbidden
from emulator.formatting import parse_html, utf16_len
from emulator.markup import validate_reply_markup
from emulator.models import JSON, Chat, FileKind, StoredFile, StoredMessage
from emulator.params import Params, UploadedFile
from emulator.state import State

Method = Callable[[State, Params], Awaitable[Any]]

_KIND_NAMES = {"photo": "Photo", "document": "Document"}


def ensure_bot_access(state: State, chat: Chat) -> None:
    if chat.type == "private":
        user = state.users[chat.id]
        if user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if not user.started_bot:
            raise forbidden("bot can't initiate conversation with a user")
        return
    if chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {chat.type} chat")
    if chat.bot_status == "left":
        raise forbidden(f"bot is not a member of the {chat.type} chat")


def target_chat(state: State, params: Params) -> Chat:
    chat = state.find_chat(params.chat_ref())
    if chat is None:
        raise bad_request("chat not found")
    ensure_bot_access(state, chat)
    ensure_open_topic(chat, params)
    return chat


def ensure_open_topic(chat: Chat, params: Params) -> None:
    """Telegram refuses a request to a forum topic that was deleted or closed."""
    thread_id = params.integer("message_thread_id")
    status = chat.topics.get(thread_id) if thread_id is not None else None
    if status == "deleted":
        raise bad_request("message thread not found")
    if status == "closed":
        raise bad_request("TOPIC_CLOSED")


def formatted(
    params: Params, field: str, entities_field: str, *, limit: int, too_long: str
) -> tuple[str | None, list[JSON] | None]:
    """Text (or caption) after parse_mode, with its entities; checks Telegram's length limit."""
    raw = params.text(field)
    if raw is None:
        return None, None
    parse_mode = (params.text("parse_mode") or "").lower()
    entities: list[JSON] | None
    if parse_mode == "html":
        text, entities = parse_html(raw)
    elif parse_mode in ("markdown", "markdownv2"):
        # Markdown is passed through unparsed: the project formats with HTML.
        text, entities = raw, None
    elif parse_mode:
        raise bad_request(f"unsupported parse_mode {params.text('parse_mode')!r}")
    else:
        text, entities = raw, params.obj(entities_field)
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, entities or None


def message_text(params: Params) -> tuple[str, list[JSON] | None]:
    text, entities = formatted(params, "text", "entities", limit=4096, too_long="message is too long")
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    return text, entities


def caption(params: Params, field: str = "caption") -> tuple[str | None, list[JSON] | None]:
    return formatted(params, field, "caption_entities", limit=1024, too_long="message caption is too long")


def reply_markup(params: Params, *, inline_only: bool = False) -> JSON | None:
    markup = params.obj("reply_markup")
    if markup is None:
        return None
    return validate_reply_markup(markup, inline_only=inline_only)


def reply_target(state: State, chat: Chat, params: Params) -> int | None:
    reply_parameters = params.obj("reply_parameters")
    allow_missing = params.flag("allow_sending_without_reply")
    if isinstance(reply_parameters, dict):
        message_id = reply_parameters.get("message_id")
        allow_missing = allow_missing or bool(reply_parameters.get("allow_sending_without_reply"))
        if not isinstance(message_id, int):
            raise bad_request("message to be replied not found")
    else:
        message_id = params.integer("reply_to_message_id")
    if message_id is None:
        return None
    if state.message(chat.id, message_id) is not None:
        return message_id
    if allow_missing:
        return None
    raise bad_request("message to be replied not found")


def _reused_file(state: State, file_id: str, wanted: FileKind) -> StoredFile:
    if file_id.startswith(("http://", "https://")):
        # Nothing outside this machine is reachable, like a URL Telegram cannot fetch.
        raise bad_request("failed to get HTTP URL content")
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != wanted:
        raise bad_request(f"can't use file of type {_KIND_NAMES[stored.kind]} as {_KIND_NAMES[wanted]}")
    return stored


def photo_sizes(state: State, source: UploadedFile | str | None) -> list[JSON]:
    if source is None:
        raise bad_request("there is no photo in the request")
    if isinstance(source, str):
        return state.photo_sets[_reused_file(state, source, "photo").file_id]
    sizes = state.store_photo(source.data)
    if sizes is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return sizes


def document_json(stored: StoredFile) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": stored.size,
    }


def document(state: State, source: UploadedFile | str | None) -> JSON:
    if source is None:
        raise bad_request("there is no document in the request")
    if isinstance(source, str):
        return document_json(_reused_file(state, source, "document"))
    file_name = source.filename or "document"
    # HTTP clients label every upload application/octet-stream, so the file name says more.
    mime_type = mimetypes.guess_type(file_name)[0] or source.content_type or "application/octet-stream"
    extension = file_name.rpartition(".")[2] if "." in file_name else "bin"
    stored = state.store_file(
        "document", source.data, extension=extension, mime_type=mime_type, file_name=file_name
    )
    return document_json(stored)


def bot_message(state: State, chat: Chat, params: Params, **content: Any) -> StoredMessage:
    """Store a message the bot sent, with the reply and thread parameters every send method shares."""
    message, _ = state.add_message(
        chat.id,
        state.bot.id,
        reply_to_message_id=reply_target(state, chat, params),
        message_thread_id=params.integer("message_thread_id"),
        **content,
    )
    return message
