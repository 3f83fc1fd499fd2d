"""No PDF booktool writes can act: no JavaScript, no OpenAction, no Launch, no embedded files,
no links but to web pages, mail and the book's own pages.

Two gates. :func:`drop_unsafe_links` runs in the render worker on WeasyPrint's laid-out
document, before it is written: a layout's ``<a href="javascript:…">`` never becomes an
action, and a clean book's bytes are untouched. :func:`strip_actions` runs on
whatever is joined into the book's PDF (a part from the cache included), with pikepdf.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from booktool.render.protocol import XREF_SCHEME

if TYPE_CHECKING:
    import pikepdf

#: Schemes a link in the PDF may open (booktool-xref: links are made internal by the join).
LINK_SCHEMES = frozenset({"http", "https", "mailto", XREF_SCHEME.rstrip(":")})
#: Actions kept: a URI with one of LINK_SCHEMES, and a jump inside the document.
SAFE_ACTIONS = frozenset({"/URI", "/GoTo"})
#: Annotations that carry files, media or form fields: never kept.
UNSAFE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/Widget", "/3D"}
)
#: Catalog entries that run, embed or submit something.
UNSAFE_CATALOG = ("/OpenAction", "/AA", "/AcroForm")
#: Name trees that hold scripts or files.
UNSAFE_NAMES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations")


def safe_uri(uri: str) -> bool:
    """Whether a link to ``uri`` may stay: a web page, a mail address, or the book itself."""
    try:
        return urlsplit(uri.strip()).scheme.lower() in LINK_SCHEMES
    except ValueError:
        return False


def drop_unsafe_links(document: Any) -> None:
    """Remove, from a WeasyPrint ``Document``, the links to schemes other than the web's and
    mail. Attachments stay: WeasyPrint loads them through the fetcher, which refuses all but
    ``data:`` with an error at the layout's line, and the join strips what it embeds."""
    for page in document.pages:
        page.links[:] = [
            link for link in page.links if link[0] != "external" or safe_uri(str(link[1]))
        ]


def _safe_action(action: Any) -> bool:
    import pikepdf

    if not isinstance(action, pikepdf.Dictionary) or action.get("/S") not in SAFE_ACTIONS:
        return False
    if "/Next" in action:
        return False
    return action.get("/S") == "/GoTo" or safe_uri(str(action.get("/URI", "")))


def strip_actions(pdf: pikepdf.Pdf) -> bool:
    """Strip every action but safe links from ``pdf``, in place; whether anything was."""
    root, changed = pdf.Root, False
    for key in UNSAFE_CATALOG:
        if key in root:
            del root[key]
            changed = True
    names = root.get("/Names")
    for key in UNSAFE_NAMES:
        if names is not None and key in names:
            del names[key]
            changed = True
    for page in pdf.pages:
        changed |= _strip_page(page.obj)
    outlines = root.get("/Outlines")
    stack = [outlines.get("/First")] if outlines is not None else []
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if item is None or (item.is_indirect and item.objgen in seen):
            continue
        if item.is_indirect:
            seen.add(item.objgen)
        if "/A" in item and not _safe_action(item.A):
            del item.A
            changed = True
        stack += [item.get("/Next"), item.get("/First")]
    return changed


def _strip_page(page: pikepdf.Object) -> bool:
    import pikepdf

    changed = False
    if "/AA" in page:
        del page.AA
        changed = True
    annotations = page.get("/Annots")
    if annotations is None:
        return changed
    kept = []
    for annotation in annotations:
        if annotation.get("/Subtype") in UNSAFE_ANNOTATIONS:
            continue
        if "/AA" in annotation:
            del annotation.AA
            changed = True
        if "/A" in annotation and not _safe_action(annotation.A):
            del annotation.A
            changed = True
            if "/Dest" not in annotation:
                continue  # a link that led nowhere but to the action
        kept.append(annotation)
    if len(kept) != len(annotations):
        page.Annots = pikepdf.Array(kept)
        changed = True
    return changed


def clean_pdf(data: bytes) -> bytes:
    """``data`` as it is if nothing in it can act; else the PDF with its actions stripped."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if not strip_actions(pdf):
            return data
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True)
        return buffer.getvalue()
