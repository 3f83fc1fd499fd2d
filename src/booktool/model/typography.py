"""Typographic quotes for the plain-text strings of the manuscript (titles, names).

Bodies get the same treatment from pandoc's ``smart`` extension; this keeps titles consistent.
"""

from __future__ import annotations

import re

_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{—–-])"')
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{—–-])'")


def smarten(text: str) -> str:
    """Curly quotes and apostrophes in place of straight ones."""
    if "'" not in text and '"' not in text:
        return text  # most titles and cells: no pattern to run
    text = _APOSTROPHE.sub("’", text)
    text = _OPEN_DOUBLE.sub(r"\1“", text)
    text = _OPEN_SINGLE.sub(r"\1‘", text)
    return text.replace('"', "”").replace("'", "’")
