"""Timestamps kept left to right in a right-to-left book: ``dir="ltr"`` on the elements that
hold them.

In Arabic or Hebrew text a span such as ``00:15:00–00:20:00`` would be reordered by the bidi
algorithm (the dash between two numbers takes the text's direction). An element with a ``dir``
attribute is isolated from the text around it (HTML's ``bdi`` rule), in reading systems,
browsers and WeasyPrint alike; EPUB style sheets may not set ``direction`` or ``unicode-bidi``
(EPUBCheck CSS-001), so it is markup, added to booktool's own templates' output only in a
right-to-left book (a left-to-right book's documents stay byte for byte as they were).
"""

from __future__ import annotations

import re

#: The classes booktool's templates give the elements that hold a timestamp: links into the
#: film (section spans, chronology moments, "said at" cells), the sourcing notes' spans and
#: the time under a chapter's QR code; a section's span without a link ("span-time").
TIMESTAMP_CLASSES = ("film-moment", "span-time", "sourcing-span", "chapter-moment-time")
_START_TAG = re.compile(
    r'<(a|span)(?=\s)(?![^>]*\sdir=)([^>]*\sclass="(?:[^"]*\s)?(?:'
    + "|".join(TIMESTAMP_CLASSES)
    + r')(?:\s[^"]*)?")'
)


def isolate_timestamps(html: str) -> str:
    """``html`` with ``dir="ltr"`` on every element of :data:`TIMESTAMP_CLASSES` (one that
    has a ``dir`` already is left as it is)."""
    return _START_TAG.sub(r'<\1 dir="ltr"\2', html)
