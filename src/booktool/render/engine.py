"""Which engine makes the PDF: ``fast`` (parts, kept layouts, WeasyPrint's internals, see
:mod:`booktool.render.weasyprint_patches`) or ``plain`` (one document, public API alone).

``--engine plain`` or ``BOOKTOOL_ENGINE=plain`` forces the plain one; a WeasyPrint the fast
engine was not tested on, or a failure inside it, falls back to it for that build.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from booktool.errors import InputError, Problem

#: The environment variable that chooses the engine (the render children inherit it).
ENGINE_VARIABLE = "BOOKTOOL_ENGINE"
ENGINES = ("fast", "plain")


def plain_requested() -> bool:
    """Whether ``BOOKTOOL_ENGINE`` says ``plain`` (never raises: for the render children)."""
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower() == "plain"


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


@contextlib.contextmanager
def forced(engine: str | None) -> Iterator[None]:
    """``engine`` (``--engine``) the one this process and the render children it starts use,
    in the block (None: as the environment says)."""
    saved = os.environ.get(ENGINE_VARIABLE)
    if engine:
        os.environ[ENGINE_VARIABLE] = engine
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(ENGINE_VARIABLE, None)
        else:
            os.environ[ENGINE_VARIABLE] = saved


def chosen() -> tuple[str, str | None]:
    """The engine this build uses, and why it is not the one asked for (None: it is)."""
    if requested() == "plain":
        return "plain", None
    from booktool.render.weasyprint_patches import TESTED, installed_version

    version = installed_version() or "(version unknown)"
    if version not in TESTED:
        tested = ", ".join(sorted(TESTED))
        return "plain", f"WeasyPrint {version} is not one the fast engine was tested on ({tested})"
    return "fast", None
