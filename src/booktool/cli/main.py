"""The command line: thin commands over the library, errors as one line each and exit 1.

``main(argv, out, err) -> int`` is injectable, so tests call it in-process. Problems (errors and
warnings) go to ``err``, one line each; results go to ``out``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from booktool import __version__
from booktool.editions import registry
from booktool.errors import BooktoolError, Problem, counted, display_path
from booktool.render import engine

if TYPE_CHECKING:
    from booktool.cli.progress import Progress


def _directory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", type=Path, nargs="?", default=Path("."), help="the project folder (default: .)"
    )


def _format_options(parser: argparse.ArgumentParser) -> None:
    """What every command that builds books takes (``build``, ``watch``, ``catalogue build``):
    ``--format`` (every edition of the registry, or ``all``), ``--strict`` and ``--engine``."""
    parser.add_argument(
        "--format",
        choices=(*registry.names(), "all"),
        default="all",
        help=f"which edition to build (default: all = {' and '.join(registry.default_formats())})",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat every warning as an error: fail and write nothing",
    )
    parser.add_argument(
        "--engine",
        choices=("fast", "plain"),
        help="PDF engine: fast (default) or plain (WeasyPrint's public API alone, slower; "
        "also BOOKTOOL_ENGINE=plain)",
    )


def _build_options(parser: argparse.ArgumentParser) -> None:
    """Every option of a build, for ``build`` and ``watch`` alike (so that neither misses
    one): :func:`_format_options`, each flagged edition's ``--NAME``, the print options
    (:class:`booktool.options.PrintOptions`) and ``--no-wait``."""
    _format_options(parser)
    for spec in registry.EDITIONS.values():
        if spec.flag:
            output = spec.output.format(slug="<slug>")
            parser.add_argument(
                f"--{spec.name}",
                action="store_true",
                help=f"also write build/{output}: {spec.help}",
            )
    parser.add_argument(
        "--pdf-variant",
        metavar="VARIANT",
        help="pdf/ua-1 (default: tagged, accessible) or pdf/a-3b (archival)",
    )
    parser.add_argument("--bleed", metavar="LENGTH", help="bleed around each PDF page, e.g. 3mm")
    parser.add_argument("--marks", action="store_true", help="crop and cross marks in the bleed")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail at once if another build is running in the same build/ folder",
    )


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
    imp.add_argument("--title", help="the book's title (default: drafted from the summary)")
    imp.add_argument("--subtitle", help="the book's subtitle (default: drafted from the summary)")
    imp.add_argument(
        "--author", action="append", default=[], help="who made the booklet (repeat for several)"
    )
    imp.add_argument("--source-title", help="the documentary's title, printed as 'Drawn from'")
    imp.add_argument("--source-url", help="where the documentary can be found")
    imp.add_argument("--language", default="en", help="the book's language tag (default: en)")

    new = commands.add_parser("new", help="start a booklet project from a commented example")
    new.add_argument("directory", type=Path, help="the project folder to create")

    chk = commands.add_parser("check", help="lint the manuscript: file:line for every finding")
    _directory(chk)
    chk.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    chk.add_argument(
        "--fix", action="store_true", help="apply the fixes the rules offer (rewrites files)"
    )
    chk.add_argument("--rules", action="store_true", help="list every rule and code, then exit")

    bld = commands.add_parser("build", help="build the PDF and the EPUB into DIR/build/")
    _directory(bld)
    _build_options(bld)
    shown = bld.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="plain result lines, no progress")
    shown.add_argument("--json", action="store_true", help="one JSON summary on stdout")

    wch = commands.add_parser("watch", help="rebuild whenever a manuscript or layout file changes")
    _directory(wch)
    _build_options(wch)
    wch.add_argument(
        "--interval", type=float, default=0.3, help="seconds between looks (default: 0.3)"
    )
    srv = commands.add_parser(
        "serve", help="preview the web edition in a browser, rebuilt and reloaded on every save"
    )
    _directory(srv)
    srv.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1 (default: 8000)")
    srv.add_argument(
        "--format",
        choices=("web", "all"),
        default="web",
        help="web (default), or all: also keep build/'s PDF and EPUB up to date",
    )
    srv.add_argument(
        "--interval", type=float, default=0.3, help="seconds between looks (default: 0.3)"
    )
    from booktool.cli import catalogue

    catalogue.add_commands(commands)
    chron = commands.add_parser(
        "chronology", help="show the chronology, or suggest entries from dated statements"
    )
    _directory(chron)
    chron.add_argument(
        "--suggest",
        action="store_true",
        help="list the segments' dated statements, marking those not yet covered",
    )
    return parser


def _formats_of(args: argparse.Namespace) -> tuple[str, ...]:
    """The editions ``--format`` names, and those added by their own flag (``--booklet``)."""
    chosen = registry.default_formats() if args.format == "all" else (args.format,)
    flagged = tuple(spec.name for spec in registry.EDITIONS.values() if spec.flag)
    return chosen + tuple(name for name in flagged if getattr(args, name) and name not in chosen)


def _warn(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        err.write(problem.format("warning") + "\n")


def _import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.cli.importer import Overrides, import_summary

    overrides = Overrides(
        title=args.title,
        subtitle=args.subtitle,
        authors=[a.strip() for a in args.author if a.strip()],
        source_title=args.source_title,
        source_url=args.source_url,
    )
    imported = import_summary(
        args.summary, args.directory, force=args.force, overrides=overrides, language=args.language
    )
    for note in imported.notes:
        err.write(Problem(args.summary, None, note, code="import").format("note") + "\n")
    manuscript = display_path(args.directory / "manuscript")
    segments = counted(imported.segments, "segment")
    out.write(f"imported {segments} into {manuscript}: a draft to review\n")
    out.write(f"next: booktool check {display_path(args.directory)} lists what to review\n")
    return 0


def _new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.cli.starter import create_project

    written = create_project(args.directory)
    out.write(f"created {counted(len(written), 'file')} in {display_path(args.directory)}\n")
    out.write(f"next: booktool build {display_path(args.directory)}\n")
    return 0


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.checks import LOAD_CODES, RULES, apply_fixes, check_project
    from booktool.source.project import Project

    if args.rules:
        for rule in RULES:
            out.write(f"{rule.code:<24}{rule.severity:<9}{rule.summary}\n")
        for code, summary in LOAD_CODES.items():
            out.write(f"{code:<24}{'error':<9}{summary}\n")
        return 0
    project = Project.open(args.directory)
    report = check_project(project)
    if args.fix and report.fixes:
        fixed = apply_fixes(report.fixes)
        names = ", ".join(display_path(p) for p in fixed.files)
        out.write(f"fixed {len(fixed.applied)} in {counted(len(fixed.files), 'file')}: {names}\n")
        report = check_project(project)
    for finding in report.findings:
        err.write(finding.format() + "\n")
    errors, warnings = len(report.errors), len(report.warnings)
    fixable = f" ({len(report.fixes)} fixable with --fix)" if report.fixes else ""
    notes = f", {counted(len(report.notes), 'note')}" if report.notes else ""
    if errors or warnings:
        out.write(f"{counted(errors, 'error')}, {counted(warnings, 'warning')}{notes}{fixable}\n")
    else:
        out.write(f"no problems found{notes}\n")
    return 1 if report.failed(args.strict) else 0


def _build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.build import BuildReport, build
    from booktool.cache.lock import build_lock
    from booktool.options import print_options
    from booktool.source.project import Project

    started = time.perf_counter()
    progress = _progress(args, out)
    try:
        try:
            project = Project.open(args.directory)
            formats = _formats_of(args)
            options = print_options(args.pdf_variant, args.bleed, args.marks)
            # One build at a time in build/, from before the stamp is read until it is stored.
            say = lambda line: err.write(line + "\n")  # noqa: E731
            with build_lock(project.build_dir, wait=not args.no_wait, say=say):
                report = build(
                    project, formats, strict=args.strict, progress=progress, options=options
                )
        except OSError as exc:  # a full disk, a read-only build/: reported as the others are
            from booktool.filesystem import file_system_error

            if (error := file_system_error(exc)) is None or args.debug:
                raise
            raise error from exc
    except BooktoolError as exc:
        if args.json:  # the same shape as a success's
            failed = BuildReport(
                warnings=exc.warnings, timings=progress.timings if progress else {}
            )
            out.write(json.dumps(failed.as_dict(exc.problems), indent=1) + "\n")
        raise
    _warn(report.warnings, err)
    if args.json:
        out.write(json.dumps(report.as_dict(), indent=1) + "\n")
        return 0
    from booktool.cli.progress import wrote_line

    for output in report.outputs:
        if output.written:
            out.write(wrote_line(display_path(output.path), output.size, output.pages) + "\n")
    if (removed := report.removed_line()) is not None:
        out.write(removed + "\n")
    current = [display_path(o.path) for o in report.outputs if not o.written]
    if report.up_to_date:
        out.write(f"up to date: {', '.join(current)}\n")
    elif current:
        out.write(f"unchanged: {', '.join(current)}\n")
    out.write(f"built in {time.perf_counter() - started:.1f} s\n")
    return 0


def _progress(args: argparse.Namespace, out: TextIO) -> Progress | None:
    """The build's progress: shown live on a terminal, timed for ``--json``; else none (the
    build times its stages itself)."""
    live = out.isatty() and not args.quiet and not args.json
    if not (live or args.json):
        return None
    from booktool.cli.progress import Progress, TerminalDisplay

    return Progress(TerminalDisplay(out) if live else None)


def _chronology(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.source.chronology import dated_statements, years_covered
    from booktool.source.manuscript import load_manuscript
    from booktool.source.project import Project

    manuscript = load_manuscript(Project.open(args.directory))
    entries = manuscript.apparatus.chronology
    if not args.suggest:
        for entry in entries:
            out.write(f"{entry.label:<18} {entry.event} [{', '.join(entry.section_ids)}]\n")
        return 0
    covered = years_covered(entries) | manuscript.config.ignore_years
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
    names = "names" if new == 1 else "name"
    out.write(f"{counted(new, 'dated statement')} {names} years the chronology does not cover\n")
    return 0


def _watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.cli.watch import Watcher
    from booktool.options import print_options
    from booktool.source.project import Project

    options = print_options(args.pdf_variant, args.bleed, args.marks)  # wrong: fails at once
    watcher = Watcher(
        Project.open(args.directory),
        _formats_of(args),
        out,
        err,
        strict=args.strict,
        options=options,
        wait=not args.no_wait,
        interval=args.interval,
        debug=args.debug,
    )
    code: int = watcher.run()
    return code


def _catalogue(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.cli import catalogue

    return catalogue.run(args, out, err)


def _serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from booktool.cli.serve import serve
    from booktool.source.project import Project

    formats = ("web", *registry.default_formats()) if args.format == "all" else ("web",)
    return serve(
        Project.open(args.directory),
        args.port,
        out,
        err,
        formats=formats,
        interval=args.interval,
        debug=args.debug,
    )


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwound as Ctrl-C is, so the render workers end and their
    temporary folders go; the exit code is 128 and the signal's number."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.exit_code = 128 + number


#: The signal that ended the command, if one did.
_SIGNALLED: list[int] = []


def _terminated(number: int, frame: object) -> None:
    for other in (signal.SIGTERM, signal.SIGHUP):  # a second signal must not cut the cleanup
        signal.signal(other, signal.SIG_IGN)
    _SIGNALLED.append(number)
    raise Terminated(number)


def run() -> NoReturn:
    """The ``booktool`` command: :func:`main`, then the process ends at once, without tearing
    the interpreter down (freeing what the build left is work nothing waits on): the outputs
    are written, the render workers and pandoc have ended, the temporary folders are gone."""
    for number in (signal.SIGTERM, signal.SIGHUP):  # end as Ctrl-C does: workers, folders
        signal.signal(number, _terminated)
    try:
        code = main()
    except KeyboardInterrupt:  # before main() could catch it (its arguments being read)
        code = 130
    except BaseException:
        if not _SIGNALLED:
            raise
        # The signal's exception came back wrapped (raised inside an import's class body,
        # Python reports a RuntimeError from __set_name__): the signal ends the command.
        code = 1
    if _SIGNALLED and code != 128 + _SIGNALLED[0]:  # it came before main() caught signals, or
        # its exception was lost on the way (a callback from C code swallows it)
        if (pool := sys.modules.get("booktool.render.pool")) is not None:
            pool.close_all()
        sys.stderr.write("interrupted\n")
        code = 128 + _SIGNALLED[0]
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run booktool with ``argv``; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    commands = {
        "import": _import,
        "new": _new,
        "check": _check,
        "build": _build,
        "watch": _watch,
        "serve": _serve,
        "chronology": _chronology,
        "catalogue": _catalogue,
    }
    try:
        with engine.forced(getattr(args, "engine", None)):
            return commands[args.command](args, out, err)
    except BooktoolError as exc:
        if args.debug:
            traceback.print_exc(file=err)
        _warn(exc.warnings, err)
        for problem in exc.problems:
            err.write(problem.format() + "\n")
        return exc.exit_code
    except OSError as exc:  # a full disk, a read-only build/: one line, not a traceback
        from booktool.filesystem import file_system_error

        error = file_system_error(exc)
        if error is None or args.debug:
            raise
        for problem in error.problems:
            err.write(problem.format() + "\n")
        return error.exit_code
    except KeyboardInterrupt as exc:
        if (pool := sys.modules.get("booktool.render.pool")) is not None:
            pool.close_all()  # workers an interrupted start had not handed to a pool yet
        err.write("interrupted\n")
        return exc.exit_code if isinstance(exc, Terminated) else 130
