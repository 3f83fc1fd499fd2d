"""Files kept in the user's own cache folder (``~/.cache/booktool/NAME/``), across projects.

What is kept here is a pure function of its key (the bytes it is made from and the tools'
versions): a WOFF2 subset of a font, the picture of a cover page, a compiled template. Only
booktool writes here, never a project, so what is read back is believed once it has the right
kind (its first bytes); a file that cannot be read or written is made again.

Each folder is bounded (:data:`LIMITS`), as ccache and pip bound theirs: at most once every
:data:`TIDY_EVERY` seconds, a write to a folder removes its least recently used files until it
holds no more than its limit (a file read is marked used). A removed file is made again when
a build next needs it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from booktool.cache.seal import user_cache

MIB = 1024 * 1024
#: The most each folder keeps, in bytes (a cover is about 50 KB, a compiled template 5 KB, a
#: font subset 20–200 KB); a folder not named here keeps :data:`DEFAULT_LIMIT`.
LIMITS = {"covers": 256 * MIB, "templates": 64 * MIB, "webfonts": 256 * MIB}
DEFAULT_LIMIT = 128 * MIB
#: Seconds between two tidyings of one folder; the last one's time is its marker's mtime.
TIDY_EVERY = 3600
TIDIED = ".tidied"


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
    if not data.startswith(magic):
        return None
    used(path)
    return data


def used(path: Path) -> None:
    """Mark a kept file as used now (it is then the last to be tidied away)."""
    with contextlib.suppress(OSError):
        os.utime(path)


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
    tidy_now_and_then(path.parent)


def tidy_now_and_then(directory: Path) -> None:
    """:func:`tidy` ``directory`` if it was not tidied in the last :data:`TIDY_EVERY` seconds."""
    marker = directory / TIDIED
    try:
        if time.time() - marker.stat().st_mtime < TIDY_EVERY:
            return
    except OSError:
        pass
    try:
        marker.touch()
    except OSError:
        return
    tidy(directory, LIMITS.get(directory.name, DEFAULT_LIMIT))


def tidy(directory: Path, limit: int) -> int:
    """Remove the least recently used files of ``directory`` until the rest hold at most
    ``limit`` bytes; how many were removed. Another process removing a file at the same time,
    or a file that cannot be removed, is passed over."""
    found = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name == TIDIED or not entry.is_file(follow_symlinks=False):
                    continue
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    found.append((info.st_mtime, entry.name, info.st_size))
    except OSError:
        return 0
    total = sum(size for _, _, size in found)
    removed = 0
    for _, name, size in sorted(found):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            (directory / name).unlink()
            removed += 1
        total -= size
    return removed
