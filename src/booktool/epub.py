"""The EPUB 3 edition, one step per method: metadata, manifest, spine, navigation, package.

ebooklib assembles the package; its writer is subclassed to put ``xml:lang`` on the package
element and fixed timestamps on every zip entry, so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebooklib import epub
from lxml import etree

from booktool.edition import HtmlEdition, Made, PageCallback
from booktool.errors import Problem, RenderError
from booktool.htmlclean import media_type
from booktool.layouts import Layouts
from booktool.model import Book

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = "application/xhtml+xml"


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one timestamp and plain permissions."""

    date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = compress_type if compress_type is not None else self.compression
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with xml:lang on the package and reproducible zip entries."""

    def __init__(
        self, target: io.BytesIO, book: epub.EpubBook, language: str, moment: dt.datetime
    ) -> None:
        super().__init__(
            target,
            book,
            {
                "raise_exceptions": True,
                "mtime": moment,
                "epub2_guide": True,
                "epub3_landmark": True,
            },
        )
        self.language = language
        self.moment = moment

    def write(self) -> None:
        zip_time = max(self.moment, dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
        self.out = _FixedTimeZip(self.file_name, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        self.out.date_time = zip_time.timetuple()[:6]
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()

    def _write_opf_file(self, root: Any) -> None:
        root.set(XML_LANG, self.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: Any) -> bytes:
        nav: bytes = super()._get_nav(item)
        tree = etree.fromstring(nav)
        ns = {"x": "http://www.w3.org/1999/xhtml"}
        for heading in tree.iterfind(".//x:nav/x:h2", ns):
            heading.tag = "{http://www.w3.org/1999/xhtml}h1"
        return etree.tostring(
            tree, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
        )


@dataclass(frozen=True)
class EpubDocument:
    """One XHTML document of the package, rendered from the layouts."""

    uid: str
    file_name: str
    title: str
    content: str


class EpubEdition(HtmlEdition):
    """Builds the EPUB 3 package from the shared layouts."""

    format = "epub"
    tool = "ebooklib"
    #: The layout files every EPUB carries.
    STYLESHEETS = ("book.css", "epub.css")

    def __init__(
        self, book: Book, layouts: Layouts, media: dict[str, Path], moment: dt.datetime
    ) -> None:
        super().__init__(book, layouts, media, moment)
        self.package = epub.EpubBook()
        self.documents_by_uid: dict[str, epub.EpubItem] = {}

    @functools.cached_property
    def cover_svg(self) -> str:
        return self.render("cover.svg", cover=self.cover_view(), cover_alt=self.cover_alt)

    @functools.cached_property
    def rendered(self) -> list[EpubDocument]:
        """The package's XHTML documents in reading order: cover, title page, text."""
        docs = [
            EpubDocument(
                "cover",
                "cover.xhtml",
                "Cover",
                self.render("epub-cover.xhtml", cover_alt=self.cover_alt),
            ),
            EpubDocument(
                "title-page", "title.xhtml", "Title page", self.render("epub-title.xhtml")
            ),
        ]
        if self.view.introduction:
            docs.append(
                EpubDocument(
                    "introduction",
                    "introduction.xhtml",
                    self.view.introduction.title,
                    self.render("epub-introduction.xhtml"),
                )
            )
        for chapter in self.view.chapters:
            docs.append(
                EpubDocument(
                    f"chapter-{chapter.number:02d}",
                    chapter.file_name,
                    chapter.title,
                    self.render("epub-chapter.xhtml", chapter=chapter),
                )
            )
        return docs

    def documents(self) -> list[str]:
        return [self.cover_svg, *(doc.content for doc in self.rendered)]

    def resources(self) -> list[str]:
        """The layout files and media the package carries."""
        return [*self.STYLESHEETS, *sorted(self.media)]

    def make(self, on_page: PageCallback | None = None) -> Made:
        return Made(self.epub_bytes(), self.resources())

    def epub_bytes(self) -> bytes:
        self.metadata()
        self.manifest()
        self.spine()
        self.navigation()
        return self.write_package()

    def metadata(self) -> None:
        book, package = self.book, self.package
        package.set_identifier(book.identifier)
        package.set_title(self.view.title)
        package.set_language(book.language)
        for number, author in enumerate(book.authors, start=1):
            package.add_author(author, uid=f"creator{number}")
        package.add_metadata("DC", "date", book.date.isoformat())
        package.add_metadata("DC", "source", self.view.source_line)
        if self.view.subtitle:
            package.add_metadata(
                None, "meta", self.view.subtitle, {"property": "title-type", "refines": "#subtitle"}
            )
            package.add_metadata("DC", "title", self.view.subtitle, {"id": "subtitle"})
        if book.publisher:
            package.add_metadata("DC", "publisher", book.publisher)
        if book.description:
            package.add_metadata("DC", "description", book.description)

    def manifest(self) -> None:
        package = self.package
        for name in self.STYLESHEETS:
            package.add_item(
                epub.EpubItem(
                    uid=name.replace(".", "-"),
                    file_name=name,
                    media_type="text/css",
                    content=self.layouts.read(name),
                )
            )
        package.set_cover("cover.svg", self.cover_svg.encode("utf-8"), create_page=False)
        for doc in self.rendered:
            item = epub.EpubItem(
                uid=doc.uid,
                file_name=doc.file_name,
                media_type=XHTML,
                content=doc.content.encode("utf-8"),
            )
            item.title = doc.title
            package.add_item(item)
            self.documents_by_uid[doc.uid] = item
        for number, (href, path) in enumerate(sorted(self.media.items()), start=1):
            package.add_item(
                epub.EpubItem(
                    uid=f"media-{number}",
                    file_name=href,
                    media_type=media_type(href),
                    content=path.read_bytes(),
                )
            )
        package.add_item(epub.EpubNcx())
        nav = epub.EpubNav(title="Contents")
        nav.add_link(href="book.css", rel="stylesheet", type="text/css")
        package.add_item(nav)

    def spine(self) -> None:
        docs = self.documents_by_uid
        order: list[Any] = [(docs["cover"], "no"), docs["title-page"], "nav"]
        order += [item for uid, item in docs.items() if uid not in ("cover", "title-page")]
        self.package.spine = order

    def navigation(self) -> None:
        toc: list[Any] = []
        if self.view.introduction:
            toc.append(
                epub.Link("introduction.xhtml", self.view.introduction.title, "toc-introduction")
            )
        for chapter in self.view.chapters:
            section = epub.Section(f"{chapter.number}. {chapter.title}", f"{chapter.file_name}")
            links = [
                epub.Link(f"{chapter.file_name}#{s.anchor}", s.title, f"toc-{s.anchor}")
                for s in chapter.sections
            ]
            toc.append((section, links))
        self.package.toc = toc
        first = "introduction.xhtml" if self.view.introduction else self.view.chapters[0].file_name
        self.package.guide = [
            {"href": "cover.xhtml", "title": "Cover", "type": "cover"},
            {"href": "nav.xhtml", "title": "Contents", "type": "toc"},
            {"href": first, "title": "Start of content", "type": "text"},
        ]

    def write_package(self) -> bytes:
        target = io.BytesIO()
        writer = _Writer(target, self.package, self.book.language, self.moment)
        writer.process()
        try:
            writer.write()
        except (OSError, ValueError) as exc:
            raise RenderError(Problem(None, None, f"could not write the EPUB: {exc}")) from exc
        return target.getvalue()
