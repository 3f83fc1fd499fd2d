"""The only way WeasyPrint may load anything: layout files and the manuscript's own media.

Imported only when a PDF is rendered (it imports WeasyPrint).

Documents are rendered against a base URL on a reserved ``.invalid`` host that cannot resolve;
the fetcher answers for it from the layout chain and the manuscript's media, allows ``data:``
URLs, and refuses everything else (``file://``, other hosts), recording what it refused.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from booktool.layouts import BASE_URL, Layouts


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher confined to the project's layouts and manuscript media."""

    def __init__(self, layouts: Layouts, media: dict[str, Path]) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.layouts = layouts
        self.media = media
        self.refused: list[str] = []
        #: The names it served (layout files, media), for the build cache's digest.
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(BASE_URL):
            name = unquote(urlsplit(url).path).lstrip("/")
            path = self.media.get(name) or self.layouts.find(name)
            if path is not None:
                self.served.append(name)
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        self.refused.append(url)
        raise ValueError(f"booktool does not load {url}")
