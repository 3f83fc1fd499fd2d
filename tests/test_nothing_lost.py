"""Nothing lost: every paragraph of the manuscript, as converted, is in the PDF and the EPUB.

Each project in PROJECTS is built once; adding a project is one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from booktool.cache.store import BuildCache
from booktool.editions.layouts import Layouts
from booktool.editions.pdf import PdfEdition
from booktool.editions.plan import build_moment
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project
from booktool.stages import convert

from .conftest import SEED, copy_project, run_cli
from .outputs import Epub, pdf_pages, squash


def _imported_seed(target: Path) -> Path:
    assert run_cli("import", str(SEED), str(target)).code == 0
    return target


PROJECTS: dict[str, Callable[[Path], Path]] = {
    "repo-booklet": copy_project,
    "imported-seed": _imported_seed,
}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = PROJECTS[request.param](tmp_path_factory.mktemp(request.param))
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project


def paragraphs(project: Path) -> list[str]:
    """The text of every <p> of every Markdown file, after pandoc and cleaning.

    Cross-references are given their labels ("Figure A.1") and each footnote is replaced by its
    number, as both editions print them; the notes' own paragraphs are kept as well.
    """
    opened = Project.open(project)
    book, _ = convert(load_manuscript(opened), BuildCache(project / "build"))
    edition = PdfEdition(book, Layouts(opened.layouts), build_moment(book))
    texts: list[str] = []
    notes = 0
    for section in book.sections:
        if not section.html:
            continue
        root = lxml.html.fragment_fromstring(edition.finish(section.html), create_parent="div")
        for note in root.xpath(".//span[@class='footnote']"):
            notes += 1
            texts.append(note.text_content())
            note.tail = f"{notes}{note.tail or ''}"
            note.drop_tree()
        texts += [p.text_content() for p in root.iter("p") if p.text_content().strip()]
    return texts


def test_every_paragraph_is_in_the_pdf_and_the_epub(built: Path) -> None:
    texts = paragraphs(built)
    assert len(texts) >= 12
    pdf = next((built / "build").glob("*.pdf"))
    # the print edition adds the page number after each cross-reference
    pdf_text = squash(re.sub(r",\s*p\.\s*\d+", "", "".join(pdf_pages(pdf))))
    book = Epub(next((built / "build").glob("*.epub")))
    epub_text = squash("".join(book.text(href) for href in book.spine_hrefs()))
    for text in texts:
        assert squash(text) in pdf_text, f"not in the PDF: {text[:80]}"
        assert squash(text) in epub_text, f"not in the EPUB: {text[:80]}"
