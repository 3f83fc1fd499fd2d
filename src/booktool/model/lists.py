"""Lists and empty elements in print: list starts made into CSS counters, end tags kept.

WeasyPrint numbers every ``<ol>`` from 1 and ignores ``start`` and ``reversed`` (e-readers honour
them): the print edition sets the list's counter where the list says it begins. The numbering
style (``type``) is the print style sheet's (``ol[type="a" s]``).
"""

from __future__ import annotations

from lxml import etree


def print_lists(root: etree._Element) -> None:
    """Give every ordered list under ``root`` whose count does not start at 1 its counter."""
    for ol in root.iter("ol"):
        items = sum(1 for child in ol if child.tag == "li")
        reversed_ = ol.get("reversed") is not None
        try:
            start = int(ol.get("start", ""))
        except ValueError:
            start = items if reversed_ else 1
        if reversed_:
            # Each item counts down (print.css); the counter starts one above the first number.
            _add_style(ol, f"counter-reset: list-item {start + 1}")
        elif start != 1:
            _add_style(ol, f"counter-reset: list-item {start - 1}")


def _add_style(element: etree._Element, declaration: str) -> None:
    style = (element.get("style") or "").strip().rstrip(";")
    element.set("style", f"{style}; {declaration}" if style else declaration)


#: HTML's void elements: the only ones written as ``<br/>`` in the print HTML.
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


def close_empty_elements(root: etree._Element) -> None:
    """Write every empty element but the void ones with an end tag (``<a id="x"></a>``)."""
    for element in root.iter():
        empty = isinstance(element.tag, str) and element.text is None and len(element) == 0
        if empty and etree.QName(element).localname not in VOID:
            element.text = ""
