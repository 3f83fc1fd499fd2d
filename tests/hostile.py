"""A small booklet project written from a compact spec, for the hostile-manuscript corpus.

:func:`write_project` writes the base project (two segments, one chapter), then applies a case's
files: text, bytes, :class:`Link` (a symlink), :class:`Sparse` (a huge file that costs nothing)
or None (remove the file). Paths are relative to the project folder.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from booktool.editions.layouts import BUILTIN_LAYOUTS

BOOK_YAML = """\
title: Hostile Test
language: en
identifier: urn:uuid:00000000-0000-4000-8000-000000000006
date: 2026-01-01
source:
  title: A Documentary
introduction: summary.md
chapters:
- id: one
  title: One
  segments: [seg-01, seg-02]
"""


def segment(number: int, body: str, start: str | None = None, extra: str = "") -> str:
    """A segment file: front matter on lines 1–5 (6 with ``extra``), the body from line 7."""
    start = start or f"00:{5 * (number - 1):02d}:00"
    return (
        f"---\nid: seg-{number:02d}\ntitle: Segment {number}\nstart: {start}\n{extra}---\n\n{body}"
    )


BASE: dict[str, str] = {
    "manuscript/book.yaml": BOOK_YAML,
    "manuscript/summary.md": "---\ntitle: Introduction\n---\n\nA short summary of the film.\n",
    "manuscript/segments/seg-01.md": segment(1, "The first segment of the film.\n"),
    "manuscript/segments/seg-02.md": segment(2, "The second segment of the film.\n"),
}


@dataclass(frozen=True)
class Link:
    """A symlink to ``target`` (relative to the folder holding the project)."""

    target: str


@dataclass(frozen=True)
class Sparse:
    """A file of ``size`` bytes that takes no room on disk."""

    size: int


@dataclass(frozen=True)
class Lazy:
    """Bytes made only when the case runs (a large generated file)."""

    make: Callable[[], bytes]


Content = str | bytes | Link | Sparse | Lazy | None


@functools.cache
def huge_png() -> bytes:
    """A 9000 × 9000 pixel PNG of one colour: 250 KB on disk, 243 MB once decoded."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (9000, 9000), (200, 10, 10)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@functools.cache
def giant_png() -> bytes:
    """A valid 20000 × 20000 pixel PNG (one bit a pixel): 50 KB on disk, 1.2 GB decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = bytes(1 + 20000 // 8)
    packer = zlib.compressobj(9)
    image = b"".join(packer.compress(row) for _ in range(20000)) + packer.flush()
    header = struct.pack(">IIBBBBB", 20000, 20000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", image) + chunk(b"IEND", b"")
    )


def builtin(name: str) -> str:
    """The text of a built-in layout file, to extend in a project's layouts/."""
    return (BUILTIN_LAYOUTS / name).read_text()


def write_project(root: Path, files: dict[str, Content]) -> Path:
    """The base project at ``root/project`` with ``files`` applied; returns the project."""
    project = root / "project"
    for name, content in {**BASE, **files}.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.unlink(missing_ok=True)
        elif isinstance(content, Link):
            path.unlink(missing_ok=True)
            os.symlink(root / content.target, path)
        elif isinstance(content, Lazy):
            path.write_bytes(content.make())
        elif isinstance(content, Sparse):
            with path.open("wb") as handle:
                handle.truncate(content.size)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return project
