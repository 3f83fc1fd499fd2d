"""``sources.yaml``: the bibliography, as CSL items that pandoc's citeproc formats.

Each source has an ``id`` (cited in Markdown as ``[@id]``), a CSL ``type``, a ``title`` and the
usual CSL fields. Names are written ``Family, Given`` (or as one literal name).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from booktool.errors import Problem
from booktool.source.ids import id_problem
from booktool.source.schema import unknown_keys
from booktool.source.yamlio import LineDict, LineList

CSL_TYPES = {
    "book",
    "chapter",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "motion_picture",
    "broadcast",
    "webpage",
    "report",
    "thesis",
    "interview",
    "speech",
    "document",
    "dataset",
}
NAME_FIELDS = ("author", "editor", "translator", "director")
TEXT_FIELDS = (
    "title",
    "container-title",
    "publisher",
    "publisher-place",
    "url",
    "note",
    "medium",
    "genre",
    "edition",
    "volume",
    "page",
    "collection-title",
    "original-title",
)
_ISSUED = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
SOURCE_KEYS = {"id", "type", "issued", *NAME_FIELDS, *TEXT_FIELDS}


def _names(value: Any) -> list[dict[str, str]]:
    names = value if isinstance(value, list) else [value]
    result = []
    for name in names:
        text = str(name).strip()
        family, sep, given = text.partition(",")
        result.append(
            {"family": family.strip(), "given": given.strip()} if sep else {"literal": text}
        )
    return result


def read_sources(data: Any, path: Path, problems: list[Problem]) -> list[dict[str, Any]]:
    """CSL items from sources.yaml, checked; problems are appended, not raised."""
    if data is None:
        return []
    if not isinstance(data, LineList):
        problems.append(
            Problem(
                path,
                1,
                "sources.yaml must be a list of sources",
                "write '- id: …' items",
                code="source",
            )
        )
        return []
    items: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        line = data.line_of(index)
        if not isinstance(entry, LineDict):
            problems.append(Problem(path, line, "a source must be a mapping", code="source"))
            continue
        before = len(problems)
        problems += unknown_keys(entry, sorted(SOURCE_KEYS), "a source", path)
        for key in ("id", "type", "title"):
            if not entry.get(key):
                problems.append(
                    Problem(path, entry.line_of(key), f"a source needs '{key}'", code="missing-key")
                )
        if entry.get("type") and entry["type"] not in CSL_TYPES:
            problems.append(
                Problem(
                    path,
                    entry.line_of("type"),
                    f"source type '{entry['type']}' is not a CSL type",
                    f"use one of {', '.join(sorted(CSL_TYPES))}",
                    code="source",
                )
            )
        source_id = str(entry.get("id", ""))
        if entry.get("id") and (bad := id_problem(path, entry.line_of("id"), "source", source_id)):
            problems.append(bad)
        if source_id in seen:
            problems.append(
                Problem(
                    path,
                    entry.line_of("id"),
                    f"source id '{source_id}' is used twice (first on line {seen[source_id]})",
                    code="duplicate-id",
                )
            )
        seen.setdefault(source_id, line)
        issued = entry.get("issued")
        if issued is not None and not _ISSUED.fullmatch(str(issued)):
            problems.append(
                Problem(
                    path,
                    entry.line_of("issued"),
                    f"issued '{issued}' is not a date",
                    "write a year, or YYYY-MM-DD",
                    code="source",
                )
            )
        if len(problems) > before:
            continue
        item: dict[str, Any] = {"id": source_id, "type": entry["type"]}
        for key in TEXT_FIELDS:
            if entry.get(key) is not None:
                item[key] = str(entry[key])
        for key in NAME_FIELDS:
            if entry.get(key):
                item[key] = _names(entry[key])
        if entry.get("issued") is not None:
            item["issued"] = str(entry["issued"])
        items.append(item)
    return items
