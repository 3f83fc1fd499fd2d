"""Applying fixes: only the lines they name are rewritten, each file atomically.

A file keeps its BOM, line ends and every other byte; a fix whose text is no longer where it
was found (the file changed since the check) is skipped and reported, never guessed.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from booktool.cache.output import write_atomic
from booktool.checks.base import Fix


@dataclass
class FixReport:
    """The files rewritten, the fixes applied and those skipped."""

    files: list[Path] = field(default_factory=list)
    applied: list[Fix] = field(default_factory=list)
    skipped: list[Fix] = field(default_factory=list)


def apply_fixes(fixes: Iterable[Fix]) -> FixReport:
    """Apply every fix, grouped by file; each changed file is replaced atomically."""
    report = FixReport()
    ordered = sorted(fixes, key=lambda f: (str(f.path), f.line, f.column))
    for path, group in itertools.groupby(ordered, key=lambda f: f.path):
        _fix_file(path, list(group), report)
    return report


def _fix_file(path: Path, fixes: list[Fix], report: FixReport) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text[len(bom) :].split("\n")
    changed = False
    # Right to left within a line, so earlier columns stay valid.
    for fix in sorted(fixes, key=lambda f: (f.line, -f.column)):
        index, start = fix.line - 1, fix.column - 1
        if index >= len(lines) or lines[index][start : start + len(fix.old)] != fix.old:
            report.skipped.append(fix)
            continue
        line = lines[index]
        lines[index] = line[:start] + fix.new + line[start + len(fix.old) :]
        report.applied.append(fix)
        changed = True
    if changed:
        mode = os.stat(path).st_mode & 0o777
        write_atomic(path, (bom + "\n".join(lines)).encode("utf-8"), mode)
        report.files.append(path)
