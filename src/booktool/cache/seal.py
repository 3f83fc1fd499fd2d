"""Cache files sealed to this user on this machine: an HMAC over every byte they hold.

``build/.cache`` can arrive with a project (a zip from a colleague, a shared folder), so it is
never believed: each file starts with an HMAC-SHA256 of the rest, keyed by a random secret kept
in the user's own cache folder (``$XDG_CACHE_HOME/booktool/key`` or ``~/.cache/booktool/key``,
mode 0600), never in the project. A file sealed with another key, or damaged by one byte, reads
as absent, and what it held is made again. Only the standard library is used (the no-op path).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from booktool.cache.output import write_atomic

KEY_BYTES = 32
_MAC_HEX = 2 * hashlib.sha256().digest_size


def user_cache() -> Path | None:
    """The user's own cache folder for booktool, or None if it cannot be named."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root, "booktool") if os.path.isabs(root) else None


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


def machine_key() -> bytes:
    """This user's secret, made on first use (linked into place whole, so two builds starting
    at once agree); a process that cannot keep one uses its own, and its cache lasts one run."""
    return _key_in(user_cache())


@functools.cache
def _key_in(folder: Path | None) -> bytes:
    if folder is None:
        return secrets.token_bytes(KEY_BYTES)
    path = folder / "key"
    key = _read_key(path)
    if key is not None:
        return key
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(prefix=".key.", dir=folder)  # created 0600
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(temp, path)
            except FileExistsError:  # another build made it first, or a damaged one is there
                if _read_key(path) is None:
                    os.replace(temp, path)
        finally:
            Path(temp).unlink(missing_ok=True)
    except OSError:
        return secrets.token_bytes(KEY_BYTES)
    return _read_key(path) or secrets.token_bytes(KEY_BYTES)


def seal(data: bytes) -> bytes:
    """``data`` with its HMAC before it, on a line of its own."""
    mac = hmac.new(machine_key(), data, hashlib.sha256).hexdigest()
    return mac.encode("ascii") + b"\n" + data


def unseal(stored: bytes) -> bytes | None:
    """What :func:`seal` was given, if ``stored`` is exactly what it returned on this machine."""
    mac, newline, data = stored[:_MAC_HEX], stored[_MAC_HEX : _MAC_HEX + 1], stored[_MAC_HEX + 1 :]
    if newline != b"\n":
        return None
    expected = hmac.new(machine_key(), data, hashlib.sha256).hexdigest().encode("ascii")
    return data if hmac.compare_digest(mac, expected) else None


def read_sealed(path: Path) -> bytes | None:
    """The sealed contents of the cache file at ``path``, or None (absent, foreign, damaged)."""
    try:
        return unseal(path.read_bytes())
    except OSError:
        return None


def write_sealed(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` sealed, atomically."""
    write_atomic(path, seal(data), durable=durable)
