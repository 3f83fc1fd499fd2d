"""Which copy of a library is installed, cheaply: part of every cache key."""

from __future__ import annotations

import functools
import importlib.util
import os
import re


@functools.cache
def tool_version(module: str) -> str:
    """Where a library's package is and when it was written.

    Cheaper than reading its metadata (importlib.metadata is slow to import), and an upgrade
    rewrites the file, so a cache cannot mistake one version for another.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # pragma: no cover - not installed
        return f"{module} missing"
    return f"{spec.origin} {os.stat(spec.origin).st_mtime_ns}"


_DECLARED = re.compile(r"^(?:__version__|VERSION)\s*=\s*(?:__version__\s*=\s*)?(.+)$", re.MULTILINE)


@functools.cache
def declared_version(module: str) -> str | None:
    """The version a library's ``__init__.py`` declares (``VERSION = '70.0'`` or
    ``VERSION = (0, 20, 0)``), read without importing it; None if it declares none."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as source:
            found = _DECLARED.search(source.read())
    except (OSError, UnicodeDecodeError):
        return None
    if found is None:
        return None
    value = found.group(1).strip()
    if value.startswith("(") and value.endswith(")"):
        parts = [part.strip() for part in value[1:-1].split(",") if part.strip()]
        return ".".join(parts) if all(part.isdigit() for part in parts) else None
    return value.strip("'\"") if value[:1] in "'\"" and value[-1:] == value[:1] else None
