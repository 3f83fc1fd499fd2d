"""The names rule: a person written as one of the variant spellings listed in people.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from booktool.checks.base import Finding, Fix
from booktool.errors import display_path
from booktool.manuscript import Manuscript, read_text
from booktool.people import Person


def variant_pattern(variant: str) -> re.Pattern[str]:
    """A variant as a whole name on one line; its words may be set apart by any spaces."""
    words = [re.escape(word) for word in variant.split()]
    return re.compile(r"(?<!\w)" + r"[ \t]+".join(words) + r"(?!\w)")


def texts_to_scan(manuscript: Manuscript) -> list[Path]:
    """The files whose words reach the booklet: book.yaml and every Markdown file."""
    return [manuscript.config.path, *(f.path for f in manuscript.markdown_files)]


def name_variants(manuscript: Manuscript) -> Iterator[Finding]:
    """Every variant spelling, with the canonical name as hint and as fix."""
    patterns = [
        (person, variant_pattern(variant))
        for person in manuscript.people
        for variant in person.variants
    ]
    if not patterns:
        return
    for path in texts_to_scan(manuscript):
        for number, line in enumerate(read_text(path).split("\n"), start=1):
            for person, pattern in patterns:
                for found in pattern.finditer(line):
                    if not _quoted(line, found):
                        yield _finding(manuscript, person, path, number, found)


def _quoted(line: str, found: re.Match[str]) -> bool:
    """A variant in quotation marks is cited as a spelling (an editorial note), not used."""
    before = line[found.start() - 1] if found.start() else ""
    after = line[found.end()] if found.end() < len(line) else ""
    return before in "\"'“‘«" and after in "\"'”’»" and bool(before) and bool(after)


def _finding(
    manuscript: Manuscript, person: Person, path: Path, line: int, found: re.Match[str]
) -> Finding:
    where = f"{display_path(manuscript.project.people_file)}:{person.line}"
    return Finding(
        path,
        line,
        f"'{found.group()}' is a variant spelling of '{person.name}' ({where})",
        f"write '{person.name}' (booktool check --fix does)",
        found.start() + 1,
        Fix(path, line, found.start() + 1, found.group(), person.name),
    )
