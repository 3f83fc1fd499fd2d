"""The print editions: tagged PDF/UA, PDF/A on request, the book fonts, lines inside the page,
the cover, and the saddle-stitched booklet."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from booktool.editions.impose import Side, impose, padded, saddle_order
from tests.conftest import copy_project, run_cli
from tests.outputs import MM, leader_ends, pdf_pages, squash

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
LONG_URL = "https://example.org/archive/" + "a-very-long-path-segment-" * 6 + "end"


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element under the structure tree root, in order."""
    found: list[pikepdf.Dictionary] = []

    def visit(node: Any) -> None:
        if isinstance(node, pikepdf.Array):
            for item in node:
                visit(item)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                visit(node.K)

    visit(pdf.Root.StructTreeRoot.K)
    return found


def test_pdf_is_tagged_pdf_ua_by_default(repo_pdf: Path) -> None:
    with pikepdf.open(repo_pdf) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "pdfuaid" in pdf.open_metadata().__str__() or "pdfuaid:part" in str(
            pdf.Root.Metadata.read_bytes()
        )
        kinds = {str(e.S) for e in struct_elements(pdf)}
        assert {"/H1", "/H2", "/P", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure"} <= kinds
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        # The chart is a figure with its alt text (the cover is type, not an image).
        alts = [str(e.get("/Alt", "")) for e in figures]
        assert alts and all(alt.strip() for alt in alts)
        assert any("death toll" in alt.lower() or "estimate" in alt.lower() for alt in alts)


def test_pdf_a_on_request(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf", "--pdf-variant", "pdf/a-3b")
    assert result.code == 0, result.err
    with pikepdf.open(project / "build" / "the-great-leap-forward.pdf") as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert re.search(r"pdfaid:part[^0-9]*3", xmp)
        assert "/OutputIntents" in pdf.Root


def test_bad_print_options_are_one_line_each(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--pdf-variant", "pdf/x", "--bleed", "lots")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 2 and all("error[option]" in line for line in lines)
    assert not (project / "build").exists() or not list((project / "build").glob("*.pdf"))


def test_book_fonts_are_embedded_and_subset(repo_pdf: Path) -> None:
    with pikepdf.open(repo_pdf) as pdf:
        names = set()
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.BaseFont))
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert any(re.fullmatch(r"/[A-Z]{6}\+Book-Serif", n) for n in names), names
    assert any(re.fullmatch(r"/[A-Z]{6}\+Book-Sans-Bold", n) for n in names), names


def test_fonts_ship_with_their_licence() -> None:
    fonts = Path(__file__).resolve().parent.parent / "src" / "booktool" / "layouts" / "fonts"
    licence = (fonts / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    files = sorted(fonts.glob("*.otf"))
    assert len(files) >= 5
    assert sum(f.stat().st_size for f in files) < 4_000_000


@pytest.fixture(scope="module")
def long_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's booklet with long paragraphs (pages break inside them), a very long word
    and a long URL."""
    project = copy_project(tmp_path_factory.mktemp("long"))
    segment = project / "manuscript" / "segments" / "seg-04.md"
    paragraph = (
        "The commune kitchens fed everyone for a season, and then the grain ran out; "
        "cadres reported harvests that had never been gathered, and the state took its share "
        "of the imaginary crop. "
    ) * 9
    extra = f"\n\n{paragraph}\n\nA word too long for any line: {LONG_WORD}.\n\n"
    extra += f"An archive address: <{LONG_URL}>.\n\n" + "\n\n".join([paragraph] * 5) + "\n"
    segment.write_text(segment.read_text("utf-8") + extra, "utf-8")
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project


def test_no_line_overflows_the_page_box(long_project: Path) -> None:
    """Every box of every page's main flow ends inside the page's content box, as WeasyPrint
    laid it out (a very long word and a URL included)."""
    import weasyprint

    from booktool.editions.layouts import BASE_URL, Layouts
    from booktool.render.fetcher import ConfinedFetcher

    run_cli("build", str(long_project), "--format", "html")
    html = (long_project / "build" / "the-great-leap-forward.html").read_text("utf-8")
    assert LONG_WORD in html and "a-very-long-path-segment" in html
    layouts = Layouts(long_project / "layouts")
    document = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=ConfinedFetcher(layouts, {})
    ).render()
    checked = 0
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        right = box.content_box_x() + box.width + 0.5
        stack = [box.children[0]]
        while stack:
            child = stack.pop()
            stack.extend(getattr(child, "children", []))
            if type(child).__name__ in ("TextBox", "LineBox"):
                checked += 1
                end = child.position_x + child.margin_width()
                assert end <= right, f"page {number}: {getattr(child, 'text', '')!r} overflows"
    assert checked > 500


def test_hyphenation_and_widows_in_the_stylesheet() -> None:
    css = (
        Path(__file__).resolve().parent.parent / "src" / "booktool" / "layouts" / "print.css"
    ).read_text("utf-8")
    assert "hyphens: auto" in css
    assert re.search(r"orphans: 2; widows: 3", css)


def test_cover_is_the_first_page_from_the_metadata(repo_pdf: Path) -> None:
    first = squash(pdf_pages(repo_pdf)[0])
    assert "astudybooklet" in first
    assert "thegreatleapforward" in first
    assert "maosfamine" in first  # the subtitle
    assert "drawnfromthegreatleapforward" in first


# --- the booklet ------------------------------------------------------------------------


def test_saddle_order_of_eight_pages() -> None:
    assert saddle_order(8) == [Side(7, 0), Side(1, 6), Side(5, 2), Side(3, 4)]


def test_saddle_order_pads_with_blanks_to_a_multiple_of_four() -> None:
    assert padded(5) == 8 and padded(8) == 8 and padded(1) == 4
    sides = saddle_order(5)
    assert sides[0] == Side(None, 0) and sides[1] == Side(1, None)
    shown = [p for side in sides for p in (side.left, side.right) if p is not None]
    assert sorted(shown) == list(range(5))


def test_folded_sheets_read_in_order() -> None:
    """Stack the sheets, fold them: reading the spreads in order gives 1..n."""
    for pages in range(1, 30):
        sides = saddle_order(pages)
        total = padded(pages)
        # Folded, sheet k holds pages k*2, k*2+1 and their mirrors total-1-k*2, total-2-k*2:
        # even pages (1, 3, … counting from 1) on the right; the first half's odd pages and
        # the second half's even pages on the back.
        position = {}
        for index, side in enumerate(sides):
            for slot, page in enumerate((side.left, side.right)):
                if page is not None:
                    position[page] = (index // 2, index % 2, slot)
        for page in range(pages):
            sheet = min(page, total - 1 - page) // 2
            back = page % 2 == 1 if page < total // 2 else page % 2 == 0
            right = page % 2 == 0
            assert position[page] == (sheet, int(back), int(right)), (pages, page)


def _numbered_pdf(pages: int) -> bytes:
    import weasyprint

    body = "".join(
        f'<p style="break-before: page">Page{n}</p>' if n > 1 else "<p>Page1</p>"
        for n in range(1, pages + 1)
    )
    return bytes(weasyprint.HTML(string=f"<style>@page {{ size: A5 }}</style>{body}").write_pdf())


def placements(sheets: bytes, book: bytes) -> list[tuple[int | None, int | None]]:
    """Which page of ``book`` (1-based) each sheet side draws on its left and right half,
    found by the drawn form's bytes (not its name) and where the sheet's content puts it."""
    with pikepdf.open(io.BytesIO(book)) as source, pikepdf.open(io.BytesIO(sheets)) as out:
        pages = {
            bytes(page.as_form_xobject().read_bytes()): number
            for number, page in enumerate(source.pages, start=1)
        }
        sides: list[tuple[int | None, int | None]] = []
        for sheet in out.pages:
            middle = float(sheet.mediabox[2]) / 2
            halves: list[int | None] = [None, None]
            x = 0.0
            for operands, operator in pikepdf.parse_content_stream(sheet):
                if str(operator) == "cm":
                    x = float(operands[4])
                elif str(operator) == "Do":
                    form = sheet.Resources.XObject[operands[0]]
                    halves[int(x >= middle - 1)] = pages[bytes(form.read_bytes())]
            sides.append((halves[0], halves[1]))
    return sides


def test_imposed_synthetic_pdf_puts_pages_where_the_fold_needs_them() -> None:
    book = _numbered_pdf(6)
    sheets = impose(book, (297 * MM, 210 * MM), "Six pages")
    assert placements(sheets, book) == [(None, 1), (2, None), (6, 3), (4, 5)]
    assert impose(book, (297 * MM, 210 * MM), "Six pages") == sheets  # deterministic
    reader = pypdf.PdfReader(io.BytesIO(sheets))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 297 * MM) < 1 and abs(height - 210 * MM) < 1


def test_booklet_of_the_real_book(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf", "--booklet")
    assert result.code == 0, result.err
    booklet = project / "build" / "the-great-leap-forward-booklet.pdf"
    reader = pypdf.PdfReader(booklet)
    sheet = reader.pages[0].mediabox
    assert float(sheet.width) > float(sheet.height)  # landscape
    assert abs(float(sheet.width) - 297 * MM) < 1
    with pikepdf.open(booklet) as sheets:
        forms = [sheets.pages[0].Resources.XObject[n] for n in sheets.pages[0].Resources.XObject]
        width = float(forms[0].BBox[2]) - float(forms[0].BBox[0])
        assert abs(width - 148 * MM) < 1  # A5 pages
        sides = []
        for sheet in sheets.pages:
            halves: list[int | None] = [None, None]
            x = 0.0
            for operands, operator in pikepdf.parse_content_stream(sheet):
                if str(operator) == "cm":
                    x = float(operands[4])
                elif str(operator) == "Do":
                    number = int(str(operands[0]).removeprefix("/Page"))
                    halves[int(x >= float(sheet.mediabox[2]) / 2 - 1)] = number - 1
            sides.append(Side(halves[0], halves[1]))
    shown = sorted(p for side in sides for p in (side.left, side.right) if p is not None)
    pages = len(shown)
    assert shown == list(range(pages))  # every A5 page once, the rest blank
    assert sides == saddle_order(pages)
    # The outer sheet's front: the cover on the right (its text), the last page on the left.
    text = squash(pypdf.PdfReader(booklet).pages[0].extract_text())
    assert "thegreatleapforward" in text and "astudybooklet" in text
    assert (project / "build" / "the-great-leap-forward.pdf").is_file()  # the A4 edition too
    assert "-booklet.pdf" in result.out


def test_bleed_and_marks_for_print_shops(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = run_cli("build", str(project), "--format", "pdf", "--bleed", "3mm", "--marks")
    assert result.code == 0, result.err
    with pikepdf.open(project / "build" / "the-great-leap-forward.pdf") as pdf:
        page = pdf.pages[1]
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.TrimBox]
        assert abs((media[2] - media[0]) - (trim[2] - trim[0]) - 6 * MM) < 0.5
        assert abs((trim[2] - trim[0]) - 210 * MM) < 0.5


def test_the_contents_leaders_end_in_one_column(repo_pdf: Path, tmp_path: Path) -> None:
    # Clipped to the entry's content box, every row of dots stops at the same place, whatever
    # the width of the page number after it (a dot showed past one- and two-digit numbers).
    contents = next(i for i, text in enumerate(pdf_pages(repo_pdf)) if "Contents" in text)
    ends = leader_ends(repo_pdf, contents + 1, tmp_path)
    assert len(ends) >= 20
    assert max(ends) - min(ends) <= 6, ends  # within a dot's period (3 pt)
