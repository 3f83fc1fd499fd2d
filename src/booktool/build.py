"""``booktool build``: the whole pipeline, one stage a line, incremental through build/.cache.

stamp (nothing changed: answered here) → load the manuscript → check it → convert its Markdown
(only what changed) → the book model → each edition of the registry, made only if its inputs
changed → written atomically under ``build/`` → stamp. The stages after the stamp are
:mod:`booktool.stages`, loaded only when a build is not a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booktool.cache import stamp
from booktool.editions.registry import Output, default_formats, options_read
from booktool.errors import InputError, Problem, counted, display_path
from booktool.render.engine import plain_requested
from booktool.source.project import Project

if TYPE_CHECKING:
    from booktool.cli.progress import Progress
    from booktool.options import PrintOptions


@dataclass
class BuildReport:
    """What a build made, what it warned about, and how long each stage took."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    converted: int = 0
    #: Outputs written under the book's former name (its slug changed), removed.
    removed: list[Path] = field(default_factory=list)
    #: The book's slug, when the build read it.
    slug: str = ""

    @property
    def up_to_date(self) -> bool:
        """Nothing had to be written."""
        return not any(output.written for output in self.outputs)

    def as_dict(self, errors: Sequence[Problem] = ()) -> dict[str, object]:
        """The report as plain data, for ``--json``: one shape for a build that succeeded and
        one that failed with ``errors`` (which wrote nothing: ``up_to_date`` false, no
        outputs)."""
        return {
            "ok": not errors,
            "up_to_date": not errors and self.up_to_date,
            "outputs": [
                {
                    "format": o.format,
                    "path": display_path(o.path),
                    "size": o.size,
                    "pages": o.pages,
                    "written": o.written,
                }
                for o in self.outputs
            ],
            "removed": [display_path(path) for path in self.removed],
            "warnings": [w.as_dict() for w in self.warnings],
            "errors": [e.as_dict() for e in errors],
            "converted": self.converted,
            "timings": {stage: round(seconds, 3) for stage, seconds in self.timings.items()},
        }

    def removed_line(self) -> str | None:
        """``removed build/old.pdf, build/old.epub (the book is now new)``, if any was."""
        if not self.removed:
            return None
        names = ", ".join(display_path(path) for path in self.removed)
        return f"removed {names} (the book is now {self.slug})"

    def to_record(self) -> dict[str, Any]:
        """What a no-op rebuild reports, as plain data for the stamp: these outputs, current."""
        return {
            "outputs": [[o.format, str(o.path), o.size, o.pages] for o in self.outputs],
            "warnings": [w.to_record() for w in self.warnings],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], timings: dict[str, float]) -> BuildReport | None:
        """The report :meth:`to_record` kept, every output current; None if it is damaged."""
        try:
            outputs = [
                Output(str(f), Path(p), int(size), None if pages is None else int(pages), False)
                for f, p, size, pages in record["outputs"]
            ]
            warnings = [Problem.from_record(w) for w in record["warnings"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(outputs, warnings, timings)


def build(
    project: Project,
    formats: Sequence[str] | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    options: PrintOptions | None = None,
) -> BuildReport:
    """Build the editions ``formats`` (default: ``--format all``'s) of ``project`` into its
    ``build/`` folder; every stage in order."""
    began = time.perf_counter()
    formats = tuple(formats or default_formats())
    inputs = stamp.inputs_state(project.root, settings(formats, strict, options), project.house)
    last = stamp.unchanged(project.build_dir, inputs)
    if last is not None and (same := BuildReport.from_record(last, {})) is not None:
        same.timings["stamp"] = time.perf_counter() - began
        return same  # nothing changed since the last build: not even the build was loaded
    stamp.forget(project.build_dir)  # stale from here on; a successful build writes it again

    from booktool import stages  # the build proper: a no-op never loads it
    from booktool.cli.progress import Progress

    progress = progress or Progress()
    report = BuildReport(timings=progress.timings)
    with stages.early_renderer(project, formats):  # loads WeasyPrint while the manuscript loads
        with progress.stage("load"):
            manuscript = stages.load(project)
        cache = stages.open_cache(project)
        # pandoc and the render workers start first; the manuscript is checked, and the
        # modules that make the editions load, while they run.
        with stages.started(manuscript, cache, formats) as pending:
            with progress.stage("check") as stage:
                report.warnings += stages.check(manuscript, strict)
                stage.note = counted(len(report.warnings), "warning") if report.warnings else ""
            layouts = stages.layouts(project)
            with progress.stage("convert") as stage:
                book, report.converted = stages.book_from(
                    manuscript, pending.result(), report.warnings
                )
                total = len(manuscript.markdown_files) + bool(manuscript.apparatus.sources_path)
                stage.note = f"{report.converted} of {counted(total, 'file')} through pandoc"
            limits = manuscript.config.limits
            planned = stages.editions(
                project, book, formats, layouts, limits, options, cache, progress
            )
    report.warnings += [Problem.from_record(w) for p in planned for w in p.record.warnings]
    if strict and report.warnings:
        raise InputError(*report.warnings)  # nothing written: --strict fails on any warning
    with progress.stage("write"):
        report.removed = stages.write(planned, cache, project, book.slug)
    report.slug = book.slug
    report.outputs = [p.output for p in planned]
    kept = [o.path for o in report.outputs] + [cache.manifest_path]
    kept += [p.output.path.parent / name for p in planned for name in p.record.beside]
    stamp.store(project.build_dir, inputs, kept, report.to_record())
    return report


def settings(formats: Sequence[str], strict: bool, options: PrintOptions | None) -> list[str]:
    """The build's settings, for the stamp: the editions, --strict and the print options
    those editions read."""
    chosen = [*formats, f"strict={strict}"]
    chosen += ["engine=plain"] if plain_requested() else []  # --engine plain or the env
    if options is not None:
        chosen += [f"{name}={getattr(options, name)}" for name in options_read(formats)]
    return chosen
