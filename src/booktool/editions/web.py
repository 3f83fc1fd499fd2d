"""The web edition (``--format web``): a folder of HTML pages that works from disk or any host.

One page per chapter, one for the front matter (title page, contents, list of figures), one per
part of the back matter and a search page: a chapter page is what a reader opens from the
contents, an edit rewrites only its own page, and the pages are the EPUB's documents, so the
shared partials, notes (under their paragraph) and cross-references (links between pages) serve
both. Each page is rendered from ``web-page.html``, then finished as a tree: links to an id on
another page made to point there, the charts' SVG put inline (so web.css colours them), and the
EPUB's ``epub:type`` attributes dropped.

Only ``search.html`` carries a script: booktool's own ``search.js`` (never a layout's) and its
prebuilt index ``search-index.js``. Nothing is loaded from outside the folder.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from booktool.editions.base import Edition, Made, PageCallback
from booktool.editions.layoutcheck import check_svg, css_faults, markup_faults
from booktool.editions.webfonts import FONTS, subset_woff2, woff2_name
from booktool.editions.websearch import search_index
from booktool.errors import InputError, Problem
from booktool.model.lists import VOID
from booktool.model.notes import epub_notes
from booktool.model.views import LOF_FILE, ChapterView, LinkView
from booktool.model.xrefs import EPUB_NS

XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
#: The layout files every web edition carries.
STYLESHEETS = ("book.css", "web.css")
#: The pages' icon (a layout file).
ICON = "favicon.svg"
#: The scripts a page may load, all booktool's own, and only on the search page.
SCRIPTS = ("search-index.js", "search.js")
#: What a page template may hold that a book's other documents may not: the search form.
_PAGE_ELEMENTS = ("<form", "<input", "<button")


def web_file(file: str) -> str:
    """The web page that holds what the EPUB puts in document ``file``."""
    if file == LOF_FILE:
        return "index.html"
    return file.removesuffix(".xhtml") + ".html"


@dataclass(frozen=True)
class WebPage:
    """One page of the web edition, as ``web-page.html`` sees it."""

    file: str
    title: str
    #: The shared partials the page shows, in order.
    partials: list[str]
    chapter: ChapterView | None = None
    previous: LinkView | None = None
    next: LinkView | None = None
    search: bool = False
    #: What the pager calls it.
    label: str = ""


class WebEdition(Edition):
    """Builds the web edition's folder from the shared layouts."""

    format = "web"
    tool = "lxml"
    page_references = False

    def href(self, file: str, anchor: str) -> str:
        return f"{web_file(file)}#{anchor}"

    def finish_notes(self, root: etree._Element) -> None:
        self.next_note = epub_notes(root, self.next_note)

    def finish_blocks(self, root: etree._Element) -> None:
        """Browsers number lists and wrap table cells themselves."""

    @functools.cached_property
    def pages(self) -> list[WebPage]:
        """Every page in reading order (the search page last), linked previous and next."""
        view = self.view
        front = ["_title_page.html", "_contents.html"]
        front += ["_list_of_figures.html"] if view.figures else []
        found = [WebPage("index.html", "", front, label=self.words("contents"))]
        if view.introduction:
            found.append(
                WebPage(
                    "introduction.html",
                    view.introduction.title,
                    ["_introduction.html"],
                    label=view.introduction.title,
                )
            )
        for chapter in view.chapters:
            title = self.words("labelled_title", label=chapter.label, title=chapter.title)
            found.append(
                WebPage(web_file(chapter.file_name), title, ["_chapter.html"], chapter, label=title)
            )
        for part in view.parts.values():
            found.append(
                WebPage(web_file(part.file_name), part.title, [part.template], label=part.title)
            )
        linked = []
        for number, page in enumerate(found):
            before = found[number - 1] if number else None
            after = found[number + 1] if number + 1 < len(found) else None
            linked.append(
                WebPage(
                    page.file,
                    page.title,
                    page.partials,
                    page.chapter,
                    LinkView(before.file, before.label) if before else None,
                    LinkView(after.file, after.label) if after else None,
                    label=page.label,
                )
            )
        search = self.words("search")
        linked.append(WebPage("search.html", search, [], search=True, label=search))
        return linked

    @functools.cached_property
    def trees(self) -> list[etree._Element]:
        """Each page rendered, checked and parsed, before its links are finished."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        trees = []
        for page in self.pages:
            content = self.render("web-page.html", page=page, chapter=page.chapter)
            check_page(self, content, page.search)
            trees.append(etree.fromstring(content.encode("utf-8"), parser))
        return trees

    @functools.cached_property
    def finished(self) -> dict[str, bytes]:
        """Every page's bytes, by file name."""
        ids: dict[str, str] = {}
        for page, tree in zip(self.pages, self.trees, strict=True):
            for element in tree.iter():
                if isinstance(element.tag, str) and element.get("id"):
                    ids.setdefault(str(element.get("id")), page.file)
        charts = self.charts
        out: dict[str, bytes] = {}
        for page, tree in zip(self.pages, self.trees, strict=True):
            link_across(tree, page.file, ids)
            inline_charts(tree, charts)
            drop_epub_attributes(tree)
            close_elements(tree)
            out[page.file] = serialise_page(tree)
        return out

    @functools.cached_property
    def charts(self) -> dict[str, etree._Element]:
        """The figures' charts (by the href an ``<img>`` would load) as SVG trees."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return {href: etree.fromstring(data, parser) for href, data in self.generated.items()}

    @functools.cached_property
    def search_script(self) -> bytes:
        return resources.files("booktool.editions").joinpath("webfiles/search.js").read_bytes()

    def index(self) -> bytes:
        """``search-index.js``: the words of every page but the search page."""
        self.finished  # noqa: B018  (the trees are finished first)
        return search_index(
            (page.file, page.title, tree)
            for page, tree in zip(self.pages, self.trees, strict=True)
            if not page.search
        )

    def text(self) -> str:
        """Every character the pages show, for the fonts' subsets."""
        return "".join(
            sorted({c for tree in self.trees for text in tree.itertext() for c in str(text)})
        )

    def stylesheets(self) -> dict[str, bytes]:
        """book.css and web.css from the layout chain, checked: they load only the fonts."""
        fonts = {woff2_name(font) for font in FONTS}
        sheets = {}
        for name in STYLESHEETS:
            css = self.layouts.read(name)
            faults = [
                (ref, message)
                for ref, message in css_faults(css.decode("utf-8", "replace"))
                if ref not in fonts
            ]
            if faults:
                raise InputError(
                    *[
                        Problem(
                            self.layouts.find(name),
                            None,
                            f"'{ref}' in {name}: the web edition carries no file for it",
                            "keep url() for the fonts web.css names",
                            code="unsafe-layout",
                        )
                        for ref, _ in faults
                    ]
                )
            sheets[name] = css
        return sheets

    def icon(self) -> bytes:
        """The pages' icon (browsers ask for one), from the layout chain, checked as SVG."""
        data = self.layouts.read(ICON)
        check_svg(self.layouts, ICON, data.decode("utf-8", "replace"))
        return data

    def fonts(self) -> dict[str, bytes]:
        text = self.text()
        return {woff2_name(font): subset_woff2(self.layouts.read(font), text) for font in FONTS}

    def documents(self) -> list[str]:
        return [
            *(data.decode() for data in self.finished.values()),
            self.search_script.decode(),
        ]

    def resources(self) -> list[str]:
        """The layout files and media the folder carries."""
        return [*STYLESHEETS, *FONTS, "fonts/OFL.txt", ICON, *sorted(self.book.media)]

    def make(self, on_page: PageCallback | None = None) -> Made:
        files = dict(self.finished)
        files["search-index.js"] = self.index()
        files["search.js"] = self.search_script
        files |= self.stylesheets()
        files |= self.fonts()
        files["fonts/OFL.txt"] = self.layouts.read("fonts/OFL.txt")
        files[ICON] = self.icon()
        media = {href: path.read_bytes() for href, path in self.book.media.items()}
        files |= {href: data for href, data in media.items() if href not in self.generated}
        return Made(b"", self.resources(), files=dict(sorted(files.items())))


