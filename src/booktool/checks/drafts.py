"""Rules on drafted files: what ``booktool import`` wrote that no editor has reviewed yet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from booktool.checks.base import Finding
from booktool.source.apparatus import CHRONOLOGY_FILE, FIGURES_FILE, SOURCES_FILE
from booktool.source.drafted import review_mark_line
from booktool.source.manuscript import Manuscript


def _manuscript_files(manuscript: Manuscript) -> list[Path]:
    project = manuscript.project
    files = [project.book_file]
    files += [file.path for file in manuscript.markdown_files]
    files += [project.manuscript / name for name in (CHRONOLOGY_FILE, FIGURES_FILE, SOURCES_FILE)]
    files.append(project.people_file)
    return [path for path in files if path.is_file()]


def drafts_unreviewed(manuscript: Manuscript) -> Iterator[Finding]:
    """A file booktool drafted (import) that still carries its 'not yet reviewed' mark."""
    for path in _manuscript_files(manuscript):
        line = review_mark_line(path)
        if line is not None:
            yield Finding(
                path,
                line,
                "drafted by booktool import, not yet reviewed",
                "review it, then delete this line",
            )
