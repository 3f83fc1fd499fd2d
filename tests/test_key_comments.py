"""``new`` and ``import`` write a book.yaml whose every key has the comment that explains it,
from one source (the schema's descriptions), and the files still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from booktool.cli.keycomments import SECTIONS, key_comment
from booktool.source.config import BOOK_KEYS
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project
from booktool.source.yamlio import LineDict, load_yaml

from .conftest import ROOTS, SEED, run_cli


def _comment_above(lines: list[str], line: int, description: str, indent: int) -> bool:
    """Whether the lines just above 1-based ``line`` are ``description`` as a comment."""
    comment = key_comment(description, indent)
    return lines[line - 1 - len(comment) : line - 1] == comment


def _uncommented(book: Path) -> list[str]:
    """Every key of ``book`` (the top level's, each section's, the first chapter's) whose
    comment is not on the lines above it."""
    text = book.read_text()
    lines = text.splitlines()
    data = load_yaml(text, book)
    missing = [
        key for key in data if not _comment_above(lines, data.line_of(key), BOOK_KEYS[key], 0)
    ]
    for section, keys in SECTIONS.items():
        value = data.get(section)
        if section == "chapters" and value:
            value = value[0]
        if not isinstance(value, LineDict):
            continue
        first = min(value.line_of(k) for k in value)
        for key in value:
            line = value.line_of(key)
            indent = 0 if section == "chapters" and line == first else 2  # `- id:` at its dash
            if not _comment_above(lines, line, keys[key], indent):
                missing.append(f"{section}.{key}")
    return missing


@pytest.mark.parametrize("how", ["new", "import"])
def test_every_key_of_book_yaml_is_explained_and_the_project_loads(
    tmp_path: Path, how: str
) -> None:
    project = tmp_path / "p"
    if how == "new":
        result = run_cli("new", str(project))
    else:  # a summary whose draft lists years under chronology: {ignore_years}
        result = run_cli("import", str(ROOTS / "summaries" / "reef.txt"), str(project))
    assert result.code == 0, result.err
    book = project / "manuscript" / "book.yaml"
    assert _uncommented(book) == []
    data = load_yaml(book.read_text(), book)
    expected = {"title", "language", "identifier", "date", "page_size", "chapters"}
    assert expected <= set(data)
    assert ("chronology" in data) == (how == "import")
    load_manuscript(Project.open(project))  # still a manuscript booktool reads
    assert run_cli("check", str(project)).code == 0


def test_both_commands_write_the_same_comment_for_a_key(tmp_path: Path) -> None:
    assert run_cli("new", str(tmp_path / "new")).code == 0
    assert run_cli("import", str(SEED), str(tmp_path / "imp")).code == 0
    new = (tmp_path / "new" / "manuscript" / "book.yaml").read_text()
    imported = (tmp_path / "imp" / "manuscript" / "book.yaml").read_text()
    for key in ("title", "language", "identifier", "date", "page_size", "chapters"):
        comment = "\n".join(key_comment(BOOK_KEYS[key], 0)) + f"\n{key}:"
        assert comment in new and comment in imported, key
