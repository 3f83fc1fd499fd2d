"""The EPUB as reading systems show it: its navigation document drawn by Chromium, its cover
found by Calibre without a display, and its accessibility metadata against its content."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from booktool.editions.cover import COVER_WIDTH, png_of

from .conftest import copy_project, run_cli
from .outputs import NS, Epub


def _chromium_text(page: Path, pdf: Path) -> str:
    """The text Chromium draws for ``page`` (styles applied, list numbers included): printed
    to PDF headless, read back by pdftotext."""
    chromium = shutil.which("chromium")
    if chromium is None or shutil.which("pdftotext") is None:
        pytest.skip("Chromium or pdftotext is not installed")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def test_the_nav_shows_each_number_once_and_no_guide(repo_epub: Path, tmp_path: Path) -> None:
    """The contents' labels carry the chapter numbers ("1. A Utopia..."): the lists draw none
    ("3. 1. A Utopia..." before), and the landmarks ("Guide") are for reading systems only."""
    with zipfile.ZipFile(repo_epub) as package:
        package.extractall(tmp_path / "book")
    text = _chromium_text(tmp_path / "book" / "EPUB" / "nav.xhtml", tmp_path / "nav.pdf")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "1. A Utopia Borrowed from Moscow" in lines
    assert "From utopia to nightmare" in lines  # a section: no number of its own
    assert "List of Figures" in lines
    assert not [line for line in lines if re.match(r"\d+\.\s+\d+\.", line)], lines
    assert "Guide" not in text and "Start of content" not in text
    assert "Pages" not in lines  # the page list stays hidden too


def _accessibility(epub: Epub) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for meta in epub.opf.iterfind(".//opf:metadata/opf:meta", NS):
        if (meta.get("property") or "").startswith("schema:"):
            metas.setdefault(meta.get("property", ""), []).append(meta.text or "")
    return metas


def test_accessibility_metadata_claims_only_what_the_book_has(
    repo_epub: Path, tmp_path: Path
) -> None:
    """The minimal root has no figures, tables, notes or images: its metadata names none; the
    basic root has a chart with its data table, a table figure and linked notes."""
    project = copy_project(tmp_path, "minimal")
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 0, result.err
    minimal = _accessibility(Epub(next((project / "build").glob("*.epub"))))
    assert minimal["schema:accessMode"] == ["textual"]
    assert minimal["schema:accessibilityFeature"] == [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "pageBreakMarkers",
        "pageNavigation",
    ]
    summary = minimal["schema:accessibilitySummary"][0]
    # Its sources part lists the segments: lists, but no tables.
    assert summary.startswith("This study booklet is structured with headings and lists in")
    for claim in ("table", "chart", "image", "Notes", "MathML"):
        assert claim not in summary.replace("table of contents", ""), summary

    basic = _accessibility(Epub(repo_epub))
    assert basic["schema:accessMode"] == ["textual", "visual"]
    assert basic["schema:accessibilityFeature"] == [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "alternativeText",
        "longDescription",
        "pageBreakMarkers",
        "pageNavigation",
    ]
    summary = basic["schema:accessibilitySummary"][0]
    assert "headings, lists and tables" in summary
    assert "every chart is followed by a table of its data" in summary
    assert "Notes are linked both ways." in summary


def _cover_png(epub: Path) -> bytes:
    book = Epub(epub)
    (cover,) = [i for i in book.manifest().values() if i.get("properties") == "cover-image"]
    return book.zip.read(book.base + cover.get("href"))


def test_calibre_finds_the_cover_without_a_display(repo_epub: Path, tmp_path: Path) -> None:
    """``ebook-meta --get-cover`` (what a Calibre library or server shows) run with no display
    extracts the cover: a raster picture, the one the cover page shows."""
    tool = shutil.which("ebook-meta")
    if tool is None:
        pytest.skip("Calibre is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = tmp_path / "cover.png"
    result = subprocess.run(
        [tool, str(repo_epub), "--get-cover", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env | {"QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No cover found" not in result.stdout + result.stderr
    assert out.read_bytes() == _cover_png(repo_epub)
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (COVER_WIDTH, 1698)  # A4, rounded up
    cover = Epub(repo_epub).document("cover.xhtml")
    (img,) = cover.iter(f"{{{NS['x']}}}img")
    assert img.get("src") == "cover.png"
    assert img.get("alt") == (
        "Cover: A study booklet — The Great Leap Forward — Mao’s Famine, 1958–1962, and the "
        "Silence That Followed — Drawn from The Great Leap Forward (documentary) · booktool "
        "editors"
    )


LONG_TITLE = "Dustbowlification and the Long Drought: Farming the Southern Plains Again"
LONG_SUBTITLE = (
    "How Oklahoma, Kansas and Texas Counties Rebuilt Their Soils After Nineteen Thirty-Four"
)


def test_a_long_title_keeps_every_word_whole_on_the_cover(tmp_path: Path) -> None:
    """A 70-character title and an 80-character subtitle: the layout engine wraps them
    between words (no "Dustbowlificatio / n"), the source line is whole (no "[...]"), the
    EPUB's cover is the PDF's first page drawn, and a second build gives the same bytes."""
    assert len(LONG_TITLE) >= 70 and len(LONG_SUBTITLE) >= 80
    project = copy_project(tmp_path / "book", "minimal")
    config = project / "manuscript" / "book.yaml"
    text = config.read_text("utf-8").replace("title: A River Town\n", "", 1)
    config.write_text(f"title: '{LONG_TITLE}'\nsubtitle: '{LONG_SUBTITLE}'\n{text}", "utf-8")
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    pdf = next((project / "build").glob("*.pdf"))
    epub = next((project / "build").glob("*.epub"))
    cover_text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    printed = cover_text.split()
    for word in (LONG_TITLE + " " + LONG_SUBTITLE).split():
        assert word in printed, (word, cover_text)
    assert "Drawn from A River Town (documentary)" in cover_text
    assert "[...]" not in cover_text
    # The EPUB's cover is that page, drawn.
    drawn = png_of(pdf.read_bytes(), COVER_WIDTH)
    with Image.open(io.BytesIO(drawn)) as page, Image.open(io.BytesIO(_cover_png(epub))) as own:
        assert page.size == own.size
        difference = ImageChops.difference(page.convert("RGB"), own.convert("RGB"))
        assert difference.getbbox() is None or max(difference.getextrema()[0]) < 40
    first = _cover_png(epub)
    shutil.rmtree(project / "build")  # no cached cover: drawn again
    assert run_cli("build", str(project), "--format", "epub").code == 0
    assert _cover_png(epub) == first


def test_a_cover_layout_loading_what_it_may_not_is_one_error(tmp_path: Path) -> None:
    """An EPUB without a page list lays out no print edition, only its cover page: a file the
    render refuses there is one line at the style sheet that asked for it, no EPUB written."""
    project = copy_project(tmp_path / "book", "minimal")
    config = project / "manuscript" / "book.yaml"
    config.write_text(config.read_text("utf-8") + "epub:\n  page_list: false\n", "utf-8")
    (project / "layouts").mkdir()
    (project / "layouts" / "print.css").write_text(
        '@import url("builtin/print.css");\n.cover-page { background: url(nothere.png); }\n',
        "utf-8",
    )
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{project / 'layouts' / 'print.css'}:2: error[cover-render]: the cover page may not "
        "load 'nothere.png' (missing); load only files in layouts/ and manuscript/ from the "
        "cover's layout"
    ]
    assert not list((project / "build").glob("*.epub"))


def test_the_cover_picture_is_drawn_again_only_when_the_cover_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build cache keeps the picture: an edited segment rebuilds the EPUB from the kept
    picture (no render); a new title draws it again."""
    import booktool.editions.cover

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # no cover kept before
    project = copy_project(tmp_path / "book", "minimal")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    epub = next((project / "build").glob("*.epub"))
    first = _cover_png(epub)
    drawn: list[str] = []
    real = booktool.editions.cover.draw_cover

    def counted(edition: Any, document: str) -> bytes:
        drawn.append(edition.view.title)
        return real(edition, document)

    monkeypatch.setattr(booktool.editions.cover, "draw_cover", counted)
    segment = project / "manuscript" / "segments" / "seg-01.md"
    segment.write_text(segment.read_text("utf-8") + "\nAnd a ferry came later.\n", "utf-8")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    assert "ferry" in Epub(epub).text("chapter-01.xhtml")
    assert drawn == [] and _cover_png(epub) == first
    config = project / "manuscript" / "book.yaml"
    config.write_text(config.read_text("utf-8").replace("A River Town", "A Ford Town"), "utf-8")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    assert drawn == ["A Ford Town"]
    assert _cover_png(project / "build" / "a-ford-town.epub") != first


