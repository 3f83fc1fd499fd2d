"""The PDF rendered in parts at once and joined is the PDF one render of the whole book gives.

A 3× booklet (this repo's, every chapter three times: 7 parts, links and page references
across them) is built; its PDF is compared with WeasyPrint's render of the same book as one
document with the same page numbers (``PrintParts.single_document``): page count, text per
page, outline, where every link leads, the structure tree's elements. Then what a rebuild
reuses: an edit renders only the part that holds it, unless it moves later pages.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from booktool.build import build
from booktool.cache.store import BuildCache
from booktool.editions.layouts import Layouts
from booktool.editions.pdf import PdfEdition
from booktool.editions.plan import build_moment
from booktool.render.pool import render_jobs
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project
from booktool.stages import convert
from tests.conftest import ROOTS
from tests.test_bench import load_bench


@pytest.fixture(scope="module")
def tripled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = load_bench().generate(
        tmp_path_factory.mktemp("parts") / "project", 3, ROOTS / "basic"
    )
    build(Project.open(project), ("pdf",))
    return project


def edition_of(project: Path) -> PdfEdition:
    opened = Project.open(project)
    manuscript = load_manuscript(opened)
    cache = BuildCache(opened.build_dir)
    book, _ = convert(manuscript, cache)
    edition = PdfEdition(
        book, Layouts(opened.layouts), build_moment(book), manuscript.config.limits
    )
    edition.cache = cache
    return edition


@pytest.fixture(scope="module")
def single(tripled: Path) -> bytes:
    """The same book rendered as one document, in one render, with the same page numbers."""
    edition = edition_of(tripled)
    assert len(edition.parts.parts) >= 3
    numbers = edition.predicted()
    assert numbers is not None
    job = edition.render_job(edition.parts.single_document(numbers))
    return render_jobs([job], edition.limits)[0].pdf


def texts(data: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", p.extract_text()).strip() for p in PdfReader(io.BytesIO(data)).pages
    ]


def outline(data: bytes) -> list[tuple[int, str, int]]:
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found: list[tuple[int, str, int]] = []
    with pdf.open_outline() as tree:

        def walk(items: Any, depth: int) -> None:
            for item in items:
                target = item.destination[0].objgen if item.destination is not None else None
                found.append((depth, item.title, pages.get(target, -1)))
                walk(item.children, depth + 1)

        walk(tree.root, 0)
    return found


def links(data: bytes) -> list[tuple[int, tuple[int, ...], int]]:
    """Every link: its page, rectangle (rounded) and the page it leads to."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    names: dict[str, int] = {}
    tree = pikepdf.NameTree(pdf.Root.Names.Dests)
    for name, dest in tree.items():
        names[str(name)] = pages[dest[0].objgen]
    found = []
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            rect = tuple(round(float(v)) for v in annot.Rect)
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot:
                action = annot.A
                assert action.get("/S") != "/URI" or not str(action.URI).startswith(
                    "booktool-xref:"
                )
                dest = action.get("/D")
            target = names.get(str(dest), -1) if isinstance(dest, pikepdf.String) else -1
            found.append((index, rect, target))
    return found


def structure(data: bytes) -> Counter[str]:
    pdf = pikepdf.open(io.BytesIO(data))
    kinds: Counter[str] = Counter()

    def visit(node: Any) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                visit(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            kinds[str(node.S)] += 1
            if "/K" in node:
                visit(node.K)

    visit(pdf.Root.StructTreeRoot.K)
    return kinds


def test_the_joined_pdf_has_the_pages_text_outline_links_and_tags_of_one_render(
    tripled: Path, single: bytes
) -> None:
    joined = (tripled / "build" / "the-great-leap-forward.pdf").read_bytes()
    assert texts(joined) == texts(single)
    assert outline(joined) == outline(single)
    assert len(outline(joined)) > 20
    joined_links = links(joined)
    assert joined_links == links(single)
    assert all(target >= 0 for _, _, target in joined_links)
    assert structure(joined) == structure(single)
    pdf = pikepdf.open(io.BytesIO(joined))
    assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang)
    assert not pdf.check_pdf_syntax()  # qpdf finds nothing wrong


def font_files(data: bytes) -> dict[str, dict[tuple[int, int], bytes]]:
    """Each font's embedded files (their decoded bytes, by object), by the font's name."""
    pdf = pikepdf.open(io.BytesIO(data))
    found: dict[str, dict[tuple[int, int], bytes]] = {}
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", pikepdf.Dictionary()).values():
            cid_font = font.DescendantFonts[0]
            descriptor = cid_font.FontDescriptor
            stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            files = found.setdefault(str(cid_font.BaseFont), {})
            files[stream.objgen] = stream.read_bytes()
    return found


