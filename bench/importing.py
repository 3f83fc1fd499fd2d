"""Time ``booktool import`` of a 20-segment summary: a fresh process each run, as a user runs it.

    PYTHONPATH=src python bench/importing.py [--runs 7] [--write]

The summary is made of the draft engine's sample summaries (tests/roots/summaries): the first
paragraph of one, then their bullets in turn until there are 20, three minutes apart. Each run
is ``python -m booktool import SUMMARY DIR`` into a new folder (interpreter start, the engine's
import and drafting, every file written). The issue's target: at most 2 s. ``--write`` puts the
result in bench/RESULTS.md, in its own section, which ``bench/speed.py`` keeps.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "roots" / "summaries"
RESULTS = REPO / "bench" / "RESULTS.md"
#: The section of RESULTS.md this script owns, from this line to the end of the file.
MARK = "<!-- bench/importing.py writes from here to the end -->"
TARGET_SECONDS = 2.0
_BULLET = re.compile(r"^\s*•\s*\d{1,2}:\d{2}(?::\d{2})?\s+(.*)$")


def summary_of(segments: int) -> str:
    """A summary paragraph and ``segments`` bullets drawn from the sample summaries."""
    samples = sorted(p for p in SAMPLES.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    paragraph = next(line for line in texts[0].splitlines() if len(line) > 80)
    bullets = [[m.group(1) for m in map(_BULLET.match, t.splitlines()) if m] for t in texts]
    chosen: list[str] = []
    while len(chosen) < segments:
        for sample in bullets:
            if sample and len(chosen) < segments:
                chosen.append(sample.pop(0))
    lines = [paragraph, ""]
    for index, text in enumerate(chosen):
        minutes = index * 3
        lines.append(f"  • {minutes // 60}:{minutes % 60:02d}:00 {text}")
    return "\n".join(lines) + "\n"


def run_once(summary: Path, scratch: Path, number: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SOURCE_DATE_EPOCH": "1767225600"}
    command = [sys.executable, "-m", "booktool", "import", str(summary), str(scratch / str(number))]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--segments", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        summary = scratch / "summary.txt"
        summary.write_text(summary_of(args.segments), encoding="utf-8")
        times = [run_once(summary, scratch, run) for run in range(args.runs)]
    median, low, high = statistics.median(times), min(times), max(times)
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        MARK,
        "",
        f"## Import of a {args.segments}-segment summary (issue 17)",
        "",
        f"`booktool import` as a fresh process (`bench/importing.py`, {args.runs} runs): median "
        f"{median:.2f} s, {low:.2f}–{high:.2f} s (target ≤ {TARGET_SECONDS:.0f} s: {verdict}). "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}.",
        "",
    ]
    print("\n".join(lines[2:]))
    if args.write:
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        kept = old.split(MARK)[0].rstrip("\n")
        RESULTS.write_text((kept + "\n\n" if kept else "") + "\n".join(lines), encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
