"""Files the manuscript may reference: confined to ``manuscript/``, carried by both editions."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

MEDIA_PREFIX = "media/"
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a reference cannot be used: message, what to do, and a code."""

    message: str
    hint: str
    code: str


def resolve_local(reference: str, base: Path, manuscript: Path) -> tuple[str, Path]:
    """The media href and real path of a file ``reference`` names; Refusal if it may not."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or reference.startswith(("/", "\\")):
        raise Refusal(
            f"'{reference}' is not a file in the manuscript",
            "copy it into manuscript/ and use a relative path",
            "not-local",
        )
    path = (base / posixpath.normpath(unquote(parts.path))).resolve()
    root = manuscript.resolve()
    if not path.is_relative_to(root):
        raise Refusal(
            f"'{reference}' is outside manuscript/", "copy it into manuscript/", "outside-project"
        )
    if not path.is_file():
        raise Refusal(f"'{reference}' does not exist", "check the file name", "missing-file")
    if path.suffix.lower() not in MEDIA_TYPES:
        raise Refusal(
            f"'{reference}' is not PNG, JPEG, GIF, SVG or WebP", "convert it", "image-type"
        )
    return MEDIA_PREFIX + path.relative_to(root).as_posix(), path
