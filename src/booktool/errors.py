"""The exceptions booktool raises; the CLI maps each to an exit code and one line per problem."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, what to do."""

    path: Path | None
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None
    #: A stable code for the kind of problem (e.g. ``yaml-syntax``), for docs and filters:
    #: required, never empty (every line a user sees carries one; the README lists them).
    code: str = field(kw_only=True)

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError(f"a problem without a code: {self.message!r}")

    @property
    def location(self) -> str:
        """``path:line:column`` as far as known, or empty."""
        if self.path is None:
            return ""
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self, severity: str = "error") -> str:
        """``path:line[:col]: severity[code]: message; hint``: the one line a user sees."""
        label = f"{severity}[{self.code}]"
        prefix = f"{self.location}: " if self.location else ""
        return f"{prefix}{label}: {self}"

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data, for ``--json``."""
        return {
            "path": display_path(self.path) if self.path else None,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    def to_record(self) -> dict[str, object]:
        """The problem as plain data that :meth:`from_record` reads back (the build cache)."""
        return {
            "path": str(self.path) if self.path else None,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
            "column": self.column,
            "code": self.code,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Problem:
        path = record.get("path")
        return cls(
            Path(path) if path else None,
            record.get("line"),
            str(record.get("message", "")),
            str(record.get("hint", "")),
            record.get("column"),
            code=str(record.get("code", "")),  # none: ValueError, a damaged record
        )

    def __str__(self) -> str:
        """The message and what to do, without the location, on one line (a URL or a name
        quoted from the manuscript may hold a line break)."""
        text = f"{self.message}; {self.hint}" if self.hint else self.message
        return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def counted(number: int, noun: str) -> str:
    """``1 error``, ``2 errors``: a count with its noun (nouns that take an s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def display_path(path: Path) -> str:
    """A path relative to the working directory where that is shorter."""
    try:
        # Lexically absolute, not resolved: a symlink is named as the user wrote it.
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class BooktoolError(Exception):
    """Base of every error booktool reports to its user (exit code 1)."""

    exit_code = 1

    def __init__(self, *problems: Problem, warnings: Sequence[Problem] = ()) -> None:
        self.problems = list(problems)
        #: Warnings found on the way (by the check that ran before the failure).
        self.warnings = list(warnings)
        super().__init__("\n".join(p.format() for p in problems))


class InputError(BooktoolError):
    """The manuscript, the config or a summary text is wrong: the user can fix it."""


class ProjectExistsError(BooktoolError):
    """A command would overwrite a manuscript that is already there."""


class RenderError(BooktoolError):
    """A renderer (pandoc, WeasyPrint, ebooklib) failed on input that passed the checks."""


def input_error(
    path: Path | None,
    line: int | None,
    message: str,
    hint: str = "",
    column: int | None = None,
    *,
    code: str,
) -> InputError:
    """Shorthand for an InputError with a single problem."""
    return InputError(Problem(path, line, message, hint, column, code=code))
