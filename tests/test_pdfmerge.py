"""Joining part PDFs: a book rendered in parts and merged reads as the book rendered whole.

A four-chapter HTML is rendered by WeasyPrint in one call (the reference) and cut at its
chapters into two and into three parts, each rendered alone and merged; for each PDF variant
the merged PDF must have the reference's pages, text, outline, links, destinations and, when
tagged, a structure tree as sound as WeasyPrint's own.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
import pypdf
import pytest
import weasyprint

from booktool.render.join import merge_parts
from booktool.render.protocol import XREF_SCHEME

IDENTIFIER = hashlib.sha256(b"merge-test").hexdigest()[:32]
CHAPTERS = 4
SPLITS = {2: [[1, 2], [3, 4]], 3: [[1], [2, 3], [4]]}
VARIANTS = [None, "pdf/ua-1", "pdf/a-3b"]

HEAD = """<head><meta charset="utf-8"><title>Merging parts</title>
<meta name="author" content="Booktool Tests"><meta name="description" content="A test book">
<meta name="keywords" content="pdf, merge"><meta name="dcterms.created" content="2024-01-02">
<style>
@page { size: A6; margin: 12mm 10mm 16mm; @bottom-center { content: counter(page) } }
body { font: 10pt/1.35 serif }
h1 { break-before: page; font-size: 16pt }
table { border-collapse: collapse } td, th { border: 1px solid; padding: 2pt }
figure .box { border: 1px solid; height: 20mm; text-align: center }
%s
</style></head>"""

WORDS = (
    "The commune kitchens fed the brigades while the furnaces burned day and night, "
    "and the reports sent upward grew with every level they passed."
)


def chapter(number: int) -> str:
    """One chapter: headings, paragraphs, a table, a figure, a list and links."""
    following = number % CHAPTERS + 1
    paragraphs = "".join(f'<p id="c{number}-p{index}">{WORDS} {WORDS}</p>' for index in range(1, 4))
    rows = "".join(
        f"<tr><th scope='row'>{1957 + row}</th><td>{number * row}</td><td>Note {row}</td></tr>"
        for row in range(1, 5)
    )
    return f"""<section class="chapter" id="ch{number}">
<h1 id="c{number}">Chapter {number}</h1>
<p>See <a href="#c{number}-fig">the figure</a>, <a href="#c{following}">chapter
{following}</a>, <a href="#c1-table">the first table</a> and <a
href="#c{following}-résumé">its résumé</a>. {WORDS}</p>
{paragraphs}
<h2 id="c{number}-s1">Section {number}.1</h2>
<table id="c{number}-table"><caption>Table {number}</caption>
<thead><tr><th>Year</th><th>Tons</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>
<figure id="c{number}-fig"><div class="box">Diagram {number}</div>
<figcaption>Figure {number}: a drawing without an image.</figcaption></figure>
<ul><li>First point of {number}</li><li>Back to <a href="#c{number}-p1">the start</a></li></ul>
<h2 id="c{number}-s2">Section {number}.2</h2>
<p>{WORDS} <a href="#c{following}-s2">Section {following}.2</a>
{'<a href="#nowhere">a dead link</a>' if number == 2 else ""}</p>
{paragraphs.replace('id="', 'id="x')}
<p id="c{number}-résumé">Résumé of chapter {number}.</p>
</section>"""


def document(chapters: list[int], extra_css: str = "") -> str:
    body = "".join(chapter(number) for number in chapters)
    return f'<!DOCTYPE html><html lang="en">{HEAD % extra_css}<body>{body}</body></html>'


def part_html(chapters: list[int], first_page: int) -> str:
    """A part as the part renderer writes it: links out of it in the xref scheme."""
    css = f"@page :first {{ counter-reset: page {first_page} }}" if first_page > 1 else ""
    html = document(chapters, css)
    ids = set(re.findall(r'id="([^"]+)"', html))

    def link(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name in ids else f'href="{XREF_SCHEME}{name}"'

    return re.sub(r'href="#([^"]+)"', link, html)


def render(html: str, variant: str | None) -> bytes:
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(
        pdf_identifier=IDENTIFIER.encode(), pdf_variant=variant
    )
    return pdf


@dataclass
class Rendered:
    variant: str | None
    single: bytes
    parts: dict[int, list[bytes]]
    merged: dict[int, bytes]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: v or "plain")
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return rendered_as(request.param)


@pytest.fixture(scope="module")
def tagged_rendered() -> Rendered:
    """The tagged variant only, for the structure tree's tests."""
    return rendered_as("pdf/ua-1")


