"""Writing outputs atomically: a temporary file beside the target, then a rename; and the
sweep of temporary files a killed build left."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes, mode: int = 0o644, *, durable: bool = True) -> None:
    """Write ``data`` to ``target`` so that a reader sees the old file or the new one, whole.

    ``durable=False`` skips the fsync, for files that may be lost in a crash (the build cache's
    checksummed files, made again if lost).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException as exc:
        Path(temp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # a write: name what it wrote
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise


def sweep_temporaries(folders: list[Path]) -> None:
    """Remove the temporary files :func:`write_atomic` left in ``folders`` (``.<name>.*.tmp``):
    called with the build lock held, so every one is a dead build's (a full-size PDF may be)."""
    for folder in folders:
        try:
            names = [
                entry.name for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)
            ]
        except OSError:
            continue
        for name in names:
            if name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3:
                Path(folder, name).unlink(missing_ok=True)
