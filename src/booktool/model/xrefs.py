"""Cross-references: ``[@fig:id]``, ``[@chr:id]``, ``[@ch:id]`` and ``[@sec:id]``.

pandoc's Lua filter leaves each as ``<span class="xref" data-ref="fig:id">``; here every
reference is checked against the book's targets (an unknown id is an error naming the file and
line), and each edition resolves the spans into links with its own hrefs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from booktool.errors import Problem
from booktool.model.book import Book
from booktool.source.locator import Locator

if TYPE_CHECKING:
    from booktool.language.words import Words

PREFIXES = {"fig": "a figure", "chr": "a chronology entry", "ch": "a chapter", "sec": "a section"}
EPUB_NS = "http://www.idpf.org/2007/ops"
_WRAP = f'<div xmlns:epub="{EPUB_NS}">'


@dataclass(frozen=True)
class Target:
    """Something a cross-reference can point at, and where each edition puts it."""

    key: str
    anchor: str
    label: str
    file: str


def chapter_file(number: int) -> str:
    return f"chapter-{number:02d}.xhtml"


def targets(book: Book, words: Words) -> dict[str, Target]:
    """Every cross-reference target of the book, by ``kind:id``, labelled in its language."""
    smarten = words.typography.smarten
    found: dict[str, Target] = {}
    for figure in book.figures:
        found[f"fig:{figure.id}"] = Target(
            f"fig:{figure.id}",
            f"fig-{figure.id}",
            words("figure", number=figure.number),
            "figures.xhtml",
        )
    for entry in book.chronology:
        found[f"chr:{entry.id}"] = Target(
            f"chr:{entry.id}",
            f"chr-{entry.id}",
            words("chronology_entry", chronology=words("chronology"), date=words.date(entry.date)),
            "chronology.xhtml",
        )
    if book.introduction:
        found["sec:introduction"] = Target(
            "sec:introduction",
            "s-introduction",
            words("section_reference", title=smarten(book.introduction.title)),
            "introduction.xhtml",
        )
    for chapter in book.chapters:
        file = chapter_file(chapter.number)
        found[f"ch:{chapter.id}"] = Target(
            f"ch:{chapter.id}", f"ch-{chapter.id}", words("chapter", number=chapter.number), file
        )
        for section in chapter.sections:
            found[f"sec:{section.id}"] = Target(
                f"sec:{section.id}",
                f"s-{section.id}",
                words("section_reference", title=smarten(section.title)),
                file,
            )
    return found


def target_keys(book: Book) -> set[str]:
    """The ``kind:id`` of every cross-reference target (those :func:`targets` labels)."""
    keys = {f"fig:{f.id}" for f in book.figures} | {f"chr:{e.id}" for e in book.chronology}
    keys |= {"sec:introduction"} if book.introduction else set()
    keys |= {f"ch:{c.id}" for c in book.chapters}
    return keys | {f"sec:{s.id}" for c in book.chapters for s in c.sections}


def parse_fragment(html: str) -> etree._Element:
    """A fragment of cleaned XHTML as one wrapper element."""
    return etree.fromstring(f"{_WRAP}{html}</div>")


def serialise_fragment(root: etree._Element) -> str:
    text = etree.tostring(root, encoding="unicode")
    return re.sub(r"\A<div[^>]*>|</div>\Z", "", text)


def _key(key: str) -> str:
    """The pattern of ``@key`` written whole (not the start of a longer key), plain or braced."""
    return rf"(?<![\w@])@(?:{re.escape(key)}(?![\w:.#$%&+?<>~/-]*\w)|\{{{re.escape(key)}\}})"


def check_references(
    fragments: Iterable[tuple[Path, str, str, int]],
    known: Collection[str],
    citation_ids: set[str],
) -> list[Problem]:
    """Problems for every reference or citation to an unknown id.

    ``fragments`` are (path, converted html, Markdown source, first line of the source).
    """
    problems: list[Problem] = []
    for path, html, source, first_line in fragments:
        if "xref" not in html and "citation" not in html:
            continue
        root = parse_fragment(html)
        # The n-th reference to a key is placed at the n-th place it is written.
        places = Locator(source, first_line)
        for span in root.iter("span"):
            classes = (span.get("class") or "").split()
            if "xref" in classes:
                key = span.get("data-ref", "")
                if key not in known:
                    kind = PREFIXES.get(key.split(":", 1)[0], "a target")
                    same = sorted(k for k in known if k.startswith(key.split(":", 1)[0] + ":"))
                    hint = f"known: {', '.join(same)}" if same else "check the id"
                    problems.append(
                        Problem(
                            path,
                            places.line(_key(key)),
                            f"[@{key}] names {kind} that does not exist",
                            hint,
                            code="unresolved-reference",
                        )
                    )
            elif "citation" in classes:
                for cite in (span.get("data-cites") or "").split():
                    if cite not in citation_ids:
                        hint = (
                            "add it to manuscript/sources.yaml"
                            if citation_ids
                            else "create manuscript/sources.yaml with this source"
                        )
                        problems.append(
                            Problem(
                                path,
                                places.line(_key(cite)),
                                f"[@{cite}] cites a source that does not exist",
                                hint,
                                code="unresolved-reference",
                            )
                        )
    return problems


def resolve(
    root: etree._Element, known: dict[str, Target], href: Callable[[Target], str], page: bool
) -> None:
    """Turn every xref span under ``root`` into a link labelled like 'Figure A.1'."""
    for span in list(root.iter("span")):
        if "xref" not in (span.get("class") or "").split():
            continue
        target = known[span.get("data-ref", "")]
        link = etree.Element(
            "a", {"class": "xref page-ref" if page else "xref", "href": href(target)}
        )
        link.text = target.label
        link.tail = span.tail
        parent = span.getparent()
        assert parent is not None
        parent.replace(span, link)