def check_page(edition: Edition, content: str, search: bool) -> None:
    """InputError naming the layout if a page scripts or loads from outside the folder: the
    search form is allowed on every page, and booktool's own scripts on the search page."""
    faults = [
        (snippet, message)
        for snippet, message in markup_faults(content)
        if snippet not in _PAGE_ELEMENTS and not (search and snippet == "<script")
    ]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if not faults and search:
        root = etree.fromstring(content.encode("utf-8"), parser)
        for script in root.iter(f"{{{XHTML_NS}}}script", "script"):
            if script.get("src") not in SCRIPTS or (script.text or "").strip():
                faults.append(("<script", "a script in a layout: only booktool's search runs"))
    if faults:
        problems = []
        for snippet, message in faults:
            where = edition.layouts.locate(snippet)
            path, line = where if where else (edition.layouts.find("web-page.html"), None)
            problems.append(
                Problem(path, line, message, "remove it from the layout", code="unsafe-layout")
            )
        raise InputError(*problems)


def link_across(tree: etree._Element, file: str, ids: dict[str, str]) -> None:
    """A link to ``#id`` that is on another page made to point at that page."""
    own = {element.get("id") for element in tree.iter() if isinstance(element.tag, str)}
    for link in tree.iter(f"{{{XHTML_NS}}}a", "a"):
        href = link.get("href") or ""
        anchor = href[1:]
        if href.startswith("#") and anchor not in own and anchor in ids:
            link.set("href", f"{ids[anchor]}#{anchor}")


def inline_charts(tree: etree._Element, charts: dict[str, etree._Element]) -> None:
    """Each chart's ``<img>`` replaced by the chart's own SVG, so the page's CSS reaches it."""
    for image in list(tree.iter(f"{{{XHTML_NS}}}img", "img")):
        chart = charts.get(image.get("src") or "")
        if chart is None:
            continue
        svg = etree.fromstring(etree.tostring(chart))
        svg.set("class", image.get("class") or "figure-image")
        svg.tail = image.tail
        parent = image.getparent()
        assert parent is not None
        parent.replace(image, svg)


def drop_epub_attributes(tree: etree._Element) -> None:
    """The EPUB's ``epub:type`` attributes (the pages share its partials) removed."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for key in [k for k in element.attrib if str(k).startswith(f"{{{EPUB_NS}}}")]:
            del element.attrib[key]
    etree.cleanup_namespaces(tree)


def close_elements(tree: etree._Element) -> None:
    """Every empty HTML element but the void ones written with an end tag: the pages are read
    as HTML, where ``<a id="x"/>`` or ``<script src="x"/>`` opens an element that never ends."""
    for element in tree.iter(f"{{{XHTML_NS}}}*"):
        empty = element.text is None and len(element) == 0
        if empty and etree.QName(element).localname not in VOID:
            element.text = ""


def serialise_page(tree: etree._Element) -> bytes:
    """The page as HTML5 in its XHTML form (no XML declaration), UTF-8."""
    body = etree.tostring(tree, encoding="unicode")
    return f"<!DOCTYPE html>\n{body}\n".encode()
