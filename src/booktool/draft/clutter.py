"""A pasted summary page's clutter: the site's heading, the video's URL, notices, the time range."""

from __future__ import annotations

import re

from booktool.draft.model import Pasted
from booktool.model.timelinks import url_problem
from booktool.source.timecode import parse_timecode

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)
_URL_LINE = re.compile(
    r"^\s*(?:(?:source|url|link|video)\s*:\s*)?(?P<url>(?:https?://|www\.)\S+)\s*$", re.I
)
_SUMMARY_OF = re.compile(r"^\s*(?:#+\s*)?summary\s+(?:of|for)\b", re.IGNORECASE)
_NOTICE = re.compile(
    r"\b(?:ai[- ]generated|generated\s+(?:by|with|using)\s+(?:ai|an?\s+ai|chatgpt|gpt)|"
    r"summary\s+(?:was\s+)?generated|(?:powered|summari[sz]ed)\s+by\s+\w+|"
    r"may\s+contain\s+(?:errors|inaccuracies))\b",
    re.IGNORECASE,
)
_RANGE_LINE = re.compile(
    r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:-|–|—|to)\s*\d{1,2}:\d{2}(?::\d{2})?\s*$"
)
_BULLET = re.compile(r"^\s*(?:[•*\-–]\s*)?\d{1,2}:\d{2}(?::\d{2})?\s+\S")


def clean_pasted(text: str) -> Pasted:
    """The page without the lines a summary site adds around a summary; the video's URL kept.

    Only short lines outside the bullets are looked at: a line of the summary itself is never
    dropped for mentioning a URL or the word "summary".
    """
    url: str | None = None
    dropped: list[str] = []
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if _RANGE_LINE.match(stripped):
            dropped.append(stripped)
            continue
        if not stripped or _BULLET.match(line) or len(stripped) > 200:
            kept.append(line)
            continue
        url_line = _URL_LINE.match(stripped)
        if url_line:
            url = url or url_line.group("url").rstrip(".,;")
            dropped.append(stripped)
            continue
        if _SUMMARY_OF.match(stripped) or _NOTICE.search(stripped):
            found = _URL.search(stripped)
            if found and url is None:
                url = found.group(0).rstrip(".,;")
            dropped.append(stripped)
            continue
        kept.append(line)
    cleaned = "\n".join(kept).strip("\n")
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return Pasted(text=cleaned, url=web_address(url), dropped=dropped)


def web_address(url: str | None) -> str | None:
    """A pasted URL as ``source.url`` takes it: ``www.…`` given its ``https://``; one that is
    still no http(s) address is left out (book.yaml would refuse it)."""
    if url is not None and url.lower().startswith("www."):
        url = "https://" + url
    return url if url is not None and url_problem(url) is None else None


_BULLET_LINE = re.compile(
    r"^\s*(?:[•*\-–]\s*)?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?P<text>\S.*)$"
)


def split_summary(text: str) -> tuple[Pasted, list[tuple[int, str]]]:
    """The cleaned page (its ``text`` the summary alone) and its (start second, bullet) pairs.

    A line that does not start a bullet continues the bullet before it.
    """
    pasted = clean_pasted(text)
    summary: list[str] = []
    segments: list[tuple[int, str]] = []
    for line in pasted.text.split("\n"):
        bullet = _BULLET_LINE.match(line)
        if bullet:
            segments.append((parse_timecode(bullet.group("time")), bullet.group("text").strip()))
        elif segments and line.strip():
            start, previous = segments[-1]
            segments[-1] = (start, f"{previous} {line.strip()}")
        elif not segments:
            summary.append(line)
    return Pasted("\n".join(summary).strip(), pasted.url, pasted.dropped), segments
