"""book.yaml's ``page_references``: the print edition whose page numbers the EPUB's page list
and every "p. N" follow (the A4 handout or the A5 booklet); the other one says on its title
page that its numbers differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import copy_project, run_cli
from tests.outputs import NS, Epub, pdf_pages, run_epubcheck, squash
from tests.pagefill import booklet_page_rows
from tests.test_page_list import COMPARED, marked_stream, page_list

EPUB_TYPE = f"{{{NS['epub']}}}type"
NOTE_TO_BOOKLET = "Page numbers in this A4 edition differ from those of the A5 booklet"
NOTE_TO_HANDOUT = "Page numbers in this A5 booklet differ from those of the A4 edition"


def epub_references(epub: Epub) -> list[tuple[str, int]]:
    """Each cross-reference and page reference of the EPUB (its text), with the printed page
    its page list puts its target on: the last page marker at or before the target's first
    letter (a page that begins at a figure has its marker inside the caption)."""
    length = 0
    text_at: dict[str, int] = {}
    markers: list[tuple[int, int]] = []
    links: list[tuple[str, str]] = []

    def walk(element: etree._Element, href: str) -> None:
        nonlocal length
        if not isinstance(element.tag, str):
            return
        if element.get(EPUB_TYPE) == "pagebreak":
            markers.append((length, int(element.get("id", "").removeprefix("page-"))))
        elif element.get("id"):
            text_at[f"{href}#{element.get('id')}"] = length
        classes = set((element.get("class") or "").split())
        if element.tag == f"{{{NS['x']}}}a" and {"xref", "page-ref"} & classes:
            target = element.get("href", "")
            links.append(
                ("".join(element.itertext()), href + target if target[:1] == "#" else target)
            )
        length += len(squash(element.text or ""))
        for child in element:
            walk(child, href)
            length += len(squash(child.tail or ""))

    for href in epub.spine_hrefs():
        body = epub.document(href).find("x:body", NS)
        assert body is not None
        walk(body, href)
    found = [
        (text, max(page for at, page in markers if at <= text_at[target])) for text, target in links
    ]
    assert len(found) > 20, found  # the basic root has many
    return found


def assert_same_page_references(printed: list[str], epub: Epub) -> None:
    """Every reference the EPUB links is printed "…, p. N" with the page the EPUB's page list
    gives its target."""
    text = squash(" ".join(printed))
    for label, page in epub_references(epub):
        assert squash(f"{label}, p. {page}") in text, (label, page)


def assert_markers_begin_pages(pages: list[str], epub: Epub) -> None:
    """One page-list entry per printed page, each marker followed by that page's first words."""
    assert [label for label, _ in page_list(epub)] == [str(n) for n in range(1, len(pages) + 1)]
    stream, at, _ = marked_stream(epub)
    for number in range(2, len(pages) + 1):
        expected = squash(pages[number - 1])[:COMPARED]
        found = squash(stream[at[number] : at[number] + 400])[:COMPARED]
        assert found == expected, f"page {number}: EPUB {found!r}, print {expected!r}"


def set_references(project: Path, value: str) -> None:
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8") + f"page_references: {value}\n", "utf-8")


