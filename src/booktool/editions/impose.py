"""Saddle-stitch imposition: a book's pages two-up on sheets, in the order a fold reads.

A booklet of ``n`` pages (padded with blanks to a multiple of four) is printed on ``n / 4``
sheets, both sides. Sheet ``k`` (from 0) carries on its front the last unprinted page on the
left and the first on the right, ``(n - 2k, 2k + 1)`` in page numbers, and on its back
``(2k + 2, n - 2k - 1)``. Printed duplex (flip on the short edge), stacked and folded in the
middle, the sheets read 1, 2, 3, … in order.

A right-to-left book is read with the fold on the right: each side's two pages change places
(sheet ``k``'s front carries ``2k + 1`` on the left and ``n - 2k`` on the right).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf


MM = 72 / 25.4

#: Sheet sizes in points (landscape), by the page size of the book they carry.
SHEETS = {"Letter": (11 * 72, 8.5 * 72)}
A4_LANDSCAPE = (297 * MM, 210 * MM)
#: The booklet's page size (CSS) for each book page size: half the sheet.
HALF_SIZES = {"A4": "A5", "A5": "A5", "Letter": "5.5in 8.5in"}


@dataclass(frozen=True)
class Side:
    """One side of a sheet: the page on the left and on the right (0-based), None if blank."""

    left: int | None
    right: int | None


def padded(pages: int) -> int:
    """The page count rounded up to a multiple of four (a booklet's sheets hold four pages)."""
    return max(4, -(-pages // 4) * 4)


def saddle_order(pages: int, *, right_to_left: bool = False) -> list[Side]:
    """The sides of the sheets, front then back of each, for a book of ``pages`` pages;
    ``right_to_left``: mirrored, for a book whose fold is on the right."""
    total = padded(pages)

    def page(index: int) -> int | None:
        return index if index < pages else None

    sides = []
    for sheet in range(total // 4):
        sides.append(Side(page(total - 1 - 2 * sheet), page(2 * sheet)))
        sides.append(Side(page(2 * sheet + 1), page(total - 2 - 2 * sheet)))
    if right_to_left:
        return [Side(side.right, side.left) for side in sides]
    return sides


def sheet_size(book_page_size: str) -> tuple[float, float]:
    """The landscape sheet for a book: Letter for Letter books, A4 otherwise."""
    return SHEETS.get(book_page_size, A4_LANDSCAPE)


def impose(
    pdf: bytes, sheet: tuple[float, float], title: str, *, right_to_left: bool = False
) -> bytes:
    """The pages of ``pdf`` two-up on ``sheet``-sized pages in saddle-stitch order (mirrored
    for a ``right_to_left`` book).

    Each page becomes a form XObject named after its number (``/Page7``), scaled to fit half
    the sheet and centred in it; names and bytes are deterministic.
    """
    width, height = sheet
    import pikepdf  # only when a booklet is made

    with pikepdf.open(io.BytesIO(pdf)) as source, pikepdf.new() as out:
        forms: dict[int, pikepdf.Object] = {}
        for side in saddle_order(len(source.pages), right_to_left=right_to_left):
            out.add_blank_page(page_size=(width, height))
            target = out.pages[-1]
            drawing = []
            for slot, index in enumerate((side.left, side.right)):
                if index is None:
                    continue
                if index not in forms:
                    forms[index] = out.copy_foreign(source.pages[index].as_form_xobject())
                page_width, page_height = _size(source.pages[index])
                scale = min(width / 2 / page_width, height / page_height)
                x = slot * width / 2 + (width / 2 - page_width * scale) / 2
                y = (height - page_height * scale) / 2
                name = pikepdf.Name(f"/Page{index + 1}")
                target.add_resource(forms[index], pikepdf.Name.XObject, name)
                drawing.append(f"q {scale:.6f} 0 0 {scale:.6f} {x:.4f} {y:.4f} cm {name} Do Q")
            target.Contents = out.make_stream("\n".join(drawing).encode("ascii"))
        out.docinfo[pikepdf.Name.Title] = title
        out.docinfo[pikepdf.Name.Creator] = "booktool"
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _size(page: pikepdf.Page) -> tuple[float, float]:
    box = [float(v) for v in page.mediabox]
    return box[2] - box[0], box[3] - box[1]
