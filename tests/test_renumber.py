"""A part laid out with other page numbers and renumbered in place writes the bytes a fresh
layout of its final document writes; where it cannot be renumbered exactly, it is laid out
afresh (:mod:`booktool.render.renumber`, the render child's ``hold`` and ``reuse`` jobs).

The render child's own code runs here in this process (``pdfrender.render``), on the parts of
this repo's booklet at 3× (a front matter with a contents of every section, chapters, and back
matter with "p. N" references).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from booktool.build import build
from booktool.editions.layouts import BASE_URL
from booktool.editions.pdf import PdfEdition
from booktool.render import weasyprint_patches as patches
from booktool.render import worker as pdfrender
from booktool.render.parts import PageNumbers
from booktool.render.pool import RenderJob, RenderResult, render_processes, warm_renderer
from booktool.render.renumber import shape
from booktool.source.project import Project
from tests.conftest import ROOTS
from tests.test_bench import load_bench
from tests.test_parallel import edition_of


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> PdfEdition:
    project = load_bench().generate(
        tmp_path_factory.mktemp("renumber") / "project", 3, ROOTS / "basic"
    )
    build(Project.open(project), ("pdf",))
    return edition_of(project)


def final_numbers(edition: PdfEdition) -> PageNumbers:
    numbers = edition.predicted()
    assert numbers is not None
    return numbers


def moved(numbers: PageNumbers, by: int) -> PageNumbers:
    """The same numbers ``by`` pages on, where that keeps every number's digit count."""

    def step(page: int) -> int:
        return page + by if len(str(page + by)) == len(str(page)) else page

    anchors = {name: step(page) for name, page in numbers.anchors.items()}
    return PageNumbers(tuple(step(start) for start in numbers.starts), anchors)


def job(edition: PdfEdition, html: str, **fields: object) -> RenderJob:
    """A render job run in this (the test) process. A hold job keeps its layout only while the
    process uses under half its memory limit, and pytest's process has grown by the time these
    tests run (fonts, other builds, clusters): unless a test sets it, the limit is set above
    twice what this process uses now, as a render child's is above what it uses."""
    fields.setdefault("memory_mb", max(edition.limits.render_memory_mb, _used_mb() * 2 + 512))
    return dataclasses.replace(edition.render_job(html), generation="test", **fields)


