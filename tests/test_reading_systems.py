"""The EPUB as reading systems show it: its navigation document drawn by Chromium, its cover
found by Calibre without a display, and its accessibility metadata against its content."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

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
