"""The files a draft becomes load cleanly whatever ids, dates and names the engine proposes."""

from __future__ import annotations

from pathlib import Path

from booktool.cli.draftfiles import (
    Metadata,
    book_yaml,
    chronology_yaml,
    figures_yaml,
    people_yaml,
    segment_files,
)
from booktool.draft import (
    Draft,
    DraftChapter,
    DraftChart,
    DraftEvent,
    DraftPerson,
    DraftQuantity,
    DraftSegment,
)
from booktool.source.manuscript import load_manuscript
from booktool.source.project import Project


def awkward_draft() -> Draft:
    """A draft whose proposals the loader would refuse as they stand: ids that start with a
    digit, repeat or are empty, a date booktool does not read, variants two people share."""
    segments = [
        DraftSegment(
            f"seg-0{n}", n * 60, "Same Title", f"Text {n} of 1950.", f"In this section, {n}"
        )
        for n in range(1, 4)
    ]
    return Draft(
        title="Awkward",
        subtitle=None,
        introduction="An introduction.",
        segments=segments,
        chapters=[
            DraftChapter("1950s", "The 1950s", ["seg-01"], [("yes", "a term YAML would misread")]),
            DraftChapter("1950s", "", ["seg-02", "seg-03"], [("", "no term"), ("t", "")]),
        ],
        chronology=[
            DraftEvent("1950", "1950", "It happened.", ["seg-01"]),
            DraftEvent("1950", "1950", "It happened again.", ["seg-02"]),
            DraftEvent("x", "sometime", "Undated.", ["seg-03"]),
        ],
        quantities=[DraftQuantity("", "two", 2.0, None, None, None, 60)],
        charts=[DraftChart("1950s", "units", [("a", 1.0, 60), ("b", 2.5, 120), ("c", 3.0, 180)])],
        people=[
            DraftPerson("Ann Lee", None, ["Ann Li", "Bo Lee"], True, ["seg-01"]),
            DraftPerson("Bo Lee", "a role", ["Ann Li"], False, ["seg-02"]),
            DraftPerson("Ann Lee", None, [], False, ["seg-03"]),
        ],
        notes=[],
    )


def test_awkward_proposals_give_a_manuscript_that_loads(tmp_path: Path) -> None:
    draft = awkward_draft()
    meta = Metadata("Awkward", None, [], "en", "urn:uuid:x", "2026-01-01")
    files = segment_files(draft, "s.txt", [3, 4, 5])
    files["book.yaml"] = book_yaml(draft, meta, "s.txt", introduction=False)
    for name, text in (
        ("chronology.yaml", chronology_yaml(draft, "s.txt")),
        ("figures.yaml", figures_yaml(draft, "Awkward", "s.txt")),
        ("people.yaml", people_yaml(draft, "s.txt")),
    ):
        assert text is not None
        files[name] = text
    for name, text in files.items():
        (tmp_path / "manuscript" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "manuscript" / name).write_text(text)
    manuscript = load_manuscript(Project.open(tmp_path))
    chapters = manuscript.config.chapters
    assert [c.id for c in chapters] == ["chapter-1950s", "chapter-1950s-2"]
    assert chapters[1].title == "Segments seg-02, seg-03"
    assert chapters[0].key_terms == [("Yes", "A term YAML would misread")]
    assert manuscript.segments["seg-01"].title == "The 1950s"  # a chapter's only segment
    assert [e.event for e in manuscript.apparatus.chronology] == [
        "It happened.",
        "It happened again.",
    ]
    assert len({e.id for e in manuscript.apparatus.chronology}) == 2
    assert [f.kind for f in manuscript.apparatus.figures] == ["chart", "table"]
    assert [(p.name, p.variants) for p in manuscript.people] == [
        ("Ann Lee", ["Ann Li"]),
        ("Bo Lee", []),
    ]
