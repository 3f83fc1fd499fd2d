"""The names rule: a person written as one of the variant spellings listed in people.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from booktool.checks.base import Finding, Fix
from booktool.errors import display_path
from booktool.source.manuscript import Manuscript, read_text
from booktool.source.people import Person


def variant_pattern(variant: str) -> re.Pattern[str]:
    """A variant as a whole name on one line; its words may be set apart by any spaces."""
    words = [re.escape(word) for word in variant.split()]
    return re.compile(r"(?<!\w)" + r"[ \t]+".join(words) + r"(?!\w)")


def texts_to_scan(manuscript: Manuscript) -> list[Path]:
    """The files whose words reach the booklet: book.yaml and every Markdown file."""
    return [manuscript.config.path, *(f.path for f in manuscript.markdown_files)]


def name_variants(manuscript: Manuscript) -> Iterator[Finding]:
    """Every variant spelling, with the canonical name as hint and as fix."""
    # With each pattern, its first word: a text without it is not searched.
    patterns = [
        (person, variant_pattern(variant), variant.split()[0])
        for person in manuscript.people
        for variant in person.variants
    ]
    if not patterns:
        return
    for path in texts_to_scan(manuscript):
        text = read_text(path)
        # Each pattern runs over the whole text (a variant never spans lines), not line by
        # line: the findings are then put in the order of the lines, and of the patterns.
        found = sorted(
            (
                (text.count("\n", 0, match.start()) + 1, index, match.start(), match)
                for index, (_, pattern, word) in enumerate(patterns)
                if word in text
                for match in pattern.finditer(text)
                if not _quoted(text, match)
            ),
            key=lambda item: item[:3],
        )
        for line, index, start, match in found:
            column = start - text.rfind("\n", 0, start)
            yield _finding(manuscript, patterns[index][0], path, line, column, match.group())


def _quoted(text: str, found: re.Match[str]) -> bool:
    """A variant in quotation marks is cited as a spelling (an editorial note), not used."""
    before = text[found.start() - 1] if found.start() else ""
    after = text[found.end()] if found.end() < len(text) else ""
    return before in "\"'“‘«" and after in "\"'”’»" and bool(before) and bool(after)


def _finding(
    manuscript: Manuscript, person: Person, path: Path, line: int, column: int, written: str
) -> Finding:
    where = f"{display_path(manuscript.project.people_file)}:{person.line}"
    return Finding(
        path,
        line,
        f"'{written}' is a variant spelling of '{person.name}' ({where})",
        f"write '{person.name}' (booktool check --fix does)",
        column,
        Fix(path, line, column, written, person.name),
    )
