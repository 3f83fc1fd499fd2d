"""A laid-out part renumbered in place: the page numbers it printed, made the final ones.

A cold build does not know its page numbers until its parts are laid out. Rather than lay every
part out twice (once to learn the numbers, once to print them), a render child keeps each
part's layout (a ``hold`` job); when the part's final document comes (a ``reuse`` job:
the layout) and it differs from the one laid out only in its page numbers (its ``data-page``
values and its first page's number), the child rewrites the text boxes that print those numbers
and writes the PDF from the same layout.

It does so only where the result is what a fresh layout of the final document gives:

- every number it rewrites prints in generated content (``::before``/``::after`` with
  ``attr(data-page)``), whose text box ends with it;
- every rewritten text keeps its width to the Pango unit (the book fonts' figures are all one
  width, so a number keeps its width when it keeps its digit count), so nothing around it moves;
- the page numbers in the margins are made again whole, as WeasyPrint makes them after a
  layout, from each page's state with the page counter moved on.

Anything else (a number that gains a digit, ``data-page`` used elsewhere, a page counter in
the body) answers False, and the child lays the final document out afresh. This
module runs in the render child only: it uses WeasyPrint's box tree, as its own ``draw`` code
does when it rewrites a text for ``text-overflow: ellipsis``, and its page states and margin
boxes (reached through :mod:`booktool.render.weasyprint_patches`, for the versions tested there;
``tests/test_renumber.py`` compares renumbered and fresh bytes, and an exception in here only
means a fresh layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from booktool.render import weasyprint_patches as boxes

_DATA_PAGE = re.compile(r'\sdata-page="(\d*)"')
#: The first page's number, as :meth:`booktool.render.parts.PrintParts.document` writes it.
_START = re.compile(r"@page :first \{ counter-reset: page (\d+); \}")
_PSEUDO = ("::before", "::after")


class _Unpatchable(Exception):
    """The part cannot be renumbered exactly in place."""


def shape(html: str) -> str:
    """The document with its page numbers blanked: two documents of one shape differ only in
    their page numbers."""
    html = _DATA_PAGE.sub(' data-page=""', html)
    return _START.sub("@page :first { counter-reset: page 0; }", html)


@dataclass
class _Edit:
    textbox: Any
    text: str


def renumber(document: Any, context: Any, root: Any, laid_out: str, final: str) -> bool:
    """Make ``document`` (the layout of the HTML ``laid_out``, whose element tree is ``root``
    and WeasyPrint layout context ``context``) print the page numbers of the HTML ``final``;
    False, with ``document`` untouched, where that cannot be done exactly."""
    if shape(laid_out) != shape(final):
        return False
    old_values, new_values = _DATA_PAGE.findall(laid_out), _DATA_PAGE.findall(final)
    elements = [element for element in root.iter() if element.get("data-page") is not None]
    if [element.get("data-page") for element in elements] != old_values:
        return False  # not the tree of that document
    changed = {
        id(element): new
        for element, old, new in zip(elements, old_values, new_values, strict=True)
        if old != new
    }
    # Page numbers are counted from the layout's own first page (its page states), not from
    # ``laid_out``: a layout renumbered before prints another start than it was laid out with.
    laid_out_start = boxes.first_page_number(context)
    start = _START.search(final)
    final_start = int(start.group(1)) if start else laid_out_start
    shift = final_start - laid_out_start
    found: _Found = {}
    try:
        for page_box in boxes.page_boxes(document):
            for box in boxes.descendants(page_box):
                _collect(box, changed, shift, found)
        edits = [_pseudo_edit(*printed) for printed in found.values()]
    except _Unpatchable:
        return False
    width = boxes.text_width
    if not all(width(e.textbox, e.textbox.text) == width(e.textbox, e.text) for e in edits):
        return False
    for edit in edits:
        boxes.set_text(edit.textbox, edit.text)
    for element in elements:  # the tree says what the layout now prints, for the next time
        if id(element) in changed:
            element.set("data-page", changed[id(element)])
    if getattr(document, "booktool_first_page", laid_out_start) != final_start:
        boxes.remake_margins(document, context, shift)
        document.booktool_first_page = final_start
    return True


#: Generated content that prints a changed number, by (element, pseudo-element): its
#: ``content``, the element, the new number and its text boxes (a line or page break can
#: split it).
_Found = dict[tuple[int, str], tuple[tuple[Any, ...], Any, str, list[Any]]]


def _text_boxes(box: Any) -> list[Any]:
    return [one for one in boxes.descendants(box) if boxes.is_text_box(one)]


def _collect(box: Any, changed: dict[int, str], shift: int, found: _Found) -> None:
    if boxes.is_text_box(box):
        return
    items = boxes.content_items(box)
    if boxes.is_margin_box(box):
        return  # made again whole (remake_margins)
    if shift and any(boxes.counts_pages(item) for item in items):
        raise _Unpatchable  # a page number in the body: WeasyPrint's to print
    element = box.element
    if element is None or id(element) not in changed:
        return
    tag = box.element_tag or ""
    if not tag.endswith(_PSEUDO):
        # The element's own box: its number must show only in its ::before/::after.
        if items or "data-page" in boxes.strings_set(box):
            raise _Unpatchable
        return
    if any(_is_data_page(item) for item in items):
        entry = found.setdefault((id(element), tag), (items, element, changed[id(element)], []))
        entry[3].extend(one for one in _text_boxes(box) if one.text)


def _pseudo_edit(items: tuple[Any, ...], element: Any, new: str, texts: list[Any]) -> _Edit:
    """The edit that prints the new number in one element's generated content: in the text
    box that ends with the number (and what the content puts after it)."""
    at = [index for index, item in enumerate(items) if _is_data_page(item)]
    if len(at) != 1 or not texts:
        raise _Unpatchable
    old = element.get("data-page")
    before = _generated(items, element, old)
    after = _generated(items[at[0] + 1 :], element, old)
    if _squeezed("".join(t.text for t in texts)) != _squeezed(before):
        raise _Unpatchable  # not the text it should be
    last = texts[-1]
    if not last.text.endswith(old + after):
        raise _Unpatchable  # the number or what follows it broken across lines
    head = last.text[: len(last.text) - len(old + after)]
    return _Edit(last, head + new + after)


def _squeezed(text: str) -> str:
    """The text without the ASCII white space a line break may take away."""
    return re.sub(r"[ \t\n]+", "", text)


def _is_data_page(item: Any) -> bool:
    return boxes.prints_attribute(item, "data-page")


def _generated(items: tuple[Any, ...], element: Any, page: str) -> str:
    """The text a ``content`` of strings and attributes makes, ``data-page`` being ``page``."""
    text = boxes.generated_text(items, element, {"data-page": page})
    if text is None:
        raise _Unpatchable
    return text
