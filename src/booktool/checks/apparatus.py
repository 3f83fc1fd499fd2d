"""Rules on the study apparatus: the chronology's coverage and references that resolve."""

from __future__ import annotations

import re
from collections.abc import Iterator

from booktool.checks.base import Finding
from booktool.model.xrefs import PREFIXES
from booktool.source.chronology import dated_statements, years_covered
from booktool.source.manuscript import Manuscript

_REFERENCE = re.compile(r"(?<![\w@])(-?)@([^\W\d_][\w:.#$%&+?<>~/-]*[\w])")
_CROSSREF = re.compile(r"^(fig|chr|ch|sec):")


def years_missing_from_chronology(manuscript: Manuscript) -> Iterator[Finding]:
    """A year the text mentions that no chronology entry covers (nor ``ignore_years``)."""
    if not manuscript.apparatus.chronology:
        return
    covered = years_covered(manuscript.apparatus.chronology) | manuscript.config.ignore_years
    for segment in manuscript.segments.values():
        file = segment.file
        for found in dated_statements(segment.id, file.path, file.body, file.body_line):
            missing = [year for year in found.years if year not in covered]
            if missing:
                yield Finding(
                    file.path,
                    found.line,
                    f"{found.date} is mentioned but not in the chronology",
                    "add an entry to manuscript/chronology.yaml "
                    "(booktool chronology --suggest lists candidates), or list the year in "
                    "book.yaml's 'chronology: {ignore_years: [...]}' if it needs none",
                )


def _known_ids(manuscript: Manuscript) -> dict[str, set[str]]:
    apparatus = manuscript.apparatus
    return {
        "fig": {figure.id for figure in apparatus.figures},
        "chr": {entry.id for entry in apparatus.chronology},
        "ch": {chapter.id for chapter in manuscript.config.chapters},
        "sec": {*manuscript.segments, *(["introduction"] if manuscript.introduction else [])},
    }


def unresolved_references(manuscript: Manuscript) -> Iterator[Finding]:
    """A cross-reference ([@fig:id] …) or a citation ([@id]) whose id does not exist."""
    known = _known_ids(manuscript)
    sources = {str(ref["id"]) for ref in manuscript.apparatus.references}
    for file in manuscript.markdown_files:
        indented = _indented_code(file.body.split("\n"))
        in_code = False
        for offset, line in enumerate(file.body.split("\n")):
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            if in_code or offset in indented:
                continue
            for found in _REFERENCE.finditer(re.sub(r"`[^`]*`", lambda m: " " * len(m[0]), line)):
                if (
                    line[found.start() - 1 : found.start()] == "("
                    and line[found.end() :][:1] == ")"
                ):
                    continue  # an example list's label, (@good), not a citation
                key = found.group(2)
                kind = _CROSSREF.match(key)
                if kind:
                    ids = known[kind.group(1)]
                    if key.split(":", 1)[1] in ids:
                        continue
                    message = f"[@{key}] names {PREFIXES[kind.group(1)]} that does not exist"
                    prefix = kind.group(1)
                    listed = ", ".join(f"{prefix}:{i}" for i in sorted(ids))
                    hint = f"known: {listed}" if ids else "check the id"
                elif key in sources:
                    continue
                else:
                    message = f"[@{key}] cites a source that does not exist"
                    hint = (
                        "add it to manuscript/sources.yaml"
                        if sources
                        else "create manuscript/sources.yaml with this source"
                    )
                yield Finding(file.path, file.body_line + offset, message, hint, found.start() + 1)


_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d+[.)]|\(?[a-zA-Z@][.)])\s")


def _indented_code(lines: list[str]) -> set[int]:
    """The lines of indented code blocks: indented four spaces (or a tab) after a blank line,
    where the block before is no list (whose paragraphs are indented as well)."""
    code: set[int] = set()
    blank_before, in_list, in_block = True, False, False
    for number, line in enumerate(lines):
        if not line.strip():
            blank_before = True
            continue
        indented = line.startswith(("    ", "\t"))
        if indented and (in_block or (blank_before and not in_list)):
            code.add(number)
            in_block = True
        else:
            in_block = False
            if _LIST_ITEM.match(line):
                in_list = True
            elif not indented and blank_before:
                in_list = False
        blank_before = False
    return code
