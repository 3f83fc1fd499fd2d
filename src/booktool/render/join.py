"""Join the PDFs of a book's parts, rendered apart by WeasyPrint, into the book's one PDF.

The print HTML is cut at chapter boundaries (each cut at a forced page break) and every part
is laid out in its own process, so a book renders on several cores. Each part's PDF only
knows its own pages, so joining them must redo what one render of the whole HTML would have
written:

- the pages in order, copied with pikepdf before anything else of their part: QPDF keeps
  one foreign-object copier per source PDF, so the outline's destinations, the named
  destinations and the structure elements' ``/Pg``, copied afterwards from the same part,
  point at the copied pages;
- one name tree of destinations, and the links between parts made internal: a part cannot
  link to an anchor it does not hold (WeasyPrint drops such a link), so the part renderer
  writes them as URIs ``booktool-xref:name`` (:data:`XREF_SCHEME`), and they become
  ``/Dest (name)`` here, as WeasyPrint writes internal links; one whose name no part holds
  is dropped, as WeasyPrint drops it;
- one outline, the parts' top-level items in order;
- for tagged parts (PDF/UA), one structure tree: one Document element holding the parts'
  elements in order, and the parent tree's keys (pages' ``/StructParents``, annotations'
  ``/StructParent``) shifted by part so they stay unique;
- each font file once: the parts' subsets of a font (each of its own glyphs) give way to
  one subset of all their glyphs, as one render embeds it (:func:`join_fonts`);
- the catalog entries and document information of the first part, and a trailer ``/ID``
  as WeasyPrint writes it: the identifier, then the MD5 of the content in hexadecimal.

The output is deterministic: the same parts and identifier give the same bytes, whether the
parts were joined at once or the first ones ahead of the rest (:class:`Joiner`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from booktool.render.pdfactions import clean_pdf, strip_actions
from booktool.render.protocol import XREF_SCHEME

if TYPE_CHECKING:
    import pikepdf

#: Catalog entries taken from the first part: the same in every part.
CATALOG_KEYS = (
    "/Lang",
    "/MarkInfo",
    "/ViewerPreferences",
    "/Metadata",
    "/OutputIntents",
    "/PageMode",
    "/PageLayout",
)
#: Document information entries taken from the first part.
INFO_KEYS = (
    "/Title",
    "/Author",
    "/Subject",
    "/Keywords",
    "/Creator",
    "/Producer",
    "/CreationDate",
    "/ModDate",
)


def merge_parts(
    parts: Sequence[bytes],
    identifier: str,
    fonts: Sequence[Sequence[Mapping[str, Any]]] = (),
    font_files: Mapping[str, bytes] | None = None,
    *,
    ahead: Joiner | None = None,
) -> bytes:
    """One PDF of the ``parts`` in order, as one render of their whole HTML would write it.

    ``identifier`` is the ``pdf_identifier`` the parts were written with: it becomes the
    first entry of the trailer ``/ID``. ``fonts`` holds each part's font records (what its
    embedded fonts are cut from) and ``font_files`` the font files by SHA-256: a font that
    every part cut the same way from one of them is embedded once (:func:`join_fonts`).
    ``ahead`` is a join of parts made earlier: continued if those are the first ``parts``,
    else closed. A single part is returned as it is, unless it holds an action to strip.
    """
    if ahead is not None and (len(parts) < 2 or ahead.parts != list(parts[: len(ahead.parts)])):
        ahead.close()
        ahead = None
    if not parts:
        raise ValueError("no PDF parts to merge")
    if len(parts) == 1:
        return clean_pdf(bytes(parts[0]))
    with ahead or Joiner() as joiner:
        for part in parts[len(joiner.parts) :]:
            joiner.add(part)
        data = joiner.result(identifier, fonts, font_files)
    _LAST_JOIN[:] = [joiner]
    return data


#: The last join, kept until the next one is made: freeing its objects takes time that a
#: one-shot build never pays (:func:`booktool.cli.main.run` ends the process
#: without tearing it down). A process that builds again holds one join at most.
_LAST_JOIN: list[Joiner] = []


class Joiner:
    """A join of parts added one by one, in order (:func:`merge_parts`): the parts known
    early can be joined while the others render. The same parts in the same order give the
    same bytes, however they were added."""

    def __init__(self) -> None:
        import pikepdf  # only when a book is rendered in parts

        self.stack = ExitStack()
        self.out = self.stack.enter_context(pikepdf.new())
        self.book = _Book(self.out)
        self.sources: list[pikepdf.Pdf] = []
        #: The parts added so far.
        self.parts: list[bytes] = []

    def __enter__(self) -> Joiner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, part: bytes) -> None:
        """Append the next part (its pages, outline, destinations and tags)."""
        import pikepdf

        source = self.stack.enter_context(pikepdf.open(io.BytesIO(part)))
        self.book.add(source)
        self.sources.append(source)
        self.parts.append(part)

    def result(
        self,
        identifier: str,
        fonts: Sequence[Sequence[Mapping[str, Any]]] = (),
        font_files: Mapping[str, bytes] | None = None,
    ) -> bytes:
        """The joined PDF of every part added (see :func:`merge_parts`)."""
        self.book.finish()
        strip_actions(self.out)  # whatever a part holds, no action reaches the book
        if len(fonts) == len(self.parts) and font_files:
            join_fonts(self.out, self.book.starts, fonts, font_files)
        _copy_info(self.out, self.sources[0])
        return _save(self.out, identifier, self.sources[0].pdf_version)

    def close(self) -> None:
        self.stack.close()


def join_fonts(
    out: pikepdf.Pdf,
    starts: Sequence[int],
    fonts: Sequence[Sequence[Mapping[str, Any]]],
    font_files: Mapping[str, bytes],
) -> int:
    """Embed once each font that the parts cut from the same file, cut to all their glyphs;
    the number of fonts joined.

    Each part embeds its own subset of a font (the glyphs of its pages, their ids kept); one
    render of the whole book embeds one subset of all the glyphs, which :mod:`booktool.
    fontsubset` cuts as WeasyPrint does. The parts' font dictionaries stay (their widths and
    Unicode maps cover their own glyphs); their descriptors point at the one font file. A
    font is left as it is unless every part that embeds it recorded it as joinable, from one
    file ``font_files`` holds (a layout file: never one from outside the project).
    """
    from booktool.render.fontsubset import subset_font

    records: dict[str, list[Mapping[str, Any]]] = {}
    for part in fonts:
        for record in part:
            records.setdefault(str(record["name"]), []).append(record)
    joined: dict[str, pikepdf.Object] = {}
    for name, same in sorted(records.items()):
        first = same[0]
        keys = {(r["sha256"], r["index"], r["hinting"], bool(r["joinable"])) for r in same}
        if len(same) < 2 or len(keys) != 1 or not first["joinable"]:
            continue
        data = font_files.get(str(first["sha256"]))
        glyphs = {glyph for record in same for glyph in record["glyphs"]}
        cut = (
            subset_font(data, int(first["index"]), glyphs, hinting=bool(first["hinting"]))
            if data
            else None
        )
        if cut is not None:
            joined[name] = _font_stream(out, cut)
    # Only the fonts a part recorded: a part that did not (a cached part from before) keeps
    # its own subsets.
    ends = [*starts[1:], len(out.pages)]
    for start, end, part in zip(starts, ends, fonts, strict=True):
        own = {str(r["name"]): joined[str(r["name"])] for r in part if str(r["name"]) in joined}
        for page in out.pages[start:end] if own else []:
            _point_at(page.obj, own)
    return len(joined)


def _font_stream(out: pikepdf.Pdf, data: bytes) -> pikepdf.Object:
    """A font file stream as WeasyPrint writes one: OpenType (CFF) or TrueType."""
    import pikepdf

    if data[:4] == b"OTTO":
        return out.make_stream(data, Subtype=pikepdf.Name.OpenType)
    return out.make_stream(data, Length1=len(data))


def _point_at(page: pikepdf.Object, joined: Mapping[str, pikepdf.Object]) -> None:
    """The page's fonts named in ``joined`` made to use the joined font file."""
    resources = page.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    if fonts is None:
        return
    for font in fonts.values():
        descendants = font.get("/DescendantFonts")
        if descendants is None or len(descendants) != 1:
            continue
        cid_font = descendants[0]
        stream = joined.get(str(cid_font.get("/BaseFont", "")))
        descriptor = cid_font.get("/FontDescriptor")
        if stream is None or descriptor is None:
            continue
        for key in ("/FontFile3", "/FontFile2"):
            if key in descriptor:
                descriptor[key] = stream


