"""Ids and fragment links across the book's files.

pandoc prefixes the ids it writes and the ``#links`` an author writes with the file's own
prefix (``seg-02-``), so that files can share a page; ids in raw HTML it leaves alone, and a
link to a heading of another file then points at nothing. Here every id gets its file's
prefix, an id written twice in one file is an error naming both lines, and a fragment link is
resolved against the ids of the whole book: the author wrote the id their file sees.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from booktool.errors import Problem


@dataclass
class FileAnchors:
    """One file's cleaned HTML, the prefix of its ids, and how to find a line in its source."""

    root: etree._Element
    prefix: str
    source: str
    first_line: int

    def lines(self, pattern: str) -> list[int]:
        return [
            self.first_line + self.source.count("\n", 0, m.start())
            for m in re.finditer(pattern, self.source)
        ]


def prefix_ids(file: FileAnchors, path: Path) -> list[Problem]:
    """Give raw HTML's ids the file's prefix; an id written twice is an error naming both."""
    seen: defaultdict[str, int] = defaultdict(int)
    for element in file.root.iter():
        value = element.get("id") if isinstance(element.tag, str) else None
        if not value:
            continue
        if "footnotes" in (element.get("class") or "").split():
            del element.attrib["id"]  # pandoc's note block, one per paragraph: never linked to
            continue
        if file.prefix and not value.startswith(file.prefix):
            value = file.prefix + value
            element.set("id", value)
        seen[value] += 1
    problems = []
    for value, count in seen.items():
        if count < 2:
            continue
        name = value.removeprefix(file.prefix)
        escaped = re.escape(name)
        lines = sorted(set(file.lines(rf"\{{#{escaped}[\s}}]|\bid\s*=\s*[\"']?{escaped}\b")))
        where = " and ".join(str(line) for line in lines[:2]) if len(lines) > 1 else None
        problems.append(
            Problem(
                path,
                lines[0] if lines else None,
                f"the id '{name}' is given twice" + (f" (lines {where})" if where else ""),
                "give each heading or element its own id",
                code="duplicate-id",
            )
        )
    return problems


def resolve_links(files: dict[Path, FileAnchors]) -> list[Problem]:
    """Point each ``#fragment`` link at the id it names anywhere in the book (its own file's
    first, then the one other file that has it); a link to no id is an error."""
    ids: set[str] = set()
    by_name: defaultdict[str, list[str]] = defaultdict(list)
    for file in files.values():
        for element in file.root.iter():
            value = element.get("id") if isinstance(element.tag, str) else None
            if value:
                ids.add(value)
                by_name[value.removeprefix(file.prefix)].append(value)
    problems = []
    for path, file in files.items():
        for link in file.root.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#") or href[1:] in ids:
                continue
            name = href[1:].removeprefix(file.prefix)
            found = sorted(set(by_name.get(name, [])))
            if len(found) == 1:
                link.set("href", f"#{found[0]}")
                continue
            lines = file.lines(rf"\]\(#{re.escape(name)}\)|href\s*=\s*[\"']#{re.escape(name)}")
            problems.append(
                Problem(
                    path,
                    lines[0] if lines else None,
                    f"the link to '#{name}' points at no heading or id in the book"
                    if not found
                    else f"the link to '#{name}' could mean {len(found)} places in the book",
                    "link to an existing heading's id, or give the target an {#id}",
                    code="unresolved-reference",
                )
            )
    return problems
