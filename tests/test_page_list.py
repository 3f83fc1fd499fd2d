"""Printed page numbers in the EPUB, its accessibility metadata, and Ace by DAISY's verdict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from booktool.cache.seal import read_sealed
from tests.conftest import copy_project, run_cli
from tests.outputs import NS, Epub, ace_violations, find_ace, pdf_regions, run_epubcheck, squash

EPUB_TYPE = f"{{{NS['epub']}}}type"
COMPARED = 14  # letters and digits compared at the start of each page


def marked_stream(epub: Epub) -> tuple[str, dict[int, int], dict[int, str]]:
    """The EPUB's text in reading order, where each page marker stands, and its file."""
    text: list[str] = []
    length = 0
    at: dict[int, int] = {}
    files: dict[int, str] = {}

    def walk(element: etree._Element, href: str) -> None:
        nonlocal length
        if not isinstance(element.tag, str):
            return
        if element.get(EPUB_TYPE) == "pagebreak":
            page = int(element.get("id", "").removeprefix("page-"))
            at[page], files[page] = length, href
        elif element.get(EPUB_TYPE) == "page-list" or element.get("hidden"):
            return
        if element.text:
            text.append(element.text)
            length += len(element.text)
        for child in element:
            walk(child, href)
            if child.tail:
                text.append(child.tail)
                length += len(child.tail)

    for href in epub.spine_hrefs():
        body = epub.document(href).find("x:body", NS)
        assert body is not None
        walk(body, href)
    return "".join(text), at, files


def page_list(epub: Epub) -> list[tuple[str, str]]:
    nav = epub.nav()
    lists = [n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "page-list"]
    assert len(lists) == 1
    return [(a.text or "", a.get("href", "")) for a in lists[0].iter(f"{{{NS['x']}}}a")]


def check_pages_match(pdf: Path, epub_path: Path) -> int:
    """The page list has one entry per PDF page, and each marker is followed by the text that
    begins its page in the PDF. Returns the number of pages."""
    pages = [region["body"] for region in pdf_regions(pdf)]
    epub = Epub(epub_path)
    entries = page_list(epub)
    assert [label for label, _ in entries] == [str(n) for n in range(1, len(pages) + 1)]
    stream, at, files = marked_stream(epub)
    assert sorted(at) == list(range(1, len(pages) + 1))
    for label, href in entries:
        assert href == f"{files[int(label)]}#page-{label}"
    assert files[1] == "cover.xhtml"  # the cover is an image in the EPUB: its alt text
    for number in range(2, len(pages) + 1):
        expected = squash(pages[number - 1])[:COMPARED]
        found = squash(stream[at[number] : at[number] + 400])[:COMPARED]
        assert found == expected, f"page {number}: EPUB {found!r}, PDF {expected!r}"
    return len(pages)


def test_page_list_matches_the_pdf_pages(repo_pdf: Path, repo_epub: Path) -> None:
    assert check_pages_match(repo_pdf, repo_epub) > 10


def test_pages_that_break_inside_paragraphs(tmp_path: Path) -> None:
    """Long paragraphs run over pages: the markers fall inside them, at the same words."""
    project = copy_project(tmp_path)
    segment = project / "manuscript" / "segments" / "seg-06.md"
    paragraph = (
        "Villagers who asked for grain were beaten as rightists; the granaries stayed shut "
        "while officials reported record harvests, and the roads out were closed. "
    ) * 12
    segment.write_text(segment.read_text("utf-8") + ("\n\n" + paragraph) * 6 + "\n", "utf-8")
    assert run_cli("build", str(project)).code == 0
    build = project / "build"
    pages = check_pages_match(
        build / "the-great-leap-forward.pdf", build / "the-great-leap-forward.epub"
    )
    starts = json.loads(read_sealed(build / ".cache" / "pagemap.json") or b"")["starts"]
    assert len(starts) == pages
    assert any(start["offset"] > 0 for start in starts)  # at least one page began mid-text


