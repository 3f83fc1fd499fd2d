"""``booktool import``: a drafted booklet project from a summary-and-segments text.

The text is a summary (one or more paragraphs), then one bullet per segment of the source::

    • 00:05:00 In this section, ...

Bullets may be ``•``, ``-``, ``*`` or numbers (``1.``/``1)``); times ``H:MM:SS``, ``HH:MM:SS``,
``MM:SS`` or ``M:SS``. Lines after a bullet that are not bullets continue its text. The parsed
text goes to the drafting engine (:mod:`booktool.draft`); :mod:`booktool.cli.draftfiles` turns
its draft into the manuscript's files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from booktool.cache.output import write_atomic
from booktool.cli.draftfiles import (
    SOURCE_COPY,
    Metadata,
    book_yaml,
    chronology_yaml,
    drafted_events,
    figures_yaml,
    introduction_file,
    people_yaml,
    segment_files,
)
from booktool.draft import Draft, clean_pasted, draft_booklet
from booktool.errors import InputError, Problem, ProjectExistsError, input_error
from booktool.source.characters import character_problem
from booktool.source.chronology import dated_statements, parse_date
from booktool.source.config import LANGUAGE_TAG
from booktool.source.text import decode_text
from booktool.source.timecode import format_timecode, parse_timecode

_BULLET = re.compile(r"^\s*(?:[•\-*‣◦]|\d{1,4}[.)])\s+(.*)$")
_TIMED = re.compile(r"^(\d{1,3}:\d{2}(?::\d{2})?)\b\s*[-–—:]?\s*(.*)$")


@dataclass(frozen=True)
class Segment:
    """One timed segment of the source as the summary text gives it."""

    start: int
    text: str
    line: int


@dataclass(frozen=True)
class SummaryText:
    """A parsed summary-and-segments text."""

    summary: str
    segments: list[Segment]


def _decode(data: bytes, path: Path) -> str:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise input_error(
            path, None, f"not UTF-8 (byte {exc.start})", "save the file as UTF-8", code="not-utf8"
        ) from exc
    if problem := character_problem(path, text):  # U+FFFE and the like: no book holds them
        raise InputError(problem)
    return text


def parse_summary(data: bytes, path: Path) -> SummaryText:
    """Split a summary text into its summary paragraphs and its timed segments."""
    return parse_summary_text(_decode(data, path), path)


def parse_summary_text(text: str, path: Path) -> SummaryText:
    """:func:`parse_summary` of decoded text (LF line ends)."""
    summary_lines: list[str] = []
    segments: list[Segment] = []
    current: list[str] | None = None
    current_start = 0
    current_line = 0

    def close() -> None:
        if current is not None:
            body = " ".join(part.strip() for part in current if part.strip())
            if not body:
                raise input_error(
                    path,
                    current_line,
                    "a segment has no text",
                    "write its text",
                    code="empty-segment",
                )
            segments.append(Segment(current_start, body, current_line))

    for number, line in enumerate(text.split("\n"), start=1):
        bullet = _BULLET.match(line)
        timed = _TIMED.match(bullet.group(1).strip()) if bullet else None
        if bullet and timed:
            close()
            try:
                current_start = parse_timecode(timed.group(1))
            except ValueError as exc:
                raise input_error(path, number, str(exc), code="bad-timestamp") from exc
            if segments and current_start <= segments[-1].start:
                what = "repeats" if current_start == segments[-1].start else "comes before"
                raise input_error(
                    path,
                    number,
                    f"timestamp {format_timecode(current_start)} {what} the previous segment's "
                    f"{format_timecode(segments[-1].start)} (line {segments[-1].line})",
                    "put the segments in time order, each with its own start",
                    code="timestamp-order",
                )
            current = [timed.group(2)]
            current_line = number
        elif bullet and current is not None:
            raise input_error(
                path,
                number,
                "a bullet without a timestamp",
                "start it with HH:MM:SS",
                code="bad-timestamp",
            )
        elif current is not None:
            current.append(line)
        else:
            summary_lines.append(line)
    close()
    if not segments:
        raise input_error(
            path,
            None,
            "no segments found",
            "add lines like '• 00:05:00 What happens here'",
            code="no-segments",
        )
    summary = "\n".join(summary_lines).strip()
    return SummaryText(summary=summary, segments=segments)


@dataclass(frozen=True)
class Overrides:
    """What the command line says about the book, in place of what the draft proposes."""

    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    source_title: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Imported:
    """What an import wrote, and the notes for the editor (clutter dropped, doubts)."""

    written: list[Path]
    segments: int
    notes: list[str]


def without_clutter(text: str) -> tuple[str, str | None, list[str]]:
    """The text with the pasted page's clutter lines blanked (so that line numbers still name
    the file's lines), the video's URL if one was given, and the lines dropped."""
    pasted = clean_pasted(text)
    dropped = list(pasted.dropped)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        bullet = _BULLET.match(line)
        if bullet and _TIMED.match(bullet.group(1).strip()):
            continue  # a segment's bullet is never clutter
        if line.strip() and line.strip() in dropped:
            dropped.remove(line.strip())
            lines[index] = ""
    return "\n".join(lines), pasted.url, list(pasted.dropped)


def edition_date() -> str:
    """Today's date, or SOURCE_DATE_EPOCH's (UTC), so that an import can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today().isoformat()
    if not epoch.strip().isdigit():
        raise input_error(
            None,
            None,
            f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds",
            "unset it or give seconds since 1970",
            code="option",
        )
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()


