"""The web edition's folder, read as files (the browser tests are in test_web_browser.py), and
the print HTML's files beside it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import html as lxml_html

from booktool.editions.websearch import words

from .conftest import copy_project, run_cli

SLUG = "the-great-leap-forward"


@pytest.fixture(scope="module")
def web_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("web-files"))
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 0, result.err
    return project


@pytest.fixture(scope="module")
def site(web_project: Path) -> Path:
    return web_project / "build" / f"{SLUG}-web"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def page(site: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.parse(str(site / name)).getroot()


def test_one_page_per_chapter_and_part(site: Path) -> None:
    names = set(files_of(site))
    chapters = {f"chapter-{n:02d}.html" for n in range(1, 7)}
    parts = {"chronology.html", "figures.html", "people.html", "sources.html"}
    front = {"index.html", "introduction.html", "search.html"}
    assert chapters | parts | front <= names
    assert {"book.css", "web.css", "search.js", "search-index.js", "favicon.svg"} <= names
    for name in names - chapters - parts - front:
        assert not name.endswith(".html"), name
    # Previous and next follow the reading order.
    index = page(site, "index.html")
    assert index.xpath("//a[@rel='next']/@href") == ["introduction.html"]
    assert page(site, "chapter-01.html").xpath("//a[@rel='prev']/@href") == ["introduction.html"]
    assert page(site, "sources.html").xpath("//a[@rel='next']") == []
    # Landmarks, language, skip link.
    for name in ("index.html", "chapter-03.html", "search.html"):
        root = page(site, name)
        assert root.get("lang") == "en"
        assert root.xpath("//a[@class='skip-link']/@href") == ["#main"]
        assert root.xpath("//main[@id='main']") and root.xpath("//header") and root.xpath("//nav")


def test_apparatus_and_cross_references_are_links_between_pages(site: Path) -> None:
    ch1 = page(site, "chapter-01.html")
    xref = ch1.xpath("//a[@class='xref']")[0]
    assert xref.get("href") == "figures.html#fig-death-toll"
    assert xref.text_content() == "Figure A.1"  # no page number in the web edition
    assert page(site, "figures.html").xpath("//*[@id='fig-death-toll']")
    # The contents link to the chapters' pages.
    toc = page(site, "index.html").xpath("//nav[@id='contents']//a/@href")
    assert "chapter-01.html#ch-utopia" in toc and "chronology.html#chronology" in toc
    # The chronology links its events to the sections' pages.
    chronology = page(site, "chronology.html").xpath("//a[@class='page-ref']/@href")
    assert chronology and all(re.fullmatch(r"chapter-\d\d\.html#s-[\w-]+", h) for h in chronology)
    # Notes under the paragraph that calls them, linked both ways.
    ch2 = page(site, "chapter-02.html")
    call = ch2.xpath("//a[@class='noteref']")[0]
    note = ch2.xpath(f"//aside[@id='{call.get('href')[1:]}']")[0]
    assert note.getprevious().tag == "p" and call in note.getprevious().iter("a")
    assert note.xpath(".//a/@href") == [f"#{call.get('id')}"]
    assert "epub:type" not in (site / "chapter-02.html").read_text("utf-8")


def test_charts_are_inline_svg(site: Path) -> None:
    figures = page(site, "figures.html")
    assert figures.xpath("//figure//svg") or figures.xpath("//figure//*[local-name()='svg']")
    assert not figures.xpath("//img[contains(@src, '.svg')]")
    assert not (site / "media" / "figures").exists()


def test_script_only_on_the_search_page_and_nothing_from_outside(site: Path) -> None:
    for name, data in files_of(site).items():
        if not name.endswith(".html"):
            continue
        root = lxml_html.fromstring(data)
        scripts = root.xpath("//script/@src")
        assert scripts == (["search-index.js", "search.js"] if name == "search.html" else [])
        assert not root.xpath("//script[normalize-space()]"), name  # nothing inline
        assert not [a for a in root.xpath("//*/@*") if str(a).startswith("on")]
        loaded = root.xpath("//@src | //link/@href | //form/@action")
        assert all(not re.match(r"(?i)[a-z]+:|//", str(u)) for u in loaded), (name, loaded)
    for css in ("web.css", "book.css"):
        refs = re.findall(r"url\(([^)]*)\)", (site / css).read_text("utf-8"))
        assert all(ref.startswith("fonts/") and (site / ref).is_file() for ref in refs), refs
    js = (site / "search.js").read_text("utf-8")
    code = re.sub(r"/\*.*?\*/", "", js, flags=re.S)
    assert not re.search(r"\beval\s*\(|\bFunction\s*\(|fetch\s*\(|XMLHttpRequest|cookie", code)
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", code)


def test_fonts_are_woff2_subsets(site: Path) -> None:
    for name in ("LinLibertine_R", "LinLibertine_RI", "LinBiolinum_RB"):
        data = (site / "fonts" / f"{name}.woff2").read_bytes()
        assert data.startswith(b"wOF2")
        font = TTFont(site / "fonts" / f"{name}.woff2")
        cmap = font.getBestCmap()
        assert ord("é") in cmap and ord("’") in cmap
        assert len(cmap) < 700  # a subset: the whole face maps about 2,000 characters
    assert (site / "fonts" / "OFL.txt").is_file()


def test_search_index_holds_every_chapter_word(site: Path) -> None:
    text = (site / "search-index.js").read_text("utf-8")
    assert text.startswith("window.BOOKTOOL_SEARCH = ") and text.endswith(";\n")
    data = json.loads(text.removeprefix("window.BOOKTOOL_SEARCH = ").rstrip(";\n"))
    main = page(site, "chapter-06.html").xpath("//main//section[@class='segment']")[0]
    for word in words(main.text_content())[:40]:
        sections = [data["sections"][n][0] for n in data["words"][word]]
        assert any(href.startswith("chapter-06.html#") for href in sections), word


def test_same_bytes_for_the_same_manuscript(site: Path, tmp_path: Path) -> None:
    other = copy_project(tmp_path / "again")
    assert run_cli("build", str(other), "--format", "web").code == 0
    assert files_of(other / "build" / f"{SLUG}-web") == files_of(site)


def test_an_edit_rewrites_only_the_pages_that_changed(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    assert run_cli("build", str(project), "--format", "web").code == 0
    folder = project / "build" / f"{SLUG}-web"

    def stats() -> dict[str, tuple[int, int]]:
        return {
            p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*")
            if p.is_file()
        }

    before = stats()
    segment = project / "manuscript" / "segments" / "seg-09.md"
    head, _, body = segment.read_text("utf-8").partition("\n---\n")
    segment.write_text(head + "\n---\n" + body.replace(" the ", " the very ", 1), "utf-8")
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 0, result.err
    after = stats()
    changed = {name for name in after if after[name] != before.get(name)}
    chapter = next(
        p.name for p in folder.glob("chapter-*.html") if "the very " in p.read_text("utf-8")
    )
    assert changed == {chapter, "search-index.js"}, changed


def test_a_layout_that_scripts_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    (project / "layouts" / "_chapter.html").write_text(
        '<section id="{{ chapter.anchor }}"><h1>{{ chapter.title }}</h1>\n'
        '<script src="search.js"></script></section>\n',
        "utf-8",
    )
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 1
    assert re.search(r"layouts/_chapter\.html:2: error\[unsafe-layout\]: <script>", result.err)
    assert "Traceback" not in result.err
    (project / "layouts" / "_chapter.html").unlink()
    (project / "layouts" / "web.css").write_text("@import 'https://example.com/x.css';\n", "utf-8")
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 1
    assert "layouts/web.css" in result.err and "error[unsafe-layout]" in result.err


def test_print_html_has_its_files_beside_it(tmp_path: Path) -> None:
    """``--format html`` writes what the document loads beside it, by the names it uses."""
    project = copy_project(tmp_path / "book")
    assert run_cli("build", str(project), "--format", "html").code == 0
    build = project / "build"
    root = lxml_html.parse(str(build / f"{SLUG}.html")).getroot()
    loaded = root.xpath("//link[@rel='stylesheet']/@href | //img/@src")
    assert "print.css" in loaded and "book.css" in loaded
    for name in loaded:
        assert (build / name).is_file(), name
    for ref in re.findall(r"url\(([^)]*)\)", (build / "print.css").read_text("utf-8")):
        data = (build / ref).read_bytes()
        source = Path(__file__).parent.parent / "src" / "booktool" / "layouts" / ref
        assert hashlib.sha256(data).digest() == hashlib.sha256(source.read_bytes()).digest()


def test_hostile_markdown_brings_no_script_into_the_pages(tmp_path: Path) -> None:
    """Raw HTML in a segment goes through the safe subset as in the other editions: no script,
    handler, frame or script link reaches a page, each removal a warning naming the file."""
    project = copy_project(tmp_path / "book")
    segment = project / "manuscript" / "segments" / "seg-03.md"
    segment.write_text(
        segment.read_text("utf-8")
        + '\n\n<script>alert(1)</script>\n\n<p onclick="alert(3)">Clicked</p>\n\n'
        '<a href="javascript:alert(2)">click</a> <iframe src="https://example.com"></iframe>\n',
        "utf-8",
    )
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 0, result.err
    assert "seg-03.md:" in result.err and "warning[unsafe-html]" in result.err
    folder = project / "build" / f"{SLUG}-web"
    chapter = [p for p in folder.glob("chapter-*.html") if "Clicked" in p.read_text("utf-8")]
    assert len(chapter) == 1
    for path in folder.glob("*.html"):
        text = path.read_text("utf-8")
        assert "alert(" not in text and "example.com" not in text and "onclick" not in text
        assert "javascript:" not in text and "<iframe" not in text


def test_font_subsets_are_the_same_bytes_made_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made anew (no cache) the subset is the same bytes; then it is kept in the user's cache."""
    from booktool.editions.webfonts import _subset, subset_woff2

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    font = Path(__file__).parent.parent / "src/booktool/layouts/fonts/LinBiolinum_RB.otf"
    data = font.read_bytes()
    made = subset_woff2(data, "Zhōu Ēnlái")
    assert made == _subset(data, frozenset(ord(c) for c in "Zhōu Ēnlái") | _base())
    kept = list((tmp_path / "cache" / "booktool" / "webfonts").glob("*.woff2"))
    assert len(kept) == 1 and kept[0].read_bytes() == made
    assert ord("ō") in TTFont(kept[0]).getBestCmap()


def _base() -> frozenset[int]:
    from booktool.editions.webfonts import BASE_CHARACTERS

    return BASE_CHARACTERS


def test_print_html_files_beside_it_come_back_when_removed(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    assert run_cli("build", str(project), "--format", "html").code == 0
    (project / "build" / "print.css").unlink()
    result = run_cli("build", str(project), "--format", "html")
    assert result.code == 0 and "wrote" in result.out, result.out
    assert (project / "build" / "print.css").is_file()