def _used_mb() -> int:
    """The address space this process uses, in MiB (what a render's memory limit counts)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") // 2**20


def held_then_final(edition: PdfEdition, first: str, final: str) -> RenderResult:
    kept = pdfrender.render(job(edition, first, hold=True, write=False))
    assert kept.token and not kept.pdf
    return pdfrender.render(job(edition, final, reuse=kept.token))


def test_a_renumbered_part_writes_the_bytes_of_a_fresh_layout(edition: PdfEdition) -> None:
    numbers = final_numbers(edition)
    guess = moved(numbers, 1)
    renumbered = 0
    for index in range(len(edition.parts.parts)):
        first, final = edition.parts.document(index, guess), edition.parts.document(index, numbers)
        assert shape(first) == shape(final)
        reused = held_then_final(edition, first, final)
        fresh = pdfrender.render(job(edition, final))
        assert not fresh.reused_layout
        assert reused.pdf == fresh.pdf, f"part {index}"
        assert (reused.pages, reused.anchors, reused.page_starts) == (
            fresh.pages,
            fresh.anchors,
            fresh.page_starts,
        )
        renumbered += reused.reused_layout
    # Every part has numbers to change (its first page's, and the front matter's contents);
    # with every digit count kept, every part is renumbered in place.
    assert guess.starts != numbers.starts
    assert renumbered == len(edition.parts.parts)


def test_a_layout_renumbered_twice_writes_the_bytes_of_a_fresh_layout(
    edition: PdfEdition,
) -> None:
    """``booktool watch`` keeps a renumbered layout and renumbers it again at the next edit:
    its tree, its text boxes and its margins must say the last numbers, not the first."""
    numbers = final_numbers(edition)
    for index in range(len(edition.parts.parts)):
        first = edition.parts.document(index, moved(numbers, 2))
        between = edition.parts.document(index, moved(numbers, 1))
        final = edition.parts.document(index, numbers)
        kept = pdfrender.render(job(edition, first, hold=True, write=False))
        once = pdfrender.render(job(edition, between, reuse=kept.token, hold=True))
        assert once.reused_layout and once.token
        twice = pdfrender.render(job(edition, final, reuse=once.token))
        assert twice.reused_layout, f"part {index}"
        assert twice.pdf == pdfrender.render(job(edition, final)).pdf, f"part {index}"


def test_a_number_that_gains_a_digit_is_laid_out_afresh(edition: PdfEdition) -> None:
    numbers = final_numbers(edition)
    front = edition.parts.document(0, numbers)
    short = {name: page for name, page in numbers.anchors.items() if page >= 10}
    assert short, "the contents list pages from 10 on"
    guess = PageNumbers(numbers.starts, {**numbers.anchors, **{name: 9 for name in short}})
    reused = held_then_final(edition, edition.parts.document(0, guess), front)
    assert not reused.reused_layout
    assert reused.pdf == pdfrender.render(job(edition, front)).pdf


def test_another_document_is_laid_out_afresh(edition: PdfEdition) -> None:
    numbers = final_numbers(edition)
    one, other = edition.parts.document(1, numbers), edition.parts.document(2, numbers)
    reused = held_then_final(edition, one, other)
    assert not reused.reused_layout
    assert reused.pdf == pdfrender.render(job(edition, other)).pdf


def test_a_kept_layout_serves_once_and_only_its_own_build(edition: PdfEdition) -> None:
    numbers = final_numbers(edition)
    document = edition.parts.document(1, numbers)
    kept = pdfrender.render(job(edition, document, hold=True))
    assert kept.token in pdfrender._HELD
    pdfrender.render(dataclasses.replace(job(edition, document, write=False), generation="next"))
    assert kept.token not in pdfrender._HELD  # another build's job dropped it
    again = pdfrender.render(job(edition, document, reuse=kept.token))
    assert not again.reused_layout and again.pdf


def copies(edition: PdfEdition, *targets: Path) -> tuple[Path, ...]:
    """The edition's project (manuscript and layouts) copied to each of ``targets``."""
    project = Path(edition.layouts.project_directory or "").parent
    for target in targets:
        shutil.copytree(project / "manuscript", target / "manuscript")
        shutil.copytree(project / "layouts", target / "layouts")
    return targets


def test_a_cold_build_writes_what_a_build_that_knew_its_page_numbers_writes(
    edition: PdfEdition, tmp_path: Path
) -> None:
    """Through the build: the parts laid out on a guess and kept are renumbered, and the PDF
    is byte for byte the one a build that knew its page numbers writes (every part laid out
    once, with its final numbers). How many parts were renumbered is bench/'s to check."""
    (copy,) = copies(edition, tmp_path / "project")
    build(Project.open(copy), ("pdf",))
    cold = next((copy / "build").glob("*.pdf")).read_bytes()
    for path in (copy / "build").rglob("*"):  # keep only the page numbers
        if path.is_file() and not path.name.startswith("numbers-"):
            path.unlink()
    build(Project.open(copy), ("pdf",))
    assert next((copy / "build").glob("*.pdf")).read_bytes() == cold


def test_while_watching_an_edit_that_moves_later_pages_writes_what_a_one_off_build_writes(
    edition: PdfEdition, tmp_path: Path
) -> None:
    """``booktool watch`` keeps every part's layout in its workers: an edit that adds a page
    early in the book renders the edited part, and renumbers the later ones in place of laying
    them out again; the PDF is byte for byte what a one-off build of the edited book writes."""
    watched, once = copies(edition, tmp_path / "watched", tmp_path / "once")
    longer = " ".join(["A sentence the editor added, long enough to move the pages on."] * 40)
    limits = edition.limits
    with warm_renderer(limits.render_memory_mb, render_processes(limits)):
        build(Project.open(watched), ("pdf",))
        pages = len(PdfReader(next((watched / "build").glob("*.pdf"))).pages)
        for copy in (watched, once):
            segment = copy / "manuscript" / "segments" / "seg-01.md"
            segment.write_text(segment.read_text() + f"\n{longer}\n")
        build(Project.open(watched), ("pdf",))
    written = next((watched / "build").glob("*.pdf")).read_bytes()
    assert len(PdfReader(io.BytesIO(written)).pages) > pages  # the edit moved the pages on
    build(Project.open(once), ("pdf",))
    assert written == next((once / "build").glob("*.pdf")).read_bytes()


