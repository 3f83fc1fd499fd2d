"""Links to a moment of the film: the source's URL made to start at a given second.

YouTube takes ``t=SECONDS`` in its query, Vimeo ``#t=SECONDSs`` in its fragment, and any other
address the W3C media fragment ``#t=SECONDS``. A ``source.time_link`` template in book.yaml
overrides the rule; it may hold only the placeholders of :data:`PLACEHOLDERS`, which booktool
substitutes itself (never ``str.format`` on what a manuscript wrote). :class:`FilmLinks` gives the
views (:mod:`booktool.model.views`) these links, or none when the book has no ``source.url``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from booktool.model.book import Source
from booktool.source.timecode import format_timecode, parse_timecode

#: What a ``time_link`` template may hold, and what each becomes.
PLACEHOLDERS = {
    "url": "the source's URL as written",
    "seconds": "the moment in whole seconds (e.g. 754)",
    "hms": "the moment as HH:MM:SS",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "player.vimeo.com"})
#: Characters no URL of the source may hold (they would end or break an attribute or a link).
_UNSAFE = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the source's address, or None: an absolute http(s) URL only."""
    if _UNSAFE.search(url):
        return f"'{url}' holds a space, a quotation mark or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as exc:
        return f"'{url}' is not a web address ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        return f"'{url}' is not an http(s) address ({scheme})"
    if not parts.hostname:
        return f"'{url}' names no host"
    return None


def template_problem(template: str) -> str | None:
    """Why ``template`` cannot be a ``time_link``, or None: known placeholders, no stray braces."""
    for match in _PLACEHOLDER.finditer(template):
        if match.group(1) not in PLACEHOLDERS:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            return f"'{{{match.group(1)}}}' is not a placeholder booktool knows ({known})"
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        return f"'{template}' has a brace that opens or closes no placeholder"
    if "{seconds}" not in template and "{hms}" not in template:
        return f"'{template}' names no moment ({{seconds}} or {{hms}})"
    return None


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _youtube(url: str, seconds: int) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(key, value) for key, value in query if key not in ("t", "start")]
    query.append(("t", str(seconds)))
    return urlunsplit(parts._replace(query=urlencode(query, safe=":/")))


def _with_fragment(url: str, fragment: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=fragment))


def moment_url(url: str, seconds: int, template: str | None = None) -> str:
    """The address of the film ``url`` at ``seconds``: by ``template`` if given, else by the
    host's rule (YouTube ``t=``, Vimeo ``#t=…s``, a media fragment ``#t=`` for any other)."""
    if template is not None:
        values = {"url": url, "seconds": str(seconds), "hms": format_timecode(seconds)}
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
    host = _host(url)
    if host in _YOUTUBE_HOSTS:
        return _youtube(url, seconds)
    if host in _VIMEO_HOSTS:
        return _with_fragment(url, f"t={seconds}s")
    return _with_fragment(url, f"t={seconds}")


#: Column headings of a figure's table whose cells, timestamps, link to the film.
MOMENT_COLUMNS = frozenset({"said at", "timestamp"})


@dataclass(frozen=True)
class MomentView:
    """A moment of the film: its timestamp as printed and the address that opens it there."""

    label: str
    href: str


@dataclass(frozen=True)
class CellView:
    """A cell of a figure's table; a timestamp links to the film (``href``) if it has a URL."""

    text: str
    href: str | None = None

    def __str__(self) -> str:
        return self.text


class FilmLinks:
    """The book's links into its film: none without ``source.url``."""

    def __init__(self, source: Source, smarten: Callable[[str], str]) -> None:
        """``smarten``: the book's typography, for a cell's text."""
        self.url = source.url
        self.smarten = smarten
        self.template = source.time_link

    def href(self, seconds: int) -> str | None:
        if self.url is None:
            return None
        return moment_url(self.url, seconds, self.template)

    def moment(self, seconds: int | None) -> MomentView | None:
        href = self.href(seconds) if seconds is not None else None
        return MomentView(format_timecode(seconds), href) if href and seconds is not None else None

    def cell(self, text: str) -> CellView:
        """A table cell, linked if the film has a URL and the text is a timestamp."""
        try:
            seconds = parse_timecode(text) if self.url else None
        except ValueError:
            seconds = None
        return CellView(self.smarten(text), self.href(seconds) if seconds is not None else None)
