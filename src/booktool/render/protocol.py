"""What the build and the render workers agree on: refused loads and links between parts."""

from __future__ import annotations

from dataclasses import dataclass

#: The URI scheme of a link to an anchor in another part: ``booktool-xref:anchor``.
XREF_SCHEME = "booktool-xref:"


@dataclass(frozen=True)
class Refusal:
    """A URL the fetcher would not serve: ``kind`` is remote, missing, outside, font or svg."""

    url: str
    kind: str
    reason: str = ""
    path: str | None = None
