"""Bot API parameters from a query string, JSON body, urlencoded form or multipart upload.

Form posts carry every value as a string (objects as JSON text), JSON bodies carry native values;
the typed getters accept both, as Telegram does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from emulator.errors import bad_request
from emulator.models import JSON

_JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "media",
    "commands",
    "scope",
    "menu_button",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
}
_ATTACH = "attach://"
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


@dataclass(frozen=True)
class UploadedFile:
    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    def __init__(self, values: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None) -> None:
        self._values = dict(values)
        self._files = dict(files or {})

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as error:
                    raise bad_request("can't parse JSON encoded request body") from error
                if not isinstance(body, dict):
                    raise bad_request("JSON request body must be an Object")
                values.update(body)
            elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(value.file.read(), value.filename, value.content_type)
                    else:
                        values[key] = value
        return cls(values, files)

    def nested(self, values: Mapping[str, Any]) -> Params:
        """Parameters of an object inside this request (a media group item) sharing its uploads."""
        return Params(values, self._files)

    def raw(self, name: str) -> Any:
        value = self._values.get(name)
        # Telegram treats an empty parameter as an absent one.
        return None if value == "" else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def integer(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise bad_request(f"invalid {name} specified")

    def required_integer(self, name: str, *, missing: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(missing)
        return value

    def number(self, name: str, *, missing: str) -> float:
        value = self.raw(name)
        if value is None:
            raise bad_request(missing)
        try:
            return float(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f"invalid {name} specified") from error

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        if isinstance(value, bool | int):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise bad_request(f'field "{name}" must be of type Boolean')

    def obj(self, name: str) -> Any:
        value = self.raw(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as error:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from error
            raise bad_request(f"can't parse {name} JSON object") from error

    def chat_ref(self, name: str = "chat_id") -> int | str:
        value = self.raw(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("@"):
                return value
            with contextlib.suppress(ValueError):
                return int(value)
        raise bad_request("chat not found")

    def file(self, name: str) -> UploadedFile | str | None:
        """An uploaded file (sent directly or as attach://), or the file_id / URL string given instead."""
        if name in self._files:
            return self._files[name]
        value = self.text(name)
        return None if value is None else self.attachment(value)

    def attachment(self, value: str) -> UploadedFile | str:
        if not value.startswith(_ATTACH):
            return value
        uploaded = self._files.get(value.removeprefix(_ATTACH))
        if uploaded is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return uploaded

    def loggable(self) -> JSON:
        """The parameters as the call log shows them: objects decoded, uploads summarised."""
        logged: JSON = {}
        for name, value in self._values.items():
            if name in _JSON_FIELDS and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            elif name == "chat_id" and isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            logged[name] = value
        for name, uploaded in self._files.items():
            logged[name] = {"upload": uploaded.filename, "size": len(uploaded.data)}
        return logged
