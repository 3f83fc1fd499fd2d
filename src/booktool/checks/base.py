"""What a rule is and what it finds.

A rule is a function from the loaded manuscript to findings, registered once in
:mod:`booktool.checks.registry` with a stable code and a severity. A finding says where and
what; a rule that can repair what it finds attaches a :class:`Fix` (``booktool check --fix``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from booktool.errors import Problem
from booktool.source.manuscript import Manuscript


class Severity(enum.StrEnum):
    """An error stops ``check`` and ``build``; a warning only does with ``--strict``; a note
    never does (``check`` lists it, ``build`` does not print it)."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Fix:
    """Replace ``old`` by ``new`` at ``path:line:column`` (1-based, in characters)."""

    path: Path
    line: int
    column: int
    old: str
    new: str


@dataclass(frozen=True)
class Finding:
    """What a rule found: where, what is wrong, what to do, and maybe a fix."""

    path: Path | None
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None
    fix: Fix | None = None


Check = Callable[[Manuscript], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its stable code, its severity, and the check."""

    code: str
    severity: Severity
    check: Check

    @property
    def summary(self) -> str:
        """What the rule finds: the first line of its check's docstring."""
        return (self.check.__doc__ or self.code).strip().splitlines()[0]


@dataclass(frozen=True)
class Reported:
    """A finding as reported: the problem (with the rule's code) and its severity."""

    problem: Problem
    severity: Severity
    fix: Fix | None = None

    def format(self) -> str:
        return self.problem.format(self.severity)
