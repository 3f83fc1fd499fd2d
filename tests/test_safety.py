"""Confinement and limits, beyond the corpus: a hostile book that still builds (and passes
EPUBCheck), the fetcher on its own, limits in book.yaml, --strict, and a killed render that
leaves the last good build in place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from booktool.convert.htmlclean import clean_fragments
from booktool.editions.layouts import Layouts

from .conftest import run_cli
from .hostile import BOOK_YAML, Link, segment, write_project
from .outputs import Epub, pdf_pages, run_epubcheck, squash
from .test_hostile import SEG2, TABLE, UNSPLITTABLE

HOSTILE_BODY = f"""\
Kept: <b>bold</b>, <span style="color: #a00">red</span>, H<sub>2</sub>O, \
<abbr title="People's Republic of China">PRC</abbr>.

<script>document.title = 'pwned'</script>

<iframe src="https://example.com/"></iframe>

<form action="https://example.com/"><input name="q"></form>

A [bad link](javascript:alert(1)) and <a href="https://example.com/" onclick="x()">a good one</a>.

<p style="background: url(https://example.com/t.png)">Styled paragraph.</p>

{TABLE}
- [x] done
- [ ] todo

A note.[^1]

[^1]: The note's text.

![A red square](../images/dot.svg)
"""
DOT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<rect width="10" height="10" fill="red"/></svg>'
)
KEPT = ["bold", "red", "H2O", "PRC", "a good one", "Styled paragraph", "done", "The note's text"]


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = write_project(
        tmp_path_factory.mktemp("hostile"),
        {SEG2: segment(2, HOSTILE_BODY), "manuscript/images/dot.svg": DOT},
    )
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project, result.err  # warnings go to stderr


def test_hostile_book_warns_once_per_removal(hostile_book: tuple[Path, str]) -> None:
    _, out = hostile_book
    warnings = [line.split(": ", 1)[1] for line in out.splitlines() if "warning[" in line]
    assert warnings == [
        "warning[unsafe-html]: removed raw HTML <script>: books carry no scripts; "
        "write it in Markdown or remove it",
        "warning[unsafe-html]: removed raw HTML <iframe>: it would load content from outside "
        "the book; write it in Markdown or remove it",
        "warning[unsafe-html]: removed raw HTML <form>: books carry no forms; "
        "write it in Markdown or remove it",
        "warning[unsafe-html]: removed link 'javascript:alert(1)' from <a>: only http, https, "
        "mailto and #anchors are kept; link to a web page or to a heading in the book",
        "warning[unsafe-html]: removed event handler onclick from <a>: books carry no scripts; "
        "remove it from the Markdown",
        "warning[unsafe-html]: removed style 'background: url(https://example.com/t.png)' "
        "from <p>: it could load files; put styles in layouts/",
    ]
    lines = [line.split(": ", 1)[0] for line in out.splitlines() if "warning[" in line]
    assert [line.rsplit(":", 1)[1] for line in lines] == ["9", "11", "13", "15", "15", "17"]


def test_hostile_book_epub_is_unscripted_and_valid(hostile_book: tuple[Path, str]) -> None:
    project, _ = hostile_book
    path = project / "build" / "hostile-test.epub"
    book = Epub(path)
    assert all("scripted" not in (i.get("properties") or "") for i in book.manifest().values())
    for name in book.zip.namelist():
        data = book.zip.read(name).lower()
        for needle in (b"<script", b"onclick", b"javascript:", b"<iframe", b"<form", b"file:"):
            assert needle not in data, (name, needle)
    text = squash(book.text("chapter-01.xhtml"))
    for kept in KEPT:
        assert squash(kept) in text, kept
    report: dict[str, Any] = run_epubcheck(path)
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nFatal"] == 0, messages
    assert report["checker"]["nWarning"] == 0, messages


def test_hostile_book_pdf_keeps_the_text_and_embeds_nothing(
    hostile_book: tuple[Path, str],
) -> None:
    project, _ = hostile_book
    path = project / "build" / "hostile-test.pdf"
    text = squash("".join(pdf_pages(path)))
    for kept in KEPT:
        assert squash(kept) in text, kept
    with pikepdf.open(path) as pdf:
        assert len(pdf.attachments) == 0
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                if action is not None:
                    assert action.get("/S") in ("/URI", "/GoTo"), action
                    assert str(action.get("/URI", "https://")).startswith("https://")


def test_a_killed_render_leaves_the_last_good_build(tmp_path: Path) -> None:
    project = write_project(tmp_path, {})
    assert run_cli("build", str(project)).code == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    write_project(
        tmp_path,
        {
            "manuscript/book.yaml": BOOK_YAML + "limits:\n  render_seconds: 1\n",
            SEG2: segment(2, UNSPLITTABLE),
        },
    )
    result = run_cli("build", str(project))
    assert result.code == 1
    assert "error[render-timeout]: the PDF did not finish rendering within 1 s" in result.err
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()} == before


@pytest.mark.parametrize(
    ("limits", "line"),
    [
        (
            "  render_seconds: 0\n",
            "book.yaml:13: error[config]: 'render_seconds': '0' is not a number from 1 to 86400",
        ),
        (
            "  render_memory_mb: 64\n",
            "book.yaml:13: error[config]: 'render_memory_mb': '64' is not a number from 384 "
            "to 1048576",
        ),
        (
            "  render_second: 5\n",
            "book.yaml:13: error[unknown-key]: unknown key 'render_second' in limits; "
            "did you mean 'render_seconds'?",
        ),
    ],
)
def test_limits_are_checked(tmp_path: Path, limits: str, line: str) -> None:
    project = write_project(tmp_path, {"manuscript/book.yaml": BOOK_YAML + "limits:\n" + limits})
    result = run_cli("build", str(project))
    assert result.code == 1
    assert result.err.strip().endswith(line)


def test_strict_turns_warnings_into_errors_and_writes_nothing(tmp_path: Path) -> None:
    project = write_project(tmp_path, {SEG2: segment(2, "Hi <script>x()</script>\n")})
    result = run_cli("build", str(project), "--strict")
    assert result.code == 1
    assert result.err.strip().endswith(
        "seg-02.md:7: error[unsafe-html]: removed raw HTML <script>: books carry no scripts; "
        "write it in Markdown or remove it"
    )
    assert not [p for p in (project / "build").glob("*") if p.is_file()]
    assert run_cli("build", str(project)).code == 0


def test_the_build_process_never_imports_weasyprint() -> None:
    code = "import sys, booktool.cli.main, booktool.build; print('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


def test_the_fetcher_serves_only_the_chain_and_media(tmp_path: Path) -> None:
    from booktool.editions.layouts import BASE_URL
    from booktool.render.fetcher import ConfinedFetcher

    layouts_dir = tmp_path / "layouts"
    layouts_dir.mkdir()
    (tmp_path / "secret.css").write_text("p {}")
    (layouts_dir / "own.css").write_text("p { color: red }")
    (layouts_dir / "leak.css").symlink_to(tmp_path / "secret.css")
    fetcher = ConfinedFetcher(Layouts(layouts_dir), {})
    assert fetcher.fetch(BASE_URL + "own.css").read() == b"p { color: red }"
    assert fetcher.fetch(BASE_URL + "book.css").read().startswith(b"/*")  # built-in
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    refused = [
        "file:///etc/passwd",
        "http://example.com/x.css",
        BASE_URL + "leak.css",
        BASE_URL + "%2e%2e/secret.css",
        BASE_URL + "nothing.css",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="booktool does not load"):
            fetcher.fetch(url)
    assert [(r.url, r.kind) for r in fetcher.refused] == [
        ("file:///etc/passwd", "remote"),
        ("http://example.com/x.css", "remote"),
        (BASE_URL + "leak.css", "outside"),
        (BASE_URL + "%2e%2e/secret.css", "outside"),
        (BASE_URL + "nothing.css", "missing"),
    ]


def test_symlinked_layouts_are_not_replaced_by_the_builtin(tmp_path: Path) -> None:
    write_project(tmp_path, {"../x.css": "p {}", "layouts/book.css": Link("x.css")})
    layouts = Layouts(tmp_path / "project" / "layouts")
    assert layouts.find("book.css") is None
    assert layouts.leads_outside("book.css")


def test_safe_html_is_kept_as_written(tmp_path: Path) -> None:
    fragment = (
        '<p><b>b</b> <span style="text-align: right;" class="c" lang="fr">s</span> '
        '<a href="https://example.com/" title="t">a</a> <a href="#fn1">1</a></p>'
        '<table><tr><td colspan="2" style="text-align: left;">x</td></tr></table>'
        '<p id="fn1">the note the link points at</p>'
    )
    path = tmp_path / "a.md"
    result = clean_fragments({path: fragment}, tmp_path, {path: ("", 1)})
    assert result.warnings == [] and result.problems == []
    assert result.html[path] == fragment


def test_the_layout_check_finds_each_kind_of_fault() -> None:
    """What a project's layout may not put into an EPUB document: scripts, event handlers,
    script links and loads from outside the book; links out of the book are fine."""
    from booktool.editions.layoutcheck import markup_faults

    document = """<html xmlns="http://www.w3.org/1999/xhtml"><head>
