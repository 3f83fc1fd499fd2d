"""The print edition of this repo's booklet, read back from the PDF itself."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdf
import pytest

from booktool.language.typography import Typography
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project

from .conftest import ROOTS
from .outputs import MM, markdown_plain, pdf_pages, pdf_regions, print_html_texts, squash

smarten = Typography.for_language("en").smarten

MANUSCRIPT = load_manuscript(Project.open(ROOTS / "basic"))
PDF_NAME = "the-great-leap-forward.pdf"


@pytest.fixture(scope="module", params=["fast", "plain"])
def repo_pdf(request: pytest.FixtureRequest, repo_pdf: Path) -> Path:
    """Every check of this module runs on the fast engine's PDF and on the plain engine's
    (WeasyPrint's public API alone): the reference the fast one is measured against."""
    if request.param == "fast":
        return repo_pdf
    plain: Path = request.getfixturevalue("repo_plain_build")
    return plain / "build" / PDF_NAME


def test_pdf_holds_every_chapter_title_and_every_paragraph(repo_pdf: Path, repo_html: Path) -> None:
    text = "".join(region["body"] for region in pdf_regions(repo_pdf))
    body = squash(re.sub(r",\s*p\.\s*\d+", "", text))  # page numbers the print edition adds
    for chapter in MANUSCRIPT.config.chapters:
        assert squash(chapter.title) in body, chapter.title
    for segment in MANUSCRIPT.segments.values():
        assert squash(segment.title) in body, segment.title
    paragraphs, notes = print_html_texts(repo_html)
    assert len(paragraphs) > 100 and len(notes) == 2
    for paragraph in paragraphs:
        assert squash(paragraph) in body, paragraph[:60]
    everything = squash("".join(pdf_pages(repo_pdf)))
    for note in notes:
        assert squash(note) in everything, note[:60]


def test_segment_words_reach_the_print_html(repo_html: Path) -> None:
    html = squash(" ".join(print_html_texts(repo_html)[0]))
    for segment in MANUSCRIPT.segments.values():
        for paragraph in segment.file.body.split("\n\n"):
            plain = re.sub(r"\[-?@[^\]]+\]|\[\^\w+\]:?.*|\(\[@[^)]*\)", "", paragraph)
            for sentence in re.split(r"(?<=[.!?])\s", markdown_plain(plain)):
                if len(sentence) > 20:
                    assert squash(sentence[:40]) in html, sentence[:60]


def test_every_section_shows_its_source_span(repo_pdf: Path) -> None:
    text = "".join(pdf_pages(repo_pdf))
    for segment in MANUSCRIPT.segments.values():
        assert segment.span.label in text, segment.id


def test_title_page_then_contents_with_page_numbers_that_match(repo_pdf: Path) -> None:
    pages = pdf_pages(repo_pdf)
    assert "The Great Leap Forward" in pages[0]
    assert "Mao's Famine, 1958–1962" in pages[0].replace("’", "'")
    # The cover, the title page, then the contents.
    assert "Drawn from" in pages[1] and "astudybooklet" in squash(pages[0])
    contents = pages[2]
    assert contents.startswith("Contents")
    regions = pdf_regions(repo_pdf)
    for chapter in MANUSCRIPT.config.chapters:
        match = re.search(re.escape(smarten(chapter.title)) + r"[\s.]*(\d+)", contents)
        assert match, f"no contents line for {chapter.title}"
        page = int(match.group(1))
        # The page the contents names opens that chapter, and its running head says so.
        assert (
            squash(f"CHAPTER {MANUSCRIPT.config.chapters.index(chapter) + 1}" + chapter.title)
            in squash(regions[page - 1]["body"])[:200]
        )
        assert regions[page - 1]["foot"].strip() == str(page)


def test_running_heads_carry_the_chapter_title(repo_pdf: Path) -> None:
    regions = pdf_regions(repo_pdf)
    heads = {squash(r["head"]) for r in regions}
    for chapter in MANUSCRIPT.config.chapters:
        assert squash(chapter.title) in heads
    assert squash(regions[0]["head"]) == "" and regions[0]["foot"].strip() == ""


def test_each_chapter_starts_a_new_page(repo_pdf: Path) -> None:
    regions = pdf_regions(repo_pdf)
    starts = [i for i, r in enumerate(regions) if re.match(r"\s*CHAPTER \d+", r["body"])]
    assert len(starts) == len(MANUSCRIPT.config.chapters)


def test_bookmarks_mirror_chapters_and_sections(repo_pdf: Path) -> None:
    outline = pypdf.PdfReader(repo_pdf).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    chapters = [f"{n}. {smarten(c.title)}" for n, c in enumerate(MANUSCRIPT.config.chapters, 1)]
    back = ["Chronology", "Appendix A: Figures", "Who’s Who", "Sources and Notes"]
    assert titles == ["Contents", "List of Figures", "Introduction", *chapters, *back]
    children = [[s.title for s in item] for item in outline if isinstance(item, list)]
    assert children == [
        [smarten(MANUSCRIPT.segments[s].title) for s in c.segments]
        for c in MANUSCRIPT.config.chapters
    ] + [["Bibliography"]]


def test_metadata_language_and_embedded_fonts(repo_pdf: Path) -> None:
    with pikepdf.open(repo_pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "The Great Leap Forward"
        assert str(info["/Author"]) == "booktool editors"
        assert str(pdf.Root.Lang) == "en"
        fonts = {}
        for page in pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                fonts[name] = font
        assert fonts
        for font in fonts.values():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_default_page_size_is_a4(repo_pdf: Path) -> None:
    box = pypdf.PdfReader(repo_pdf).pages[0].mediabox
    assert float(box.width) == pytest.approx(210 * MM, abs=1)
    assert float(box.height) == pytest.approx(297 * MM, abs=1)
