"""The only way WeasyPrint may load anything: layout files and the manuscript's own media.

Documents are rendered against a base URL on a reserved ``.invalid`` host that cannot resolve;
the fetcher answers for it from the layout chain and the manuscript's media, allows ``data:``
URLs, and refuses everything else (``file://``, other hosts), recording what it refused.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from booktool.layouts import Layouts

BASE_URL = "https://booktool.invalid/"


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher confined to the project's layouts and manuscript media."""

    def __init__(self, layouts: Layouts, media: dict[str, bytes]) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.layouts = layouts
        self.media = media
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(BASE_URL):
            name = unquote(urlsplit(url).path).lstrip("/")
            data = self.media.get(name)
            if data is None and (path := self.layouts.find(name)) is not None:
                data = path.read_bytes()
            if data is not None:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, data, headers={"Content-Type": content_type})
        self.refused.append(url)
        raise ValueError(f"booktool does not load {url}")