class _Book:
    """The merged document as its parts are added: pages, destinations, outline, tags."""

    def __init__(self, out: pikepdf.Pdf) -> None:
        self.out = out
        #: Destinations by name (as text, which is how name trees are sorted): key, value.
        self.dests: dict[str, tuple[pikepdf.Object, pikepdf.Object]] = {}
        self.outline: list[pikepdf.Object] = []
        self.outline_count = 0
        self.structure: _Structure | None = None
        self.first = True
        #: The index of each part's first page.
        self.starts: list[int] = []

    def add(self, source: pikepdf.Pdf) -> None:
        """Append one part: its pages first, then what refers to them."""
        start = len(self.out.pages)
        self.starts.append(start)
        for page in source.pages:
            self.out.pages.append(page)
        pages = [page.obj for page in self.out.pages[start:]]
        root = self.out.copy_foreign(source.Root)
        self._add_dests(root)
        self._add_outline(root)
        if "/StructTreeRoot" in root:
            if self.structure is None:
                self.structure = _Structure(self.out, root.StructTreeRoot, pages)
            else:
                self.structure.add(root.StructTreeRoot, pages)
        if self.first:
            for key in (*CATALOG_KEYS, "/Names"):
                if key in root:
                    self.out.Root[key] = root[key]
            self.first = False

    def _add_dests(self, root: pikepdf.Object) -> None:
        names = root.get("/Names")
        dests = names.get("/Dests") if names is not None else None
        if dests is None:
            return
        for key, value in _tree_entries(dests, "/Names"):
            self.dests.setdefault(str(key), (key, value))

    def _add_outline(self, root: pikepdf.Object) -> None:
        outlines = root.get("/Outlines")
        if outlines is None:
            return
        item = outlines.get("/First")
        while item is not None:
            self.outline.append(item)
            item = item.get("/Next")
        self.outline_count += int(outlines.get("/Count", 0))

    def finish(self) -> None:
        """Write the joined name tree, outline and structure tree; make the links internal."""
        import pikepdf

        out = self.out
        if self.dests:
            entries = [entry for _, pair in sorted(self.dests.items()) for entry in pair]
            names = out.Root.get("/Names", pikepdf.Dictionary())
            names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(entries))
            out.Root.Names = names
        if self.outline:
            out.Root.Outlines = _join_outline(out, self.outline, self.outline_count)
        targets = {name: key for name, (key, _) in self.dests.items()}
        for page in out.pages:
            _resolve_links(page.obj, targets, self.structure)
        if self.structure is not None:
            self.structure.finish()


