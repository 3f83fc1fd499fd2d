"""Folder outputs (an edition whose output is a folder of files): hashed by their files, and
written whole beside the target, then renamed into place."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def folder_digest(files: dict[str, bytes]) -> tuple[int, str]:
    """The size and sha256 of a folder output: every file's path and bytes, in path order."""
    hasher = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        hasher.update(f"{name}\0{len(data)}\0".encode() + hashlib.sha256(data).digest())
    return sum(len(data) for data in files.values()), hasher.hexdigest()


def read_folder(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` by its path in it, or None if it cannot be read."""
    try:
        return {
            path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
    except OSError:
        return None


def write_folder_atomic(target: Path, files: dict[str, bytes]) -> None:
    """Write a folder of ``files`` (by path in it) to ``target``: built whole in a temporary
    folder beside it, then renamed into place, so that no reader sees it half written.

    An older folder is renamed aside first and removed after: between the two renames the
    target is missing for an instant, never incomplete. A file whose bytes are those it already
    has is linked from the older folder rather than written again, so that only the files that
    changed are new (a web host or a browser sees the others unchanged).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = temp.with_suffix(".old")
    try:
        for name, data in sorted(files.items()):
            path = temp / name
            if not path.resolve().is_relative_to(temp.resolve()):
                raise ValueError(f"{name!r} leads outside the output folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            if not _kept(target / name, path, data):
                path.write_bytes(data)
                os.chmod(path, 0o644)
        os.chmod(temp, 0o755)
        if target.is_dir() and not target.is_symlink():
            os.rename(target, old)
        os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if old.exists() and not target.exists():
            os.rename(old, target)  # put the last good folder back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _kept(old: Path, new: Path, data: bytes) -> bool:
    """Link ``old`` (a file of the previous folder) as ``new`` if it holds ``data``."""
    try:
        if old.is_symlink() or not old.is_file() or old.stat().st_size != len(data):
            return False
        if old.read_bytes() != data:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True
