"""Where in a Markdown file a thing pandoc read was written.

pandoc's Markdown reader keeps no source positions (``+sourcepos`` is for its CommonMark
readers only), so what a later stage finds wrong in the HTML is placed by finding how it was
written: the n-th thing found wrong of a kind is the n-th place it is written (code blanked
out, where nothing is HTML, a link or a citation), and a link by its destination as pandoc
reads it (escapes, entities and percent-encoding undone).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import unquote

#: Code in Markdown, where a tag or a link is text, not HTML: fenced blocks and inline spans.
_CODE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[`~]*[ \t]*$|(`+)[^`\n].*?\2", re.M | re.S
)


def _mask_code(text: str) -> str:
    """``text`` with its code blanked out, line breaks kept (so lines still count)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


class Locator:
    """Finds the source line of the n-th occurrence of a pattern in one Markdown file (its code
    blanked out: pandoc escapes what is in code, so it never counts there)."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = _mask_code(text)
        self.raw = text
        self.first_line = first_line
        self.seen: Counter[str] = Counter()

    def line(self, pattern: str) -> int | None:
        matches = list(re.finditer(pattern, self.text, re.IGNORECASE))
        if not matches:
            return None
        index = min(self.seen[pattern], len(matches) - 1)
        self.seen[pattern] += 1
        return self.text.count("\n", 0, matches[index].start()) + self.first_line

    def literal(self, needle: str) -> int | None:
        return self.line(re.escape(needle))

    def url(self, url: str) -> int | None:
        """The line of a link's address as the author wrote it: pandoc may have escaped or
        percent-encoded it."""
        line = self.written_url(url)
        if line is not None or not url.strip():
            return line
        for written in dict.fromkeys((url, unquote(url), url.replace("%5C", "\\"))):
            line = self.literal(written)
            if line is not None:
                return line
        parts = unquote(url).split()  # white space as written may be tabs or line breaks
        return self.line(r"\s+".join(map(re.escape, parts))) if len(parts) > 1 else None

    def written_url(self, url: str) -> int | None:
        """The line of the n-th link destination that reads as ``url`` once pandoc has read
        it: backslash escapes and entities undone, percent-encoding compared decoded, white
        space as one space."""
        wanted = _read_url(url)
        if not wanted:  # ``[a]()``, ``[a](<>)`` or a reference defined as nothing
            return self.line(r"(?m)\]\(\s*(?:<>)?\s*\)|^ {0,3}\[[^\]\n]+\]:[ \t]*$")
        # In the text with its code blanked out; else as written (a backtick inside an
        # autolink looks like the start of code to the blanking).
        for text in (self.text, self.raw):
            places = sorted(
                {
                    match.start()
                    for pattern in _DESTINATIONS
                    for match in pattern.finditer(text)
                    if _read_url(next(g for g in match.groups() if g is not None)) == wanted
                }
            )
            if places:
                break
        else:
            return None
        key = f"url:{wanted}"
        index = min(self.seen[key], len(places) - 1)
        self.seen[key] += 1
        return self.text.count("\n", 0, places[index]) + self.first_line


#: A link destination as written: inline ``](dest`` (its first word, or all that stands
#: between the parentheses), autolink ``<dest>``, a reference definition ``[label]: dest``, or
#: a raw HTML ``href="dest"``; each pattern has one group that matches.
_DESTINATIONS = [
    re.compile(r"\]\(\s*(?:<([^>\n]*)>|((?:\\.|[^\s()\\]|\([^\s()]*\))*))"),
    re.compile(r"\]\(\s*([^()]*?)\s*\)"),
    re.compile(r"<([a-z][a-z0-9+.-]{1,31}:[^\s<>]*)>", re.IGNORECASE),
    re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\n?[ \t]*(?:<([^>\n]*)>|(\S+))", re.MULTILINE),
    re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE),
]


def _read_url(written: str) -> str:
    """A destination as pandoc reads it, for comparison: escapes and entities undone,
    percent-encoding decoded, white space collapsed."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", written)
    return " ".join(unquote(html.unescape(text)).split())