class _Structure:
    """The joined structure tree: the first tagged part's root and Document, and the rest."""

    def __init__(
        self, out: pikepdf.Pdf, root: pikepdf.Object, pages: Sequence[pikepdf.Object]
    ) -> None:
        self.out = out
        self.root = root
        self.document = _document(root)
        self.parent_tree: dict[int, pikepdf.Object] = {}
        self.next_key = 0
        self.ids: set[bytes] = set()
        self.id_tree: dict[str, tuple[pikepdf.Object, pikepdf.Object]] = {}
        self._add_keys(root, pages)
        self._add_ids(root, _elements(root))

    def add(self, root: pikepdf.Object, pages: Sequence[pikepdf.Object]) -> None:
        """Graft a later part's tree: its Document's kids join the first part's Document."""
        self._add_keys(root, pages)
        old = _document(root)
        elements = _elements(root)
        for element in elements:
            if _same(element.get("/P"), old):
                element.P = self.document
        for kid in _as_list(old.get("/K")):
            self.document.K.append(kid)
        self._add_ids(root, elements)
        for name in ("/RoleMap", "/ClassMap"):
            if name not in root:
                continue
            merged = self.root.get(name)
            if merged is None:
                self.root[name] = root[name]
                continue
            for key, value in root[name].items():
                if key not in merged:
                    merged[key] = value

    def _add_keys(self, root: pikepdf.Object, pages: Sequence[pikepdf.Object]) -> None:
        """Shift the part's parent tree keys past those already used, on both sides."""
        offset = self.next_key
        used = [int(root.get("/ParentTreeNextKey", 0)) - 1]
        for key, value in _tree_entries(root.ParentTree, "/Nums"):
            self.parent_tree[int(key) + offset] = value
            used.append(int(key))
        holders = [(page, "/StructParents") for page in pages]
        holders += [
            (annotation, "/StructParent")
            for page in pages
            for annotation in _as_list(page.get("/Annots"))
        ]
        for holder, name in holders:
            if name in holder:
                used.append(int(holder[name]))
                holder[name] = int(holder[name]) + offset
        self.next_key = offset + max(used) + 1

    def _add_ids(self, root: pikepdf.Object, elements: list[pikepdf.Object]) -> None:
        """Keep element IDs unique: an ID an earlier part used is renamed, with its uses.

        WeasyPrint names a table's header cells after the table's object number, which
        another part may have used too; data cells list their headers' IDs.
        """
        import pikepdf

        earlier = set(self.ids)
        renamed: dict[bytes, bytes] = {}
        for element in elements:
            if "/ID" not in element:
                continue
            old = bytes(element.ID)
            if old in earlier:
                if old not in renamed:
                    renamed[old] = _fresh(old, self.ids)
                element.ID = pikepdf.String(renamed[old])
            self.ids.add(bytes(element.ID))
        for element in elements if renamed else []:
            for attributes in _as_list(element.get("/A")):
                headers = attributes.get("/Headers") if _is_dictionary(attributes) else None
                if headers is not None:
                    attributes.Headers = pikepdf.Array(
                        [pikepdf.String(renamed.get(bytes(h), bytes(h))) for h in headers]
                    )
        if "/IDTree" in root:
            for key, value in _tree_entries(root.IDTree, "/Names"):
                name = pikepdf.String(renamed.get(bytes(key), bytes(key)))
                self.id_tree.setdefault(str(name), (name, value))

    def drop_annotation(self, annotation: pikepdf.Object) -> None:
        """Forget an annotation being removed: its parent tree entry and its OBJR."""
        import pikepdf

        if "/StructParent" not in annotation:
            return
        element = self.parent_tree.pop(int(annotation.StructParent), None)
        if element is None or not _is_dictionary(element):
            return
        kids = [
            kid
            for kid in _as_list(element.get("/K"))
            if not (_is_dictionary(kid) and _same(kid.get("/Obj"), annotation))
        ]
        element.K = pikepdf.Array(kids)

    def finish(self) -> None:
        """Write the joined parent tree, its next key, and the joined ID tree."""
        import pikepdf

        nums = [entry for key in sorted(self.parent_tree) for entry in (key, self.parent_tree[key])]
        self.root.ParentTree = self.out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
        self.root.ParentTreeNextKey = self.next_key
        self.out.Root.StructTreeRoot = self.root
        if self.id_tree:
            entries = [entry for _, pair in sorted(self.id_tree.items()) for entry in pair]
            self.root.IDTree = self.out.make_indirect(
                pikepdf.Dictionary(Names=pikepdf.Array(entries))
            )


