"""The comments that explain each key of a ``book.yaml`` that ``new`` or ``import`` writes.

One source: the schema's own description of every key (:data:`booktool.source.config.BOOK_KEYS`
and those of its sections), the words ``check`` uses too. :func:`comment_keys` puts each key's
description on the lines above its first appearance (a chapter's keys above the first
chapter's), indented as the key is; a key the schema does not describe (a key term) is left as
it is.
"""

from __future__ import annotations

import re
import textwrap

from booktool.source.config import (
    BOOK_KEYS,
    CHAPTER_KEYS,
    CHRONOLOGY_KEYS,
    EPUB_KEYS,
    LIMIT_KEYS,
    SOURCE_KEYS,
)

#: The sections whose keys are described, by the top-level key that opens them.
SECTIONS: dict[str, dict[str, str]] = {
    "source": SOURCE_KEYS,
    "limits": LIMIT_KEYS,
    "epub": EPUB_KEYS,
    "chronology": CHRONOLOGY_KEYS,
    "chapters": CHAPTER_KEYS,
}
#: A key at the start of a line: its indentation, a list item's dash, the key.
_KEY = re.compile(r"^( *)(- +)?([A-Za-z_][\w-]*):(?: |$)")
WIDTH = 96


def key_comment(description: str, indent: int) -> list[str]:
    """A key's description as comment lines, indented as the key is."""
    prefix = " " * indent + "# "
    return textwrap.wrap(
        description, WIDTH - len(prefix), initial_indent=prefix, subsequent_indent=prefix
    )


def described(section: str | None, key: str, indent: int) -> str | None:
    """What the schema says of ``key`` at ``indent`` in ``section`` (None at the top)."""
    if indent == 0 and section is None:
        return BOOK_KEYS.get(key)
    if section is not None and indent == 2:
        return SECTIONS.get(section, {}).get(key)
    return None


def comment_keys(text: str) -> str:
    """``text`` (a book.yaml) with each described key's comment above its first appearance,
    unless that comment is already there."""
    out: list[str] = []
    section: str | None = None
    done: set[tuple[str | None, str]] = set()
    for line in text.split("\n"):
        found = _KEY.match(line)
        if found is None:
            out.append(line)
            continue
        spaces, dash, key = found.groups()
        indent = len(spaces) + len(dash or "")
        if not spaces and not dash:
            section = None
        where = section if indent else None
        description = described(where, key, indent)
        if description is not None and (where, key) not in done:
            done.add((where, key))
            # A list item's first key: the comment goes above the item, at its dash.
            comment = key_comment(description, len(spaces))
            if out[-len(comment) :] != comment:
                out += comment
        out.append(line)
        if not spaces and not dash:
            section = key if key in SECTIONS else None
    return "\n".join(out)
