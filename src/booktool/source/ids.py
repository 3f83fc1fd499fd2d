"""The one rule for every id a manuscript gives: segments, chapters, figures, chronology
entries and sources.

Ids become anchors, cross-reference keys and file names (a chart's SVG in both editions), so
an id holds no path: ASCII letters, digits, ``-``, ``_`` and ``.``, never ``.`` first.
"""

from __future__ import annotations

import re
from pathlib import Path

from booktool.errors import Problem

MAX_ID = 64
_RULE = re.compile(rf"[A-Za-z0-9_-][A-Za-z0-9_.-]{{0,{MAX_ID - 1}}}")
HINT = f"use letters, digits, '-', '_' and '.' (not first), at most {MAX_ID} characters"


def is_id(value: object) -> bool:
    """Whether ``value`` is an id by the rule."""
    return isinstance(value, str) and _RULE.fullmatch(value) is not None


def id_problem(path: Path, line: int | None, what: str, value: object) -> Problem | None:
    """The one-line error for ``value`` given as ``what``'s id, or None if it is an id."""
    if is_id(value):
        return None
    return Problem(path, line, f"{what} id {str(value)!r} is not a valid id", HINT, code="bad-id")


def file_stem(value: str) -> str:
    """``value`` as a file name's stem; ValueError if it is not an id (it could be a path)."""
    if not is_id(value):
        raise ValueError(f"{value!r} is not an id and cannot name a file")
    return value
