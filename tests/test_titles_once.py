"""What an edition leaves out: a section heading that repeats its chapter's, and placeholders."""

from __future__ import annotations

from pathlib import Path

from .conftest import copy_project, run_cli
from .outputs import Epub, pdf_pages, run_epubcheck, squash

SLUG = "the-great-leap-forward"


def test_one_section_titled_as_its_chapter_and_no_source_title(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    manuscript = project / "manuscript"
    segment = manuscript / "segments" / "seg-03.md"  # chapter 2's only segment
    text = segment.read_text()
    segment.write_text(
        text.replace(text.split("\n")[2], "title: Silencing critics, mobilising the masses")
    )
    book = manuscript / "book.yaml"
    book.write_text(
        book.read_text()
        .replace("  title: The Great Leap Forward (documentary)\n", "")
        .replace("authors:\n- booktool editors\n", "")
    )
    result = run_cli("build", str(project), "--format", "all")
    assert result.code == 0, result.err
    html_result = run_cli("build", str(project), "--format", "html")
    assert html_result.code == 0
    html = (project / "build" / f"{SLUG}.html").read_text()
    assert 'id="s-seg-03-title"' not in html  # no heading of its own
    assert 'aria-labelledby="ch-mobilisation-title"' in html  # named by the chapter's
    assert 'id="s-seg-04-title"' in html  # a chapter of two sections keeps theirs
    assert 'href="#s-seg-03"' not in html.split('id="contents"')[1].split("</nav>")[0]
    assert "Drawn from" not in html and "booktool editors" not in html
    assert "one stretch of the documentary" in html
    pages = pdf_pages(project / "build" / f"{SLUG}.pdf")
    chapter = next(page for page in pages if "Silencing Critics" in page)
    assert squash(chapter).count(squash("Silencing critics, mobilising the masses")) == 1
    assert not any("Drawn from" in page for page in pages)
    epub = Epub(project / "build" / f"{SLUG}.epub")
    nav = epub.nav()
    labels = [squash("".join(a.itertext())) for a in nav.iter("{*}a")]
    assert labels.count(squash("2. Silencing Critics, Mobilising the Masses")) == 1
    assert squash("Silencing critics, mobilising the masses") not in labels
    report = run_epubcheck(project / "build" / f"{SLUG}.epub")
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages
