"""Sending, editing and deleting messages."""

from __future__ import annotations

import secrets
from typing import Any

from emulator.errors import NOT_MODIFIED, bad_request
from emulator.methods.common import (
    Method,
    bot_message,
    caption,
    document,
    message_text,
    photo_sizes,
    reply_markup,
    target_chat,
)
from emulator.models import JSON, StoredMessage
from emulator.params import Params
from emulator.state import State
from emulator.views import message_json

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


async def send_message(state: State, params: Params) -> JSON:
    chat = target_chat(state, params)
    text, entities = message_text(params)
    message = bot_message(
        state, chat, params, text=text, entities=entities, reply_markup=reply_markup(params)
    )
    return message_json(state, message)


async def send_photo(state: State, params: Params) -> JSON:
    chat = target_chat(state, params)
    text, entities = caption(params)
    markup = reply_markup(params)
    sizes = photo_sizes(state, params.file("photo"))
    message = bot_message(
        state, chat, params, photo=sizes, caption=text, caption_entities=entities, reply_markup=markup
    )
    return message_json(state, message)


async def send_document(state: State, params: Params) -> JSON:
    chat = target_chat(state, params)
    text, entities = caption(params)
    markup = reply_markup(params)
    stored = document(state, params.file("document"))
    message = bot_message(
        state, chat, params, document=stored, caption=text, caption_entities=entities, reply_markup=markup
    )
    return message_json(state, message)


async def send_location(state: State, params: Params) -> JSON:
    chat = target_chat(state, params)
    latitude = params.number("latitude", missing="latitude is empty")
    longitude = params.number("longitude", missing="longitude is empty")
    if not -90 <= latitude <= 90:
        raise bad_request("wrong latitude specified")
    if not -180 <= longitude <= 180:
        raise bad_request("wrong longitude specified")
    location = {"latitude": latitude, "longitude": longitude}
    message = bot_message(state, chat, params, location=location, reply_markup=reply_markup(params))
    return message_json(state, message)


async def send_media_group(state: State, params: Params) -> list[JSON]:
    chat = target_chat(state, params)
    media = params.obj("media")
    if not isinstance(media, list) or not all(isinstance(item, dict) for item in media):
        raise bad_request("media must be an Array of InputMedia")
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media specified")
    kinds = {item.get("type") for item in media}
    if not kinds <= {"photo", "document"}:
        raise bad_request("unsupported media type in the emulator: only photo and document")
    if len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    # Check every item before storing any, so a bad album leaves no half-sent messages.
    contents: list[dict[str, Any]] = []
    for item in media:
        item_params = params.nested(item)
        text, entities = caption(item_params)
        source = item_params.file("media")
        content: dict[str, Any] = {"caption": text, "caption_entities": entities}
        if item["type"] == "photo":
            content["photo"] = photo_sizes(state, source)
        else:
            content["document"] = document(state, source)
        contents.append(content)
    group_id = str(secrets.randbits(62))
    return [
        message_json(state, bot_message(state, chat, params, media_group_id=group_id, **content))
        for content in contents
    ]


def _editable(state: State, params: Params) -> StoredMessage:
    if params.raw("inline_message_id") is not None and params.raw("chat_id") is None:
        # Inline mode is not emulated, so no inline message can exist.
        raise bad_request("MESSAGE_ID_INVALID")
    chat = target_chat(state, params)
    message = state.message(
        chat.id, params.required_integer("message_id", missing="message identifier is not specified")
    )
    if message is None:
        raise bad_request("message to edit not found")
    if message.sender_id != state.bot.id:
        raise bad_request("message can't be edited")
    return message


def _inline_markup(message: StoredMessage) -> JSON | None:
    markup = message.reply_markup
    return markup if markup and "inline_keyboard" in markup else None


def _markup_after_edit(message: StoredMessage, new_inline: JSON | None) -> JSON | None:
    # An edit replaces (or, when absent, removes) the inline keyboard; a reply keyboard or force_reply
    # the message was sent with is a client-side affair and stays.
    if new_inline is not None or _inline_markup(message) is not None:
        return new_inline
    return message.reply_markup


async def edit_message_text(state: State, params: Params) -> JSON:
    message = _editable(state, params)
    text, entities = message_text(params)
    markup = reply_markup(params, inline_only=True)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    if (text, entities, markup) == (message.text, message.entities, _inline_markup(message)):
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = _markup_after_edit(message, markup)
    message.text, message.entities = text, entities
    state.mark_edited(message)
    return message_json(state, message)


async def edit_message_caption(state: State, params: Params) -> JSON:
    message = _editable(state, params)
    text, entities = caption(params)
    markup = reply_markup(params, inline_only=True)
    if not message.has_media:
        raise bad_request("there is no caption in the message to edit")
    if (text, entities, markup) == (message.caption, message.caption_entities, _inline_markup(message)):
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = _markup_after_edit(message, markup)
    message.caption, message.caption_entities = text, entities
    state.mark_edited(message)
    return message_json(state, message)


async def edit_message_reply_markup(state: State, params: Params) -> JSON:
    message = _editable(state, params)
    markup = reply_markup(params, inline_only=True)
    if markup == _inline_markup(message):
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = _markup_after_edit(message, markup)
    state.mark_edited(message)
    return message_json(state, message)


async def delete_message(state: State, params: Params) -> bool:
    chat = target_chat(state, params)
    message = state.message(
        chat.id, params.required_integer("message_id", missing="message identifier is not specified")
    )
    if message is None:
        raise bad_request("message to delete not found")
    if chat.is_group and message.sender_id != state.bot.id and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    state.mark_deleted(message)
    return True


async def send_chat_action(state: State, params: Params) -> bool:
    chat = target_chat(state, params)
    action = params.text("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.events.emit("chat_action", chat_id=chat.id, action=action)
    return True


METHODS: dict[str, Method] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendLocation": send_location,
    "sendMediaGroup": send_media_group,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
}
