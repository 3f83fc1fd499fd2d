"""Table cells in print: which may split a word (only those holding a word too long to fit).

Print cells break between words (print.css), so a column is never narrower than its longest
word and no short word is split ("fis / h"); a cell with a word longer than
:data:`LONG_WORD` characters (a URL, a chemical name) would then stretch its table past the page,
so that cell alone may split its words anywhere.
"""

from __future__ import annotations

import re

from lxml import etree

LONG_WORD = 20
_WORD = re.compile(rf"\S{{{LONG_WORD + 1},}}")


def print_tables(root: etree._Element) -> None:
    """Mark the cells under ``root`` that hold a word longer than :data:`LONG_WORD`."""
    for cell in root.iter("td", "th"):
        if _WORD.search("".join(str(t) for t in cell.itertext())):
            classes = (cell.get("class") or "").split()
            cell.set("class", " ".join([*classes, "long-word"]))
