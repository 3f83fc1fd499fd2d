"""Footnotes, per edition: at the foot of the page in print, linked notes in the EPUB.

pandoc leaves each note in an ``<aside class="footnotes">`` after the block that calls it.
Both editions number notes through the whole book in reading order, so note 7 is note 7 in
either.
"""

from __future__ import annotations

import copy

from lxml import etree

from booktool.model.xrefs import EPUB_NS


def _notes(root: etree._Element) -> dict[str, etree._Element]:
    """pandoc's notes under ``root`` by id, removed from their asides."""
    notes: dict[str, etree._Element] = {}
    for aside in list(root.iter("aside")):
        if "footnotes" not in (aside.get("class") or "").split():
            continue
        for item in aside.iter("li"):
            for back in item.findall(".//a[@role='doc-backlink']"):
                _drop(back)
            notes[item.get("id", "")] = item
        parent = aside.getparent()
        assert parent is not None
        _drop(aside)
    return notes


def _drop(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it."""
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _calls(root: etree._Element) -> list[etree._Element]:
    return [a for a in root.iter("a") if "footnote-ref" in (a.get("class") or "").split()]


def print_notes(root: etree._Element) -> None:
    """Move each note to where it is called, as a ``float: footnote`` span."""
    notes = _notes(root)
    for call in _calls(root):
        note = notes.get(call.get("href", "").lstrip("#"))
        span = etree.Element("span", {"class": "footnote"})
        if note is not None:
            paragraphs = list(note) or [note]
            for index, paragraph in enumerate(paragraphs):
                if index:
                    etree.SubElement(span, "br")
                    span[-1].tail = paragraph.text
                elif paragraph.text:
                    span.text = (span.text or "") + paragraph.text
                for child in paragraph:
                    span.append(copy.deepcopy(child))
        span.tail = call.tail
        parent = call.getparent()
        assert parent is not None
        parent.replace(call, span)


def epub_notes(root: etree._Element, first: int) -> int:
    """Number notes from ``first`` as EPUB noterefs and footnote asides; returns the next."""
    notes = _notes(root)
    number = first
    for call in _calls(root):
        note = notes.get(call.get("href", "").lstrip("#"))
        label = str(number)
        call.attrib.clear()
        call.set("href", f"#note-{label}")
        call.set("id", f"noteref-{label}")
        call.set("class", "noteref")
        call.set(f"{{{EPUB_NS}}}type", "noteref")
        call.set("role", "doc-noteref")
        for child in list(call):
            call.remove(child)
        call.text = label
        block = call
        while (parent := block.getparent()) is not None and parent.getparent() is not None:
            block = parent
        aside = etree.Element(
            "aside",
            {
                "id": f"note-{label}",
                "class": "footnote",
                f"{{{EPUB_NS}}}type": "footnote",
                "role": "doc-footnote",
            },
        )
        body = list(note) if note is not None else []
        for index, paragraph in enumerate(body or [etree.Element("p")]):
            paragraph = copy.deepcopy(paragraph)
            if index == 0:
                back = etree.Element("a", {"href": f"#noteref-{label}", "role": "doc-backlink"})
                back.text = f"{label}."
                back.tail = " " + (paragraph.text or "")
                paragraph.text = None
                paragraph.insert(0, back)
            aside.append(paragraph)
        anchor = block
        while (following := anchor.getnext()) is not None and following.get("class") == "footnote":
            anchor = following
        anchor.addnext(aside)
        number += 1
    return number
