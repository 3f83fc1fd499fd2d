"""The command line: thin commands over the library, errors as one line each and exit 1.

``main(argv) -> int`` is injectable, so tests call it in-process.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from booktool import __version__
from booktool.errors import BooktoolError, display_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="booktool",
        description="Build a study booklet (print PDF and EPUB 3) from a documentary's "
        "summary and timestamped segments.",
    )
    parser.add_argument("--version", action="version", version=f"booktool {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser("import", help="start a booklet project from a summary text")
    imp.add_argument("summary", type=Path, help="summary text: a paragraph, then '• HH:MM:SS …'")
    imp.add_argument("directory", type=Path, help="the project folder to create")
    imp.add_argument("--force", action="store_true", help="replace an existing manuscript")
    imp.add_argument("--title", help="the book's title (default: from the file name)")
    imp.add_argument("--language", default="en", help="the book's language tag (default: en)")

    bld = commands.add_parser("build", help="build the PDF and the EPUB into DIR/build/")
    bld.add_argument(
        "directory", type=Path, nargs="?", default=Path("."), help="the project folder (default: .)"
    )
    bld.add_argument(
        "--format",
        choices=("pdf", "epub", "html", "all"),
        default="all",
        help="which edition to build (default: all = pdf and epub)",
    )
    bld.add_argument(
        "--strict", action="store_true", help="treat warnings as errors: fail and write nothing"
    )
    chron = commands.add_parser(
        "chronology", help="show the chronology, or suggest entries from dated statements"
    )
    chron.add_argument(
        "directory", type=Path, nargs="?", default=Path("."), help="the project folder (default: .)"
    )
    chron.add_argument(
        "--suggest",
        action="store_true",
        help="list the segments' dated statements, marking those not yet covered",
    )
    return parser


def _human_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1048576:.1f} MB"


def _import(args: argparse.Namespace, out: TextIO) -> int:
    from booktool.importer import import_summary

    written = import_summary(
        args.summary, args.directory, force=args.force, title=args.title, language=args.language
    )
    segments = sum(1 for p in written if p.parent.name == "segments")
    out.write(f"imported {segments} segments into {display_path(args.directory / 'manuscript')}\n")
    return 0


def _build(args: argparse.Namespace, out: TextIO) -> int:
    from booktool.build import build
    from booktool.project import Project

    started = time.perf_counter()
    formats = ("pdf", "epub") if args.format == "all" else (args.format,)
    report = build(Project.open(args.directory), formats, strict=args.strict)
    for warning in report.warnings:
        out.write(warning.format("warning") + "\n")
    for output in report.outputs:
        pages = f"{output.pages} pages, " if output.pages is not None else ""
        out.write(f"wrote {display_path(output.path)} ({pages}{_human_size(output.size)})\n")
    out.write(f"built in {time.perf_counter() - started:.1f} s\n")
    return 0


def _chronology(args: argparse.Namespace, out: TextIO) -> int:
    from booktool.chronology import dated_statements, years_covered
    from booktool.manuscript import load_manuscript
    from booktool.project import Project

    manuscript = load_manuscript(Project.open(args.directory))
    entries = manuscript.apparatus.chronology
    if not args.suggest:
        for entry in entries:
            out.write(f"{entry.label:<18} {entry.event} [{', '.join(entry.section_ids)}]\n")
        return 0
    covered = years_covered(entries)
    new = 0
    for segment in sorted(manuscript.segments.values(), key=lambda s: s.span.start):
        file = segment.file
        for found in dated_statements(segment.id, file.path, file.body, file.body_line):
            missing = [y for y in found.years if y not in covered]
            mark = "new" if missing else "in chronology"
            new += bool(missing)
            out.write(
                f"{display_path(found.path)}:{found.line}: {found.date} [{mark}] {found.sentence}\n"
            )
    out.write(f"{new} dated statement(s) name years the chronology does not cover\n")
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run booktool with ``argv``; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    commands = {"import": _import, "build": _build, "chronology": _chronology}
    try:
        return commands[args.command](args, out)
    except BooktoolError as exc:
        if args.debug:
            traceback.print_exc(file=err)
        for problem in exc.problems:
            err.write(problem.format() + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
