"""One build at a time in a ``build/`` folder: an exclusive lock held for the whole build.

The lock is ``flock`` on ``build/.cache/lock``, taken before the no-op stamp is read and held
until the stamp is stored, so no other build can replace an output between this build's write
and its stamp: the stamp records what this build wrote. A second build waits, saying so, or
with ``--no-wait`` fails at once. The kernel drops the lock when its process ends, however it
ends, so a killed build never leaves it held; the next build, holding it, sweeps the temporary
files a killed one left. Only the standard library is used (the no-op path).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from booktool.cache.output import sweep_temporaries
from booktool.errors import BooktoolError, Problem, display_path

LOCK_NAME = "lock"


class BuildLocked(BooktoolError):
    """Another build holds the lock and the user asked not to wait."""


def _holder(fd: int) -> str:
    """`` (pid N)`` of the build that holds the lock, as it wrote it, or nothing."""
    try:
        pid = next(iter(os.pread(fd, 32, 0).decode("ascii").split()), "")
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _open(path: Path) -> tuple[int, bool] | None:
    """The lock file, open for writing if it can be (else for reading); None if there is
    none to open: a build/ that cannot be written, which no other build can write either."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644), True
    except OSError:
        pass
    try:
        return os.open(path, os.O_RDONLY), False
    except OSError:
        return None


@contextlib.contextmanager
def build_lock(build_dir: Path, *, wait: bool, say: Callable[[str], object]) -> Iterator[None]:
    """Hold ``build_dir``'s lock for the block; wait for it (saying so once) or, without
    ``wait``, raise :class:`BuildLocked` if another build holds it."""
    opened = _open(build_dir / ".cache" / LOCK_NAME)
    if opened is None:  # the build will say what is wrong with the folder when it writes
        yield
        return
    fd, writable = opened
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            where = display_path(build_dir)
            if not wait:
                raise BuildLocked(
                    Problem(
                        build_dir,
                        None,
                        f"another booktool build is running in this folder{_holder(fd)}",
                        "wait for it to finish, or build without --no-wait",
                        code="build-locked",
                    )
                ) from None
            say(f"waiting for another build in {where}{_holder(fd)} to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        if writable:
            with contextlib.suppress(OSError):  # the same width each time: no truncation
                os.pwrite(fd, f"{os.getpid():>10}\n".encode("ascii"), 0)
            cache = build_dir / ".cache"
            with contextlib.suppress(OSError):
                sweep_temporaries([build_dir, cache, cache / "parts"])
        yield
    finally:
        os.close(fd)  # and the lock with it
