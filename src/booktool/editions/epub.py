"""The EPUB 3 edition, one step per method: metadata, manifest, spine, navigation, package.

ebooklib assembles the package; :mod:`booktool.editions.ebooklib_patches` writes it with
``xml:lang`` on the package element, booktool's navigation document and fixed timestamps on
every zip entry, so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ebooklib import epub
from lxml import etree

from booktool.editions.accessibility import Contents
from booktool.editions.base import Edition, Made, PageCallback
from booktool.editions.cover import cover_picture
from booktool.editions.ebooklib_patches import write_package
from booktool.editions.epubfonts import BOOK_FACES, EmbeddedFonts, embedded_fonts, font_media_type
from booktool.editions.impose import HALF_SIZES
from booktool.editions.layoutcheck import check_document, check_stylesheet
from booktool.editions.pagemap import EPUB_NS, XHTML_NS, PageStart, place_markers, resolve_starts
from booktool.editions.scriptfonts import installed_stamp
from booktool.errors import Problem, RenderError
from booktool.model.notes import epub_notes
from booktool.model.views import INTRODUCTION_FILE, LOF_FILE, SOURCES_FILE
from booktool.source.images import media_type

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = "application/xhtml+xml"
#: The cover picture in the package.
COVER_FILE = "cover.png"


def finish_nav(nav: bytes, pages: PageList, landmarks_title: str, direction: str = "ltr") -> bytes:
    """ebooklib's navigation document made booktool's: ``h1`` headings, the contents styled
    as the print contents are (``.contents``: the labels carry the numbers, the lists none),
    the landmarks for reading systems only (``hidden``), the contents' ids and page markers
    where the print edition's contents pages begin, the ``page-list``, and ``dir="rtl"`` on
    its root in a right-to-left book (as on every other document)."""
    tree = etree.fromstring(nav)
    if direction == "rtl":
        tree.set("dir", "rtl")
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    typed = ns | {"epub": EPUB_NS}
    for heading in tree.iterfind(".//x:nav/x:h2", ns):
        heading.tag = "{http://www.w3.org/1999/xhtml}h1"
    for landmarks in tree.iterfind(".//x:nav[@epub:type='landmarks']", typed):
        landmarks.set("hidden", "hidden")
        for heading in landmarks.iterfind("x:h1", ns):
            heading.text = landmarks_title
    toc = tree.find(".//x:nav[@epub:type='toc']", typed)
    if toc is not None:
        toc.set("class", " ".join([*(toc.get("class") or "").split(), "contents"]))
    if toc is not None and pages.in_nav:
        toc.set("id", CONTENTS_ANCHORS[0])
        title = toc.find("x:h1", ns)
        if title is not None:
            title.set("id", CONTENTS_ANCHORS[1])
        place_markers(tree, pages.in_nav, pages.name)
    if pages.entries:
        body = tree.find("x:body", ns)
        assert body is not None
        body.append(etree.fromstring(pages.nav_markup()))
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")


#: The print edition's contents (its list and its heading), whose EPUB counterpart is the
#: navigation document's table of contents.
CONTENTS_ANCHORS = ("contents", "contents-title")


@dataclass
class PageList:
    """The printed pages in the EPUB: where each marker went, and those for the nav document."""

    #: The page list's heading, and a page's name ("page 7"), in the book's language.
    title: str
    name: Callable[[int], str]
    entries: list[tuple[int, str]] = field(default_factory=list)
    in_nav: list[PageStart] = field(default_factory=list)

    def nav_markup(self) -> str:
        """The navigation document's ``page-list``: one link per printed page."""
        items = "".join(
            f'<li><a href="{escape(href)}">{page}</a></li>' for page, href in self.entries
        )
        return (
            f'<nav xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" epub:type="page-list" '
            f'id="page-list" hidden="hidden"><h2>{escape(self.title)}</h2><ol>{items}</ol></nav>'
        )


@dataclass(frozen=True)
class EpubDocument:
    """One XHTML document of the package, rendered from the layouts."""

    uid: str
    file_name: str
    title: str
    content: str


