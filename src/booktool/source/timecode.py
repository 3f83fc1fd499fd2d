"""Timestamps of the source: parsing ``H:MM:SS``, ``HH:MM:SS`` and ``MM:SS``; formatting them."""

from __future__ import annotations

import re

_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})$")


def parse_timecode(text: str) -> int:
    """Seconds from ``H:MM:SS``, ``HH:MM:SS`` or ``MM:SS``; ValueError if it is none of them."""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a timestamp (use HH:MM:SS or MM:SS)")
    hours_text, minutes_text, seconds_text = match.groups()
    hours = int(hours_text) if hours_text is not None else 0
    minutes, seconds = int(minutes_text), int(seconds_text)
    if seconds >= 60:
        raise ValueError(f"'{text}': seconds must be below 60")
    if hours_text is not None and minutes >= 60:
        raise ValueError(f"'{text}': minutes must be below 60")
    return hours * 3600 + minutes * 60 + seconds


def timecode_value(value: object) -> int:
    """Seconds from a YAML value: a timestamp, or the integer YAML 1.1 reads from 01:05:00."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a timestamp (use \"HH:MM:SS\")")
    if isinstance(value, int):
        if not 0 <= value < 1000 * 3600:
            raise ValueError(f"{value} seconds is not a timestamp of a source (0 to 999:59:59)")
        return value
    if isinstance(value, str):
        return parse_timecode(value)
    raise ValueError(f"'{value}' is not a timestamp (use \"HH:MM:SS\")")


def format_timecode(seconds: int) -> str:
    """``HH:MM:SS`` for a number of seconds."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
