"""Time booktool's editing loop, side by side, and write bench/RESULTS.md.

Each scenario runs ``booktool build`` as an editor does (a fresh process, so interpreter start
and imports count) on a copy of this repo's booklet, or on one generated at N times its size
(``--scale N``). The median of ``--runs`` runs is reported (at least 5).

    cold build                      build/ (and its cache) removed, then a full build
    no-op rebuild                   nothing changed since the last build
    one segment edited → EPUB       a sentence added to one segment, ``--format epub``
    one segment edited → full       the same, PDF and EPUB
    … → full, warm process (watch)  the same inside one process that keeps WeasyPrint loaded,
                                    as ``booktool watch`` does

Usage: ``python bench/rebuild.py [--runs 5] [--scale 1] [--output bench/RESULTS.md]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EDITED = "seg-05.md"


def booktool(*argv: str) -> float:
    """Seconds a fresh ``booktool`` process takes; fails loudly if the build fails."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "booktool", *argv, "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"booktool {' '.join(argv)} failed:\n{result.stderr}")
    return seconds


def generate(target: Path, scale: int) -> Path:
    """This repo's booklet at ``scale`` times its size: segments and chapters repeated."""
    shutil.copytree(REPO / "layouts", target / "layouts")
    manuscript = target / "manuscript"
    shutil.copytree(REPO / "manuscript", manuscript)
    if scale == 1:
        return target
    segments = sorted((manuscript / "segments").glob("*.md"))
    book = (manuscript / "book.yaml").read_text()
    plan, chapters = book.split("chapters:\n", 1)
    copies = [chapters]
    for copy in range(2, scale + 1):
        for path in segments:
            text = path.read_text()
            text = re.sub(r"^id: (\S+)", rf"id: \1-{copy}", text, count=1, flags=re.MULTILINE)
            text = re.sub(
                r"^(start|end): (\d\d):",
                lambda m, c=copy: f"{m.group(1)}: {int(m.group(2)) + c - 1:02d}:",
                text,
                flags=re.MULTILINE,
            )
            (path.parent / f"{path.stem}-{copy}.md").write_text(text)
        repeated = re.sub(r"(seg-\d+)", rf"\1-{copy}", chapters)
        repeated = re.sub(r"^- id: (\S+)", rf"- id: \1-{copy}", repeated, flags=re.MULTILINE)
        copies.append(repeated)
    (manuscript / "book.yaml").write_text(plan + "chapters:\n" + "".join(copies))
    return target


def edit(project: Path, run: int) -> None:
    """A real change to one segment: one more sentence each time."""
    path = project / "manuscript" / "segments" / EDITED
    path.write_text(path.read_text() + f"\nAn editor's sentence, revision {run}.\n")


WARM = """
import json, sys, time
from pathlib import Path
import weasyprint  # loaded once, as booktool watch does
from booktool.build import build
from booktool.project import Project
project = Project.open(Path(sys.argv[1]))
build(project)
times = []
for run in range(int(sys.argv[2])):
    path = project.manuscript / "segments" / sys.argv[3]
    path.write_text(path.read_text() + f"\\nA sentence in a warm process, {run}.\\n")
    started = time.perf_counter()
    build(project)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def warm_rebuilds(project: Path, runs: int) -> list[float]:
    result = subprocess.run(
        [sys.executable, "-c", WARM, str(project), str(runs), EDITED],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    times: list[float] = json.loads(result.stdout.strip().splitlines()[-1])
    return times


def scenarios(project: Path, runs: int) -> dict[str, list[float]]:
    build_dir = project / "build"
    target = str(project)

    def cold(run: int) -> float:
        shutil.rmtree(build_dir, ignore_errors=True)
        return booktool("build", target)

    def noop(run: int) -> float:
        return booktool("build", target)

    def epub_only(run: int) -> float:
        edit(project, run)
        return booktool("build", target, "--format", "epub")

    def full(run: int) -> float:
        edit(project, 1000 + run)
        return booktool("build", target)

    timed: dict[str, Callable[[int], float]] = {
        "cold build": cold,
        "no-op rebuild": noop,
        "one segment edited → EPUB": epub_only,
        "one segment edited → full (PDF + EPUB)": full,
    }
    results: dict[str, list[float]] = {}
    booktool("build", target)  # warm the OS file cache once
    for name, scenario in timed.items():
        if name != "cold build":
            booktool("build", target)  # start from an up-to-date build
        results[name] = [scenario(run) for run in range(runs)]
    results["one segment edited → full, warm process (watch)"] = warm_rebuilds(project, runs)
    return results


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("booktool", "weasyprint", "ebooklib", "pypandoc-binary")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs "
        f"(load average {load} at the end: other work shares the machine); "
        f"Python {platform.python_version()}; {versions}"
    )


def table(results: dict[str, list[float]], scale: int, segments: int, runs: int) -> str:
    rows = [
        f"| {name} | {statistics.median(times):.2f} s | {min(times):.2f} s | {max(times):.2f} s |"
        for name, times in results.items()
    ]
    return "\n".join(
        [
            f"### {segments} segments (scale {scale}), median of {runs} runs",
            "",
            "| scenario | median | min | max |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (at least 5)")
    parser.add_argument(
        "--scale", type=int, nargs="+", default=[1], help="sizes: N × this repo's booklet"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    runs = max(5, args.runs)
    sections = []
    for scale in args.scale:
        with tempfile.TemporaryDirectory(prefix="booktool-bench-") as folder:
            project = generate(Path(folder) / "project", scale)
            segments = len(list((project / "manuscript" / "segments").glob("*.md")))
            results = scenarios(project, runs)
        section = table(results, scale, segments, runs)
        print(section)
        sections.append(section)
    text = "\n".join(
        [
            "# Rebuild benchmark",
            "",
            "Written by `make bench` (`bench/rebuild.py`); every figure is the wall time of a",
            "fresh `booktool build --quiet` process (interpreter start and imports included),",
            "except the warm row, timed inside one process that keeps WeasyPrint loaded as",
            "`booktool watch` does. Targets (issue 4): no-op ≤ 0.3 s; one segment → EPUB ≤ 0.5 s.",
            "",
            f"Machine: {machine()}.",
            f"Run on {dt.date.today().isoformat()}.",
            "",
            *sections,
        ]
    )
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
