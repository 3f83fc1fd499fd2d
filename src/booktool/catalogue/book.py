"""One book of a catalogue built and reported as plain data: whatever happens to it, its
result comes back (a failure is data, never an exception that would stop the others)."""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booktool.errors import BooktoolError, Problem

#: What became of a book.
BUILT, UP_TO_DATE, FAILED = "built", "up to date", "failed"


@dataclass
class BookResult:
    """What a catalogue's book came to: its outputs or its problems, and what the catalogue
    page shows of it."""

    name: str
    status: str
    #: ``{"format", "path" (relative to the project), "size", "pages", "written"}`` each.
    outputs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    #: The book's title, subtitle and source title (from its book.yaml), for the page.
    title: str = ""
    subtitle: str = ""
    source: str = ""
    #: The traceback of a fault that is not the input's (shown with --debug).
    trace: str = ""
    #: How many times it was started (a book whose worker died is started again, once).
    attempts: int = 1

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def as_dict(self) -> dict[str, object]:
        """The result as plain data, for ``--json``."""
        return {
            "book": self.name,
            "status": self.status,
            "ok": not self.failed,
            "outputs": self.outputs,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
        }


def crashed(name: str, root: Path, exc: BaseException, seconds: float = 0.0) -> BookResult:
    """The result of a book whose build failed in a way the input did not cause."""
    problem = Problem(
        root / "manuscript",
        None,
        f"the build failed: {type(exc).__name__}: {exc}".strip().rstrip(":"),
        f"run 'booktool build {root}' --debug to see where",
        code="book-crash",
    )
    trace = "".join(traceback.format_exception(exc))
    return BookResult(name, FAILED, errors=[problem], seconds=seconds, trace=trace)


#: The environment variables a build's bytes depend on: carried from the command to the
#: process that builds a book (a pool's worker, a cluster's worker), whose own may differ.
BUILD_ENVIRONMENT = ("SOURCE_DATE_EPOCH", "BOOKTOOL_ENGINE")


def build_environment() -> dict[str, str]:
    """This process's values of :data:`BUILD_ENVIRONMENT`."""
    return {name: os.environ[name] for name in BUILD_ENVIRONMENT if name in os.environ}


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """:data:`BUILD_ENVIRONMENT` as ``values`` says (a name absent: unset) in the block."""
    saved = build_environment()
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str]) -> None:
    for name in BUILD_ENVIRONMENT:
        if name in values:
            os.environ[name] = values[name]
        else:
            os.environ.pop(name, None)


def build_book(
    root: Path,
    house: Path | None,
    formats: Sequence[str],
    strict: bool,
    env: dict[str, str] | None = None,
) -> BookResult:
    """Build the project at ``root`` (``house``: the catalogue's shared layouts) into its own
    ``build/``, holding its lock, with the command's :data:`BUILD_ENVIRONMENT` ``env`` (None:
    this process's); its result, whatever happens."""
    with environment(build_environment() if env is None else env):
        return _build_book(root, house, formats, strict)


def _build_book(root: Path, house: Path | None, formats: Sequence[str], strict: bool) -> BookResult:
    from booktool.build import build
    from booktool.cache.lock import build_lock
    from booktool.filesystem import file_system_error
    from booktool.source.project import Project

    began = time.perf_counter()
    try:
        project = Project.open(root, house)
        with build_lock(project.build_dir, wait=True, say=lambda line: None):
            report = build(project, formats, strict=strict)
    except BooktoolError as exc:
        return BookResult(
            root.name,
            FAILED,
            errors=exc.problems,
            warnings=exc.warnings,
            seconds=time.perf_counter() - began,
        )
    except OSError as exc:
        error = file_system_error(exc)
        if error is None:
            return crashed(root.name, root, exc, time.perf_counter() - began)
        return BookResult(
            root.name, FAILED, errors=error.problems, seconds=time.perf_counter() - began
        )
    except Exception as exc:  # a fault of booktool's, not the input's: this book's alone
        return crashed(root.name, root, exc, time.perf_counter() - began)
    outputs = [
        {
            "format": o.format,
            "path": o.path.relative_to(project.root).as_posix(),
            "size": o.size,
            "pages": o.pages,
            "written": o.written,
        }
        for o in report.outputs
    ]
    status = UP_TO_DATE if report.up_to_date else BUILT
    result = BookResult(
        root.name, status, outputs, warnings=report.warnings, seconds=time.perf_counter() - began
    )
    describe(result, project.book_file)
    return result


def describe(result: BookResult, book_file: Path) -> None:
    """Set the title, subtitle and source the catalogue page shows (a book that built has a
    valid book.yaml)."""
    from booktool.source.yamlio import load_yaml

    try:
        data = load_yaml(book_file.read_text("utf-8"), book_file)
    except (OSError, BooktoolError, UnicodeDecodeError):
        return
    if not isinstance(data, dict):
        return
    source = data.get("source")
    result.title = str(data.get("title") or "")
    result.subtitle = str(data.get("subtitle") or "")
    result.source = str(source.get("title") or "") if isinstance(source, dict) else ""


def current_result(
    root: Path, house: Path | None, formats: Sequence[str], strict: bool
) -> tuple[dict[str, object], BookResult | None]:
    """The project's inputs as its stamp records them, and its result if the last build is
    still current (read here, without starting a worker for it)."""
    from booktool.build import BuildReport, settings
    from booktool.cache import stamp

    inputs = stamp.inputs_state(root, settings(formats, strict, None), house)
    last = stamp.unchanged(root / "build", inputs)
    report = BuildReport.from_record(last, {}) if last is not None else None
    if report is None:
        return inputs, None
    outputs = [
        {
            "format": o.format,
            "path": o.path.relative_to(root).as_posix(),
            "size": o.size,
            "pages": o.pages,
            "written": False,
        }
        for o in report.outputs
        if o.path.is_relative_to(root)
    ]
    return inputs, BookResult(root.name, UP_TO_DATE, outputs, warnings=report.warnings)
