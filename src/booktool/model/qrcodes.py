"""QR codes of the film's moments, for the printed page: segno draws them as SVG.

The same address always gives the same bytes (segno's output is deterministic): a fixed error
correction level, no automatic boost, a two-module quiet zone (the page's margin around the
code gives the rest) and a ``viewBox`` instead of a size, so the layout sizes it.
"""

from __future__ import annotations

import base64
import io

import segno


def qr_svg(text: str) -> bytes:
    """A QR code of ``text`` as a small SVG document, black on white."""
    code = segno.make_qr(text, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=2, xmldecl=False, omitsize=True, dark="#000", light="#fff")
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as a ``data:`` URI, which the print edition's fetcher allows."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode("ascii")
