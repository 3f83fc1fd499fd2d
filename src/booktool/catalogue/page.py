"""The catalogue's page, ``build/index.html``: every book's cover (the EPUB's own, or its title
set as a block), title, source and links to the editions that exist.

Made from a Jinja template run in booktool's sandbox, with its own small style sheet (light and
dark, one column on a phone); every value comes from the books' own ``book.yaml`` and is
escaped. A book's cover is copied out of its EPUB (the item the package marks
``cover-image``), so the page needs nothing outside the catalogue's ``build/``.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from markupsafe import Markup

from booktool.cache.output import write_atomic
from booktool.catalogue.book import BookResult, describe
from booktool.catalogue.config import Catalogue
from booktool.editions.layouts import BUILTIN_LAYOUTS
from booktool.language.words import Words, load_words

PAGE = Path(__file__).resolve().parent / "page"
#: A cover larger than this is not copied (the title block shows instead).
MAX_COVER_BYTES = 2 * 1024 * 1024
COVER_TYPES = {"image/svg+xml": ".svg", "image/png": ".png", "image/jpeg": ".jpg"}
#: The editions the page links to, by format: the key of its words and its media type.
LINKED = {
    "pdf": ("catalogue_pdf", "application/pdf"),
    "epub": ("catalogue_epub", "application/epub+zip"),
    "web": ("catalogue_web", "text/html"),
}


def write_page(catalogue: Catalogue, results: Sequence[BookResult]) -> Path:
    """Write ``build/index.html`` and its style sheet (and the covers); the page's path."""
    import jinja2

    from booktool.editions.sandbox import LayoutSandbox

    build_dir = catalogue.build_dir
    layouts = [folder for folder in (catalogue.house,) if folder is not None]
    words = load_words(catalogue.language, [*layouts, BUILTIN_LAYOUTS])
    books = [
        _book(catalogue, root, result, words)
        for root, result in zip(catalogue.projects, results, strict=True)
    ]
    env = LayoutSandbox(
        loader=jinja2.FileSystemLoader(str(PAGE)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    html = env.render(
        env.get_template("index.html"),
        {
            "title": catalogue.title,
            "series": catalogue.series,
            "publisher": catalogue.publisher,
            "language": catalogue.language,
            "direction": words.direction,
            "count": words("catalogue_count", count=len(books)),
            "not_built": words("catalogue_not_built"),
            "books": books,
        },
    )
    write_atomic(build_dir / "catalogue.css", (PAGE / "catalogue.css").read_bytes())
    page = build_dir / "index.html"
    write_atomic(page, html.encode("utf-8"))
    return page


def _book(catalogue: Catalogue, root: Path, result: BookResult, words: Words) -> dict[str, Any]:
    """What the page shows of one book."""
    if not result.title:
        describe(result, root / "manuscript" / "book.yaml")
    base = catalogue.build_dir
    links = []
    cover = None
    for output in result.outputs:
        path = root / str(output["path"])
        if output["format"] not in LINKED or not path.exists():
            continue
        label, kind = LINKED[output["format"]]
        target = path / "index.html" if path.is_dir() else path
        links.append({"href": _href(target, base), "label": words(label), "type": kind})
        if output["format"] == "epub":
            cover = _cover(path, base / "covers" / root.name)
    return {
        "title": result.title or root.name,
        "subtitle": result.subtitle,
        "source": words.markup("drawn_from", source=Markup("<cite>{}</cite>").format(result.source))
        if result.source
        else None,
        "links": links,
        "cover": _href(cover, base) if cover else None,
    }


def _href(target: Path, base: Path) -> str:
    from urllib.parse import quote

    return quote(Path(os.path.relpath(target, base)).as_posix())


def _cover(epub: Path, stem: Path) -> Path | None:
    """Copy the EPUB's cover image to ``stem`` + its suffix; None if it has none we show."""
    try:
        with zipfile.ZipFile(epub) as archive:
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            opf_name = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
            opf = etree.fromstring(archive.read(str(opf_name)))
            items = [
                item
                for item in opf.iter("{*}item")
                if "cover-image" in (item.get("properties") or "").split()
            ]
            if not items:
                return None
            kind = items[0].get("media-type") or ""
            href = posixpath.normpath(
                posixpath.join(posixpath.dirname(str(opf_name)), items[0].get("href") or "")
            )
            if kind not in COVER_TYPES or archive.getinfo(href).file_size > MAX_COVER_BYTES:
                return None
            data = archive.read(href)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError):
        return None
    target = stem.with_suffix(COVER_TYPES[kind])
    write_atomic(target, data)
    return target
