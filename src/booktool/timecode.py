"""Temporary: ``booktool.timecode`` moved to :mod:`booktool.source.timecode` (issue 18).

The drafting engine (``booktool.draft``, branch ``draft``) was written before the move and still
imports this name; delete this module once it imports ``booktool.source.timecode``.
"""

from booktool.source.timecode import format_timecode, parse_timecode, timecode_value

__all__ = ["format_timecode", "parse_timecode", "timecode_value"]
