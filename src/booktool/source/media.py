"""Files the manuscript references (images): confined to ``manuscript/``, checked, carried."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from booktool.source.images import image_fault

MEDIA_PREFIX = "media/"


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a reference cannot be used: message (after the quoted reference), hint, code."""

    message: str
    hint: str
    code: str


def resolve_local(reference: str, base: Path, manuscript: Path) -> tuple[str, Path]:
    """The media href and real path of the image ``reference`` names, relative to ``base``.

    Refusal if it is a URL or an absolute path, leads outside ``manuscript/`` (also through a
    symlink), does not exist, or is not an image booktool can carry.
    """
    parts = urlsplit(reference)
    if not reference or parts.scheme or parts.netloc or reference.startswith(("/", "\\")):
        raise Refusal(
            "is not a file in the manuscript",
            "copy it into manuscript/ and use a relative path",
            "not-local",
        )
    written = Path(os.path.normpath(base / unquote(parts.path)))
    path = written.resolve()
    root = manuscript.resolve()
    if not path.is_relative_to(root):
        linked = written.is_relative_to(manuscript)  # inside, until a symlink is followed
        where = "a link to a file outside manuscript/" if linked else "outside manuscript/"
        raise Refusal(f"is {where}", "copy it into manuscript/", "outside-project")
    if not path.is_file():
        raise Refusal("does not exist", "check the file name", "missing-file")
    fault = image_fault(path)
    if fault is not None:
        raise Refusal(fault.message, fault.hint, fault.code)
    return MEDIA_PREFIX + path.relative_to(root).as_posix(), path