def test_a_child_near_its_memory_limit_keeps_no_layout(edition: PdfEdition) -> None:
    """Kept layouts must leave room to render: past half the limit, a hold job keeps nothing
    (its part is then laid out afresh with its final numbers)."""
    document = edition.parts.document(1, final_numbers(edition))
    tight = pdfrender.render(job(edition, document, hold=True, write=False, memory_mb=1))
    assert tight.token is None and tight.pages and not tight.pdf
    roomy = pdfrender.render(job(edition, document, hold=True))
    assert roomy.token is not None


def test_an_idle_worker_takes_jobs_pinned_to_a_busy_one(edition: PdfEdition) -> None:
    """Jobs pinned to one worker (the layouts it keeps) are not left waiting while another
    worker idles: past STEAL_AFTER of them, the idle one takes some and lays them out afresh."""
    from booktool.render.pool import STEAL_AFTER, RenderPool

    documents = [edition.parts.document(1, final_numbers(edition))] * (STEAL_AFTER + 3)
    payloads = [
        json.dumps(dataclasses.asdict(job(edition, html, reuse="elsewhere"))).encode()
        for html in documents
    ]
    pool = RenderPool(edition.limits.render_memory_mb, 2)
    try:
        ran = pool.run(payloads, 300, None, pins=[0] * len(payloads))
    finally:
        pool.close()
    assert all(one is not None and one[0] == 0 for one in ran)
    assert 1 in pool.ran_on and pool.ran_on.count(0) >= STEAL_AFTER
    replies = [RenderResult.decode(one[1]).pdf for one in ran if one is not None]
    assert len(set(replies)) == 1  # the same bytes, whichever worker laid it out


def test_linked_style_sheets_parsed_once_write_the_bytes_of_a_parse_per_part(
    edition: PdfEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker parses a linked style sheet (``print.css``, its fonts) once and gives it to
    its later parts (0.08 s a part): every part writes the bytes, and reports the files
    served, refused and the warnings, that WeasyPrint's own parse for each part gives."""
    numbers = final_numbers(edition)
    documents = [edition.parts.document(i, numbers) for i in range(len(edition.parts.parts))]
    patches._SHEETS.clear()
    kept = [pdfrender.render(job(edition, document)) for document in documents]
    assert len(patches._SHEETS) == 1
    (sheets,) = patches._SHEETS.values()
    assert f"{BASE_URL}print.css" in sheets.by_url and all(sheets.by_url.values())

    from weasyprint.text.fonts import FontConfiguration

    monkeypatch.setattr(pdfrender, "sheets_of", lambda _: patches.Sheets(FontConfiguration()))
    monkeypatch.setattr(pdfrender, "kept_sheets", lambda *_: contextlib.nullcontext())
    fresh = [pdfrender.render(job(edition, document)) for document in documents]
    assert all(result.pdf for result in kept)
    assert [r.pdf for r in kept] == [r.pdf for r in fresh]
    for ours, theirs in zip(kept, fresh, strict=True):
        assert sorted(ours.served) == sorted(theirs.served)
        assert (ours.refused, ours.log, ours.page_starts) == (
            theirs.refused,
            theirs.log,
            theirs.page_starts,
        )


def test_a_changed_layout_file_is_parsed_again(tmp_path: Path) -> None:
    """The kept sheets are per layout files (names, sizes, times): a style sheet edited
    between two renders (``booktool watch``) is parsed again, and its change shows."""
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    sheet = layouts / "print.css"
    html = '<html><head><link rel="stylesheet" href="print.css"/></head><body><p>x</p></body>'
    results = []
    for size in ("A5", "105mm 148mm"):  # A6 by its size: the file grows
        sheet.write_text(f"@page {{ size: {size}; }}\n")
        job = RenderJob(html, str(layouts), {}, {}, "0" * 32, 2048, "pdf/ua-1")
        results.append(pdfrender.render(job))
    sizes = [PdfReader(io.BytesIO(r.pdf)).pages[0].mediabox.width for r in results]
    assert round(sizes[0]) == 420 and round(sizes[1]) == 298  # A5, then A6, in points
