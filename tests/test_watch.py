"""`booktool watch`, for real: a subprocess on a temporary project, edited while it runs."""

from __future__ import annotations

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
