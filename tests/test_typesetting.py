"""How the print edition sets words and tables: hyphenation limits, one size for every
figure's table."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdf
import weasyprint

from booktool.editions.layouts import BUILTIN_LAYOUTS

WORDS = "The American century, American sanctions and an American economy, the American way."


def _hyphenated_lines(css: Path) -> set[str]:
    """The hyphenated line ends of a paragraph set in ``css`` at every width from 18 to 70 mm
    (a narrow column breaks each word somewhere across the widths)."""
    paragraphs = "".join(f'<p style="width: {width}mm">{WORDS}</p>' for width in range(18, 70))
    html = (
        f'<html lang="en"><head><link rel="stylesheet" href="{css.name}"/></head>'
        f"<body>{paragraphs}</body></html>"
    )
    pdf = weasyprint.HTML(string=html, base_url=f"{css.parent}/").write_pdf()
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return set(re.findall(r"(\w+)[‐-]\n", text))


def test_print_css_never_splits_off_two_letters() -> None:
    """The language "en" hyphenates with British patterns, which give "Americ-an": print.css's
    ``hyphenate-limit-chars`` keeps three letters each side."""
    ends = _hyphenated_lines(BUILTIN_LAYOUTS / "print.css")
    assert "Amer" in ends  # words are hyphenated at all: "Amer-ican" is allowed
    assert "Americ" not in ends
    assert all(len(end) >= 3 for end in ends), ends


def _table_sizes(pdf: Path) -> dict[str, float]:
    """The font size each figure table's header cell ("What", "Number", "Year"...) and first
    column is drawn at, by text, from the page that holds the figures."""
    sizes: dict[str, float] = {}
    wanted = {"Official figure", "Historians' estimate", "What", "Number", "Said at"}
    wanted |= {"Chinese people caught up in the famine", "Mao's steel target"}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        key = text.strip().replace("’", "'")
        if key in wanted:
            sizes[key] = round(float(size) * float(tm[0]) * float(cm[0]), 2)

    for page in pypdf.PdfReader(pdf).pages:
        if "Figure A.2" in (page.extract_text() or ""):
            page.extract_text(visitor_text=visit)
    return sizes


def test_both_figure_tables_are_set_at_one_size(repo_pdf: Path) -> None:
    """A table figure's ``<figure>`` has the class ``figure-table`` too: its 0.9em must not
    apply twice (Figure A.2's table was 8.5 pt against A.1's 9.45 pt)."""
    sizes = _table_sizes(repo_pdf)
    chart_table = sizes["Official figure"]
    table_figure = [sizes["What"], sizes["Chinese people caught up in the famine"]]
    assert chart_table == 9.45  # 10.5 pt text at 0.9em
    assert table_figure == [chart_table, chart_table], sizes
