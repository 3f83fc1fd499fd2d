"""Which engine makes the PDF: ``fast`` (parts, kept layouts, WeasyPrint's internals, see
:mod:`booktool.render.weasyprint_patches`) or ``plain`` (one document, public API alone).

``--engine plain`` or ``BOOKTOOL_ENGINE=plain`` forces the plain one; a WeasyPrint the fast
engine was not tested on, or a failure inside it, falls back to it for that build.
"""

from __future__ import annotations

import os

from booktool.errors import InputError, Problem

#: The environment variable that chooses the engine (the render children inherit it).
ENGINE_VARIABLE = "BOOKTOOL_ENGINE"
ENGINES = ("fast", "plain")


def requested() -> str:
    """The engine asked for: ``fast`` unless ``BOOKTOOL_ENGINE`` says ``plain``."""
    value = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or "fast"
    if value not in ENGINES:
        raise InputError(
            Problem(
                None,
                None,
                f"unknown engine '{value}' in {ENGINE_VARIABLE}",
                "use fast or plain",
                code="config",
            )
        )
    return value


def force(engine: str | None) -> None:
    """Make ``engine`` (``--engine``) the one this process and its render children use."""
    if engine:
        os.environ[ENGINE_VARIABLE] = engine
