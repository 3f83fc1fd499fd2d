"""Catalogues of the test roots for the catalogue tests."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import copy_project

HOUSE_TITLE_PAGE = """{% extends "builtin/_title_page.html" %}
{% block title_page_extra %}<p class="house-note">HOUSE STYLE MARK</p>{% endblock %}
"""


def make_catalogue(folder: Path, books: dict[str, str], house: bool = False) -> Path:
    """A catalogue at ``folder`` of copies of test roots, ``{folder name: root}``, each
    retitled after its folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, root in books.items():
        project = copy_project(folder / name, root)
        retitle(project, f"Book {name}")
    if house:
        (folder / "layouts").mkdir()
        (folder / "layouts" / "_title_page.html").write_text(HOUSE_TITLE_PAGE, "utf-8")
    return folder


def retitle(project: Path, title: str) -> None:
    book = project / "manuscript" / "book.yaml"
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", book.read_text("utf-8"))
    book.write_text(text, "utf-8")


def break_book(project: Path) -> None:
    """Make the project's book.yaml invalid (a chapter naming a segment that is not there)."""
    book = project / "manuscript" / "book.yaml"
    lines = book.read_text("utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("segments:"))
    lines[index] = "  segments: [seg-01, seg-99]"
    book.write_text("\n".join(lines) + "\n", "utf-8")


def built(project: Path) -> list[str]:
    """The outputs in the project's build/ (not its cache)."""
    folder = project / "build"
    return (
        sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        if folder.is_dir()
        else []
    )
