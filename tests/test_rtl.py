"""Right-to-left books (issue 20, point 4): an Arabic project's editions, built for real.

``dir="rtl"`` on every document's root, the EPUB's spine read right to left, the print layout
mirrored, the booklet folded on the right, timestamps kept left to right; an English book keeps
no ``dir`` at all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from lxml import etree

from booktool.editions.bidi import isolate_timestamps
from booktool.editions.impose import Side, saddle_order
from booktool.language.direction import text_direction

from .conftest import copy_project, run_cli
from .outputs import NS, Epub, leader_ends, run_epubcheck

#: A sentence of tests/roots/rtl-ar (seg-04), without marks that poppler splits from their
#: letters, and the section span of that segment.
SENTENCE = "ويختم الفيلم بصورة النهر عند الغروب، والجسر القديم قائم فوقه كما كان."
SPAN = "00:15:00–00:20:00"
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0660-\u0669]+")
#: Bidi embedding and mark characters pdftotext writes around right-to-left lines.
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def arabic_words(text: str) -> list[str]:
    return _ARABIC_WORD.findall(text)


def contains_run(words: list[str], run: list[str]) -> bool:
    """Whether ``run`` occurs in ``words`` as consecutive words, in that order."""
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _has_arabic_font() -> bool:
    try:
        found = subprocess.run(
            ["fc-list", ":lang=ar", "family"], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return False
    return bool(found.stdout.strip())


needs_arabic_font = pytest.mark.skipif(
    not _has_arabic_font(),
    reason="no font with Arabic here (fc-list :lang=ar): apt-get install fonts-noto-core",
)


@pytest.fixture(scope="session")
def rtl_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/roots/rtl-ar built once: PDF, EPUB, booklet and web edition."""
    project = copy_project(tmp_path_factory.mktemp("rtl-ar"), "rtl-ar")
    for edition in ("all", "booklet", "web"):
        result = run_cli("build", str(project), "--format", edition)
        assert result.code == 0, result.err
        assert "warning" not in result.err, result.err
    return project / "build"


# The direction of a language ----------------------------------------------------------------


@pytest.mark.parametrize("tag", ["ar", "he", "fa", "ur", "ar-EG", "he-IL", "az-Arab", "ckb"])
def test_languages_written_right_to_left(tag: str) -> None:
    assert text_direction(tag) == "rtl"


@pytest.mark.parametrize("tag", ["en", "fr", "zh-Hans", "ar-Latn", "en-GB-oxendict", "zz", ""])
def test_languages_written_left_to_right_or_unknown(tag: str) -> None:
    assert text_direction(tag) == "ltr"


# Pieces -----------------------------------------------------------------------------------


def test_saddle_order_right_to_left_swaps_each_side() -> None:
    assert saddle_order(8, right_to_left=True) == [Side(0, 7), Side(6, 1), Side(2, 5), Side(4, 3)]
    assert saddle_order(8) == [Side(7, 0), Side(1, 6), Side(5, 2), Side(3, 4)]


def test_isolate_timestamps_marks_only_the_timestamp_elements() -> None:
    html = (
        '<p class="source-span">Source <a class="film-moment" href="#t=900">00:15:00</a></p>'
        '<span class="sourcing-span">00:15:00</span><span class="discussed">x</span>'
        '<span dir="rtl" class="chapter-moment-time">00:00:00</span>'
    )
    assert isolate_timestamps('<a href="#" class="x film-moment y">1</a><a class="film">2</a>') == (
        '<a dir="ltr" href="#" class="x film-moment y">1</a><a class="film">2</a>'
    )
    assert isolate_timestamps(html) == (
        '<p class="source-span">Source <a dir="ltr" class="film-moment" href="#t=900">'
        '00:15:00</a></p><span dir="ltr" class="sourcing-span">00:15:00</span>'
        '<span class="discussed">x</span>'
        '<span dir="rtl" class="chapter-moment-time">00:00:00</span>'
    )


# EPUB ---------------------------------------------------------------------------------------


