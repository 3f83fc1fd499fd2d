"""The web edition and ``booktool serve`` in a real browser: Debian's Chromium, headless, driven
through the DevTools protocol (tests/chromium.py), with axe-core run in the same page.

One web build and one browser for the module; pages opened from disk (file://) and from a
127.0.0.1 server.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tests.chromium import CHROMIUM, Browser, free_port
from tests.conftest import REPO, copy_project, run_cli

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make ace installs it)"
)
AXE = REPO / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SLUG = "the-great-leap-forward"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root's web edition, built once for the module."""
    project = copy_project(tmp_path_factory.mktemp("web"))
    result = run_cli("build", str(project), "--format", "web")
    assert result.code == 0, result.err
    return project / "build" / f"{SLUG}-web"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The web edition on a plain static server on 127.0.0.1, as any web host would serve it."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html"))


def test_every_page_renders_with_the_book_fonts_and_no_error(
    site: Path, browser: Browser, served: str
) -> None:
    """From disk and from a server: no console error, no failed request, nothing requested
    from outside the folder, the text in Linux Libertine and the headings in Biolinum."""
    assert len(pages(site)) >= 10
    for base in (site.as_uri() + "/", served):
        for page in pages(site):
            browser.navigate(base + page)
            assert browser.problems() == [], (base, page)
            outside = [url for url in browser.requested() if not url.startswith(base)]
            assert outside == [], (page, outside)
            assert any("Biolinum" in f for f in browser.fonts_of("main h1")), page
            loaded = browser.evaluate(
                "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
            )
            assert '"Book Sans"' in loaded or "Book Sans" in loaded, (page, loaded)
    browser.navigate(site.as_uri() + "/chapter-01.html")
    assert any("Libertine" in f for f in browser.fonts_of("main section.segment p")), (
        browser.fonts_of("main section.segment p")
    )


def test_every_internal_link_resolves(site: Path, browser: Browser) -> None:
    """Every link of every page leads to a page of the folder and, with a fragment, to an
    element with that id there (cross-references, contents, chronology, notes, pager)."""
    ids = {
        page: {str(i) for i in lxml_html.parse(str(site / page)).getroot().xpath("//@id")}
        for page in pages(site)
    }
    checked = 0
    for page in pages(site):
        browser.navigate((site / page).as_uri())
        links = browser.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        for link in links:
            assert link.startswith(site.as_uri() + "/"), (page, link)
            target, _, fragment = link.removeprefix(site.as_uri() + "/").partition("#")
            target = target.split("?")[0] or "index.html"
            assert target in ids, (page, link)
            assert not fragment or fragment in ids[target], (page, link)
            checked += 1
    assert checked > 100


def test_search_finds_a_word_of_the_last_chapter(site: Path, browser: Browser) -> None:
    """A word only the last chapter has: the search page lists that chapter's section."""
    chapters = sorted(site.glob("chapter-*.html"))

    def words(path: Path) -> set[str]:
        main = lxml_html.parse(str(path)).getroot().xpath("//main")[0]
        return set(re.findall(r"[a-z]{6,}", main.text_content().lower()))

    earlier = set().union(*(words(p) for p in chapters[:-1]))
    only_last = sorted(words(chapters[-1]) - earlier)
    assert only_last
    word = only_last[0]
    browser.navigate(f"{(site / 'search.html').as_uri()}?q={word.upper()}")
    assert browser.problems() == []
    found = browser.evaluate(
        "[...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))"
    )
    assert any(href.startswith(chapters[-1].name + "#") for href in found), (word, found)
    status = browser.evaluate("document.getElementById('search-status').textContent")
    assert "found" in status
    browser.navigate(f"{(site / 'search.html').as_uri()}?q=zzzqqqnothing")
    assert browser.evaluate("document.querySelectorAll('#search-results li').length") == 0


def test_nothing_scrolls_sideways_at_360_px(site: Path, browser: Browser) -> None:
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=360,
        height=740,
        deviceScaleFactor=1,
        mobile=True,
    )
    try:
        for page in pages(site):
            browser.navigate((site / page).as_uri())
            wide = browser.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            assert wide[0] <= wide[1], (page, wide)
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")


