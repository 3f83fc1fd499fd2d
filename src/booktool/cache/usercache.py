"""Files kept in the user's own cache folder (``~/.cache/booktool/NAME/``), across projects.

What is kept here is a pure function of its key (the bytes it is made from and the tools'
versions): a WOFF2 subset of a font, the picture of a cover page. Only booktool writes here,
never a project, so what is read back is believed once it has the right kind (its first
bytes); a file that cannot be read or written is made again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from booktool.cache.seal import user_cache


def folder(name: str) -> Path | None:
    """The user's cache folder for ``name``, or None if there is none to use."""
    root = user_cache()
    return root / name if root is not None else None


def read(path: Path | None, magic: bytes) -> bytes | None:
    """The file at ``path`` if it starts with ``magic``; None otherwise."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(magic) else None


def keep(path: Path | None, data: bytes) -> None:
    """Store ``data`` at ``path`` atomically; a cache that cannot be written is skipped."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError:
        return