def test_every_epub_document_is_right_to_left(rtl_build: Path) -> None:
    book = Epub(rtl_build / "book.epub")
    documents = [
        item.get("href")
        for item in book.manifest().values()
        if item.get("media-type") == "application/xhtml+xml"
    ]
    assert {"nav.xhtml", "cover.xhtml", "chapter-01.xhtml"} <= set(documents)
    wrong = {href: book.document(href).get("dir") for href in documents}
    assert {href: d for href, d in wrong.items() if d != "rtl"} == {}
    spine = book.opf.find(".//opf:spine", NS)
    assert spine is not None and spine.get("page-progression-direction") == "rtl"


def test_epub_timestamps_are_isolated_left_to_right(rtl_build: Path) -> None:
    book = Epub(rtl_build / "book.epub")
    chapter = book.document("chapter-02.xhtml")
    links = chapter.findall(".//x:a[@class='film-moment']", NS)
    assert SPAN in [link.text for link in links]
    assert {link.get("dir") for link in links} == {"ltr"}


def test_charts_are_drawn_left_to_right(rtl_build: Path) -> None:
    """A chart's bars grow from the left: its SVG says so, or a reading system would anchor
    its labels at their right end, off the chart."""
    figures = Epub(rtl_build / "book.epub").document("figures.xhtml")
    charts = figures.findall(".//{http://www.w3.org/2000/svg}svg")
    assert charts and {chart.get("direction") for chart in charts} == {"ltr"}


def test_public_ebooklib_path_writes_the_same_rtl_epub(
    rtl_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an ebooklib booktool's writer steps were not tested on, ``epub.write_epub`` writes
    the spine's direction itself and the nav is finished the same way: the same bytes."""
    from booktool.editions import ebooklib_patches

    project = tmp_path / "copy"
    shutil.copytree(rtl_build.parent, project)
    (project / "build" / "book.epub").unlink()
    monkeypatch.setattr(ebooklib_patches, "installed_version", lambda: "0.21.0")
    result = run_cli("build", str(project), "--format", "epub", "--quiet")
    assert result.code == 0 and not result.err, result.err
    assert (project / "build" / "book.epub").read_bytes() == (rtl_build / "book.epub").read_bytes()


def test_rtl_epub_passes_epubcheck(rtl_build: Path) -> None:
    report: dict[str, Any] = run_epubcheck(rtl_build / "book.epub")
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nFatal"] == 0, messages
    assert report["checker"]["nWarning"] == 0, messages


# Web ----------------------------------------------------------------------------------------


def test_every_web_page_is_right_to_left(rtl_build: Path) -> None:
    pages = sorted((rtl_build / "book-web").glob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        root = etree.parse(str(page), etree.HTMLParser()).getroot()
        assert root.get("dir") == "rtl", page.name


# PDF ----------------------------------------------------------------------------------------


def _page_with(pages: list[str], needle: str) -> int:
    return next(i for i, text in enumerate(pages) if needle in text)


@needs_arabic_font
def test_pdf_arabic_sentence_extracts_in_logical_order(rtl_build: Path) -> None:
    """pypdf and pdftotext give the manuscript's words in the order they are written.

    The sentence is a paragraph's only line: on a justified line whose spaces come from
    another font than its letters (Arabic drawn by a fallback font), pypdf gives the words
    right to left, one run at a time."""
    pdf = rtl_build / "book.pdf"
    expected = arabic_words(SENTENCE)
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]
    index = _page_with(pages, SPAN)
    assert contains_run(arabic_words(pages[index]), expected), pages[index]
    poppler = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert contains_run(arabic_words(_BIDI_MARKS.sub("", poppler)), expected), poppler


@needs_arabic_font
def test_pdf_timestamps_extract_left_to_right(rtl_build: Path) -> None:
    pdf = rtl_build / "book.pdf"
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]
    index = _page_with(pages, SPAN)
    poppler = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert SPAN in _BIDI_MARKS.sub("", poppler)
    assert "00:20:00–00:15:00" not in pages[index] + poppler


