"""Rules on the segments' timestamps against each other and against the source."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from booktool.checks.base import Finding
from booktool.source.manuscript import Manuscript, Segment
from booktool.source.timecode import format_timecode, timecode_value


def _by_start(manuscript: Manuscript) -> list[Segment]:
    return sorted(manuscript.segments.values(), key=lambda s: s.span.start)


def _explicit_end(segment: Segment) -> int | None:
    """The ``end`` the file writes (not the one filled in from the next segment)."""
    value = segment.file.meta.get("end")
    return timecode_value(value) if value is not None else None


def segments_out_of_order(manuscript: Manuscript) -> Iterator[Finding]:
    """In reading order (the chapter plan), a segment that starts before the one it follows."""
    reading = [
        manuscript.segments[seg_id]
        for chapter in manuscript.config.chapters
        for seg_id in chapter.segments
        if seg_id in manuscript.segments
    ]
    for previous, current in itertools.pairwise(reading):
        if current.span.start < previous.span.start:
            yield Finding(
                current.file.path,
                current.file.meta.line_of("start"),
                f"'{current.id}' starts at {format_timecode(current.span.start)}, before "
                f"'{previous.id}' ({format_timecode(previous.span.start)}), which precedes it "
                "in the chapter plan",
                "reorder the segments in book.yaml or fix the start time",
            )


def segments_overlapping(manuscript: Manuscript) -> Iterator[Finding]:
    """A segment whose written ``end`` runs past the next segment's start."""
    for current, following in itertools.pairwise(_by_start(manuscript)):
        end = _explicit_end(current)
        if end is not None and end > following.span.start:
            yield Finding(
                current.file.path,
                current.file.meta.line_of("end"),
                f"ends at {format_timecode(end)}, after '{following.id}' starts "
                f"({format_timecode(following.span.start)})",
                f"end it at {format_timecode(following.span.start)} or drop 'end'",
            )


def segments_past_duration(manuscript: Manuscript) -> Iterator[Finding]:
    """A segment that starts or ends after the source's ``duration``."""
    duration = manuscript.config.source.duration
    if duration is None:
        return
    for segment in _by_start(manuscript):
        end = _explicit_end(segment)
        for key, time in (("start", segment.span.start), ("end", end)):
            if time is not None and (time > duration or (key == "start" and time == duration)):
                yield Finding(
                    segment.file.path,
                    segment.file.meta.line_of(key),
                    f"{key} {format_timecode(time)} is past the end of the source "
                    f"({format_timecode(duration)})",
                    "fix the time, or source.duration in book.yaml",
                )
                break