def test_the_joined_pdf_embeds_each_book_font_once_as_one_render_does(
    tripled: Path, single: bytes
) -> None:
    """The parts each embed their own subset of a font; the join embeds one subset of all
    their glyphs: the bytes one render of the whole book embeds."""
    joined = (tripled / "build" / "the-great-leap-forward.pdf").read_bytes()
    ours, theirs = font_files(joined), font_files(single)
    assert ours.keys() == theirs.keys()
    book_fonts = [name for name in ours if "+Book-" in name]
    assert len(book_fonts) >= 4
    for name in book_fonts:
        assert len(ours[name]) == 1, name  # one file, whichever part draws with it
        assert list(ours[name].values()) == list(theirs[name].values()), name
    assert len(joined) < 1.15 * len(single)  # a subset per part made it 1.7 times as large


def test_page_numbers_in_contents_and_references_are_the_pages_where_targets_are(
    tripled: Path,
) -> None:
    pages = texts((tripled / "build" / "the-great-leap-forward.pdf").read_bytes())
    contents = " ".join(text for text in pages[:8])
    listed = dict(re.findall(r"(Chronology|Who’s Who|Sources and Notes)[ .]*?(\d+)", contents))
    assert len(listed) == 3
    for title, page in listed.items():
        assert pages[int(page) - 1].startswith(title), (title, page)
        assert pages[int(page) - 1].endswith(page)  # the printed page number at the foot