def _words(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """(x centre, y top, text) of each word on ``page`` (1-based), from pdftotext -bbox
    (which gives an Arabic word's letters in visual order, left to right: reversed)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout
    root = etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))
    return [
        (
            (float(w.get("xmin")) + float(w.get("xmax"))) / 2,
            float(w.get("ymin")),
            _BIDI_MARKS.sub("", w.text or ""),
        )
        for w in root.iter("word")
    ]


@needs_arabic_font
def test_pdf_layout_is_mirrored(rtl_build: Path) -> None:
    """The contents' page numbers on the left, their titles on the right; a chapter's heading
    on the right and its QR code's time on the left."""
    pdf = rtl_build / "book.pdf"
    reader = pypdf.PdfReader(pdf)
    width = float(reader.pages[0].mediabox.width)
    pages = [page.extract_text() or "" for page in reader.pages]
    contents = _words(pdf, _page_with(pages, "المحتويات") + 1)  # the Arabic catalogue's word
    numbers = [x for x, y, text in contents if text.isdigit() and y < 400]
    # Ten entries' page numbers in the left quarter; the two chapters' numbers at the right.
    assert len([x for x in numbers if x < width / 4]) == 10
    assert len([x for x in numbers if x > width * 3 / 4]) == 2
    assert all(x < width / 4 or x > width * 3 / 4 for x in numbers)
    # Words poppler's -bbox gives letter-reversed: the chronology's and a section's title.
    titles = [x for x, _, text in contents if text in ("الزمني"[::-1], "المخاضة"[::-1])]
    assert len(titles) == 2 and min(titles) > width / 2
    chapter = _words(pdf, _page_with(pages, SPAN) + 1)
    heading = [x for x, _, text in chapter if text == "الذاكرة"[::-1]]
    qr_time = [x for x, y, text in chapter if text == "00:10:00" and y < 200]
    assert heading and heading[0] > width / 2
    assert qr_time and qr_time[0] < width / 4


@needs_arabic_font
def test_booklet_is_imposed_with_the_fold_on_the_right(rtl_build: Path) -> None:
    """Each sheet side's page numbers (the foot of each half) are where the mirrored saddle
    order puts them: page 3 on the left of the second sheet's front, not on its right."""
    pdf = rtl_build / "book-booklet.pdf"
    sheets = pypdf.PdfReader(pdf).pages
    width, height = float(sheets[0].mediabox.width), float(sheets[0].mediabox.height)
    sides = saddle_order(len(sheets) * 2, right_to_left=True)
    found = 0
    for number, side in enumerate(sides, start=1):
        for x, y, text in _words(pdf, number):
            if y > height - 50 and text.isdigit():
                slot = side.left if x < width / 2 else side.right
                assert slot is not None and int(text) == slot + 1, (number, x, text)
                found += 1
    assert found >= 3


# An English book ----------------------------------------------------------------------------


def test_english_book_has_no_dir(tmp_path: Path) -> None:
    project = copy_project(tmp_path, "minimal")
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 0, result.err
    (html,) = (project / "build").glob("*.html")
    root = etree.parse(str(html), etree.HTMLParser()).getroot()
    assert root.get("lang") == "en" and root.get("dir") is None
    assert 'dir="' not in html.read_text(encoding="utf-8")


def test_a_section_span_without_a_film_link_is_isolated_too(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book", "rtl-ar")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8").replace("  url: https://example.org/film\n", ""))
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 0, result.err
    epub = Epub(project / "build" / next(p.name for p in (project / "build").glob("*.epub")))
    spans = [
        element
        for href in epub.spine_hrefs()
        for element in epub.document(href).iter(f"{{{NS['x']}}}span")
        if element.get("class") == "span-time"
    ]
    assert spans and all(span.get("dir") == "ltr" for span in spans)
    assert SPAN in [span.text for span in spans]


def test_the_contents_leaders_end_in_one_column_on_the_left(
    rtl_build: Path, tmp_path: Path
) -> None:
    ends = leader_ends(rtl_build / "book.pdf", 3, tmp_path, rtl=True)
    assert len(ends) >= 8
    assert max(ends) - min(ends) <= 6, ends
