"""Dark mode no longer hides the chart (issue 22, point 3).

The EPUB's documents are rendered in headless Chromium, as the book sets them (light) and as a
reader's night mode recolours them (a user style sheet that sets the text and page colours, as
Calibre's dark scheme does); a script in the page computes, from Chromium's computed styles,
the contrast of every piece of the chart's text, its bars and the secondary lines against the
page. The PDF's chart is set in the book's own fonts.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from .conftest import copy_project, run_cli

#: Like Calibre's dark colour scheme: the reader sets the text and page colours.
NIGHT = "html, body { color: #e6e6e6 !important; background: #1b1b1b !important; }"

#: Runs in the page: for each element, its colour as painted (opacities of it and its
#: ancestors blended over the first background behind it) and the WCAG contrast ratio.
MEASURE = r"""
function rgba(text) {
  const parts = text.match(/rgba?\(([^)]*)\)/)[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}
function luminance(c) {
  const f = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function background(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
}
function measure(el, kind) {
  const style = getComputedStyle(el);
  const svg = el instanceof SVGElement;
  const paint = rgba(svg ? style.fill : style.color);
  let alpha = paint[3] * (svg ? Number(style.fillOpacity) : 1);
  for (let e = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
  const back = background(el);
  const seen = [0, 1, 2].map((i) => paint[i] * alpha + back[i] * (1 - alpha));
  const [a, b] = [luminance(seen), luminance(back)].sort((x, y) => y - x);
  const chart = el.closest("svg.chart");
  let size = null;
  if (chart && kind === "text") {
    const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
    const units = el.getAttribute("font-size") || el.closest("g").getAttribute("font-size");
    size = Number(units) * scale;
  }
  return {kind, text: el.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05), size,
          body: parseFloat(getComputedStyle(document.body).fontSize)};
}
const found = [];
document.querySelectorAll("svg.chart text").forEach((el) => found.push(measure(el, "text")));
document.querySelectorAll("svg.chart rect").forEach((el) => found.push(measure(el, "bar")));
document.querySelectorAll(".source-span, .figure-source, .sourcing-span, a.film-moment")
  .forEach((el) => found.push(measure(el, "secondary")));
const out = document.createElementNS("http://www.w3.org/1999/xhtml", "pre");
out.setAttribute("id", "measured");
out.textContent = JSON.stringify(found);
document.body.appendChild(out);
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (make ace installs it)")
    return found


def measured(epub: Path, document: str, folder: Path, night: bool) -> list[dict[str, object]]:
    """What :data:`MEASURE` finds in ``document`` of ``epub``, laid out 360 px wide."""
    folder.mkdir()
    with zipfile.ZipFile(epub) as package:
        package.extractall(folder)
    page = next(folder.rglob(document))
    text = page.read_text("utf-8")
    style = f"<style>{NIGHT}</style>" if night else ""
    script = f"<script>//<![CDATA[\n{MEASURE}\n//]]></script>"
    text = text.replace("</head>", style + "</head>").replace("</body>", script + "</body>")
    page.write_text(text, "utf-8")
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--window-size=360,800",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    match = re.search(r'<pre id="measured"[^>]*>(.*?)</pre>', result.stdout, re.S)
    assert match, f"Chromium gave no measure: {result.stderr[-1500:]}"
    data: list[dict[str, object]] = json.loads(match.group(1).replace("&amp;", "&"))
    return data


@pytest.fixture(scope="module")
def film_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic root's EPUB with a source URL (its timestamps are links), without a page
    list (no print layout needed)."""
    project = copy_project(tmp_path_factory.mktemp("film"))
    book = project / "manuscript" / "book.yaml"
    text = book.read_text("utf-8").replace(
        "  kind: documentary\n", "  kind: documentary\n  url: https://vimeo.com/76979871\n"
    )
    book.write_text(text + "epub: {page_list: false}\n", "utf-8")
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 0, result.err
    return project / "build" / "the-great-leap-forward.epub"


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_the_chart_and_secondary_lines_keep_their_contrast(
    film_epub: Path, tmp_path: Path, night: bool
) -> None:
    figures = measured(film_epub, "figures.xhtml", tmp_path / "figures", night)
    chapter = measured(film_epub, "chapter-01.xhtml", tmp_path / "chapter", night)
    texts = [m for m in figures if m["kind"] == "text"]
    bars = [m for m in figures if m["kind"] == "bar"]
    secondary = [m for m in figures + chapter if m["kind"] == "secondary"]
    # The basic root's chart: 4 labels, 4 values, 4 ticks and the unit; 4 bars; the spans
    # and the figures' sources, their links to the film (12 in figures.xhtml, 2 + 2 spans).
    assert len(texts) == 13 and len(bars) == 4 and len(secondary) >= 4 + 12 + 2
    for item in texts + secondary:
        assert float(str(item["ratio"])) >= 4.5, item
    for item in bars:  # graphical objects: WCAG 1.4.11 asks 3:1
        assert float(str(item["ratio"])) >= 3, item
    # On a 360 px screen the chart's text is near the size of the text around it.
    for item in texts:
        assert float(str(item["size"])) >= 0.7 * float(str(item["body"])), item


def test_the_chart_in_the_pdf_is_set_in_the_books_fonts(repo_pdf: Path) -> None:
    with pikepdf.open(repo_pdf) as pdf:
        fonts = {
            str(obj.get("/BaseFont"))
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
        }
    names = {font.split("+", 1)[-1] for font in fonts if font != "None"}
    assert "/Book-Sans" in {f"/{n.lstrip('/')}" for n in names}, names
    assert not [n for n in names if "DejaVu" in n], names
