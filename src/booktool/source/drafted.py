"""The mark ``booktool import`` leaves on every file it drafts, until an editor reviews it.

A drafted file holds, among the comments at its top (in a Markdown file, inside its front
matter), the line :data:`REVIEW_MARK`; the editor deletes that line once the file is reviewed.
A comment, not a key: chronology.yaml, figures.yaml and people.yaml are lists, with no top-level
mapping to hold one, and one mark for every kind of file is one thing to learn.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The line that marks a drafted file as not yet reviewed.
REVIEW_MARK = "# booktool: draft, not yet reviewed (delete this line once you have reviewed it)"
_MARK = re.compile(r"^\s*#\s*booktool:\s*draft\b", re.IGNORECASE)
#: Bytes read from the top of a file: the mark is among its first comments.
_HEAD_BYTES = 4096


def review_mark_line(path: Path) -> int | None:
    """The 1-based line of the review mark among the file's leading comments, or None."""
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(head.lstrip("\ufeff").splitlines(), start=1):
        if _MARK.match(line):
            return number
        stripped = line.strip()
        if stripped and stripped != "---" and not stripped.startswith("#"):
            return None  # past the leading comments
    return None
