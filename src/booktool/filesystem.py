"""File-system faults as one line each: a full disk, a read-only or locked folder, a file where
a folder should be. The path named is the folder the user can act on, not a temporary file."""

from __future__ import annotations

import errno
from pathlib import Path

from booktool.errors import BooktoolError, Problem

#: errno → (code, what is wrong, what to do).
FAULTS = {
    errno.ENOSPC: ("disk-full", "no space left on the device", "free some space, then build again"),
    errno.EDQUOT: ("disk-full", "over the disk quota", "free some space, then build again"),
    errno.EROFS: (
        "read-only",
        "the file system is read-only",
        "build on a writable disk, or mount it read-write",
    ),
    errno.EACCES: (
        "no-permission",
        "permission denied",
        "make the folder writable for you, or build a copy of the project",
    ),
    errno.EPERM: (
        "no-permission",
        "operation not permitted",
        "make the folder writable for you, or build a copy of the project",
    ),
}


class FileSystemError(BooktoolError):
    """Writing under build/ failed for a reason of the file system, not of booktool."""


def _blocking_file(path: Path) -> Path | None:
    """The first part of ``path`` that exists and is not a folder (where one should be)."""
    for part in reversed([path, *path.parents]):
        if part.exists() and not part.is_dir():
            return part
    return None


def _folder_named(filename: str) -> Path:
    """A temporary file's folder (``.name.xyz.tmp``), else the path itself."""
    path = Path(filename)
    if path.name.startswith(".") and path.name.endswith(".tmp"):
        return path.parent
    return path


def file_system_error(exc: OSError) -> FileSystemError | None:
    """The one-line error for ``exc``, or None if it is not a file-system fault."""
    if exc.filename is None:
        return None
    path = _folder_named(str(exc.filename))
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocking = _blocking_file(path)
        if blocking is None:
            return None
        return FileSystemError(
            Problem(
                blocking,
                None,
                "is a file, where booktool keeps a folder",
                "move the file away or delete it, then build again",
                code="not-a-folder",
            )
        )
    if exc.errno not in FAULTS:
        return None
    code, message, hint = FAULTS[exc.errno]
    return FileSystemError(Problem(path, None, message, hint, code=code))
