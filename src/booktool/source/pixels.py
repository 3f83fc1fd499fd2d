"""An image's pixel size, read from its header before anything decodes it.

A 20000 × 20000 PNG is 1 MB on disk and 1.2 GB decoded: the size is checked against
``limits.max_megapixels`` from the header alone (PNG, GIF, JPEG, WebP), so both editions
refuse it alike, without loading an image library.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from booktool.errors import Problem

#: JPEG markers that start a frame and give its size (SOF0-SOF15 but DHT, JPG and DAC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(handle: BinaryIO) -> tuple[int, int] | None:
    handle.seek(2)
    while True:
        marker = handle.read(2)
        while marker[:1] == b"\xff" and marker[1:2] == b"\xff":  # fill bytes
            marker = marker[1:] + handle.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if 0xD0 <= marker[1] <= 0xD9 or marker[1] == 0x01:  # no length
            continue
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        length = int.from_bytes(length_bytes, "big")
        if marker[1] in _SOF:
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        if length < 2:
            return None
        handle.seek(length - 2, 1)


def pixel_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` from the header of a PNG, GIF, JPEG or WebP file; None for other
    files (SVG) or a header too short to tell."""
    with path.open("rb") as handle:
        head = handle.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
            return struct.unpack("<HH", head[6:10])
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= 30:
            chunk = head[12:16]
            if chunk == b"VP8X":
                return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(
                    head[27:30], "little"
                )
            if chunk == b"VP8L":
                bits = int.from_bytes(head[21:25], "little")
                return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
            if chunk == b"VP8 ":
                return (
                    int.from_bytes(head[26:28], "little") & 0x3FFF,
                    int.from_bytes(head[28:30], "little") & 0x3FFF,
                )
            return None
        if head.startswith(b"\xff\xd8"):
            return _jpeg_size(handle)
    return None


def oversized(media: dict[str, Path], max_megapixels: float) -> list[Problem]:
    """An error for each image over ``max_megapixels``, naming the file and its size."""
    problems = []
    for path in sorted(set(media.values())):
        try:
            size = pixel_size(path)
        except OSError:
            continue  # the media checks report a file that cannot be read
        if size is None or size[0] * size[1] <= max_megapixels * 1_000_000:
            continue
        width, height = size
        problems.append(
            Problem(
                path,
                None,
                f"image is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels), "
                f"over the limit of {max_megapixels:g} megapixels",
                "scale it down, or raise limits.max_megapixels in book.yaml",
                code="image-too-large",
            )
        )
    return problems
