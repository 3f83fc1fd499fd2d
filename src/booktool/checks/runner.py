"""Running the rules: load the manuscript, run every registered rule, sort what they found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from booktool.checks.base import Fix, Reported, Rule, Severity
from booktool.checks.registry import RULES
from booktool.errors import InputError, Problem
from booktool.source.manuscript import Manuscript, load_manuscript
from booktool.source.project import Project


@dataclass
class CheckReport:
    """Everything a check found, in file and line order."""

    findings: list[Reported] = field(default_factory=list)
    manuscript: Manuscript | None = None

    @property
    def errors(self) -> list[Problem]:
        return [f.problem for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [f.problem for f in self.findings if f.severity is Severity.WARNING]

    @property
    def notes(self) -> list[Problem]:
        return [f.problem for f in self.findings if f.severity is Severity.NOTE]

    @property
    def fixes(self) -> list[Fix]:
        return [f.fix for f in self.findings if f.fix is not None]

    def failed(self, strict: bool = False) -> bool:
        """Errors, or warnings when ``strict``."""
        return bool(self.errors or (strict and self.warnings))


def _order(reported: Reported) -> tuple[str, int, int]:
    problem = reported.problem
    return (str(problem.path or ""), problem.line or 0, problem.column or 0)


def run_rules(manuscript: Manuscript, rules: Sequence[Rule] = RULES) -> CheckReport:
    """Every rule on a loaded manuscript."""
    found = [
        Reported(
            Problem(f.path, f.line, f.message, f.hint, f.column, code=rule.code),
            rule.severity,
            f.fix,
        )
        for rule in rules
        for f in rule.check(manuscript)
    ]
    return CheckReport(sorted(found, key=_order), manuscript)


def check_project(project: Project) -> CheckReport:
    """Load the manuscript (its problems are errors) and, if it loads, run every rule."""
    try:
        manuscript = load_manuscript(project)
    except InputError as exc:
        return CheckReport([Reported(p, Severity.ERROR) for p in exc.problems])
    return run_rules(manuscript)