def test_epub_built_alone_carries_the_page_list_and_reuses_the_layout(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    alone = run_cli("build", str(project), "--format", "epub", "--json")
    assert alone.code == 0, alone.err
    assert "layout" in json.loads(alone.out)["timings"]  # laid out, though no PDF was asked
    epub = project / "build" / "the-great-leap-forward.epub"
    first = epub.read_bytes()
    both = run_cli("build", str(project), "--json")
    report = json.loads(both.out)
    assert "layout" not in report["timings"]
    written = {o["format"]: o["written"] for o in report["outputs"]}
    assert written == {"pdf": True, "epub": False}  # same page map: the EPUB is current
    assert epub.read_bytes() == first
    pdf = project / "build" / "the-great-leap-forward.pdf"
    check_pages_match(pdf, epub)


def test_a_book_without_printed_page_numbers_builds_its_epub_without_a_layout(
    tmp_path: Path,
) -> None:
    """``epub: {page_list: false}``: no page list, no markers, no claim of either in the
    metadata; an EPUB built alone lays nothing out, and building the PDF too changes none of
    its bytes."""
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8") + "epub:\n  page_list: false\n", "utf-8")
    alone = run_cli("build", str(project), "--format", "epub", "--json")
    assert alone.code == 0, alone.err
    assert "layout" not in json.loads(alone.out)["timings"]
    path = project / "build" / "the-great-leap-forward.epub"
    epub = Epub(path)
    navs = [n.get(EPUB_TYPE) for n in epub.nav().iter(f"{{{NS['x']}}}nav")]
    assert "toc" in navs and "page-list" not in navs
    assert marked_stream(epub)[1] == {}
    features = [
        meta.text
        for meta in epub.opf.iterfind(".//opf:metadata/opf:meta", NS)
        if meta.get("property") == "schema:accessibilityFeature"
    ]
    assert "tableOfContents" in features
    assert not {"pageBreakMarkers", "pageNavigation"} & set(features)
    assert b"pageBreakSource" not in epub.zip.read(epub.opf_path)
    report = run_epubcheck(path)
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, report[
        "messages"
    ]
    first = path.read_bytes()
    shutil.rmtree(project / "build")
    both = run_cli("build", str(project))
    assert both.code == 0, both.err
    assert path.read_bytes() == first
    assert (project / "build" / "the-great-leap-forward.pdf").stat().st_size > 100_000


@pytest.mark.parametrize(
    ("epub", "line"),
    [
        (
            "epub:\n  page_list: maybe\n",
            "error[config]: 'page_list': 'maybe' is not true or false; write true or false",
        ),
        (
            "epub:\n  pagelist: false\n",
            "error[unknown-key]: unknown key 'pagelist' in epub; did you mean 'page_list'?",
        ),
        ("epub: none\n", "error[config]: 'epub' must be a mapping; e.g. 'epub: {page_list: true}'"),
    ],
)
def test_the_epub_settings_are_checked(tmp_path: Path, epub: str, line: str) -> None:
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    text = book.read_text("utf-8")
    book.write_text(text + epub, "utf-8")
    result = run_cli("build", str(project))
    assert result.code == 1
    number = text.count("\n") + (1 if epub.startswith("epub: ") else 2)
    assert result.err.strip().endswith(f"book.yaml:{number}: {line}"), result.err


def test_changing_the_print_layout_rebuilds_the_epub(tmp_path: Path) -> None:
    """print.css moves the page breaks, so the EPUB's page list must follow."""
    project = copy_project(tmp_path)
    assert run_cli("build", str(project)).code == 0
    (project / "layouts" / "print.css").write_text(
        '@import url("builtin/print.css");\nhtml { font-size: 14pt; }\n', "utf-8"
    )
    report = json.loads(run_cli("build", str(project), "--json").out)
    written = {o["format"]: o["written"] for o in report["outputs"]}
    assert written == {"pdf": True, "epub": True}
    build = project / "build"
    check_pages_match(build / "the-great-leap-forward.pdf", build / "the-great-leap-forward.epub")


def test_accessibility_metadata(repo_epub: Path) -> None:
    epub = Epub(repo_epub)
    metas: dict[str, list[str]] = {}
    for meta in epub.opf.iterfind(".//opf:metadata/opf:meta", NS):
        if meta.get("property"):
            metas.setdefault(meta.get("property", ""), []).append(meta.text or "")
    assert set(metas["schema:accessMode"]) == {"textual", "visual"}
    assert metas["schema:accessModeSufficient"] == ["textual"]
    assert {
        "structuralNavigation",
        "tableOfContents",
        "alternativeText",
        "pageBreakMarkers",
    } <= set(metas["schema:accessibilityFeature"])
    assert metas["schema:accessibilityHazard"] == ["none"]
    assert len(metas["schema:accessibilitySummary"][0]) > 80
    assert metas["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert metas["pageBreakSource"] and epub.opf.find(".//dc:source", NS) is not None


def test_every_document_has_its_language_and_every_image_its_alt(repo_epub: Path) -> None:
    epub = Epub(repo_epub)
    assert epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for href in epub.spine_hrefs():
        root = epub.document(href)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", href
        for img in root.iter(f"{{{NS['x']}}}img"):
            assert (img.get("alt") or "").strip(), href
        for marker in root.iter():
            if marker.get(EPUB_TYPE) == "pagebreak":
                assert marker.get("role") == "doc-pagebreak"


def test_epubcheck_passes_with_the_page_list(repo_epub: Path) -> None:
    report = run_epubcheck(repo_epub)
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, report[
        "messages"
    ]


def test_ace_by_daisy_reports_no_violations(repo_epub: Path, tmp_path: Path) -> None:
    ace = find_ace()
    if ace is None:
        pytest.skip("Ace by DAISY or Chromium is not installed (make ace installs both)")
    violations = ace_violations(ace, repo_epub, tmp_path / "ace")
    assert not violations, violations


def test_the_page_list_setting_is_read_ahead_and_anything_unreadable_is_the_default(
    tmp_path: Path,
) -> None:
    """The CLI reads ``epub.page_list`` before the manuscript, to know whether to start
    loading WeasyPrint; what it cannot read (or may not: a link out of manuscript/) is left
    to the manuscript's load to report."""
    from booktool.render.pool import laid_out_formats
    from booktool.source.manuscript import wants_page_list
    from booktool.source.project import Project

    project = copy_project(tmp_path / "p")
    book = project / "manuscript" / "book.yaml"
    opened = Project.open(project)
    assert wants_page_list(opened)  # the repo's book
    for text, wanted in [
        ("title: T\nepub:\n  page_list: false\n", False),
        ("title: T\nepub:\n  page_list: true\n", True),
        ("title: T\nepub: false\n", True),
        ("title: [unclosed\n", True),
        ("- a list\n", True),
    ]:
        book.write_text(text, "utf-8")
        assert wants_page_list(opened) is wanted, text
    outside = tmp_path / "outside.yaml"
    outside.write_text("title: T\nepub:\n  page_list: false\n", "utf-8")
    book.unlink()
    book.symlink_to(outside)
    assert wants_page_list(opened)  # never read through a link out of manuscript/
    book.unlink()
    assert wants_page_list(opened)  # missing
    assert "epub" in laid_out_formats(True) and "epub" not in laid_out_formats(False)


def test_a_page_that_begins_at_a_figure_caption_keeps_the_caption_first() -> None:
    """A figcaption must be its figure's first or last child: the marker goes inside it."""
    from lxml import etree

    from booktool.editions.pagemap import PageStart, place_markers

    root = etree.fromstring(
        '<section xmlns="http://www.w3.org/1999/xhtml"><figure id="fig-a">'
        '<figcaption id="fig-a-caption"><span class="figure-label">Figure A.2</span> Numbers'
        "</figcaption><p>What the table shows.</p></figure></section>"
    )
    placed = place_markers(root, [PageStart(13, "fig-a-caption", 0)], lambda n: f"page {n}")
    assert placed == [13]
    figure = root[0]
    assert etree.QName(figure[0]).localname == "figcaption"
    assert figure[0][0][0].get("id") == "page-13"  # before the first letter of "Figure A.2"
