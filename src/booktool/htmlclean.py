"""Cleaning pandoc's HTML fragments before they enter either edition.

Each fragment is parsed and serialised again as well-formed XHTML (EPUBCheck rejects
HTML-only syntax), and every image it references is confined to ``manuscript/``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from booktool.errors import Problem

MEDIA_PREFIX = "media/"
_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@dataclass
class CleanResult:
    """Cleaned fragments, the files they reference, and what was refused."""

    html: dict[Path, str] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def media_type(path: str) -> str | None:
    """The media type of an image file booktool can carry in both editions."""
    return _MEDIA_TYPES.get(Path(path).suffix.lower())


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _refuse(
    result: CleanResult, path: Path, line: int | None, message: str, hint: str, code: str
) -> None:
    result.problems.append(Problem(path, line, message, hint, code=code))


def _resolve_image(
    src: str,
    source_path: Path,
    manuscript: Path,
    source_text: str,
    first_line: int,
    result: CleanResult,
) -> str | None:
    line = _line_of(source_text, src)
    line = line + first_line - 1 if line is not None else None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        _refuse(
            result,
            source_path,
            line,
            f"image '{src}' is not a file in the manuscript",
            "copy it into manuscript/ and use a relative path",
            "not-local",
        )
        return None
    relative = posixpath.normpath(unquote(parts.path))
    path = (source_path.parent / relative).resolve()
    root = manuscript.resolve()
    if not path.is_relative_to(root):
        _refuse(
            result,
            source_path,
            line,
            f"image '{src}' is outside manuscript/",
            "copy it into manuscript/",
            "outside-project",
        )
        return None
    if not path.is_file():
        _refuse(
            result,
            source_path,
            line,
            f"image '{src}' does not exist",
            "check the file name",
            "missing-file",
        )
        return None
    if media_type(path.name) is None:
        _refuse(
            result,
            source_path,
            line,
            f"image '{src}' is not PNG, JPEG, GIF, SVG or WebP",
            "convert it",
            "image-type",
        )
        return None
    href = MEDIA_PREFIX + path.relative_to(root).as_posix()
    result.media[href] = path
    return href


def clean_fragments(
    html: dict[Path, str], manuscript: Path, sources: dict[Path, tuple[str, int]]
) -> CleanResult:
    """Well-formed fragments with confined images; ``sources`` maps path to (text, first line)."""
    result = CleanResult()
    for path, fragment in html.items():
        if not fragment.strip():
            result.html[path] = ""
            continue
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        source_text, first_line = sources.get(path, ("", 1))
        for img in root.iter("img"):
            src = img.get("src", "")
            href = _resolve_image(src, path, manuscript, source_text, first_line, result)
            img.set("src", href or "")
            if img.get("alt") is None:
                img.set("alt", "")
        serialised = etree.tostring(root, encoding="unicode", method="xml")
        inner = re.sub(r"\A<div>|</div>\Z", "", serialised)
        result.html[path] = "" if serialised == "<div/>" else inner.strip()
    return result
