"""The print HTML (``--format html``): the whole book as the one document WeasyPrint lays out.

The print editions (:mod:`booktool.editions.pdf`) lay this document out; written as is, it is
the HTML edition, for looking at what the PDF is made from.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from lxml import etree

from booktool.editions.base import Edition, Made, PageCallback
from booktool.editions.impose import HALF_SIZES

#: How the title page names each print edition, by the book's page size (keys of the words).
HANDOUT_NAMES = {"A4": "edition_a4", "A5": "edition_a5", "Letter": "edition_letter"}
BOOKLET_NAMES = {"A4": "booklet_a5", "A5": "booklet_a5", "Letter": "booklet_half_letter"}


class HtmlEdition(Edition):
    """The print document: notes at the foot of the page, page numbers in cross-references."""

    format = "html"
    page_references = True
    #: Which print edition this is, in book.yaml's ``page_references`` words.
    printed_as: ClassVar[str] = "handout"

    def page_note(self) -> str | None:
        """The title page's line when page references follow the other print edition and its
        pages are not this one's (a booklet of an A5 book has the handout's pages)."""
        book = self.book
        if self.printed_as == book.page_references:
            return None
        if HALF_SIZES.get(book.page_size) == book.page_size:
            return None
        names = {"handout": HANDOUT_NAMES, "booklet": BOOKLET_NAMES}
        this = self.words(names[self.printed_as].get(book.page_size, "edition_other"))
        other = self.words(names[book.page_references].get(book.page_size, "edition_other"))
        note = "page_note_page_list" if book.page_list else "page_note"
        return self.words(note, this=this, other=other)

    def finish_notes(self, root: etree._Element) -> None:
        """Notes at the foot of the page: each moved to its call, for ``float: footnote``."""
        from booktool.model.notes import print_notes

        print_notes(root)

    @property
    def page_rule(self) -> str:
        """The declarations of the print edition's ``@page`` rule: size, bleed, marks."""
        rule = [f"size: {self.options.page_size or self.view.page_size};"]
        if self.options.bleed:
            rule.append(f"bleed: {self.options.bleed};")
        if self.options.marks:
            rule.append("marks: crop cross;")
        return " ".join(rule)

    @functools.cached_property
    def print_document(self) -> str:
        """The whole book as one HTML document, as the print edition lays it out."""
        return self.render("print.html", page_rule=self.page_rule)

    def documents(self) -> list[str]:
        return [self.print_document, *super().documents()]

    def make(self, on_page: PageCallback | None = None) -> Made:
        """The print HTML, and beside it the files it loads by the names it gives them (its
        style sheets, their fonts, the images and charts), so that a browser opening it from
        ``build/`` styles it as the PDF is."""
        beside = self.loaded_files()
        return Made(self.print_document.encode("utf-8"), sorted(beside), beside=beside)

    def loaded_files(self) -> dict[str, bytes]:
        """The layout files print.html loads (its style sheets and the fonts they name) and
        the book's media, by the relative names the document uses."""
        from booktool.editions.layoutcheck import css_references

        files: dict[str, bytes] = {}
        for sheet in self.STYLESHEETS:
            css = self.layouts.read(sheet)
            files[sheet] = css
            for name in css_references(css.decode("utf-8", "replace")):
                if self.layouts.find(name) is not None:
                    files[name] = self.layouts.read(name)
        media = self.media_bytes()
        return files | {name: media[name] for name in sorted(media)}

    #: The style sheets print.html links.
    STYLESHEETS = ("book.css", "print.css")
