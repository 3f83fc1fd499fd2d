"""Which copy of a library is installed, cheaply: part of every cache key."""

from __future__ import annotations

import functools
import importlib.util
import os


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
