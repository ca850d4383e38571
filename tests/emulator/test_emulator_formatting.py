"""HTML parse mode and image headers, checked directly."""

from __future__ import annotations

import struct

import pytest

from emulator.errors import ApiError
from emulator.formatting import parse_html
from emulator.media import image_info, make_png, photo_ladder


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '👍 <b>加粗 <i>斜体</i></b> <a href="https://e.org">链接</a> <code>x&amp;y</code>'
    )
    assert text == "👍 加粗 斜体 链接 x&y"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "italic", "offset": 6, "length": 2},
        {"type": "text_link", "url": "https://e.org", "offset": 9, "length": 2},
        {"type": "code", "offset": 12, "length": 3},
    ]


def test_pre_with_language_and_spoilers() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><tg-spoiler>秘</tg-spoiler>'
    )
    assert text == "x = 1秘"
    assert entities == [
        {"type": "pre", "language": "python", "offset": 0, "length": 5},
        {"type": "spoiler", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("a<br/>b", 'Unsupported start tag "br" at byte offset 1'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ('<span class="x">y</span>', 'Unsupported start tag "span"'),
    ],
)
def test_html_errors_like_telegram(source: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert detail in caught.value.description


def test_image_headers() -> None:
    assert image_info(make_png(7, 5)) == ("png", 7, 5)
    gif = b"GIF89a" + struct.pack("<HH", 12, 9) + b"\x00" * 8
    assert image_info(gif) == ("gif", 12, 9)
    jpeg = (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", 16)
        + b"JFIF\x00"
        + b"\x00" * 9
        + b"\xff\xc0"
        + struct.pack(">HBHH", 17, 8, 480, 640)
        + b"\x00" * 10
    )
    assert image_info(jpeg) == ("jpg", 640, 480)
    webp = (
        b"RIFF"
        + b"\x00" * 4
        + b"WEBPVP8X"
        + b"\x00" * 8
        + (99).to_bytes(3, "little")
        + (49).to_bytes(3, "little")
    )
    assert image_info(webp) == ("webp", 100, 50)
    assert image_info(b"plain text") is None


def test_photo_ladder() -> None:
    assert photo_ladder(60, 40) == [(60, 40)]
    assert photo_ladder(4000, 3000) == [(90, 68), (320, 240), (800, 600), (1280, 960), (2560, 1920)]