def _rgb(color: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", color)]
    return tuple(values[:3]) + ((values[3],) if len(values) > 3 else (1.0,))


def _luminance(color: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    a, b = sorted((_luminance(_rgb(one)), _luminance(_rgb(other))), reverse=True)
    return (a + 0.05) / (b + 0.05)


CHART_COLOURS = """
[...document.querySelectorAll('figure svg text')].map(text => {
  let back = 'rgba(0, 0, 0, 0)';
  for (let e = text.closest('figure'); e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (!bg.startsWith('rgba(0, 0, 0, 0')) { back = bg; break; }
  }
  return [getComputedStyle(text).fill, back, text.textContent];
})
"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_chart_text_contrast(site: Path, browser: Browser, scheme: str) -> None:
    """The charts' text against the page behind it: at least 4.5:1 in either scheme."""
    browser.send(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": scheme}]
    )
    try:
        browser.navigate((site / "figures.html").as_uri())
        colours = browser.evaluate(CHART_COLOURS)
        assert colours, "no chart text"
        for fill, back, text in colours:
            assert contrast(fill, back) >= 4.5, (scheme, text, fill, back)
        page = browser.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        dark = _luminance(_rgb(page)) < 0.2
        assert dark == (scheme == "dark"), page
    finally:
        browser.send("Emulation.setEmulatedMedia", features=[])


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (make ace installs it)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(site: Path, browser: Browser, scheme: str) -> None:
    """axe-core on every page, in both schemes: no serious or critical violation."""
    source = AXE.read_text("utf-8")
    browser.send(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": scheme}]
    )
    try:
        for page in pages(site):
            browser.navigate((site / page).as_uri())
            browser.evaluate(source + ";true")
            violations = browser.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))]))"
            )
            assert violations == [], (page, violations)
        # The same check on a page with faults axe must find (it is not just silent).
        bad = site.parent / "axe-bad.html"
        bad.write_text(
            '<!DOCTYPE html><html><body><img src="favicon.svg"/>'
            '<p style="color:#777;background:#888">faint</p></body></html>',
            "utf-8",
        )
        browser.navigate(bad.as_uri())
        browser.evaluate(source + ";true")
        found = browser.evaluate("axe.run().then(r => r.violations.map(v => v.id))")
        assert {"image-alt", "color-contrast", "html-has-lang"} <= set(found), found
    finally:
        browser.send("Emulation.setEmulatedMedia", features=[])


# --- booktool serve ---------------------------------------------------------------------


def _start_serve(project: Path, port: int, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "booktool", "serve", str(project), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd,
    )


def _wait_for_line(process: subprocess.Popen[str], needle: str, seen: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if needle in line:
            return
    raise AssertionError("".join(seen))


def _wait_until(browser: Browser, expression: str, timeout: float = 60) -> float:
    """Seconds until ``expression`` is true in the page (polled)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if browser.evaluate(expression):
                return time.monotonic() - began
        except RuntimeError:  # the page is reloading
            pass
        time.sleep(0.05)
    raise AssertionError(f"never true: {expression}")


def test_serve_reloads_shows_errors_and_recovers(tmp_path: Path, browser: Browser) -> None:
    """An edit reloads the open page by itself; a broken segment shows its error line as a
    banner over the last good pages; fixing it removes the banner; Ctrl-C stops cleanly."""
    project = copy_project(tmp_path / "book")
    port = free_port()
    elsewhere = tmp_path / "elsewhere"  # the folder serve is started from: nothing lands there
    elsewhere.mkdir()
    process = _start_serve(project, port, elsewhere)
    seen: list[str] = []
    try:
        _wait_for_line(process, "watching", seen)
        assert f"serving http://127.0.0.1:{port}/" in "".join(seen)
        browser.navigate(f"http://127.0.0.1:{port}/chapter-01.html")
        assert browser.problems() == []
        # The page as served: the reload script added, the folder's own page without it.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/chapter-01.html")
        with urllib.request.urlopen(request) as answer:
            assert b'<script src="/__booktool__/reload.js"' in answer.read()
        # Another host name for the address (DNS rebinding) is refused.
        rebound = urllib.request.Request(
            f"http://127.0.0.1:{port}/chapter-01.html",
            headers={"Host": f"attacker.example:{port}"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebound)
        assert refused.value.code == 403
        browser.evaluate("window.beforeEdit = 1")
        segment = project / "manuscript" / "segments" / "seg-01.md"
        original = segment.read_text("utf-8")
        segment.write_text(original.replace("Mao set out", "Mao, newly edited, set out"), "utf-8")
        took = _wait_until(
            browser,
            "window.beforeEdit === undefined && "
            "document.querySelector('main').textContent.includes('newly edited')",
        )
        print(f"page reloaded {took:.2f} s after the save")
        # A bad timestamp: the build fails, the banner names the file, the text stays.
        broken = re.sub(r"(?m)^start: .*$", "start: 99:99:99", original, count=1)
        assert broken != original, original[:300]
        segment.write_text(broken, "utf-8")
        _wait_until(browser, "document.getElementById('booktool-build-error') !== null")
        banner = browser.evaluate("document.getElementById('booktool-build-error').textContent")
        assert "seg-01.md:" in banner and "error[" in banner, banner
        top = "document.getElementById('booktool-build-error').getBoundingClientRect().top"
        assert browser.evaluate(top) == 0  # seen at the top of the page
        assert "newly edited" in browser.evaluate("document.querySelector('main').textContent")
        segment.write_text(original, "utf-8")
        _wait_until(
            browser,
            "document.getElementById('booktool-build-error') === null && "
            "!document.querySelector('main').textContent.includes('newly edited')",
        )
        assert browser.problems() == []
    finally:
        process.send_signal(2)  # Ctrl-C
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0, "".join(seen) + out
    assert "stopped" in out
    # The preview is built in a folder of its own: not where serve was started, not build/.
    assert list(elsewhere.iterdir()) == []
    assert not (project / "build").exists()
    assert "Traceback" not in "".join(seen) + out


def test_serve_names_a_free_port_when_its_port_is_taken(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", str(project), "--port", str(port))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert re.fullmatch(
        rf"error\[port\]: port {port} on 127\.0\.0\.1 is in use; try --port \d+", lines[0]
    ), lines[0]
    suggested = int(lines[0].rsplit(" ", 1)[1])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", suggested))  # the port it names is free
