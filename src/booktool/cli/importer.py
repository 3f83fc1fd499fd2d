"""``booktool import``: a new booklet project from a summary-and-segments text.

The text is a summary (one or more paragraphs), then one bullet per segment of the source::

    • 00:05:00 In this section, ...

Bullets may be ``•``, ``-``, ``*`` or numbers (``1.``/``1)``); times ``H:MM:SS``, ``HH:MM:SS`` or
``MM:SS``. Lines after a bullet that are not bullets continue its text.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from booktool.errors import InputError, Problem, ProjectExistsError, input_error
from booktool.source.characters import character_problem
from booktool.source.text import decode_text, escape_markdown
from booktool.source.timecode import format_timecode, parse_timecode
from booktool.source.yamlio import dump_yaml

_BULLET = re.compile(r"^\s*(?:[•\-*‣◦]|\d{1,4}[.)])\s+(.*)$")
_TIMED = re.compile(r"^(\d{1,3}:\d{2}(?::\d{2})?)\b\s*[-–—:]?\s*(.*)$")
_BOILERPLATE = re.compile(
    r"^(?:in this (?:section|part|segment)(?: of the (?:video|documentary|film))?,?\s*)?"
    r"(?:(?:we|you) (?:see|learn about|learn|hear)(?: how| that| about)?\s+"
    r"|the (?:video|excerpt|documentary|film) (?:explains|describes|examines|shows|elaborates on)"
    r"(?: how| that)?\s+"
    r"|it is (?:revealed|shown|explained) that\s+)?",
    re.IGNORECASE,
)


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


def parse_summary(data: bytes, path: Path) -> SummaryText:
    """Split a summary text into its summary paragraphs and its timed segments."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise input_error(
            path, None, f"not UTF-8 (byte {exc.start})", "save the file as UTF-8", code="not-utf8"
        ) from exc
    if problem := character_problem(path, text):
        raise InputError(problem)
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


def suggest_title(text: str, max_words: int = 8) -> str:
    """A short working title from a segment's first clause, for the editor to rewrite."""
    rest = _BOILERPLATE.sub("", text.strip(), count=1)
    clause = re.split(r"[,.;:!?]\s", rest + " ", maxsplit=1)[0].strip()
    words = clause.split()
    title = " ".join(words[:max_words]).rstrip(",.;:")
    if len(words) > max_words:
        title += "…"
    return title[:1].upper() + title[1:] if title else "Untitled segment"


def _title_from_name(stem: str) -> str:
    words = re.split(r"[\s_\-.]+", stem)
    if not any(w.isalpha() and len(w) >= 3 for w in words):
        return "Untitled booklet"
    return " ".join(w for w in words if w).capitalize()


def _paragraphs_markdown(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(escape_markdown(" ".join(p.split())) for p in paragraphs) + "\n"


def _front_matter(data: Mapping[str, object], body: str) -> str:
    return f"---\n{dump_yaml(data)}---\n\n{body}"


def import_summary(
    source: Path,
    target: Path,
    *,
    force: bool = False,
    title: str | None = None,
    language: str = "en",
) -> list[Path]:
    """Create ``target/manuscript/`` from the summary text at ``source``; returns files written."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise input_error(source, None, f"cannot read: {exc.strerror}", code="unreadable") from exc
    parsed = parse_summary(data, source)
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
    if force and manuscript.exists():
        for old in [*manuscript.glob("segments/*.md"), manuscript / "summary.md"]:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    seg_ids = [f"seg-{n:02d}" for n in range(1, len(parsed.segments) + 1)]
    titles = [suggest_title(segment.text) for segment in parsed.segments]
    files: dict[str, str] = {}
    for index, (seg_id, segment) in enumerate(zip(seg_ids, parsed.segments, strict=True)):
        is_last = index + 1 == len(parsed.segments)
        end = None if is_last else format_timecode(parsed.segments[index + 1].start)
        front = {
            "id": seg_id,
            "title": titles[index],
            "start": format_timecode(segment.start),
            "end": end,
        }
        files[f"segments/{seg_id}.md"] = _front_matter(front, _paragraphs_markdown(segment.text))
    if parsed.summary:
        files["summary.md"] = _front_matter(
            {"title": "Introduction"}, _paragraphs_markdown(parsed.summary)
        )
    book = {
        "title": title or _title_from_name(source.stem),
        "subtitle": None,
        "authors": [],
        "language": language,
        "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'booktool:' + digest)}",
        "date": date.today().isoformat(),
        "page_size": "A4",
        "source": {"title": "The documentary", "duration": None},
        "introduction": "summary.md" if parsed.summary else None,
        "chapters": [
            {"title": chapter_title, "segments": [seg_id]}
            for chapter_title, seg_id in zip(titles, seg_ids, strict=True)
        ],
    }
    files["book.yaml"] = dump_yaml(book)
    written: list[Path] = []
    for name, content in files.items():
        path = manuscript / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