class EpubEdition(Edition):
    """Builds the EPUB 3 package from the shared layouts."""

    format = "epub"
    tool = "ebooklib"
    page_references = False
    #: The layout files every EPUB carries.
    STYLESHEETS = ("book.css", "epub.css")

    def setup(self) -> None:
        self.package = epub.EpubBook()
        self.documents_by_uid: dict[str, epub.EpubItem] = {}
        self.pages = PageList(self.words("pages"), self.page_name)

    def href(self, file: str, anchor: str) -> str:
        return f"{file}#{anchor}"

    def finish_notes(self, root: etree._Element) -> None:
        self.next_note = epub_notes(root, self.next_note)

    def finish_blocks(self, root: etree._Element) -> None:
        """Reading systems number lists and wrap table cells themselves; a passage in another
        language says so as XML does too (``xml:lang`` beside ``lang``, as EPUB 3 asks)."""
        for element in root.iter():
            if isinstance(element.tag, str) and element.get("lang"):
                element.set(XML_LANG, str(element.get("lang")))

    @functools.cached_property
    def cover(self) -> bytes:
        """The cover picture (PNG): the print edition's cover page, drawn (or from the cache)."""
        return cover_picture(self, self.cache)

    def _rendered(
        self, uid: str, file: str, label: str, template: str, **context: object
    ) -> EpubDocument:
        content = self.render(template, **context)
        check_document(self.layouts, template, content)
        return EpubDocument(uid, file, label, content)

    @functools.cached_property
    def rendered(self) -> list[EpubDocument]:
        """The package's XHTML documents in reading order, each with its page-break markers."""
        return self.mark_pages(self.unmarked())

    def mark_pages(self, docs: list[EpubDocument]) -> list[EpubDocument]:
        """A ``pagebreak`` marker where each printed page begins, and the page list to match.

        A page whose place the EPUB lacks (the printed contents go to the navigation document)
        is marked where the next page that it has begins.
        """
        if not self.page_starts:
            return docs
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        trees = [etree.fromstring(doc.content.encode("utf-8"), parser) for doc in docs]
        ids = [{str(e.get("id")) for e in tree.iter() if e.get("id")} for tree in trees]
        known = set().union(*ids) | set(CONTENTS_ANCHORS)
        starts = resolve_starts(self.page_starts, known)
        in_nav = [s for s in starts if s.anchor in CONTENTS_ANCHORS]
        # The contents' heading at the top of its page: the marker goes before the whole nav.
        in_nav = [
            PageStart(s.page, CONTENTS_ANCHORS[0], 0, s.text)
            if s.anchor == CONTENTS_ANCHORS[1] and s.offset == 0
            else s
            for s in in_nav
        ]
        self.pages = PageList(self.words("pages"), self.page_name, in_nav=in_nav)
        placed: dict[int, str] = {s.page: "nav.xhtml" for s in self.pages.in_nav}
        marked = []
        for doc, tree, found in zip(docs, trees, ids, strict=True):
            pages = place_markers(tree, [s for s in starts if s.anchor in found], self.page_name)
            placed.update((page, doc.file_name) for page in pages)
            if pages:
                content = etree.tostring(
                    tree.getroottree(), encoding="unicode", doctype="<!DOCTYPE html>"
                )
                doc = EpubDocument(doc.uid, doc.file_name, doc.title, content)
            marked.append(doc)
        self.pages.entries = [(page, f"{placed[page]}#page-{page}") for page in sorted(placed)]
        return marked

    def unmarked(self) -> list[EpubDocument]:
        """The package's XHTML documents in reading order, from the cover to the back matter."""
        view = self.view
        docs = [
            self._rendered(
                "cover",
                "cover.xhtml",
                self.words("cover"),
                "epub-cover.xhtml",
                cover_alt=self.cover_alt,
                cover_image=COVER_FILE,
            ),
            self._rendered(
                "title-page", "title.xhtml", self.words("title_page"), "epub-title.xhtml"
            ),
        ]
        if view.figures:
            docs.append(
                self._rendered(
                    "figures-list",
                    LOF_FILE,
                    self.words("list_of_figures"),
                    "epub-part.xhtml",
                    part="_list_of_figures.html",
                    title=self.words("list_of_figures"),
                )
            )
        if view.introduction:
            docs.append(
                self._rendered(
                    "introduction",
                    INTRODUCTION_FILE,
                    view.introduction.title,
                    "epub-introduction.xhtml",
                )
            )
        for chapter in view.chapters:
            docs.append(
                self._rendered(
                    f"chapter-{chapter.number:02d}",
                    chapter.file_name,
                    chapter.title,
                    "epub-chapter.xhtml",
                    chapter=chapter,
                )
            )
        for key, part in view.parts.items():
            docs.append(
                self._rendered(
                    key,
                    part.file_name,
                    part.title,
                    "epub-part.xhtml",
                    part=part.template,
                    title=part.title,
                )
            )
        return docs

    def documents(self) -> list[str]:
        return [
            f"{COVER_FILE} {hashlib.sha256(self.cover).hexdigest()}",
            *(doc.content for doc in self.rendered),
            *(data.decode() for data in self.generated.values()),
        ]

    def settings(self) -> str:
        # The page list's source is named in the package (pageBreakSource), not a document.
        settings = f"{super().settings()} page_references={self.book.page_references}"
        if self.book.embed_fonts:
            settings += f" embed_fonts {installed_stamp(self.book.language)}"
        return settings

    def resources(self) -> list[str]:
        """The layout files and media the package carries."""
        fonts = [face[3] for face in BOOK_FACES] if self.book.embed_fonts else []
        return [*self.STYLESHEETS, *fonts, *sorted(self.book.media)]

    @functools.cached_property
    def embedded_fonts(self) -> EmbeddedFonts | None:
        """The fonts the package carries (book.yaml ``epub: {embed_fonts: true}``), if any."""
        if not self.book.embed_fonts:
            return None
        documents = [doc.content for doc in self.rendered]
        return embedded_fonts(self.layouts, self.book.language, documents)

    def make(self, on_page: PageCallback | None = None) -> Made:
        return Made(self.epub_bytes(), self.resources())

    def epub_bytes(self) -> bytes:
        self.metadata()
        self.manifest()
        self.spine()
        self.navigation()
        return self.write_package()

    def metadata(self) -> None:
        book, view, package = self.book, self.view, self.package
        package.set_identifier(book.identifier)
        package.set_title(view.title)
        package.set_language(book.language)
        for number, author in enumerate(book.authors, start=1):
            package.add_author(author, uid=f"creator{number}")
        package.add_metadata("DC", "date", book.date.isoformat())
        if view.source_line:
            package.add_metadata("DC", "source", view.source_line)
        elif self.page_starts:  # a page list names its pages' source (Ace: epub-pagesource)
            package.add_metadata("DC", "source", self.page_break_source)
        if view.subtitle:
            package.add_metadata("DC", "title", view.subtitle, {"id": "subtitle"})
            package.add_metadata(
                None, "meta", "subtitle", {"property": "title-type", "refines": "#subtitle"}
            )
        if book.publisher:
            package.add_metadata("DC", "publisher", book.publisher)
        if book.description:
            package.add_metadata("DC", "description", book.description)
        self.accessibility_metadata()

    @property
    def page_break_source(self) -> str:
        """The print edition the page list's numbers come from (book.yaml's
        ``page_references``): the PDF at the book's page size, or the half-size booklet."""
        if self.book.page_references == "booklet":
            half = HALF_SIZES.get(self.book.page_size, "A5")
            edition = self.words("booklet_a5" if half == "A5" else "booklet_half_letter")
        else:
            edition = self.view.page_size
        return self.words("print_source", identifier=self.book.identifier, edition=edition)

    def page_name(self, page: int) -> str:
        """A printed page's name for a screen reader: "page 7", in the book's language."""
        return self.words("page", number=page)

    def accessibility_metadata(self) -> None:
        """EPUB Accessibility 1.1: how the book can be read, what it offers, its page source."""
        contents = Contents.of(
            (doc.content for doc in self.rendered if doc.uid != "cover"),
            charts=any(f.chart for f in self.view.figures),
            page_list=bool(self.page_starts),
        )
        properties: list[tuple[str, str]] = [
            *[("schema:accessMode", mode) for mode in contents.access_modes()],
            ("schema:accessModeSufficient", "textual"),
            *[("schema:accessibilityFeature", feature) for feature in contents.features()],
            ("schema:accessibilityHazard", "none"),
            ("schema:accessibilitySummary", contents.summary(self.words)),
            ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
        ]
        if self.page_starts:
            properties.append(("pageBreakSource", self.page_break_source))
        for name, value in properties:
            self.package.add_metadata(None, "meta", value, {"property": name})

    def manifest(self) -> None:
        package = self.package
        fonts = self.embedded_fonts
        for name in self.STYLESHEETS:
            css = self.layouts.read(name)
            check_stylesheet(self.layouts, name, css.decode("utf-8", "replace"))
            if name == "epub.css" and fonts is not None:
                css += b"\n" + fonts.css.encode("utf-8")
            package.add_item(
                epub.EpubItem(
                    uid=name.replace(".", "-"), file_name=name, media_type="text/css", content=css
                )
            )
        for number, (href, data) in enumerate(sorted((fonts.files if fonts else {}).items()), 1):
            package.add_item(
                epub.EpubItem(
                    uid=f"font-{number}",
                    file_name=href,
                    media_type=font_media_type(data),
                    content=data,
                )
            )
        # What set_cover() adds, with the media type given: ebooklib would guess it, and its
        # first guess reads the system's MIME tables.
        cover = epub.EpubCover(file_name=COVER_FILE)
        cover.media_type, cover.content = "image/png", self.cover
        package.add_item(cover)
        package.add_metadata(None, "meta", "", {"name": "cover", "content": cover.get_id()})
        for doc in self.rendered:
            item = epub.EpubItem(
                uid=doc.uid,
                file_name=doc.file_name,
                media_type=XHTML,
                content=doc.content.encode("utf-8"),
            )
            item.title = doc.title
            # Formulas and inline charts: reading systems are told (OPF-014).
            item.properties = [
                name
                for name, mark in (("mathml", "</math>"), ("svg", "</svg>"))
                if mark in doc.content
            ]
            package.add_item(item)
            self.documents_by_uid[doc.uid] = item
        for number, (href, data) in enumerate(sorted(self.media_bytes().items()), start=1):
            package.add_item(
                epub.EpubItem(
                    uid=f"media-{number}",
                    file_name=href,
                    media_type=media_type(href),
                    content=data,
                )
            )
        package.add_item(epub.EpubNcx())
        nav = epub.EpubNav(title=self.words("contents"))
        nav.add_link(href="book.css", rel="stylesheet", type="text/css")
        package.add_item(nav)

    def spine(self) -> None:
        docs = self.documents_by_uid
        front = [(docs["cover"], "no"), docs["title-page"], "nav"]
        rest = [item for uid, item in docs.items() if uid not in ("cover", "title-page")]
        self.package.spine = front + rest
        if self.view.direction == "rtl":  # the spine's page-progression-direction
            self.package.set_direction("rtl")

    def navigation(self) -> None:
        view = self.view
        toc: list[Any] = []
        if view.figures:
            toc.append(epub.Link(LOF_FILE, self.words("list_of_figures"), "toc-figures-list"))
        if view.introduction:
            toc.append(epub.Link(INTRODUCTION_FILE, view.introduction.title, "toc-introduction"))
        for chapter in view.chapters:
            label = f"{chapter.number}. {chapter.title}"
            links = [
                epub.Link(f"{chapter.file_name}#{s.anchor}", s.title, f"toc-{s.anchor}")
                for s in chapter.listed_sections
            ]
            if links:
                toc.append((epub.Section(label, chapter.file_name), links))
            else:  # no nested list: an empty one makes the nav invalid
                toc.append(epub.Link(chapter.file_name, label, f"toc-{chapter.anchor}"))
        for part in view.parts.values():
            toc.append(epub.Link(part.file_name, part.title, f"toc-{part.anchor}"))
        self.package.toc = toc
        first = INTRODUCTION_FILE if view.introduction else view.chapters[0].file_name
        guide = [
            {"href": "cover.xhtml", "title": self.words("cover"), "type": "cover"},
            {"href": "nav.xhtml", "title": self.words("contents"), "type": "toc"},
            {"href": first, "title": self.words("start_of_content"), "type": "text"},
        ]
        if "sources" in view.parts:
            bibliography = self.words("bibliography")
            guide.append({"href": SOURCES_FILE, "title": bibliography, "type": "bibliography"})
        self.package.guide = guide

    def write_package(self) -> bytes:
        pages, direction = self.pages, self.view.direction
        try:
            return write_package(
                self.package,
                self.book.language,
                self.moment,
                lambda nav: finish_nav(nav, pages, self.words("landmarks"), direction),
            )
        except (OSError, ValueError) as exc:
            raise RenderError(
                Problem(None, None, f"could not write the EPUB: {exc}", code="epub-write")
            ) from exc
