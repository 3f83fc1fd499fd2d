"""Cache files sealed to this user on this machine: an HMAC over every byte they hold.

``build/.cache`` can arrive with a project (a zip from a colleague, a shared folder), so it is
never believed: each file starts with an HMAC-SHA256 of the rest, keyed by a random secret kept
in the user's own cache folder (``$XDG_CACHE_HOME/booktool/key`` or ``~/.cache/booktool/key``,
mode 0600), never in the project. A file sealed with another key, or damaged by one byte, reads
as absent, and what it held is made again. Only the standard library is used (the no-op path).
"""

from __future__ import annotations

import functools
import os
import tempfile
from operator import xor
from pathlib import Path
from typing import Any

from booktool.cache.output import write_atomic

KEY_BYTES = 32
_MAC_HEX = 64
_BLOCK = 64


def _sha256() -> Any:
    """SHA-256 from CPython's built-in module where it has one: the no-op build checks the
    stamp's seal, and importing hashlib (OpenSSL) would cost it 3 ms, a tenth of its time."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # CPython 3.11

        return sha256
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # CPython 3.12 and later

            return sha256
        except ImportError:
            from hashlib import sha256

            return sha256


_SHA256 = _sha256()


def mac(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of ``data`` (RFC 2104), in hexadecimal: the same as ``hmac.new(key, data,
    "sha256").hexdigest()``."""
    padded = (_SHA256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    inner = _SHA256(bytes(map(xor, padded, b"\x36" * _BLOCK)))
    inner.update(data)
    outer = _SHA256(bytes(map(xor, padded, b"\x5c" * _BLOCK)))
    outer.update(inner.digest())
    return str(outer.hexdigest())


def _same(one: bytes, other: bytes) -> bool:
    """Compared in a time that does not depend on where they differ."""
    return len(one) == len(other) and not int.from_bytes(bytes(map(xor, one, other)), "big")


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
        return os.urandom(KEY_BYTES)
    path = folder / "key"
    key = _read_key(path)
    if key is not None:
        return key
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(prefix=".key.", dir=folder)  # created 0600
        try:
            os.write(fd, os.urandom(KEY_BYTES))
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
        return os.urandom(KEY_BYTES)
    return _read_key(path) or os.urandom(KEY_BYTES)


def seal(data: bytes) -> bytes:
    """``data`` with its HMAC before it, on a line of its own."""
    return mac(machine_key(), data).encode("ascii") + b"\n" + data


def unseal(stored: bytes) -> bytes | None:
    """What :func:`seal` was given, if ``stored`` is exactly what it returned on this machine."""
    sealed, newline, data = (
        stored[:_MAC_HEX],
        stored[_MAC_HEX : _MAC_HEX + 1],
        stored[_MAC_HEX + 1 :],
    )
    if newline != b"\n":
        return None
    return data if _same(sealed, mac(machine_key(), data).encode("ascii")) else None


def read_sealed(path: Path) -> bytes | None:
    """The sealed contents of the cache file at ``path``, or None (absent, foreign, damaged)."""
    try:
        return unseal(path.read_bytes())
    except OSError:
        return None


def write_sealed(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` sealed, atomically."""
    write_atomic(path, seal(data), durable=durable)