def _elements(root: pikepdf.Object) -> list[pikepdf.Object]:
    """Every structure element of a part: down from the root, up from the parent tree.

    Elements only in the parent tree (WeasyPrint tags the page margins' content without
    linking it into the tree) are found through their ``/P``.
    """
    document = _document(root)
    stack = _as_list(document.get("/K"))
    for _, value in _tree_entries(root.ParentTree, "/Nums"):
        stack.extend(_as_list(value))
    seen = {document.objgen, root.objgen}
    found = []
    while stack:
        element = stack.pop()
        if not _is_element(element) or element.objgen in seen:
            continue
        seen.add(element.objgen)
        found.append(element)
        stack.extend(_as_list(element.get("/K")))
        parent = element.get("/P")
        if parent is not None:
            stack.append(parent)
    return found


def _fresh(name: bytes, taken: set[bytes]) -> bytes:
    """``name`` with the first suffix ``~2``, ``~3``, … that makes it unused."""
    suffix = 2
    while name + b"~%d" % suffix in taken:
        suffix += 1
    return name + b"~%d" % suffix


def _resolve_links(
    page: pikepdf.Object, targets: dict[str, pikepdf.Object], structure: _Structure | None
) -> None:
    """Turn the page's links to other parts into links to named destinations.

    A link to a name no part holds is removed, with its place in the structure tree, as
    WeasyPrint removes a link to a missing anchor.
    """
    import pikepdf

    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = []
    for annotation in annotations:
        name = _xref_name(annotation)
        if name is None:
            kept.append(annotation)
        elif name in targets:
            if annotation.get("/Contents") == annotation.A.URI:
                annotation.Contents = targets[name]
            del annotation.A
            annotation.Dest = targets[name]
            kept.append(annotation)
        elif structure is not None:
            structure.drop_annotation(annotation)
    if len(kept) == len(annotations):
        return
    if kept:
        page.Annots = pikepdf.Array(kept)
    else:
        del page.Annots


