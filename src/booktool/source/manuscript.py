"""Reading a manuscript: ``book.yaml``, the introduction and one Markdown file per segment.

:func:`load_manuscript` reads and checks every file and reports every problem at once;
:func:`assemble_book` turns a checked manuscript and its converted HTML into the book model.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from booktool.errors import InputError, Problem, input_error
from booktool.model.book import Book, Chapter, KeyTerm, Person, Section, SourceSpan
from booktool.source.apparatus import Apparatus, load_apparatus
from booktool.source.characters import character_problem
from booktool.source.config import BookConfig, read_config
from booktool.source.ids import id_problem
from booktool.source.people import Person as PersonEntry
from booktool.source.people import read_people
from booktool.source.pixels import oversized
from booktool.source.project import Project
from booktool.source.schema import unknown_key_hint
from booktool.source.text import decode_text
from booktool.source.timecode import format_timecode, timecode_value
from booktool.source.yamlio import LineDict, load_yaml

MAX_MARKDOWN_BYTES = 4 * 1024 * 1024
SEGMENT_KEYS = {"id", "title", "start", "end", "notes"}
INTRO_KEYS = {"title"}
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class MarkdownFile:
    """A Markdown file split into its YAML front matter and its body."""

    path: Path
    meta: LineDict
    body: str
    body_line: int


@dataclass(frozen=True)
class Segment:
    """A checked segment file."""

    file: MarkdownFile
    id: str
    title: str
    span: SourceSpan
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Manuscript:
    """Every checked input of one booklet, before conversion."""

    project: Project
    config: BookConfig
    introduction: MarkdownFile | None
    segments: dict[str, Segment]
    apparatus: Apparatus
    people: list[PersonEntry] = field(default_factory=list)

    @property
    def markdown_files(self) -> list[MarkdownFile]:
        intro = [self.introduction] if self.introduction else []
        return intro + [segment.file for segment in self.segments.values()]


def read_text(path: Path, limit: int = MAX_MARKDOWN_BYTES) -> str:
    """A manuscript file as text (UTF-8, BOM and CRLF accepted); InputError otherwise."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise input_error(
                path,
                None,
                f"file is {size // 1024} KiB, over the {limit // 1024} KiB limit",
                "split it into smaller files",
                code="file-too-large",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise input_error(path, None, f"cannot read: {exc.strerror}", code="unreadable") from exc
    try:
        return decode_text(data)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise input_error(
            path,
            data.count(b"\n", 0, exc.start) + 1,
            f"not UTF-8 (byte {exc.start}: 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
            exc.start - line_start + 1,
            code="not-utf8",
        ) from exc


def read_markdown_file(path: Path) -> MarkdownFile:
    """Split a Markdown file's front matter (YAML between ``---`` lines) from its body."""
    text = read_text(path)
    if problem := character_problem(path, text):
        raise InputError(problem)
    match = _FRONT.match(text)
    if not match:
        if text.startswith("---"):
            raise input_error(
                path,
                1,
                "front matter is not closed",
                "end it with a '---' line",
                code="front-matter",
            )
        meta = LineDict()
        meta.line, meta.key_lines = 1, {}
        return MarkdownFile(path, meta, text, 1)
    data = load_yaml(match.group(1) or "", path, first_line=2)
    if data is None:
        data = LineDict()
        data.line, data.key_lines = 1, {}
    if not isinstance(data, LineDict):
        raise input_error(
            path, 2, "front matter must be a mapping of keys to values", code="front-matter"
        )
    body_line = text.count("\n", 0, match.end()) + 1
    return MarkdownFile(path, data, text[match.end() :], body_line)


def _check_keys(file: MarkdownFile, known: set[str], problems: list[Problem]) -> None:
    for key in file.meta:
        if key not in known:
            problems.append(
                Problem(
                    file.path,
                    file.meta.line_of(key),
                    f"unknown front matter key '{key}'",
                    unknown_key_hint(key, sorted(known)),
                    code="unknown-key",
                )
            )


