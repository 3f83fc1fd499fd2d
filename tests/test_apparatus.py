"""The study apparatus in both editions: chronology, figures, notes, bibliography, aids, links."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pypdf
import pytest

from booktool.language.typography import Typography
from booktool.source.chronology import dated_statements, parse_date, years_covered
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project

from .conftest import ROOTS, copy_project, run_cli
from .outputs import NS, Epub, pdf_pages, squash

smarten = Typography.for_language("en").smarten

MANUSCRIPT = load_manuscript(Project.open(ROOTS / "basic"))
APPARATUS = MANUSCRIPT.apparatus


@pytest.fixture(scope="module")
def book(repo_epub: Path) -> Epub:
    return Epub(repo_epub)


@pytest.fixture(scope="module")
def pages(repo_pdf: Path) -> list[str]:
    return pdf_pages(repo_pdf)


def epub_text(book: Epub) -> str:
    return squash("".join(book.text(href) for href in book.spine_hrefs()))


def test_chronology_covers_every_year_the_segments_mention() -> None:
    covered = years_covered(APPARATUS.chronology)
    mentioned = {
        year
        for segment in MANUSCRIPT.segments.values()
        for found in dated_statements(segment.id, segment.file.path, segment.file.body, 1)
        for year in found.years
    }
    assert mentioned >= {1950, 1952, 1953, 1958, 1959, 1962, 1969}
    assert mentioned <= covered


def test_every_chronology_entry_in_date_order_in_both_editions(
    pages: list[str], book: Epub
) -> None:
    pdf = squash("".join(pages))
    epub = squash(book.text("chronology.xhtml"))
    starts = [entry.date.start for entry in APPARATUS.chronology]
    assert starts == sorted(starts)
    for entry in APPARATUS.chronology:
        assert squash(smarten(entry.event)) in pdf and squash(entry.label) in pdf, entry.id
        assert squash(smarten(entry.event)) in epub and squash(entry.label) in epub, entry.id
    assert squash(book.text("chronology.xhtml")).count("1958") == 1  # one heading, four events
    doc = book.document("chronology.xhtml")
    first = doc.find(".//x:dd", NS)
    link = first.find(".//x:a", NS)
    assert link.get("href") == "chapter-01.xhtml#s-seg-02"


def test_every_figure_in_both_editions_with_alt_text_and_data(pages: list[str], book: Epub) -> None:
    pdf = squash("".join(pages))
    epub = squash(epub_text(book))
    lof = squash(book.text("figures-list.xhtml"))
    for figure in APPARATUS.figures:
        label = squash(f"Figure {figure.number} {smarten(figure.title)}")
        assert label in pdf and label in epub and label in lof
    doc = book.document("figures.xhtml")
    chart = doc.find(".//x:figure[@id='fig-death-toll']", NS)
    # The EPUB draws the chart inline (it takes the reader's colours), named by its alt text.
    assert chart.find("x:img", NS) is None
    svg = chart.find("{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("role") == "img"
    assert svg.get("aria-label", "").startswith("Bar chart of four death-toll estimates")
    assert svg.findtext("{http://www.w3.org/2000/svg}title", "").startswith("Figure A.1: Estimates")
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}rect")) == 4
    assert not [n for n in book.zip.namelist() if n.endswith("figures/death-toll.svg")]
    rows = [["".join(c.itertext()) for c in row] for row in chart.iterfind(".//x:tbody/x:tr", NS)]
    assert rows[0] == ["Official figure", "18", "00:35:00"]
    for figure in APPARATUS.figures:
        for row in figure.rows:
            assert squash("".join(row)) in pdf


def test_cross_reference_page_numbers_match_where_targets_fall(pages: list[str]) -> None:
    text = "\n".join(pages)
    checked = 0
    for match in re.finditer(r"(Figure A\.\d+), p\.\s(\d+)", text):
        target = pages[int(match.group(2)) - 1]
        caption = next(f for f in APPARATUS.figures if f"Figure {f.number}" == match.group(1))
        assert squash(f"{match.group(1)} {smarten(caption.title)}") in squash(target)
        checked += 1
    for match in re.finditer(r"“([^”]+)”, p\.\s(\d+)", text):
        assert squash(match.group(1)) in squash(pages[int(match.group(2)) - 1])
        checked += 1
    for match in re.finditer(r"Chronology, ([^,]+), p\.\s(\d+)", text):
        assert squash(match.group(1)) in squash(pages[int(match.group(2)) - 1])
        checked += 1
    assert checked >= 5


def test_contents_and_back_matter_page_numbers_match(repo_pdf: Path, pages: list[str]) -> None:
    reader = pypdf.PdfReader(repo_pdf)
    outline = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    contents = next(page for page in pages if page.startswith("Contents"))
    for title in ("Chronology", "Appendix A: Figures", "Who’s Who", "Sources and Notes"):
        printed = re.search(re.escape(title) + r"[\s.]*(\d+)", contents)
        assert printed, title
        assert int(printed.group(1)) == outline[title]


def test_footnotes_fall_on_the_page_of_their_call(pages: list[str]) -> None:
    for note, call in [
        ("Four Pests", "extraordinary campaign against sparrows"),
        ("Liu succeeded Mao as Chairman", "who became the head of state in 1959"),
    ]:
        found = [i for i, page in enumerate(pages) if note in page.replace("\n", " ")]
        assert len(found) == 1, note
        assert call in pages[found[0]].replace("\n", " ")


def test_epub_notes_are_linked_footnotes(book: Epub) -> None:
    doc = book.document("chapter-02.xhtml")
    ref = doc.find(".//x:a[@epub:type='noteref']", NS)
    assert ref is not None and ref.get("href") == "#note-1" and ref.text == "1"
    note = doc.find(".//x:aside[@id='note-1']", NS)
    assert note.get(f"{{{NS['epub']}}}type") == "footnote"
    assert "Four Pests" in "".join(note.itertext())
    assert note.find(".//x:a[@href='#noteref-1']", NS) is not None


def test_every_bibliography_item_and_editorial_note_in_both_editions(
    pages: list[str], book: Epub
) -> None:
    pdf = squash("".join(pages))
    epub = squash(book.text("sources.xhtml"))
    assert len(APPARATUS.references) == 5
    for ref in APPARATUS.references:
        title = squash(smarten(ref["title"]))
        assert title[:30] in pdf and title[:30] in epub, ref["id"]
    assert "Dikötter, Frank. 2010." in book.text("sources.xhtml")
    for segment in MANUSCRIPT.segments.values():
        for note in segment.notes:
            assert squash(smarten(note)) in pdf and squash(smarten(note)) in epub
        assert squash(segment.span.label) in epub
    # in-text citations are formatted by citeproc in both editions
    assert "(Yang 2012)" in book.text("chapter-06.xhtml")


def test_study_aids_close_each_chapter_in_both_editions(pages: list[str], book: Epub) -> None:
    pdf = squash("".join(pages))
    for number, chapter in enumerate(MANUSCRIPT.config.chapters, start=1):
        epub = squash(book.text(f"chapter-{number:02d}.xhtml"))
        assert chapter.key_terms and chapter.questions
        for term, definition in chapter.key_terms:
            assert squash(smarten(term + definition)) in pdf
            assert squash(smarten(term + definition)) in epub
        for question in chapter.questions:
            assert squash(smarten(question)) in pdf and squash(smarten(question)) in epub


def test_every_epub_link_resolves(book: Epub) -> None:
    ids: dict[str, set[str]] = {}
    docs = [
        i.get("href")
        for i in book.manifest().values()
        if i.get("media-type") == "application/xhtml+xml"
    ]
    for href in docs:
        ids[href] = {e.get("id") for e in book.document(href).iter() if e.get("id")}
    checked = 0
    for href in docs:
        for link in book.document(href).iter(f"{{{NS['x']}}}a"):
            target = link.get("href")
            if target is None or re.match(r"^[a-z]+:", target):
                continue
            file, _, fragment = target.partition("#")
            file = (
                posixpath.normpath(posixpath.join(posixpath.dirname(href), file)) if file else href
            )
            assert file in ids, f"{href}: {target}"
            assert not fragment or fragment in ids[file], f"{href}: {target}"
            checked += 1
    assert checked > 60


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("1958", "1958"),
        ("1958-08", "August 1958"),
        ("1958-08-29", "29 August 1958"),
        ("1950–1952", "1950–1952"),
        ("1950-1952", "1950–1952"),
        ("c. 1959", "c. 1959"),
        ("circa 1959", "c. 1959"),
        ("1950s", "1950s"),
        (1962, "1962"),
    ],
)
def test_historians_dates(value: object, label: str) -> None:
    from booktool.source.chronology import date_label

    assert date_label(parse_date(value)) == label


@pytest.mark.parametrize("value", ["1958-13", "1958-02-30", "1952–1950", "1955s", "soon", True])
def test_bad_dates_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "manuscript" / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "segments/seg-01.md",
            "[@fig:death-toll]",
            "[@fig:death-tol]",
            r"seg-01\.md:10:\d+: error\[unresolved-reference\]: \[@fig:death-tol\] names a "
            r"figure that does not exist; known: fig:death-toll, fig:key-numbers",
        ),
        (
            "segments/seg-11.md",
            "[@yang2012]",
            "[@yang2021]",
            r"seg-11\.md:7:\d+: error\[unresolved-reference\]: \[@yang2021\] cites a source "
            r"that does not exist; add it to manuscript/sources\.yaml",
        ),
        (
            "chronology.yaml",
            "date: 1953",
            "date: 1953-14",
            r"chronology\.yaml:12: error\[chronology-date\]: '1953-14': no month 14",
        ),
        (
            "chronology.yaml",
            "segments: [seg-03]",
            "segments: [seg-30]",
            r"chronology\.yaml:\d+: error\[unresolved-id\]: segment 'seg-30' does not exist",
        ),
        (
            "figures.yaml",
            "  alt: >-\n    Bar chart",
            "  alt_text: >-\n    Bar chart",
            r"figures\.yaml:\d+: error\[missing-key\]: a figure needs 'alt'",
        ),
        (
            "figures.yaml",
            "source: the documentary, at the timestamp in each row.",
            "source:",
            r"figures\.yaml:\d+: error\[missing-key\]: a figure needs 'source'",
        ),
        (
            "sources.yaml",
            "type: motion_picture",
            "type: film",
            r"sources\.yaml:\d+: error\[source\]: source type 'film' is not a CSL type",
        ),
    ],
)
def test_apparatus_errors_name_file_and_line(
    tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    project = copy_project(tmp_path)
    edit(project, name, old, new)
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 1
    assert re.search(expected, result.err), result.err
    assert not [p for p in (project / "build").glob("*") if p.is_file()]


def test_suggest_lists_dated_statements_and_what_is_missing(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    edit(
        project,
        "segments/seg-04.md",
        "Thousands of communes",
        "In the 1960s, thousands of communes",
    )
    result = run_cli("chronology", str(project), "--suggest")
    assert result.code == 0
    lines = result.out.splitlines()
    assert any(
        re.match(r".*seg-02\.md:\d+: 1950–1952 \[in chronology\] The Chinese peasants", x)
        for x in lines
    )
    assert any(
        re.match(r".*seg-04\.md:\d+: 1960s \[new\] In the 1960s, thousands", x) for x in lines
    )
    assert lines[-1] == "1 dated statement names years the chronology does not cover"
    assert not any("harvest-1959" in x and "[new]" in x for x in lines)


def test_whos_who_lists_every_person_in_both_editions(pages: list[str], book: Epub) -> None:
    people = MANUSCRIPT.people
    assert [p.name for p in people][:2] == ["Mao Zedong", "Liu Shaoqi"]
    pdf = squash("".join(pages))
    epub = squash(book.text("people.xhtml"))
    for person in people:
        entry = squash(f"{person.name} ({person.dates}) {smarten(person.role or '')}")
        assert entry in pdf and entry in epub, person.name
    doc = book.document("people.xhtml")
    assert doc.find(".//x:dt[@id='person-liu-shaoqi']", NS) is not None
