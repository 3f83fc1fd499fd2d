"""Temporary: ``booktool.text`` moved to :mod:`booktool.source.text` (issue 18's reorganisation).

The drafting engine (``booktool.draft``, branch ``draft``) was written before the move and still
imports this name; delete this module once it imports ``booktool.source.text``.
"""

from booktool.source.text import decode_text, escape_markdown, slugify

__all__ = ["decode_text", "escape_markdown", "slugify"]