def test_a_cover_is_drawn_once_per_machine_and_a_bad_kept_one_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's cache keeps each cover picture: a build from an empty build/ (a copy of the
    project) reads it; a kept file that is no PNG is drawn again and replaced."""
    import booktool.editions.cover

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    one = copy_project(tmp_path / "one", "minimal")
    assert run_cli("build", str(one), "--format", "epub").code == 0
    picture = _cover_png(next((one / "build").glob("*.epub")))
    kept = list((tmp_path / "user-cache" / "booktool" / "covers").glob("*.png"))
    assert [path.read_bytes() for path in kept] == [picture]
    drawn: list[str] = []
    real = booktool.editions.cover.draw_cover

    def counted(edition: Any, document: str) -> bytes:
        drawn.append(edition.view.title)
        return real(edition, document)

    monkeypatch.setattr(booktool.editions.cover, "draw_cover", counted)
    two = copy_project(tmp_path / "two", "minimal")
    assert run_cli("build", str(two), "--format", "epub").code == 0
    assert drawn == [] and _cover_png(next((two / "build").glob("*.epub"))) == picture
    kept[0].write_bytes(b"not a picture")
    shutil.rmtree(two / "build")
    assert run_cli("build", str(two), "--format", "epub").code == 0
    assert len(drawn) == 1 and _cover_png(next((two / "build").glob("*.epub"))) == picture
    assert kept[0].read_bytes() == picture
