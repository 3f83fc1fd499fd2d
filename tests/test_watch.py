"""`booktool watch`, for real: a subprocess on a temporary project, edited while it runs."""

from __future__ import annotations

import argparse
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .conftest import copy_project

WAIT = 90  # seconds: generous, every wait is bounded


class Session:
    """A running `booktool watch` whose output lines are read as they come."""

    def __init__(self, *argv: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "booktool", "watch", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> list[str]:
        """Every line up to the first that contains ``text``; fails after WAIT seconds."""
        deadline = time.monotonic() + WAIT
        got: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got
        raise AssertionError(f"no line with {text!r} in {WAIT} s; saw: {self.seen}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
                raise
        return self.process.returncode


def test_watch_rebuilds_on_save_survives_a_broken_file_and_stops(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    segment = project / "manuscript" / "segments" / "seg-05.md"
    pdf = project / "build" / "the-great-leap-forward.pdf"
    session = Session(str(project), "--interval", "0.1")
    try:
        first = session.wait_for("watching")
        assert any(line.startswith("loaded WeasyPrint") for line in first)
        assert any(re.search(r"wrote .*\.pdf \(\d+ pages, \d+ KB\)$", line) for line in first)
        good = segment.read_text()

        segment.write_text(good + "\nA sentence added while watching.\n")
        rebuilt = session.wait_for("built in")
        assert sum("wrote" in line for line in rebuilt) == 2  # the PDF and the EPUB

        segment.write_text(good.replace("title:", "title: [oops", 1))
        failed = session.wait_for("build failed")
        assert any(
            line.startswith(f"{segment}:4:6: error[yaml-syntax]: YAML error:") for line in failed
        ), failed
        assert pdf.is_file()  # the last good PDF is still there

        segment.write_text(good)
        fixed = session.wait_for("built in")
        assert any(re.search(r"\.epub \(\d+ KB\)$", line) for line in fixed), fixed
        assert session.process.poll() is None  # still watching
    finally:
        code = session.stop()
    assert code == 0
    assert sum(line.startswith("loaded WeasyPrint") for line in session.seen) == 1


def test_watch_takes_every_build_option() -> None:
    """watch and build share one set of build options: a new one cannot miss watch."""
    from booktool.cli.main import _parser

    commands = next(
        a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices

    def options(name: str) -> set[str]:
        return {s for a in commands[name]._actions for s in a.option_strings}

    build, watch = options("build"), options("watch")
    # How a build's result is shown (a JSON summary, no progress) is build's alone.
    assert build - watch == {"--json", "--quiet"}
    assert {"--booklet", "--pdf-variant", "--bleed", "--marks", "--format"} <= watch


def _warning(line: str) -> bool:
    return "warning[" in line or line.startswith(("gone: ", "("))


def test_watch_booklet_and_warnings_only_as_they_change(tmp_path: Path) -> None:
    """`watch --booklet` rebuilds the booklet on a save; a rebuild prints the warnings that are
    new or gone, and counts the rest."""
    project = copy_project(tmp_path, root="minimal")
    manuscript = project / "manuscript"
    (manuscript / "chronology.yaml").write_text(
        "- id: bridge\n  date: 1902\n  event: The first bridge.\n  segments: [seg-02]\n"
    )
    segment = manuscript / "segments" / "seg-01.md"
    text = segment.read_text()
    segment.write_text(text + "\nA fair began in 1850; a mill came in 1870.\n")
    booklet = project / "build" / "a-river-town-booklet.pdf"
    session = Session(str(project), "--booklet", "--interval", "0.1")
    try:
        first = session.wait_for("watching")
        warned = [line for line in first if "warning[chronology-missing-year]" in line]
        assert len(warned) == 2, first
        assert any(re.search(r"wrote .*-booklet\.pdf \(\d+ pages, \d+ KB\)$", x) for x in first)
        assert booklet.is_file()
        made = booklet.stat().st_mtime_ns

        # A third year: one new warning, the two others counted.
        segment.write_text(
            text + "\nA fair began in 1850; a mill came in 1870 and a dam in 1880.\n"
        )
        second = session.wait_for("built in")
        problems = [line for line in second if _warning(line)]
        assert len(problems) == 2, second
        assert "1880" in problems[0] and "warning[chronology-missing-year]" in problems[0]
        assert problems[1] == "(2 warnings unchanged)"
        assert any(re.search(r"wrote .*-booklet\.pdf ", line) for line in second), second
        assert booklet.stat().st_mtime_ns != made

        # 1850 goes: it is named as gone, the others counted, none reprinted.
        segment.write_text(text + "\nA mill came in 1870 and a dam in 1880.\n")
        third = session.wait_for("built in")
        problems = [line for line in third if _warning(line)]
        assert len(problems) == 2, third
        assert problems[0].startswith("gone: ") and "1850" in problems[0]
        assert problems[1] == "(2 warnings unchanged)"
    finally:
        code = session.stop()
    assert code == 0


def test_watch_refuses_a_bad_print_option_at_once(tmp_path: Path) -> None:
    """The print options are checked as build checks them, before anything is watched."""
    from .conftest import run_cli

    project = copy_project(tmp_path, root="minimal")
    result = run_cli("watch", str(project), "--bleed", "3", "--pdf-variant", "pdf/x")
    assert result.code == 1
    assert result.err.splitlines() == [
        "error[option]: --pdf-variant 'pdf/x' is not supported; use one of pdf/ua-1, pdf/a-3b",
        "error[option]: --bleed '3' is not a length; give a length with its unit, such as 3mm "
        "or 0.125in",
    ]
    assert not (project / "build").exists()