def _xref_name(annotation: pikepdf.Object) -> str | None:
    """The anchor a ``booktool-xref:`` link leads to, None for any other annotation."""
    action = annotation.get("/A")
    if action is None or action.get("/S") != "/URI":
        return None
    uri = str(action.get("/URI", ""))
    if not uri.startswith(XREF_SCHEME):
        return None
    return unquote(uri[len(XREF_SCHEME) :])


def _join_outline(out: pikepdf.Pdf, items: list[pikepdf.Object], count: int) -> pikepdf.Object:
    """One outline root over the parts' top-level items, chained in order."""
    import pikepdf

    root = out.make_indirect(pikepdf.Dictionary(Count=count, First=items[0], Last=items[-1]))
    for index, item in enumerate(items):
        item.Parent = root
        for key, other in (("/Prev", index - 1), ("/Next", index + 1)):
            if 0 <= other < len(items):
                item[key] = items[other]
            elif key in item:
                del item[key]
    return root


def _copy_info(out: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
    """The document information of the first part (title, author, dates, producer)."""
    import pikepdf

    info = first.trailer.get("/Info")
    if info is None:
        return
    for key in INFO_KEYS:
        if key in info:
            out.docinfo[key] = pikepdf.String(bytes(info[key]))


def _save(out: pikepdf.Pdf, identifier: str, version: str) -> bytes:
    """The bytes, compressed, with the trailer ``/ID`` WeasyPrint would write.

    WeasyPrint writes ``[(identifier) (md5 of the content, in hex)]``. QPDF keeps the first
    entry and makes the second the MD5 of the content (``deterministic_id``), as 16 bytes in a
    hex string ``<…>``; the same 34 bytes, written as the literal ``(…)`` of its hex digits,
    give WeasyPrint's form without moving any offset.
    """
    import pikepdf

    ident = pikepdf.String(identifier.encode())
    out.trailer.ID = pikepdf.Array([ident, ident])
    buffer = io.BytesIO()
    out.save(
        buffer,
        min_version=version,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        fix_metadata_version=False,
        deterministic_id=True,
    )
    data = buffer.getvalue()
    # The trailer (QPDF's cross-reference stream dictionary, the file's last) ends with the
    # /ID: read there, not by opening the file again.
    found = _TRAILER_ID.search(data, data.rfind(b"/ID ["))
    if found is None:  # pragma: no cover - QPDF writes binary strings in hex
        return data
    at, digest = found.start(1) - 1, found.group(1)
    return data[:at] + b"(" + digest + b")" + data[at + len(digest) + 2 :]


#: The trailer's ``/ID`` as QPDF writes it: two hexadecimal strings, the second an MD5.
_TRAILER_ID = re.compile(rb"/ID \[<[0-9a-f]*><([0-9a-f]{32})>\]")


def _tree_entries(
    node: pikepdf.Object, kind: str
) -> Iterator[tuple[pikepdf.Object, pikepdf.Object]]:
    """The (key, value) pairs of a name tree (``kind`` ``/Names``) or number tree (``/Nums``)."""
    flat = node.get(kind)
    if flat is not None:
        for index in range(0, len(flat) - 1, 2):
            yield flat[index], flat[index + 1]
    for kid in _as_list(node.get("/Kids")):
        yield from _tree_entries(kid, kind)


def _document(root: pikepdf.Object) -> pikepdf.Object:
    """The structure tree's Document element (WeasyPrint's single root element)."""
    kids = _as_list(root.get("/K"))
    if len(kids) != 1 or not _is_element(kids[0]):
        raise ValueError("a part's structure tree has no single Document element")
    return kids[0]


def _as_list(value: pikepdf.Object | None) -> list[pikepdf.Object]:
    """An array's items, or a lone object as a list of one; nothing for None."""
    import pikepdf

    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]


def _same(one: pikepdf.Object | None, other: pikepdf.Object) -> bool:
    """Whether ``one`` is the indirect object ``other``."""
    return one is not None and one.is_indirect and one.objgen == other.objgen


def _is_dictionary(value: pikepdf.Object) -> bool:
    import pikepdf

    return isinstance(value, pikepdf.Dictionary)


def _is_element(value: pikepdf.Object) -> bool:
    """A structure element (not a marked-content or object reference, not an MCID)."""
    return _is_dictionary(value) and "/S" in value