<link rel="stylesheet" href="https://example.com/a.css"/><!-- a comment --></head>
<body ONLOAD="go()"><script src="x.js"></script>
<a href="https://example.com/">out of the book: fine</a> <a href="chapter-02.xhtml#s">fine</a>
<a href=" javascript:alert(1)">x</a> <img src="/etc/a.png" alt=""/> <img src="ok.png" alt=""/>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<image xlink:href="../up.png"/></svg><form action="https://example.com/post"></form>
</body></html>"""
    assert markup_faults(document) == [
        (
            "https://example.com/a.css",
            "'https://example.com/a.css' would be loaded from outside the book",
        ),
        ("onload", "event handler onload in a layout"),
        ("<script", "<script> in a layout: books carry no scripts"),
        (" javascript:alert(1)", "script link ' javascript:alert(1)' in a layout"),
        ("/etc/a.png", "'/etc/a.png' would be loaded from outside the book"),
        ("../up.png", "'../up.png' would be loaded from outside the book"),
        ("<form", "<form> in a layout: books carry no forms"),
        (
            "https://example.com/post",
            "'https://example.com/post' would be loaded from outside the book",
        ),
    ]


def test_a_style_weasyprint_would_ignore_is_removed_at_its_line(tmp_path: Path) -> None:
    fragment = (
        '<p>one</p><p><span style="color: bluish; text-align: right">s</span></p>'
        '<p><span style="colr: red">t</span> <span style="margin: 1em 2em">u</span></p>'
    )
    source = 'one\n\n<span style="color: bluish; text-align: right">s</span>\n\n'
    source += '<span style="colr: red">t</span> <span style="margin: 1em 2em">u</span>\n'
    path = tmp_path / "a.md"
    path.write_text(source)
    result = clean_fragments({path: fragment}, tmp_path, {path: (source, 1)})
    assert [(w.line, w.code, w.message) for w in result.warnings] == [
        (
            3,
            "unsupported-html",
            "removed 'color: bluish' from the style of <span>: it is not CSS that the print "
            "edition can read",
        ),
        (
            5,
            "unsupported-html",
            "removed 'colr: red' from the style of <span>: it is not CSS that the print "
            "edition can read",
        ),
    ]
    assert '<span style="text-align: right">s</span>' in result.html[path]
    assert "<span>t</span>" in result.html[path]
    assert '<span style="margin: 1em 2em">u</span>' in result.html[path]
