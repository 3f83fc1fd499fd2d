"""Validating parsed YAML against a schema: every problem collected, each with its line.

Shared by ``book.yaml`` (config.py), segment front matter (manuscript.py) and ``people.yaml``
(people.py), like MkDocs' config validation: report everything at once, then stop.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from booktool.errors import Problem
from booktool.source.yamlio import LineDict


def unknown_key_hint(key: str, known: Iterable[str]) -> str:
    """'did you mean …?' for a misspelt key, else the list of known keys."""
    names = list(known)
    close = difflib.get_close_matches(key, names, n=1)
    return f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(names)}"


def unknown_keys(data: LineDict, known: Iterable[str], where: str, path: Path) -> list[Problem]:
    """A problem for every key of ``data`` not in ``known``, with "did you mean …"."""
    names = list(known)
    return [
        Problem(
            path,
            data.line_of(key),
            f"unknown key '{key}' in {where}",
            unknown_key_hint(key, names),
            code="unknown-key",
        )
        for key in data
        if key not in names
    ]


class Collector:
    """Collects problems in one file so that every error is reported at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str, hint: str = "", code: str = "config") -> None:
        self.problems.append(Problem(self.path, line, message, hint, code=code))

    def unknown_keys(self, data: LineDict, known: Iterable[str], where: str) -> None:
        self.problems += unknown_keys(data, known, where, self.path)

    def text(self, data: LineDict, key: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(
                    data.line_of(key), f"'{key}' is required", f"add '{key}: …'", "missing-key"
                )
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(data.line_of(key), f"'{key}' must be text")
            return None
        return str(value).strip()

    def checked(
        self, data: LineDict, key: str, convert: Callable[[Any], Any], hint: str = ""
    ) -> Any:
        if data.get(key) is None:
            return None
        try:
            return convert(data[key])
        except (ValueError, TypeError) as exc:
            self.add(data.line_of(key), f"'{key}': {exc}", hint)
            return None
