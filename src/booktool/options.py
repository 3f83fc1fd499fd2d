"""The print options of the command line (``--pdf-variant``, ``--bleed``, ``--marks``), checked.

Their own module, of the standard library only, so that a no-op rebuild reads them without
loading the configuration's schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from booktool.errors import InputError, Problem

#: Print editions' PDF variants: tagged PDF/UA-1 (the default) and PDF/A-3b for archiving.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")


@dataclass(frozen=True)
class PrintOptions:
    """How the print edition is set: its PDF variant, page size, bleed and crop marks."""

    pdf_variant: str | None = "pdf/ua-1"
    #: A CSS length of bleed around each page (e.g. "3mm"), or None.
    bleed: str | None = None
    #: Crop and registration marks in the bleed.
    marks: bool = False
    #: A CSS page size that replaces the book's (the booklet's half-size pages), or None.
    page_size: str | None = None


#: A CSS length, compiled when a bleed is given (re's cache keeps it): not for every no-op.
_LENGTH = r"^(?:\d+(?:\.\d+)?|\.\d+)(?:mm|cm|in|pt|px)$"


def print_options(variant: str | None, bleed: str | None, marks: bool) -> PrintOptions:
    """Print options from the command line; InputError if one is not valid."""
    problems = []
    if variant is not None and variant not in PDF_VARIANTS:
        problems.append(
            Problem(
                None,
                None,
                f"--pdf-variant '{variant}' is not supported",
                f"use one of {', '.join(PDF_VARIANTS)}",
                code="option",
            )
        )
    if bleed is not None and not re.match(_LENGTH, bleed.strip()):
        problems.append(
            Problem(
                None,
                None,
                f"--bleed '{bleed}' is not a length",
                "give a length with its unit, such as 3mm or 0.125in",
                code="option",
            )
        )
    if problems:
        raise InputError(*problems)
    return PrintOptions(
        pdf_variant=variant or PDF_VARIANTS[0],
        bleed=bleed.strip() if bleed else None,
        marks=marks,
    )
