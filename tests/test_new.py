"""`booktool new`: a starter project that checks clean, builds clean and passes EPUBCheck."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import run_cli
from .outputs import Epub, pdf_pages, run_epubcheck, squash


def test_the_starter_project_builds_cleanly_and_passes_epubcheck(tmp_path: Path) -> None:
    project = tmp_path / "starter"
    created = run_cli("new", str(project))
    assert created.code == 0, created.err
    for name in (
        "manuscript/book.yaml",
        "manuscript/summary.md",
        "manuscript/segments/seg-01.md",
        "manuscript/segments/seg-02.md",
        "manuscript/people.yaml",
        "manuscript/chronology.yaml",
        "manuscript/figures.yaml",
        "manuscript/sources.yaml",
        "manuscript/images/river-map.svg",
        "layouts/_title_page.html",
        ".gitignore",
    ):
        assert (project / name).is_file(), name
    checked = run_cli("check", str(project), "--strict")
    assert (checked.code, checked.err) == (0, "")
    built = run_cli("build", str(project), "--strict")
    assert (built.code, built.err) == (0, "")

    book = project / "build" / "the-river-that-built-a-city"
    pages = pdf_pages(book.with_suffix(".pdf"))
    text = squash(" ".join(pages))
    assert squash("A harbour on the river") in text and squash("For classroom use") in text
    epub = Epub(book.with_suffix(".epub"))
    chapter = epub.document("chapter-01.xhtml")
    image = chapter.find(".//{*}img[@src='media/images/river-map.svg']")
    assert image is not None and image.get("alt", "").startswith("A sketch map")
    assert chapter.find(".//{*}a[@role='doc-noteref']") is not None
    # every apparatus part, each showing one feature by example
    for href, words in [
        ("chronology.xhtml", "1851 Ada Marlow surveys the river"),
        ("figures.xhtml", "Figure A.1 Goods landed at the harbour each year"),
        ("people.xhtml", "Ada Marlow (1820–1893)"),
        ("sources.xhtml", "Marlow, Ada. 1853. A Survey of the River and Its Quays"),
    ]:
        assert squash(words) in squash(epub.text(href)), href
        assert squash(words) in text, href
    assert "(Marlow 1853)" in epub.text("chapter-01.xhtml")
    assert re.search(r"Figure A\.1,\sp\.\s\d+", " ".join(pages))
    report = run_epubcheck(book.with_suffix(".epub"))
    assert report["messages"] == [], report["messages"]


def test_new_refuses_a_folder_with_a_manuscript(tmp_path: Path) -> None:
    assert run_cli("new", str(tmp_path)).code == 0
    again = run_cli("new", str(tmp_path))
    assert again.code == 1
    assert "error[project-exists]: a manuscript is already there" in again.err
