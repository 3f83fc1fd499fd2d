"""The EPUB 3 edition of this repo's booklet, opened as a zip of XML and checked by EPUBCheck."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from booktool.language.typography import Typography
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project

from .conftest import ROOTS, run_cli
from .outputs import NS, Epub, print_html_texts, run_epubcheck, squash

smarten = Typography.for_language("en").smarten

MANUSCRIPT = load_manuscript(Project.open(ROOTS / "basic"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def book(repo_epub: Path) -> Epub:
    return Epub(repo_epub)


@pytest.fixture(scope="session")
def epubcheck_report(repo_epub: Path) -> dict[str, Any]:
    return run_epubcheck(repo_epub)


def test_epubcheck_reports_nothing(epubcheck_report: dict[str, Any]) -> None:
    checker = epubcheck_report["checker"]
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in epubcheck_report["messages"]]
    assert checker["nFatal"] == 0 and checker["nError"] == 0, messages
    assert checker["nWarning"] == 0, messages
    assert epubcheck_report["publication"]["ePubVersion"].startswith("3")


def test_mimetype_comes_first_and_is_stored(book: Epub) -> None:
    first = book.zip.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == 0
    assert book.zip.read("mimetype") == b"application/epub+zip"


def test_spine_follows_the_chapter_plan(book: Epub) -> None:
    chapters = MANUSCRIPT.config.chapters
    front = ["cover.xhtml", "title.xhtml", "nav.xhtml", "figures-list.xhtml", "introduction.xhtml"]
    back = ["chronology.xhtml", "figures.xhtml", "people.xhtml", "sources.xhtml"]
    chapter_files = [f"chapter-{n:02d}.xhtml" for n in range(1, len(chapters) + 1)]
    assert book.spine_hrefs() == front + chapter_files + back
    for number, chapter in enumerate(chapters, start=1):
        doc = book.document(f"chapter-{number:02d}.xhtml")
        sections = doc.findall(".//x:section[@class='segment']", NS)
        assert [s.get("id") for s in sections] == [f"s-{seg}" for seg in chapter.segments]
        assert doc.find(".//x:h1", NS) is not None
        text = squash(book.text(f"chapter-{number:02d}.xhtml"))
        assert squash(chapter.title) in text
        for seg_id in chapter.segments:
            segment = MANUSCRIPT.segments[seg_id]
            assert squash(segment.title) in text
            assert segment.span.label in book.text(f"chapter-{number:02d}.xhtml")


def test_epub_holds_every_paragraph_and_note(book: Epub, repo_html: Path) -> None:
    text = squash("".join(book.text(href) for href in book.spine_hrefs()))
    paragraphs, notes = print_html_texts(repo_html)
    for paragraph in paragraphs:
        assert squash(paragraph) in text, paragraph[:60]
    for note in notes:
        assert squash(note) in text, note[:60]


def test_package_metadata(book: Epub) -> None:
    opf = book.opf
    assert opf.get("version") == "3.0"
    assert opf.get(XML_LANG) == "en"
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "The Great Leap Forward"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:identifier", namespaces=NS) == MANUSCRIPT.config.identifier
    assert meta.findtext("dc:creator", namespaces=NS) == "booktool editors"
    assert meta.findtext("dc:date", namespaces=NS) == "2026-11-29"
    modified = meta.find("opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text == "2026-11-29T00:00:00Z"
    cover = [i for i in book.manifest().values() if i.get("properties") == "cover-image"]
    assert [(i.get("href"), i.get("media-type")) for i in cover] == [("cover.png", "image/png")]


def test_nav_has_toc_and_landmarks_and_an_ncx_exists(book: Epub) -> None:
    nav = book.nav()
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    labels = ["".join(a.itertext()) for a in toc.iterfind("x:ol/x:li/x:a", NS)]
    chapters = [f"{n}. {smarten(c.title)}" for n, c in enumerate(MANUSCRIPT.config.chapters, 1)]
    back = ["Chronology", "Appendix A: Figures", "Who’s Who", "Sources and Notes"]
    assert labels == ["List of Figures", "Introduction", *chapters, *back]
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = [a.get(f"{{{NS['epub']}}}type") for a in landmarks.iterfind(".//x:a", NS)]
    assert types == ["cover", "toc", "bodymatter", "bibliography"]
    ncx_items = [
        i for i in book.manifest().values() if i.get("media-type") == "application/x-dtbncx+xml"
    ]
    assert len(ncx_items) == 1
    ncx = book.document(ncx_items[0].get("href"))
    front_and_back = 2 + 4  # list of figures, introduction; chronology, figures, people, sources
    assert len(ncx.findall(".//ncx:navPoint", NS)) == front_and_back + len(
        MANUSCRIPT.config.chapters
    ) + len(MANUSCRIPT.segments)


def test_every_document_declares_its_language(book: Epub) -> None:
    for item in book.manifest().values():
        if item.get("media-type") == "application/xhtml+xml":
            root = book.document(item.get("href"))
            assert root.get("lang") == "en" and root.get(XML_LANG) == "en", item.get("href")


def epub_built_again(
    repo_build: Path, target: Path, monkeypatch: pytest.MonkeyPatch, ebooklib: str
) -> bytes:
    """This booklet's EPUB built again, in a copy of the built project (its page map kept),
    as if the installed ebooklib were version ``ebooklib``."""
    from booktool.editions import ebooklib_patches

    shutil.copytree(repo_build, target)
    (target / "build" / "the-great-leap-forward.epub").unlink()
    monkeypatch.setattr(ebooklib_patches, "installed_version", lambda: ebooklib)
    result = run_cli("build", str(target), "--format", "epub", "--quiet")
    assert result.code == 0 and not result.err, result.err
    return (target / "build" / "the-great-leap-forward.epub").read_bytes()


def test_an_untested_ebooklib_writes_the_same_epub_through_its_public_api(
    repo_build: Path, repo_epub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an ebooklib the overridden writer steps were not tested on, ``epub.write_epub``
    writes the package and booktool finishes its OPF and nav in the zip: the same bytes."""
    data = epub_built_again(repo_build, tmp_path / "copy", monkeypatch, "0.21.0")
    assert data == repo_epub.read_bytes()


def test_a_failing_private_writer_step_falls_back_to_the_public_path(
    repo_epub: Path, repo_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private step that is no longer what it was tested as (here ``_get_nav`` raises)
    is not a crash: the public path writes the same EPUB."""
    from booktool.editions import ebooklib_patches

    def changed(*_: object) -> bytes:
        raise AttributeError("'EpubWriter' object has no attribute 'book'")

    monkeypatch.setattr(ebooklib_patches._Writer, "_get_nav", changed)
    data = epub_built_again(repo_build, tmp_path / "copy", monkeypatch, "0.20.0")
    assert data == repo_epub.read_bytes()
