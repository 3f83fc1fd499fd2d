"""Rules on the Markdown of the segments and the introduction themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator

from booktool.checks.base import Finding
from booktool.source.manuscript import Manuscript

#: The deepest Markdown heading the book can show: segments sit under the chapter (h1) and the
#: section (h2) headings, so ``#`` is h3 and ``####`` is h6, HTML's last level.
DEEPEST = 4
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def headings_too_deep(manuscript: Manuscript) -> Iterator[Finding]:
    """A Markdown heading nested deeper than the book can show (once a file)."""
    for file in manuscript.markdown_files:
        fence = ""
        for number, line in enumerate(file.body.split("\n"), start=file.body_line):
            opened = _FENCE.match(line)
            if opened and (not fence or opened.group(1).startswith(fence)):
                fence = "" if fence else opened.group(1)[0] * 3
                continue
            heading = None if fence else _ATX.match(line)
            if heading and len(heading.group(1)) > DEEPEST:
                level = len(heading.group(1))
                yield Finding(
                    file.path,
                    number,
                    f"a level-{level} heading ({'#' * level}) is deeper than the book can show: "
                    f"it prints like a level-{DEEPEST} one ({'#' * DEEPEST})",
                    f"use at most {'#' * DEEPEST} in a segment",
                )
                break