def test_an_edit_renders_only_its_part_and_the_pdf_is_as_a_cold_build_makes_it(
    tripled: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(tripled, project)
    parts = project / "build" / ".cache" / "parts"
    before = {p.name for p in parts.glob("*.pdf")}
    segment = project / "manuscript" / "segments" / "seg-05-2.md"
    # A word for another as long: the text changes, the pages stay where they were.
    segment.write_text(segment.read_text().replace("cadres lived well", "cadres dined well", 1))
    build(Project.open(project), ("pdf",))
    after = {p.name for p in parts.glob("*.pdf")}
    assert len(after - before) == 1  # one part rendered again
    assert len(before - after) == 1  # and its old render dropped
    edited = (project / "build" / "the-great-leap-forward.pdf").read_bytes()

    shutil.rmtree(project / "build")
    build(Project.open(project), ("pdf",))
    cold = (project / "build" / "the-great-leap-forward.pdf").read_bytes()
    assert hashlib.sha256(edited).digest() == hashlib.sha256(cold).digest()


def test_an_edit_late_in_the_book_joins_the_parts_before_it_while_it_renders(
    tripled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unchanged parts before the edited one are joined while it renders, and the join
    goes on from there: the bytes of a cold build all the same."""
    import booktool.editions.pdf

    project = tmp_path / "project"
    shutil.copytree(tripled, project)
    segment = project / "manuscript" / "segments" / "seg-09-3.md"
    segment.write_text(segment.read_text().replace(" the ", " The ", 1))
    ahead: list[int] = []
    continued: list[int] = []
    real_ahead = booktool.editions.pdf.PdfEdition._joining_ahead
    real_merge = booktool.editions.pdf.merge_parts

    def joining_ahead(self: booktool.editions.pdf.PdfEdition, known: list[bytes]) -> Any:
        ahead.append(len(known))
        return real_ahead(self, known)

    def merging(*args: Any, **options: Any) -> bytes:
        joiner = options.get("ahead")
        continued.append(len(joiner.parts) if joiner is not None else 0)
        return real_merge(*args, **options)

    monkeypatch.setattr(booktool.editions.pdf.PdfEdition, "_joining_ahead", joining_ahead)
    monkeypatch.setattr(booktool.editions.pdf, "merge_parts", merging)
    build(Project.open(project), ("pdf",))
    parts = len(edition_of(project).parts.parts)
    assert len(ahead) == 1 and booktool.editions.pdf.JOIN_AHEAD_MIN <= ahead[0] < parts
    assert continued == ahead  # the join went on from the parts joined ahead
    edited = (project / "build" / "the-great-leap-forward.pdf").read_bytes()
    shutil.rmtree(project / "build")
    build(Project.open(project), ("pdf",))
    assert continued[-1] == 0  # a cold build: nothing to join ahead
    cold = (project / "build" / "the-great-leap-forward.pdf").read_bytes()
    assert hashlib.sha256(edited).digest() == hashlib.sha256(cold).digest()


def test_an_edit_that_adds_pages_renumbers_the_later_parts(tripled: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(tripled, project)
    old = texts((project / "build" / "the-great-leap-forward.pdf").read_bytes())
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text() + "\n" + "A paragraph added to move pages on.\n\n" * 40)
    build(Project.open(project), ("pdf",))
    new = texts((project / "build" / "the-great-leap-forward.pdf").read_bytes())
    assert len(new) > len(old)
    contents = " ".join(text for text in new[:8])
    page = int(re.search(r"Sources and Notes[ .]*?(\d+)", contents).group(1))  # type: ignore[union-attr]
    assert new[page - 1].startswith("Sources and Notes") and new[page - 1].endswith(str(page))
    first = next(i for i, text in enumerate(old) if text.startswith("Sources and Notes")) + 1
    assert page == first + len(new) - len(old)


def test_fonts_are_joined_only_where_every_part_says_what_they_are_cut_from(
    tripled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part without font records (a part cached before them) keeps its own subsets, and
    without the font files nothing is joined: the pages draw as before either way."""
    import booktool.editions.pdf

    captured: dict[str, Any] = {}
    real = booktool.editions.pdf.merge_parts

    def keeping(
        parts: Any, identifier: str, fonts: Any = (), files: Any = None, **more: Any
    ) -> bytes:
        captured.update(parts=list(parts), identifier=identifier, fonts=list(fonts), files=files)
        return real(parts, identifier, fonts, files, **more)

    monkeypatch.setattr(booktool.editions.pdf, "merge_parts", keeping)
    joined = edition_of(tripled).render_pdf().data
    parts, identifier, fonts = captured["parts"], captured["identifier"], captured["fonts"]
    assert len(parts) >= 3 and all(fonts) and captured["files"]
    serif = next(r["name"] for r in fonts[1] if r["name"].endswith("+Book-Serif"))
    without = real(parts, identifier, [fonts[0], [], *fonts[2:]], captured["files"])
    assert len(font_files(without)[serif]) == 2  # the joined one, and the second part's own
    apart = real(parts, identifier, fonts, {})
    for name, files in font_files(apart).items():
        drawn_by = [part for part in fonts if any(r["name"] == name for r in part)]
        assert len(files) == len(drawn_by), name  # a subset per part, as written
    assert texts(without) == texts(apart) == texts(joined)


def test_a_round_that_renders_later_parts_only_joins_nothing_ahead(tripled: Path) -> None:
    """A later round renders only the parts whose numbers moved: the parts before them are
    not in it, so there is nothing to join ahead (a warm rebuild once failed on this)."""
    edition = edition_of(tripled)
    numbers = edition.predicted()
    assert numbers is not None
    edition.cache = None  # nothing found in the cache: the part is rendered
    document = edition.parts.document(2, numbers)
    done = edition._render({2: document}, True, None)
    assert list(done) == [2] and done[2].pdf.startswith(b"%PDF") and edition._ahead is None


TRUETYPE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


@pytest.mark.skipif(not TRUETYPE.is_file(), reason="Debian's fonts-dejavu-core is not installed")
def test_a_truetype_layout_font_is_joined_as_one_render_embeds_it(
    tmp_path: Path,
) -> None:
    """A project font in TrueType (``FontFile2``, its synthetic bold and oblique too) is
    embedded once, with the bytes one render of the whole book embeds."""
    project = load_bench().generate(tmp_path / "project", 3, ROOTS / "basic")
    fonts = project / "layouts" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copyfile(TRUETYPE, fonts / "Text.ttf")
    (project / "layouts" / "print.css").write_text(
        '@import url("builtin/print.css");\n'
        '@font-face { font-family: "Text TTF"; src: url(fonts/Text.ttf); }\n'
        'body { font-family: "Text TTF"; }\n'
    )
    build(Project.open(project), ("pdf",))
    edition = edition_of(project)
    numbers = edition.predicted()
    assert numbers is not None and len(edition.parts.parts) >= 3
    job = edition.render_job(edition.parts.single_document(numbers))
    single = render_jobs([job], edition.limits)[0].pdf
    joined = (project / "build" / "the-great-leap-forward.pdf").read_bytes()
    ours, theirs = font_files(joined), font_files(single)
    truetype = [name for name in ours if "+Text-TTF" in name]
    assert truetype
    for name in truetype:
        assert len(ours[name]) == 1, name
        assert list(ours[name].values()) == list(theirs[name].values()), name
    assert texts(joined) == texts(single)
