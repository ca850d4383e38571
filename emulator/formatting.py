"""Telegram's HTML parse mode: turns the bot's markup into plain text plus message entities."""

from __future__ import annotations

from html.parser import HTMLParser

from emulator.errors import ApiError, bad_request
from emulator.models import JSON

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED = {*_SIMPLE_TAGS, "a", "span", "tg-emoji"}


def utf16_len(text: str) -> int:
    # Telegram measures lengths and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


class _Open:
    def __init__(self, tag: str, offset: int, entity: JSON | None) -> None:
        self.tag = tag
        self.offset = offset
        self.entity = entity


class _Parser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(index + 1)
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[JSON] = []
        self._stack: list[_Open] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self._source[: self._line_starts[line - 1] + column].encode())

    def _fail(self, detail: str) -> ApiError:
        return bad_request(f"can't parse entities: {detail}")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SUPPORTED:
            raise self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')
        attributes = dict(attrs)
        entity: JSON | None
        if tag == "a":
            href = attributes.get("href")
            entity = {"type": "text_link", "url": href} if href else None
        elif tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise self._fail(f'Unsupported start tag "span" at byte offset {self._byte_offset()}')
            entity = {"type": "spoiler"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id") or ""}
        elif tag == "code" and self._stack and self._stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity carrying the language, not two entities.
            language = (attributes.get("class") or "").removeprefix("language-")
            pre = self._stack[-1].entity
            if language and pre is not None:
                pre["language"] = language
            entity = None
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        else:
            entity = {"type": _SIMPLE_TAGS[tag]}
        self._stack.append(_Open(tag, self.length, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise self._fail(f"Unexpected end tag at byte offset {self._byte_offset()}")
        opened = self._stack.pop()
        if opened.tag != tag:
            raise self._fail(
                f'Unmatched end tag at byte offset {self._byte_offset()}, expected "</{opened.tag}>", '
                f'found "</{tag}>"'
            )
        length = self.length - opened.offset
        if opened.entity is not None and length > 0:
            self.entities.append({**opened.entity, "offset": opened.offset, "length": length})

    def finish(self) -> None:
        self.close()
        if self._stack:
            raise self._fail(f'Can\'t find end tag corresponding to start tag "{self._stack[-1].tag}"')


def parse_html(source: str) -> tuple[str, list[JSON]]:
    parser = _Parser(source)
    parser.feed(source)
    parser.finish()
    entities = sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parser.parts), entities