def _undrafted_years(draft: Draft) -> list[int]:
    """Years the check would find in the segments that no drafted entry covers."""
    covered = {year for event in drafted_events(draft) for year in parse_date(event.date).years}
    found = {
        year
        for segment in draft.segments
        for statement in dated_statements(segment.id, Path(segment.id), segment.text, 1)
        for year in statement.years
    }
    return sorted(found - covered) if covered else []


def _drafted_files(
    draft: Draft, parsed: SummaryText, meta: Metadata, source_name: str
) -> dict[str, str]:
    files = segment_files(draft, source_name, [segment.line for segment in parsed.segments])
    introduction = bool(draft.introduction.strip())
    if introduction:
        files["summary.md"] = introduction_file(draft, source_name)
    files["book.yaml"] = book_yaml(draft, meta, source_name, introduction)
    for name, text in (
        ("chronology.yaml", chronology_yaml(draft, source_name)),
        ("figures.yaml", figures_yaml(draft, meta.title, source_name)),
        ("people.yaml", people_yaml(draft, source_name)),
    ):
        if text is not None:
            files[name] = text
    return files


#: The files an import writes, removed first by ``--force`` (a new import may not write them all).
_IMPORTED = ("summary.md", "book.yaml", "chronology.yaml", "figures.yaml", "people.yaml")


def import_summary(
    source: Path,
    target: Path,
    *,
    force: bool = False,
    overrides: Overrides | None = None,
    language: str = "en",
) -> Imported:
    """Draft a booklet project in ``target/manuscript/`` from the summary text at ``source``."""
    overrides = overrides or Overrides()
    if not LANGUAGE_TAG.match(language):
        raise input_error(
            None,
            None,
            f"--language '{language}' is not a language tag",
            "give a BCP 47 tag, as book.yaml's language: en, fr, de, pt-BR, ja",
            code="option",
        )
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise input_error(source, None, f"cannot read: {exc.strerror}", code="unreadable") from exc
    text, url, dropped = without_clutter(_decode(data, source))
    parsed = parse_summary_text(text, source)
    manuscript = target / "manuscript"
    if manuscript.exists() and any(manuscript.iterdir()) and not force:
        raise ProjectExistsError(
            Problem(
                manuscript,
                None,
                "already holds a manuscript",
                "use --force to replace it",
                code="manuscript-exists",
            )
        )
    draft = draft_booklet(
        parsed.summary, [(segment.start, segment.text) for segment in parsed.segments], language
    )
    notes = [f"dropped from the pasted page: {line}" for line in dropped]
    notes += [f"source.url taken from the pasted page: {url}"] if url else []
    notes += draft.notes
    digest = hashlib.sha256(data).hexdigest()
    meta = Metadata(
        title=overrides.title or draft.title,
        subtitle=overrides.subtitle or draft.subtitle,
        authors=overrides.authors,
        language=language,
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'booktool:' + digest)}",
        date=edition_date(),
        source_title=overrides.source_title,
        source_url=overrides.source_url or url,
        ignore_years=_undrafted_years(draft),
    )
    files = _drafted_files(draft, parsed, meta, source.name)
    if force and manuscript.exists():
        for old in [*manuscript.glob("segments/*.md"), *(manuscript / n for n in _IMPORTED)]:
            old.unlink(missing_ok=True)
    written = [manuscript / SOURCE_COPY]
    write_atomic(written[0], data)
    for name, content in files.items():
        write_atomic(manuscript / name, content.encode("utf-8"))
        written.append(manuscript / name)
    return Imported(written, len(parsed.segments), notes)