def _read_segment(path: Path, problems: list[Problem]) -> Segment | None:
    try:
        file = read_markdown_file(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    meta = file.meta
    _check_keys(file, SEGMENT_KEYS, problems)
    before = len(problems)
    seg_id = meta.get("id")
    if seg_id is not None and (bad := id_problem(path, meta.line_of("id"), "segment", seg_id)):
        problems.append(bad)
    elif seg_id is None:
        problems.append(
            Problem(
                path,
                meta.line_of("id"),
                "segment needs an 'id' (e.g. seg-01)",
                "add 'id: …' to the front matter",
                code="segment-front-matter",
            )
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(
            Problem(
                path,
                meta.line_of("title"),
                "segment needs a 'title'",
                "add 'title: …' to the front matter",
                code="segment-front-matter",
            )
        )
    times: dict[str, int | None] = {"start": None, "end": None}
    for key in times:
        if meta.get(key) is None:
            if key == "start":
                problems.append(
                    Problem(
                        path,
                        meta.line_of(key),
                        "segment needs a 'start' time",
                        "add 'start: \"HH:MM:SS\"'",
                        code="segment-front-matter",
                    )
                )
            continue
        try:
            times[key] = timecode_value(meta[key])
        except ValueError as exc:
            problems.append(
                Problem(path, meta.line_of(key), f"'{key}': {exc}", code="segment-times")
            )
    start, end = times["start"], times["end"]
    if start is not None and end is not None and end <= start:
        problems.append(
            Problem(
                path,
                meta.line_of("end"),
                f"end {format_timecode(end)} is not after start {format_timecode(start)}",
                "fix the segment's times",
                code="segment-times",
            )
        )
    if not file.body.strip():
        problems.append(
            Problem(
                path, file.body_line, "segment has no text", "write its text", code="empty-segment"
            )
        )
    notes = meta.get("notes") or []
    if isinstance(notes, str):
        notes = [notes]
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.append(
            Problem(
                path,
                meta.line_of("notes"),
                "'notes' must be a list of editorial notes",
                "write '- The transcript spells …'",
                code="segment-front-matter",
            )
        )
    if len(problems) > before or start is None:
        return None
    assert isinstance(seg_id, str) and isinstance(title, str)
    return Segment(
        file, seg_id, title.strip(), SourceSpan(start, end), [" ".join(n.split()) for n in notes]
    )


def load_manuscript(project: Project) -> Manuscript:
    """Read and check every manuscript file; one InputError lists every problem."""
    problems: list[Problem] = []
    _check_confined(project.book_file, project.manuscript, problems)
    if problems:
        raise InputError(*problems)
    config = read_config(
        load_yaml(read_text(project.book_file), project.book_file), project.book_file
    )
    introduction = None
    if config.introduction:
        intro_path = _inside(project.manuscript, config.introduction, config, problems)
        if intro_path is not None:
            try:
                introduction = read_markdown_file(intro_path)
                _check_keys(introduction, INTRO_KEYS, problems)
            except InputError as exc:
                problems.extend(exc.problems)
    segments: dict[str, Segment] = {}
    unreadable = False
    folder = project.manuscript / "segments"
    folder_inside = folder.resolve().is_relative_to(project.manuscript.resolve())
    for path in sorted(folder.glob("*.md")):
        if not _check_confined(path, project.manuscript, problems, folder_inside):
            unreadable = True
            continue
        segment = _read_segment(path, problems)
        if segment is None:
            unreadable = True
            continue
        if segment.id in segments:
            problems.append(
                Problem(
                    path,
                    segment.file.meta.line_of("id"),
                    f"segment id '{segment.id}' is also used by "
                    f"{segments[segment.id].file.path.name}",
                    "give each segment its own id",
                    code="duplicate-id",
                )
            )
            unreadable = True
            continue
        segments[segment.id] = segment
    if not unreadable:  # a plan checked against missing segments only repeats the error
        _check_plan(config, segments, problems)
    # With a segment unreadable, references to it would only repeat that error.
    known = None if unreadable else set(segments)
    apparatus = load_apparatus(project.manuscript, known, problems, read_text)
    people = _read_people(project, problems)
    if problems:
        raise InputError(*problems)
    return Manuscript(
        project, config, introduction, _fill_ends(config, segments), apparatus, people
    )


def wants_page_list(project: Project) -> bool:
    """Whether ``book.yaml`` leaves the EPUB its printed page list (the default).

    Read ahead of the manuscript, so that a build of the EPUB alone knows at once whether it
    will lay pages out, and can start loading WeasyPrint while the rest loads. Read as the
    load reads it (inside manuscript/, within its size limit); a file that cannot be read
    counts as the default, and the load reports what is wrong with it.
    """
    if not _check_confined(project.book_file, project.manuscript, []):
        return True
    try:
        data = load_yaml(read_text(project.book_file), project.book_file)
    except InputError:
        return True
    epub = data.get("epub") if isinstance(data, dict) else None
    return not (isinstance(epub, dict) and epub.get("page_list") is False)


def _check_confined(
    path: Path, root: Path, problems: list[Problem], folder_inside: bool = False
) -> bool:
    """Whether ``path`` stays inside ``root`` once symlinks are followed; a problem if not.

    With ``folder_inside`` (its folder is known to stay inside), a file that is not a link
    needs no more than that: one lstat instead of resolving every part of its path.
    """
    if folder_inside and not path.is_symlink():
        return True
    if path.resolve().is_relative_to(root.resolve()):
        return True
    problems.append(
        Problem(
            path,
            None,
            "is a link to a file outside manuscript/",
            "copy the file into manuscript/ instead of linking to it",
            code="outside-project",
        )
    )
    return False


def _read_people(project: Project, problems: list[Problem]) -> list[PersonEntry]:
    """``people.yaml`` if the manuscript has one; its problems join the others."""
    if not project.people_file.is_file():
        return []
    try:
        return read_people(
            load_yaml(read_text(project.people_file), project.people_file), project.people_file
        )
    except InputError as exc:
        problems.extend(exc.problems)
        return []


def _inside(root: Path, name: str, config: BookConfig, problems: list[Problem]) -> Path | None:
    path = (root / name).resolve()
    line = config.line_of.get("introduction")
    if not path.is_relative_to(root.resolve()):
        problems.append(
            Problem(
                config.path,
                line,
                f"'{name}' is outside manuscript/",
                "name a file inside manuscript/",
                code="outside-project",
            )
        )
        return None
    if not path.is_file():
        problems.append(
            Problem(
                config.path,
                line,
                f"introduction file '{name}' does not exist",
                "create it or remove the 'introduction' key",
                code="missing-file",
            )
        )
        return None
    return path


def _check_plan(config: BookConfig, segments: dict[str, Segment], problems: list[Problem]) -> None:
    used: dict[str, str] = {}
    for chapter in config.chapters:
        for seg_id in chapter.segments:
            if seg_id not in segments:
                known = ", ".join(segments) or "none"
                problems.append(
                    Problem(
                        config.path,
                        chapter.line,
                        f"chapter '{chapter.title}' names segment '{seg_id}', which does not exist",
                        f"segments found: {known}",
                        code="plan-unknown-segment",
                    )
                )
            elif seg_id in used:
                problems.append(
                    Problem(
                        config.path,
                        chapter.line,
                        f"segment '{seg_id}' is in chapter '{used[seg_id]}' "
                        f"and again in '{chapter.title}'",
                        "put each segment in one chapter",
                        code="plan-duplicate-segment",
                    )
                )
            else:
                used[seg_id] = chapter.title
    for seg_id, segment in segments.items():
        if seg_id not in used:
            problems.append(
                Problem(
                    segment.file.path,
                    segment.file.meta.line_of("id"),
                    f"segment '{seg_id}' is in no chapter",
                    "add it to a chapter's segments in book.yaml",
                    code="plan-unplaced-segment",
                )
            )
    ordered = sorted(segments.values(), key=lambda s: s.span.start)
    for previous, current in itertools.pairwise(ordered):
        if current.span.start == previous.span.start:
            problems.append(
                Problem(
                    current.file.path,
                    current.file.meta.line_of("start"),
                    f"starts at {format_timecode(current.span.start)}, "
                    f"as {previous.file.path.name} does",
                    "give each segment its own start time",
                    code="segment-times",
                )
            )
    # Overlapping spans are the check's rule segment-overlap (booktool.checks.timing).


def _fill_ends(config: BookConfig, segments: dict[str, Segment]) -> dict[str, Segment]:
    """Segments without an end run to the next segment's start (or the source's duration)."""
    ordered = sorted(segments.values(), key=lambda s: s.span.start)
    filled: dict[str, Segment] = {}
    for index, segment in enumerate(ordered):
        end = segment.span.end
        if end is None:
            end = (
                ordered[index + 1].span.start
                if index + 1 < len(ordered)
                else config.source.duration
            )
        filled[segment.id] = replace(segment, span=SourceSpan(segment.span.start, end))
    return {seg_id: filled[seg_id] for seg_id in segments}


def assemble_book(manuscript: Manuscript, html: dict[Path, str], media: dict[str, Path]) -> Book:
    """The book model from a checked manuscript and each Markdown file's converted HTML."""
    config, apparatus = manuscript.config, manuscript.apparatus
    if oversize := oversized({**media, **apparatus.figure_media}, config.limits.max_megapixels):
        raise InputError(*oversize)
    introduction = None
    if manuscript.introduction is not None:
        meta: dict[str, Any] = manuscript.introduction.meta
        introduction = Section(
            id="introduction",
            title=str(meta.get("title") or "Introduction"),
            html=html[manuscript.introduction.path],
            source_path=manuscript.introduction.path,
        )
    chapters = []
    for number, plan in enumerate(config.chapters, start=1):
        sections = []
        for seg_id in plan.segments:
            segment = manuscript.segments[seg_id]
            sections.append(
                Section(
                    id=seg_id,
                    title=segment.title,
                    html=html[segment.file.path],
                    source_path=segment.file.path,
                    span=segment.span,
                    editorial_notes=segment.notes,
                )
            )
        key_terms = [KeyTerm(term, definition) for term, definition in plan.key_terms]
        chapters.append(Chapter(plan.id, number, plan.title, sections, key_terms, plan.questions))
    bibliography = html.get(apparatus.sources_path, "") if apparatus.sources_path else ""
    return Book(
        title=config.title,
        subtitle=config.subtitle,
        authors=config.authors,
        publisher=config.publisher,
        description=config.description,
        identifier=config.identifier,
        language=config.language,
        date=config.date,
        slug=config.slug,
        page_size=config.page_size,
        page_list=config.epub.page_list,
        embed_fonts=config.epub.embed_fonts,
        page_references=config.page_references,
        source=config.source,
        introduction=introduction,
        chapters=chapters,
        chronology=apparatus.chronology,
        figures=apparatus.figures,
        people=[Person(p.name, p.role or "", p.dates or "", p.variants) for p in manuscript.people],
        bibliography_html=bibliography,
        media={**media, **apparatus.figure_media},
    )