@pytest.fixture(scope="module")
def booklet_referenced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root with ``page_references: booklet``, every edition built."""
    project = copy_project(tmp_path_factory.mktemp("booklet-ref"))
    set_references(project, "booklet")
    result = run_cli("build", str(project), "--booklet")
    assert result.code == 0, result.err
    return project / "build"


def test_with_the_booklet_as_reference_the_epub_and_the_booklet_agree(
    booklet_referenced: Path,
) -> None:
    booklet = booklet_page_rows(booklet_referenced / "the-great-leap-forward-booklet.pdf")
    while not booklet[-1].rows:
        booklet.pop()  # the blank pages that pad the booklet to whole sheets
    pages = [" ".join(page.rows) for page in booklet]
    epub = Epub(booklet_referenced / "the-great-leap-forward.epub")
    assert len(pages) > 19  # A5: more pages than the A4 PDF's 19
    assert_markers_begin_pages(pages, epub)
    assert_same_page_references(pages, epub)
    assert b"(print edition, A5 booklet)" in epub.zip.read(epub.opf_path)
    # The reference edition has no note; the A4 PDF says its numbers are not the e-book's.
    assert "differ" not in pages[1]
    a4 = pdf_pages(booklet_referenced / "the-great-leap-forward.pdf")
    assert len(a4) < len(pages)
    assert NOTE_TO_BOOKLET in " ".join(a4[1].split())


def test_the_epub_with_a_booklet_page_list_passes_epubcheck(booklet_referenced: Path) -> None:
    report = run_epubcheck(booklet_referenced / "the-great-leap-forward.epub")
    checker = report["checker"]
    assert checker["nError"] == 0 and checker["nWarning"] == 0, report["messages"]


def test_by_default_the_handout_is_the_reference_and_the_booklet_says_so(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--booklet")
    assert result.code == 0, result.err
    build = project / "build"
    a4 = pdf_pages(build / "the-great-leap-forward.pdf")
    epub = Epub(build / "the-great-leap-forward.epub")
    assert_markers_begin_pages(a4, epub)
    assert_same_page_references(a4, epub)
    assert "differ" not in a4[1]
    booklet = booklet_page_rows(build / "the-great-leap-forward-booklet.pdf")
    assert NOTE_TO_HANDOUT in " ".join(booklet[1].rows).replace("‐ ", "")


def test_an_epub_built_alone_lays_out_the_reference_edition(tmp_path: Path) -> None:
    """``--format epub`` alone lays out the booklet's A5 pages when they are the reference,
    and a change of reference is never answered from the cached page map."""
    project = copy_project(tmp_path)
    set_references(project, "booklet")
    alone = run_cli("build", str(project), "--format", "epub", "--json")
    assert alone.code == 0, alone.err
    assert "layout" in json.loads(alone.out)["timings"]
    path = project / "build" / "the-great-leap-forward.epub"
    first = path.read_bytes()
    a5_pages = len(page_list(Epub(path)))
    # The booklet built next lays out the same pages: its page map makes the same EPUB.
    both = run_cli("build", str(project), "--format", "epub", "--booklet", "--json")
    written = {o["format"]: o["written"] for o in json.loads(both.out)["outputs"]}
    assert written == {"epub": False, "booklet": True}
    assert path.read_bytes() == first
    booklet = booklet_page_rows(project / "build" / "the-great-leap-forward-booklet.pdf")
    assert a5_pages == len([page for page in booklet if page.rows])
    # Back to the handout: the A4 layout's pages, not the booklet's cached ones.
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8").replace("booklet\n", "handout\n"), "utf-8")
    again = run_cli("build", str(project), "--format", "epub", "--json")
    assert again.code == 0, again.err
    assert "layout" in json.loads(again.out)["timings"]
    a4_pages = len(page_list(Epub(path)))
    pdf = run_cli("build", str(project), "--format", "pdf")
    assert pdf.code == 0, pdf.err
    assert a4_pages == len(pdf_pages(project / "build" / "the-great-leap-forward.pdf"))
    assert a4_pages < a5_pages


def test_an_a5_book_needs_no_note(tmp_path: Path) -> None:
    """An A5 book's booklet has the book's own pages: neither edition prints a note."""
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8").replace("page_size: A4", "page_size: A5"), "utf-8")
    set_references(project, "booklet")
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 0, result.err
    html = (project / "build" / "the-great-leap-forward.html").read_text("utf-8")
    assert "book-page-note" not in html and "differ from" not in html


@pytest.mark.parametrize("value", ["pamphlet", "true", "A5"])
def test_an_unknown_reference_edition_is_one_line(tmp_path: Path, value: str) -> None:
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    lines = book.read_text("utf-8").count("\n")
    set_references(project, value)
    result = run_cli("build", str(project))
    assert result.code == 1
    shown = value.lower() if value != "true" else "true"
    expected = (
        f"book.yaml:{lines + 1}: error[config]: page_references '{shown}' is not a print "
        "edition; use handout or booklet"
    )
    assert result.err.strip().endswith(expected), result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_the_print_html_notes_only_when_pages_differ(tmp_path: Path) -> None:
    """The note is the view's, written from the edition; the EPUB's title page has none."""
    project = copy_project(tmp_path)
    set_references(project, "booklet")
    for edition in ("html", "epub"):
        result = run_cli("build", str(project), "--format", edition)
        assert result.code == 0, result.err
    html = (project / "build" / "the-great-leap-forward.html").read_text("utf-8")
    assert NOTE_TO_BOOKLET in html
    epub = Epub(project / "build" / "the-great-leap-forward.epub")
    assert all("differ from" not in epub.text(href) for href in epub.spine_hrefs())
