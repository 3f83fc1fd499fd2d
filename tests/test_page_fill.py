"""No part ends on a page that holds only one or two of its lines: this repo's booklet, the
starter project and the imported seed, at their own length and longer, in the A4 PDF and in the
A5 booklet (its imposed sheets cut back into pages)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED, copy_project, run_cli
from tests.pagefill import Page, booklet_page_rows, pdf_page_rows, short_pages


def grow(project: Path, times: int) -> None:
    """Each segment's plain paragraphs written ``times`` times (notes, ids and references
    left once), for a longer book of the same shape."""
    for segment in sorted((project / "manuscript" / "segments").glob("*.md")):
        text = segment.read_text("utf-8")
        match = re.match(r"(---\n.*?\n---\n)(.*)", text, re.S)
        assert match, segment
        head, body = match.groups()
        plain = [
            block
            for block in body.split("\n\n")
            if re.match(r"[A-Za-z]", block.strip())
            and not any(mark in block for mark in ("[^", "{#", "[@"))
        ]
        extra = ("\n\n" + "\n\n".join(plain)) * (times - 1)
        segment.write_text(head + body.rstrip("\n") + extra + "\n", "utf-8")


def make_book(kind: str, folder: Path) -> Path:
    """An A4 project: this repo's booklet, the starter of ``booktool new`` or the imported
    seed."""
    if kind == "repo":
        for part in ("manuscript", "layouts"):
            shutil.copytree(REPO / part, folder / part)
    elif kind == "basic":
        copy_project(folder)
    elif kind == "starter":
        assert run_cli("new", str(folder)).code == 0
        # The starter is an A5 book, whose booklet has its pages: A4 here, for both sizes.
        book = folder / "manuscript" / "book.yaml"
        text = book.read_text("utf-8")
        assert "\npage_size: A5\n" in text
        book.write_text(text.replace("\npage_size: A5\n", "\npage_size: A4\n"), "utf-8")
    else:
        result = run_cli("import", str(SEED), str(folder))
        assert result.code == 0, result.err
    return folder


def built_pages(project: Path) -> tuple[list[Page], list[Page]]:
    """The A4 PDF's pages and the A5 booklet's, built with every edition."""
    result = run_cli("build", str(project), "--booklet")
    assert result.code == 0, result.err
    build = project / "build"
    (pdf,) = [p for p in build.glob("*.pdf") if not p.stem.endswith("-booklet")]
    (booklet,) = build.glob("*-booklet.pdf")
    return pdf_page_rows(pdf), booklet_page_rows(booklet)


def describe(pages: list[Page]) -> str:
    return "; ".join(f"p. {page.number}: {page.rows}" for page in pages)


@pytest.mark.parametrize(
    ("kind", "times"),
    [
        ("repo", 1),
        ("basic", 2),
        ("basic", 3),
        ("starter", 1),
        ("starter", 3),
        ("seed", 1),
        ("seed", 2),
        ("seed", 3),
    ],
)
def test_no_part_ends_with_one_or_two_lines_alone(tmp_path: Path, kind: str, times: int) -> None:
    project = make_book(kind, tmp_path / kind)
    if times > 1:
        grow(project, times)
    a4, a5 = built_pages(project)
    assert len([page for page in a5 if page.rows]) >= len(a4) > 8  # A5 pages hold less
    texts = [page for page in a4 if page.rows], [page for page in a5 if page.rows]
    assert sum(len(page.rows) for page in texts[0]) > 80  # the checker reads the text
    for pages in texts:
        # The cover and the title page hold a few lines by design; every other page that a
        # part runs on to holds three rows at least.
        assert short_pages(pages) == [], describe(short_pages(pages))


def test_the_check_finds_what_the_old_stylesheet_left(tmp_path: Path) -> None:
    """With the stylesheet's former rules (widows 2, lists free to break before their last
    item, the contents spaced as on screen), the imported seed's booklet ends a chapter with
    two lines on a page of their own: the check above would fail on it."""
    project = make_book("seed", tmp_path / "seed")
    (project / "layouts").mkdir(exist_ok=True)
    (project / "layouts" / "print.css").write_text(
        '@import url("builtin/print.css");\n'
        "p, li, dd, dt, blockquote, figcaption, td, th { widows: 2; }\n"
        "li, .csl-entry, dl > * { break-before: auto; }\n"
        "dt { break-after: auto; }\n"
        ".contents ol ol { margin: 0.2em 0 0.6em 1.6em; } .toc-chapter { margin-top: 0.6em; }\n",
        "utf-8",
    )
    _, a5 = built_pages(project)
    short = short_pages(a5)
    # A chapter's last two lines alone on a page (the seed's "… with skepticism.").
    assert any(len(page.rows) == 2 and page.rows[-1].endswith(".") for page in short), describe(
        short
    )
