"""A YAML mistake made by hand is named with its cause and its line, not PyYAML's symptom
("mapping values are not allowed here"): through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import copy_project, run_cli

BOOK = """title: A River Town
language: en
identifier: urn:uuid:0b6f1d0e-5a53-4c1c-9d6e-2f1c8a0e7b11
date: 2026-01-15
source:
  title: A River Town (documentary)
  duration: "00:10:00"
chapters:
- id: town
  title: The Town and Its River
  segments: [seg-01, seg-02]
"""
WHERE = "manuscript/book.yaml"
HINT_INDENT = "indent it as the keys or items it belongs with"


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        # A tab in the indentation (PyYAML: "found character '\t' that cannot start any token").
        (
            "  duration:",
            "\tduration:",
            "7:1: error[yaml-syntax]: YAML error: a tab in the indentation; "
            "indent with spaces: YAML does not allow tabs",
        ),
        # No space after a colon, at the top ("could not find expected ':'") ...
        (
            "language: en",
            "language:en",
            "2:10: error[yaml-syntax]: YAML error: no space after the colon in 'language:en'; "
            "write 'language: en'",
        ),
        # ... and nested, where PyYAML stops on the next line ("mapping values ...").
        (
            "  title: A River Town (documentary)",
            "  title:A River Town (documentary)",
            "6:9: error[yaml-syntax]: YAML error: no space after the colon in "
            "'title:A River Town (documentary)'; write 'title: A River Town (documentary)'",
        ),
        # An unquoted colon in a title.
        (
            "  title: The Town and Its River",
            "  title: Part one: the town",
            "10:18: error[yaml-syntax]: YAML error: the value of 'title' holds a colon and a "
            "space, which YAML reads as a key; put the value in quotes: "
            'title: "Part one: the town"',
        ),
        # Indented deeper than its siblings ...
        (
            '  duration: "00:10:00"',
            '   duration: "00:10:00"',
            f"7:4: error[yaml-syntax]: YAML error: 'duration' is indented deeper than the line "
            f"before (3 spaces, not 2 spaces); {HINT_INDENT}",
        ),
        # ... or shallower ("expected <block end>, but found '<block mapping start>'").
        (
            "  segments: [seg-01, seg-02]",
            " segments: [seg-01, seg-02]",
            f"11:2: error[yaml-syntax]: YAML error: 'segments' is indented less deep than the "
            f"line before (1 space, not 2 spaces); {HINT_INDENT}",
        ),
    ],
    ids=["tab", "no-space", "no-space-nested", "colon-in-title", "deeper", "shallower"],
)
def test_the_cause_of_a_yaml_mistake_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, line: str
) -> None:
    project = copy_project(tmp_path, root="minimal")
    assert BOOK in (project / WHERE).read_text()
    (project / WHERE).write_text(BOOK.replace(old, new, 1))
    monkeypatch.chdir(project)
    for command in ("check", "build"):
        result = run_cli(command, ".")
        assert result.code == 1
        assert result.err.splitlines() == [f"{WHERE}:{line}"]
        assert "mapping values" not in result.err and "Traceback" not in result.err


def test_a_cause_in_front_matter_names_the_file_s_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path, root="minimal")
    segment = project / "manuscript" / "segments" / "seg-01.md"
    segment.write_text(segment.read_text().replace("title: The ford", "title: Ford: the first"))
    monkeypatch.chdir(project)
    result = run_cli("check", ".")
    assert result.code == 1
    assert result.err.startswith(
        "manuscript/segments/seg-01.md:3:12: error[yaml-syntax]: YAML error: the value of "
        "'title' holds a colon and a space"
    ), result.err


def test_a_mistake_with_no_known_cause_keeps_pyyaml_s_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path, root="minimal")
    (project / WHERE).write_text(BOOK.replace("[seg-01, seg-02]", "[seg-01, seg-02"))
    monkeypatch.chdir(project)
    result = run_cli("check", ".")
    assert result.code == 1
    assert "error[yaml-syntax]: YAML error: expected ',' or ']'" in result.err
