"""Small text helpers shared by the importer and the loader."""

from __future__ import annotations

import re
import unicodedata

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~^@])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=])", re.MULTILINE)
_MD_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def slugify(text: str, fallback: str = "book") -> str:
    """Lowercase ASCII words joined by hyphens: a file and id safe name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or fallback


def escape_markdown(text: str) -> str:
    """Escape plain text so pandoc's Markdown reader gives it back unchanged."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _MD_LINE_START.sub(r"\1\\\2", escaped)
    return _MD_LIST_NUMBER.sub(r"\1\\\2", escaped)


def decode_text(data: bytes) -> str:
    """UTF-8 text without BOM, with LF line ends; UnicodeDecodeError names the byte offset."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")
