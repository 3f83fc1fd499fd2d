"""The only way WeasyPrint may load anything: layout files and the manuscript's own media.

Imported only when a PDF is rendered (it imports WeasyPrint).

Documents are rendered against a base URL on a reserved ``.invalid`` host that cannot resolve;
the fetcher answers for it from the layout chain and the manuscript's media, allows ``data:``
URLs, and refuses everything else (``file://``, other hosts, names that leave the chain or are
symlinks out of it), recording what it refused and why. Fonts are read with fontTools and SVG
files with defusedxml before WeasyPrint sees them: a corrupt font or an unsafe SVG is refused.
"""

from __future__ import annotations

import functools
import io
import mimetypes
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from booktool.editions.layouts import BASE_URL, Layouts
from booktool.render.protocol import Refusal
from booktool.source.svgsafe import svg_fault

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".woff", ".woff2", ".ttc", ".otc"})


def font_fault(data: bytes) -> str | None:
    """Why a font file cannot be used, or None if fontTools reads its tables.

    Remembered by the font's hash for the render worker's life: every part of the book loads
    the same fonts, and reading one is not free.
    """
    return _font_fault(data)


@functools.lru_cache(maxsize=32)
def _font_fault(data: bytes) -> str | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), fontNumber=0, lazy=False)
        missing = [table for table in ("cmap", "head", "hhea", "maxp") if table not in font]
        if missing:
            return f"it has no '{missing[0]}' table"
        font["cmap"].getBestCmap()
    except ImportError:  # a WOFF2 without brotli installed: leave it to WeasyPrint
        return None
    except (TTLibError, Exception) as exc:  # a corrupt file raises almost anything
        return f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return None


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher confined to the project's layouts and manuscript media."""

    def __init__(self, layouts: Layouts, media: dict[str, bytes]) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.layouts = layouts
        self.media = media
        self.refused: list[Refusal] = []
        #: The names it served (layout files, media), for the build cache's digest.
        self.served: list[str] = []

    def _refuse(self, refusal: Refusal) -> None:
        if refusal not in self.refused:
            self.refused.append(refusal)
        raise ValueError(f"booktool does not load {refusal.url}")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(BASE_URL):
            self._refuse(Refusal(url, "remote"))
        name = served = unquote(urlsplit(url).path).lstrip("/")
        data = self.media.get(name)
        if data is None:
            path = self.layouts.find(name)
            if path is None:
                kind = "outside" if self.layouts.leads_outside(name) else "missing"
                self._refuse(Refusal(url, kind, path=name))
            assert path is not None
            data = path.read_bytes()
            name = str(path)
        suffix = PurePath(name).suffix.lower()
        if suffix in FONT_SUFFIXES and (fault := font_fault(data)):
            self._refuse(Refusal(url, "font", fault, name))
        if suffix == ".svg" and (fault := svg_fault(data)):
            self._refuse(Refusal(url, "svg", fault, name))
        self.served.append(served)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, headers={"Content-Type": content_type})
