"""Image sizes from file headers and the photo size ladder Telegram derives from an upload."""

from __future__ import annotations

import struct
import zlib

_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Telegram stores a photo in several sizes; these are the longest sides of its usual ladder.
_LADDER = (90, 320, 800, 1280)
_MAX_SIDE = 2560


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            index += 2
            continue
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        (segment_length,) = struct.unpack(">H", data[index + 2 : index + 4])
        index += 2 + segment_length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """File extension, width and height of a PNG, JPEG, GIF or WebP image, or None when it is not one."""
    size: tuple[int, int] | None = None
    extension = ""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        extension, size = "png", struct.unpack(">II", data[16:24])
    elif data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        extension, size = "gif", struct.unpack("<HH", data[6:10])
    elif data.startswith(b"\xff\xd8"):
        extension, size = "jpg", _jpeg_size(data)
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        extension, size = "webp", _webp_size(data)
    if size is None or min(size) <= 0:
        return None
    return extension, size[0], size[1]


def _scaled(width: int, height: int, longest: int) -> tuple[int, int]:
    factor = longest / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))


def photo_ladder(width: int, height: int) -> list[tuple[int, int]]:
    """The (width, height) of every size Telegram would list for a photo, smallest first."""
    longest = max(width, height)
    sizes = [_scaled(width, height, step) for step in _LADDER if step < longest]
    sizes.append(_scaled(width, height, _MAX_SIDE) if longest > _MAX_SIDE else (width, height))
    return sizes


def make_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid single-colour PNG, so scripts and tests can send a real photo without an image library."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
