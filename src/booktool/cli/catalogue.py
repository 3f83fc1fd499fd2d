"""``booktool catalogue build|check``: every project of a catalogue folder, one line each.

One book's failure never stops the others: each gets its line (built, up to date, or its
one-line errors), then a summary; the command exits 1 if any book failed. On a terminal a line
per running book and an overall bar are drawn below the finished books; ``--json`` writes one
object per book (a JSON line each), then one summary object.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from typing import TYPE_CHECKING, TextIO

from booktool.catalogue.book import BUILT, FAILED, UP_TO_DATE, BookResult
from booktool.errors import BooktoolError, Problem, counted, display_path

if TYPE_CHECKING:
    from booktool.catalogue.config import Catalogue


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``catalogue build`` and ``catalogue check``, with their options."""
    from booktool.cli.main import _directory, _format_options

    cat = commands.add_parser("catalogue", help="build or check every project of a catalogue")
    actions = cat.add_subparsers(dest="action", required=True, metavar="ACTION")
    bld = actions.add_parser("build", help="build every project into its own build/")
    _directory(bld)
    _format_options(bld)
    bld.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="books built at once on this machine (default: one per core)",
    )
    bld.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="build on the Dask cluster at ADDRESS (tcp://HOST:8786; also BOOKTOOL_SCHEDULER)",
    )
    shown = bld.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="result lines only, no progress")
    shown.add_argument("--json", action="store_true", help="one JSON object per book")
    chk = actions.add_parser("check", help="lint every project's manuscript")
    _directory(chk)
    chk.add_argument("--strict", action="store_true", help="a book with warnings fails too")
    chk.add_argument("--json", action="store_true", help="one JSON object per book")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.catalogue.config import open_catalogue

    catalogue = open_catalogue(args.directory)
    if args.action == "check":
        return _check(catalogue, args, out, err)
    return _build(catalogue, args, out, err)


def _build(catalogue: Catalogue, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.catalogue.cluster import SCHEDULER_ENV, run_cluster
    from booktool.catalogue.local import default_jobs, run_local
    from booktool.catalogue.page import write_page
    from booktool.editions import registry

    began = time.perf_counter()
    formats = registry.default_formats() if args.format == "all" else (args.format,)
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        raise BooktoolError(
            Problem(None, None, "--jobs must be 1 or more", "give --jobs 1 or more", code="option")
        )
    address = args.scheduler or os.environ.get(SCHEDULER_ENV, "").strip()
    shown = Shown(
        catalogue, out, err, args.json, live=out.isatty() and not (args.quiet or args.json)
    )
    try:
        if address:
            results = run_cluster(
                address,
                catalogue.projects,
                catalogue.house,
                formats,
                args.strict,
                shown.started,
                shown.ended,
            )
        else:
            results = run_local(
                catalogue.projects,
                catalogue.house,
                formats,
                args.strict,
                jobs,
                shown.started,
                shown.ended,
            )
    finally:
        shown.close()
    page = write_page(catalogue, results)
    seconds = time.perf_counter() - began
    counts = {s: sum(r.status == s for r in results) for s in (BUILT, UP_TO_DATE, FAILED)}
    if args.json:
        summary = {
            "summary": {
                "ok": not counts[FAILED],
                "built": counts[BUILT],
                "up_to_date": counts[UP_TO_DATE],
                "failed": counts[FAILED],
                "books": len(results),
                "page": display_path(page),
                "seconds": round(seconds, 3),
            }
        }
        out.write(json.dumps(summary) + "\n")
    else:
        out.write(
            f"{counted(len(results), 'book')}: {counts[BUILT]} built, {counts[UP_TO_DATE]} up to "
            f"date, {counts[FAILED]} failed in {seconds:.1f} s; {display_path(page)}\n"
        )
    if args.debug:
        for result in results:
            if result.trace:
                err.write(result.trace)
    return 1 if counts[FAILED] else 0


def _check(catalogue: Catalogue, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.checks import check_project
    from booktool.source.project import Project

    failed = 0
    for root in catalogue.projects:
        try:
            report = check_project(Project.open(root, catalogue.house))
        except BooktoolError as exc:
            errors, warnings, bad = len(exc.problems), 0, True
            lines = [p.format() for p in exc.problems]
        else:
            errors, warnings = len(report.errors), len(report.warnings)
            bad = report.failed(args.strict)
            lines = [f.format() for f in report.findings]
        failed += bad
        if args.json:
            book = {"book": root.name, "ok": not bad, "errors": errors, "warnings": warnings}
            book["findings"] = lines
            out.write(json.dumps(book) + "\n")
            continue
        for line in lines:
            err.write(line + "\n")
        state = "failed" if bad else "ok"
        tally = f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
        out.write(f"{root.name}: {state} ({tally})\n")
    if not args.json:
        out.write(f"{counted(len(catalogue.projects), 'book')} checked, {failed} failed\n")
    return 1 if failed else 0


class Shown:
    """What the command shows as books start and end: their lines, and on a terminal a line
    per running book and the overall bar, redrawn below the finished books."""

    def __init__(
        self, catalogue: Catalogue, out: TextIO, err: TextIO, as_json: bool, live: bool
    ) -> None:
        self.out, self.err, self.as_json, self.live = out, err, as_json, live
        self.total = len(catalogue.projects)
        self.running: dict[str, float] = {}
        self.done = 0
        self.drawn = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        if live:
            self.ticker.start()

    def started(self, name: str) -> None:
        with self.lock:
            self.running[name] = time.monotonic()
            self._draw()

    def ended(self, result: BookResult) -> None:
        with self.lock:
            self.running.pop(result.name, None)
            self.done += 1
            self._clear()
            self._report(result)
            self._draw()

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            self._clear()

    def _report(self, result: BookResult) -> None:
        if self.as_json:
            self.out.write(json.dumps(result.as_dict()) + "\n")
            self.out.flush()
            return
        for warning in result.warnings:
            self.err.write(warning.format("warning") + "\n")
        for problem in result.errors:
            self.err.write(problem.format() + "\n")
        if result.failed:
            line = f"{result.name}: failed ({counted(len(result.errors), 'error')})"
        elif result.status == UP_TO_DATE:
            line = f"{result.name}: up to date"
        else:
            written = [str(o["path"]) for o in result.outputs if o["written"]]
            line = f"{result.name}: built in {result.seconds:.1f} s: {', '.join(written)}"
        self.out.write(line + "\n")
        self.out.flush()

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            with self.lock:
                self._clear()
                self._draw()

    def _clear(self) -> None:
        if self.live and self.drawn:
            self.out.write(f"\x1b[{self.drawn}A\x1b[J")
            self.drawn = 0

    def _draw(self) -> None:
        if not self.live:
            return
        self._clear()
        now = time.monotonic()
        lines = [f"  building {name} ({now - t:.0f} s)" for name, t in self.running.items()]
        width = 30
        filled = width * self.done // max(1, self.total)
        lines.append(f"  [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} books")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self.drawn = len(lines)
