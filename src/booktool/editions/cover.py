"""The EPUB's cover picture: the print edition's cover page, laid out by WeasyPrint in the
book's fonts and drawn as a PNG by PDFium.

The layout engine wraps the title and subtitle (no line is split ahead of time in fonts a
reading system replaces), and a raster cover is one that every client shows, including tools
without a display (``ebook-meta --get-cover``, a Calibre library). The picture is kept in the
build cache by the hash of its document and of every file the render may load, so a rebuild
whose cover did not change never lays it out again.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import TYPE_CHECKING, Any

from booktool import __version__
from booktool.cache import usercache
from booktool.cache.installed import tool_version
from booktool.errors import Problem, RenderError

if TYPE_CHECKING:
    from booktool.cache.store import BuildCache
    from booktool.editions.base import Edition
    from booktool.render.protocol import Refusal

#: The cover picture's width in pixels; its height follows the page's shape (A4: 1698).
COVER_WIDTH = 1200
#: The layout that draws the cover page alone, as the print edition's first page.
COVER_TEMPLATE = "cover-page.html"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def cover_document(edition: Edition) -> str:
    """The print edition's cover page as a document of its own (its size, no bleed or marks)."""
    size = edition.options.page_size or edition.view.page_size
    return edition.render(COVER_TEMPLATE, page_rule=f"size: {size};")


def cover_key(edition: Edition, document: str) -> str:
    """A hash of what the picture is made of: the document, every file of the layout chain and
    the media the render may load, the tools' versions and the picture's width."""
    hasher = hashlib.sha256()
    versions = f"{__version__} {tool_version('weasyprint')} pdfium {COVER_WIDTH}\n"
    hasher.update(versions.encode() + document.encode("utf-8"))
    files = {f"media:{href}": path for href, path in edition.book.media.items()}
    for index, folder in enumerate(edition.layouts.directories):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.resolve().is_relative_to(folder):
                files[f"{index}:{path.relative_to(folder).as_posix()}"] = path
    for name, path in sorted(files.items()):
        data = path.read_bytes()
        hasher.update(f"{name} {len(data)}\n".encode() + hashlib.sha256(data).digest())
    return hasher.hexdigest()


def covers_kept() -> bool:
    """Whether the user's cache holds cover pictures (a build from an empty build/ most likely
    finds its cover there)."""
    covers = usercache.folder("covers")
    try:
        return covers is not None and any(covers.glob("*.png"))
    except OSError:
        return False


def cover_picture(edition: Edition, cache: BuildCache | None) -> bytes:
    """The cover picture (PNG): from the build cache if its inputs are unchanged, else laid
    out in a render child (WeasyPrint's public API) and drawn. The EPUB's digest holds the
    picture's hash, not the layout files: a change to print.css that leaves the cover as it
    was draws it again but does not rewrite the EPUB."""
    document = cover_document(edition)
    key = cover_key(edition, document)
    found = cache.cover(key) if cache is not None else None
    if found is not None:
        return found
    # Drawn once per machine: the same cover in another build/ (a copy of the project, a
    # catalogue's books, a build from an empty cache) is read from the user's cache.
    covers = usercache.folder("covers")
    kept = covers / f"{key}.png" if covers is not None else None
    png = usercache.read(kept, PNG_SIGNATURE)
    if png is None:
        png = draw_cover(edition, document)
        usercache.keep(kept, png)
    if cache is not None:
        cache.store_cover(key, png)
    return png


def draw_cover(edition: Edition, document: str) -> bytes:
    """Lay the cover document out in a render child (confined to the project's files, under
    the book's limits) and draw its first page."""
    from booktool.render.pool import RenderJob, render_jobs

    folder = edition.layouts.project_directory
    job = RenderJob(
        html=document,
        project_layouts=str(folder) if folder else None,
        media={href: str(path) for href, path in edition.book.media.items()},
        generated={},
        pdf_identifier=hashlib.sha256(edition.book.identifier.encode()).hexdigest()[:32],
        memory_mb=edition.limits.render_memory_mb,
        engine="plain",
    )
    (result,) = render_jobs([job], edition.limits)
    refused = [refusal for refusal in result.refusals if refusal.kind != "font"]
    if refused:  # as the print edition does: a load the fetcher refused is the layout's error
        raise RenderError(*(_refused(edition, refusal) for refusal in refused))
    if not result.pdf:
        raise RenderError(
            Problem(
                None,
                None,
                f"the cover page could not be laid out: {json.dumps(result.error)}",
                "look at layouts/_cover.html and print.css",
                code="cover-render",
            )
        )
    return png_of(result.pdf, COVER_WIDTH)


def _refused(edition: Edition, refusal: Refusal) -> Problem:
    """A load the cover page's render was refused, at the layout file that asked for it."""
    name = refusal.path or refusal.url
    where = edition.layouts.locate(refusal.url) or edition.layouts.locate(name.rsplit("/")[-1])
    path, line = where if where else (None, None)
    return Problem(
        path,
        line,
        f"the cover page may not load '{name}' ({refusal.kind}"
        + (f": {refusal.reason}" if refusal.reason else "")
        + ")",
        "load only files in layouts/ and manuscript/ from the cover's layout",
        code="cover-render",
    )


def png_of(pdf: bytes, width: int) -> bytes:
    """The first page of ``pdf`` drawn ``width`` pixels wide, as PNG bytes with no metadata
    (no time, no software name): the same PDF gives the same bytes."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        bitmap = page.render(scale=width / page.get_width(), draw_annots=False)
        image: Any = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    if image.width != width:  # rounding of the scale: the width is the one promised
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")  # optimize=True: 4% smaller, three times as slow
    return out.getvalue()