@functools.cache
def rendered_as(variant: str | None) -> Rendered:
    single = render(document(list(range(1, CHAPTERS + 1))), variant)
    parts: dict[int, list[bytes]] = {}
    for count, split in SPLITS.items():
        parts[count] = []
        pages = 0
        for chapters in split:
            parts[count].append(render(part_html(chapters, pages + 1), variant))
            pages += len(pypdf.PdfReader(io.BytesIO(parts[count][-1])).pages)
    merged = {count: merge_parts(pieces, IDENTIFIER) for count, pieces in parts.items()}
    return Rendered(variant, single, parts, merged)


# Reading a PDF as a reader would.


def texts(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def outline(pdf: bytes) -> list[tuple[int, str, int | None]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str, int | None]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def named_dests(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    tree = pikepdf.NameTree(pdf.Root.Names.Dests)
    return {
        name: (index[dest[0].objgen], round(float(dest[2]), 2), round(float(dest[3]), 2))
        for name, dest in tree.items()
    }


def links(pdf: pikepdf.Pdf) -> list[list[tuple[tuple[float, ...], object]]]:
    """Each page's links: rectangle, and target page index (internal) or URI (external)."""
    dests = named_dests(pdf)
    pages = []
    for page in pdf.pages:
        row: list[tuple[tuple[float, ...], object]] = []
        for annotation in page.obj.get("/Annots", []):
            rect = tuple(round(float(value), 2) for value in annotation.Rect)
            if "/Dest" in annotation:
                row.append((rect, dests[str(annotation.Dest)][0]))
            elif "/A" in annotation:
                row.append((rect, str(annotation.A.URI)))
        pages.append(row)
    return pages


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every structure element: under the Document, and in the parent tree with ancestors."""
    root = pdf.Root.StructTreeRoot
    stack: list[Any] = list(root.K)
    for index in range(1, len(root.ParentTree.Nums), 2):
        value = root.ParentTree.Nums[index]
        stack.extend(value if isinstance(value, pikepdf.Array) else [value])
    seen: set[tuple[int, int]] = set()
    found: list[pikepdf.Object] = []
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        if node.objgen in seen:
            continue
        seen.add(node.objgen)
        found.append(node)
        kids = node.get("/K", pikepdf.Array())
        stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        if "/P" in node:
            stack.append(node.P)
    return found


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, Any]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    keys = [int(nums[index]) for index in range(0, len(nums), 2)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    return {int(nums[index]): nums[index + 1] for index in range(0, len(nums), 2)}


def content_mcids(page: pikepdf.Page) -> list[int]:
    found = []
    for instruction in pikepdf.parse_content_stream(page):
        if str(instruction.operator) != "BDC":
            continue
        properties = instruction.operands[1]
        if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
            found.append(int(properties.MCID))
    return found


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


# The merged book reads as the book rendered whole.


def test_parts_link_out_in_the_xref_scheme(rendered: Rendered) -> None:
    for count, parts in rendered.parts.items():
        assert len(parts) == count
        for part in parts:
            with open_pdf(part) as pdf:
                targets = [target for row in links(pdf) for _, target in row]
            assert any(str(target).startswith(XREF_SCHEME) for target in targets)


def test_same_pages_and_text(rendered: Rendered) -> None:
    reference = texts(rendered.single)
    assert len(reference) > 2 * CHAPTERS
    assert [page.rsplit(" ", 1)[-1] for page in reference] == [
        str(number) for number in range(1, len(reference) + 1)
    ]
    for merged in rendered.merged.values():
        assert texts(merged) == reference


def test_same_outline(rendered: Rendered) -> None:
    reference = outline(rendered.single)
    assert [(depth, title) for depth, title, _ in reference][:3] == [
        (0, "Chapter 1"),
        (1, "Section 1.1"),
        (1, "Section 1.2"),
    ]
    with open_pdf(rendered.single) as single:
        count = int(single.Root.Outlines.Count)
    for merged in rendered.merged.values():
        assert outline(merged) == reference
        with open_pdf(merged) as pdf:
            outlines = pdf.Root.Outlines
            assert int(outlines.Count) == count
            items = []
            item = outlines.First
            while True:
                items.append(item)
                assert item.Parent.objgen == outlines.objgen
                if "/Next" not in item:
                    break
                assert item.Next.Prev.objgen == item.objgen
                item = item.Next
            assert items[-1].objgen == outlines.Last.objgen
            assert len(items) == CHAPTERS


def test_same_links_and_destinations(rendered: Rendered) -> None:
    with open_pdf(rendered.single) as single:
        reference_links = links(single)
        reference_dests = named_dests(single)
    assert sum(len(row) for row in reference_links) >= 5 * CHAPTERS
    for merged in rendered.merged.values():
        with open_pdf(merged) as pdf:
            assert links(pdf) == reference_links
            assert named_dests(pdf) == reference_dests
            names = [str(name) for name in pdf.Root.Names.Dests.Names[::2]]
            assert names == sorted(names)  # as text, as WeasyPrint and QPDF sort them
            for page in pdf.pages:
                for annotation in page.obj.get("/Annots", []):
                    action = annotation.get("/A")
                    assert action is None or not str(action.URI).startswith(XREF_SCHEME)
                    if "/Contents" in annotation:  # tagged: the link's name, as WeasyPrint
                        assert XREF_SCHEME not in str(annotation.Contents)


def test_catalog_and_info_from_the_parts(rendered: Rendered) -> None:
    with open_pdf(rendered.single) as single:
        keys = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")
        present = {key for key in keys if key in single.Root}
        info = {key: str(value) for key, value in single.docinfo.items()}
        metadata = single.Root.Metadata.read_bytes() if "/Metadata" in present else None
    assert "/Lang" in present and {"/Title", "/Author", "/Keywords"} <= set(info)
    if rendered.variant == "pdf/a-3b":
        assert {"/OutputIntents", "/Metadata"} <= present
    if rendered.variant == "pdf/ua-1":
        assert {"/MarkInfo", "/Metadata", "/ViewerPreferences"} <= present
    for merged in rendered.merged.values():
        with open_pdf(merged) as pdf:
            assert {key for key in keys if key in pdf.Root} == present
            assert str(pdf.Root.Lang) == "en"
            assert {key: str(value) for key, value in pdf.docinfo.items()} == info
            if metadata is not None:
                assert pdf.Root.Metadata.read_bytes() == metadata
            if "/OutputIntents" in present:
                profile = pdf.Root.OutputIntents[0].DestOutputProfile
                assert profile.read_bytes()[36:40] == b"acsp"
            assert pdf.pdf_version == "1.7"


def test_deterministic_with_weasyprint_style_id(rendered: Rendered) -> None:
    for count, merged in rendered.merged.items():
        assert merge_parts(rendered.parts[count], IDENTIFIER) == merged
        with open_pdf(merged) as pdf:
            first, second = (bytes(value) for value in pdf.trailer.ID)
        assert first == IDENTIFIER.encode()
        assert re.fullmatch(rb"[0-9a-f]{32}", second)
        other = merge_parts(rendered.parts[count], "f" * 32)
        with open_pdf(other) as pdf:
            assert bytes(pdf.trailer.ID[0]) == b"f" * 32


def test_valid_pdf(rendered: Rendered) -> None:
    for merged in rendered.merged.values():
        with open_pdf(merged) as pdf:
            assert pdf.check_pdf_syntax() == []
            # Each page copied once: what refers to pages found the copies, not new ones.
            kinds = Counter(
                str(o.get("/Type")) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
            )
            assert kinds["/Page"] == len(pdf.pages) and kinds["/Pages"] == 1
            assert kinds["/StructTreeRoot"] <= 1
            assert len(merged) < 1.5 * sum(len(part) for part in rendered.parts[2])


def test_one_part_is_returned_as_is(rendered: Rendered) -> None:
    assert merge_parts([rendered.single], IDENTIFIER) == rendered.single


# Tagged: one structure tree, as sound as WeasyPrint's.


def test_untagged_parts_give_no_structure_tree(rendered: Rendered) -> None:
    tagged = rendered.variant == "pdf/ua-1"
    for merged in rendered.merged.values():
        with open_pdf(merged) as pdf:
            assert ("/StructTreeRoot" in pdf.Root) == tagged


def tagged(rendered: Rendered) -> Iterator[pikepdf.Pdf]:
    assert rendered.variant == "pdf/ua-1"
    for merged in rendered.merged.values():
        with open_pdf(merged) as pdf:
            yield pdf


def test_keys_lead_to_elements_of_their_page(tagged_rendered: Rendered) -> None:
    for pdf in tagged(tagged_rendered):
        tree = parent_tree(pdf)
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(tree)
        annotation_keys = 0
        for page in pdf.pages:
            for element in tree[int(page.obj.StructParents)]:
                assert element.Pg.objgen == page.obj.objgen
            for annotation in page.obj.get("/Annots", []):
                element = tree[int(annotation.StructParent)]
                assert element.Pg.objgen == page.obj.objgen
                objrs = [k for k in element.K if isinstance(k, pikepdf.Dictionary)]
                assert [k.Obj.objgen for k in objrs] == [annotation.objgen]
                annotation_keys += 1
        pages = len(pdf.pages)
        assert len(tree) == pages + annotation_keys


def test_one_document_with_sound_parents(tagged_rendered: Rendered) -> None:
    for pdf in tagged(tagged_rendered):
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        document = root.K[0]
        assert document.P.objgen == root.objgen
        stack = [document]
        while stack:
            parent = stack.pop()
            for kid in parent.get("/K", []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    assert kid.P.objgen == parent.objgen
                    stack.append(kid)
        for element in struct_elements(pdf):
            assert element.S == "/Document" or "/P" in element


def test_same_element_types(tagged_rendered: Rendered) -> None:
    with open_pdf(tagged_rendered.single) as single:
        reference = Counter(str(element.S) for element in struct_elements(single))
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Link", "/Caption"} <= set(reference)
    for pdf in tagged(tagged_rendered):
        assert Counter(str(element.S) for element in struct_elements(pdf)) == reference


def test_each_mcid_has_one_element(tagged_rendered: Rendered) -> None:
    for pdf in tagged(tagged_rendered):
        owners: Counter[tuple[tuple[int, int], int]] = Counter()
        for element in struct_elements(pdf):
            for kid in element.get("/K", []):
                if isinstance(kid, int):
                    owners[(element.Pg.objgen, kid)] += 1
        tree = parent_tree(pdf)
        for page in pdf.pages:
            mcids = content_mcids(page)
            assert mcids and len(set(mcids)) == len(mcids)
            for mcid in mcids:
                assert owners[(page.obj.objgen, mcid)] == 1
                element = tree[int(page.obj.StructParents)][mcid]
                assert mcid in list(element.K)


def test_table_header_ids_stay_unique(tagged_rendered: Rendered) -> None:
    for pdf in tagged(tagged_rendered):
        elements = struct_elements(pdf)
        ids = [bytes(element.ID) for element in elements if "/ID" in element]
        assert len(ids) >= 7 * CHAPTERS and len(set(ids)) == len(ids)
        for element in elements:
            if element.S == "/TD":
                assert {bytes(header) for header in element.A.Headers} <= set(ids)


def test_a_part_merged_with_itself_keeps_ids_apart(tagged_rendered: Rendered) -> None:
    """Names repeat (the first part's win), element IDs are renamed apart, with their uses."""
    part = tagged_rendered.parts[3][1]
    merged = merge_parts([part, part], IDENTIFIER)
    with open_pdf(merged) as pdf, open_pdf(part) as alone:
        assert len(pdf.pages) == 2 * len(alone.pages)
        assert pdf.check_pdf_syntax() == []
        elements = struct_elements(pdf)
        ids = [bytes(element.ID) for element in elements if "/ID" in element]
        assert len(set(ids)) == len(ids) == 2 * sum(e.S == "/TH" for e in struct_elements(alone))
        for element in elements:
            if element.S == "/TD":
                headers = {bytes(header) for header in element.A.Headers}
                assert headers <= set(ids)
                renamed = {header.endswith(b"~2") for header in headers}
                assert len(renamed) == 1  # one part's cells keep to that part's headers


def with_id_tree(part: bytes, role_map: dict[str, str]) -> bytes:
    """The part with an ID tree of its elements' IDs and a role map (WeasyPrint writes none)."""
    with open_pdf(part) as pdf:
        elements = [e for e in struct_elements(pdf) if "/ID" in e]
        entries: list[Any] = []
        for element in sorted(elements, key=lambda e: bytes(e.ID)):
            entries += [pikepdf.String(bytes(element.ID)), element]
        root = pdf.Root.StructTreeRoot
        root.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(entries)))
        root.RoleMap = pikepdf.Dictionary({key: pikepdf.Name(v) for key, v in role_map.items()})
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def test_id_trees_and_role_maps_are_joined(tagged_rendered: Rendered) -> None:
    part = tagged_rendered.parts[3][1]
    first = with_id_tree(part, {"/Chapter": "/Sect"})
    second = with_id_tree(part, {"/Chapter": "/Div", "/Note": "/P"})
    with open_pdf(merge_parts([first, second], IDENTIFIER)) as pdf:
        root = pdf.Root.StructTreeRoot
        assert dict(root.RoleMap.items()) == {"/Chapter": "/Sect", "/Note": "/P"}
        names = root.IDTree.Names
        keys = [bytes(names[index]) for index in range(0, len(names), 2)]  # ASCII
        ids = [bytes(element.ID) for element in struct_elements(pdf) if "/ID" in element]
        assert keys == sorted(keys) and sorted(keys) == sorted(ids)
        for index in range(0, len(names), 2):
            assert bytes(names[index + 1].ID) == bytes(names[index])
