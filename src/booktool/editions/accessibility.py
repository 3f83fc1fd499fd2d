"""What the EPUB's accessibility metadata says, computed from what its documents hold.

EPUB Accessibility 1.1 asks a book to say how it can be read (``schema:accessMode``), what it
offers (``schema:accessibilityFeature``) and, in a sentence or two, what a reader will find
(``schema:accessibilitySummary``). Each claim here is made only when the rendered documents
carry what it names: a book without charts, tables or notes does not promise them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
EPUB_NS = "http://www.idpf.org/2007/ops"
if TYPE_CHECKING:
    from booktool.language.words import Words

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Contents:
    """What the reading documents (the cover left out: its picture is the title) hold."""

    images: bool = False
    charts: bool = False
    tables: bool = False
    lists: bool = False
    notes: bool = False
    formulas: bool = False
    page_list: bool = False

    @classmethod
    def of(cls, documents: Iterable[str], *, charts: bool, page_list: bool) -> Contents:
        """The contents of ``documents`` (XHTML); ``charts``: the figures include charts
        (drawn pictures each followed by a table of its data)."""
        found: set[str] = set()
        for document in documents:
            root = etree.fromstring(document.encode("utf-8"), _PARSER)
            for element in root.iter():
                tag = element.tag if isinstance(element.tag, str) else ""
                name = tag.rpartition("}")[2]
                if name in ("img", "svg"):  # a chart is drawn inline, its alt its aria-label
                    found.add("images")
                elif name == "table":
                    found.add("tables")
                elif name in ("ol", "ul", "dl"):
                    found.add("lists")
                elif name == "math":
                    found.add("formulas")
                elif element.get(f"{{{EPUB_NS}}}type") == "footnote":
                    found.add("notes")
        return cls(
            images="images" in found,
            charts=charts and "images" in found,
            tables="tables" in found,
            lists="lists" in found,
            notes="notes" in found,
            formulas="formulas" in found,
            page_list=page_list,
        )

    def access_modes(self) -> list[str]:
        return ["textual", "visual"] if self.images else ["textual"]

    def features(self) -> list[str]:
        """``schema:accessibilityFeature`` values, in a fixed order."""
        features = ["structuralNavigation", "tableOfContents", "readingOrder"]
        features += ["alternativeText"] if self.images else []
        features += ["longDescription"] if self.charts else []
        features += ["MathML"] if self.formulas else []
        features += ["pageBreakMarkers", "pageNavigation"] if self.page_list else []
        return features

    def summary(self, words: Words) -> str:
        """The book's accessibility in one paragraph, for ``schema:accessibilitySummary``, in
        the book's language."""
        structure = ["a11y_headings", *(["a11y_lists"] if self.lists else [])]
        structure += ["a11y_tables"] if self.tables else []
        sentences = [words("a11y_structure", parts=words.names(words(s) for s in structure))]
        if self.images:
            sentences.append(words("a11y_images_charts" if self.charts else "a11y_images"))
        if self.formulas:
            sentences.append(words("a11y_formulas"))
        if self.notes:
            sentences.append(words("a11y_notes"))
        if self.page_list:
            sentences.append(words("a11y_page_list"))
        sentences.append(words("a11y_conformance"))
        return words("sentence_separator").join(sentences)
