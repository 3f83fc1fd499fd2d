"""Throughput of a catalogue: a shell loop of ``booktool build``, ``booktool catalogue build``
on this machine, and the same through a local two-worker Dask cluster; write the figures into
bench/RESULTS.md (its catalogue section).

A catalogue of N copies of this repo's booklet (``--books``, default 24; and ``--large``, default
100, run ``--large-runs`` times), each copy retitled. Every scenario starts from no ``build/``
folders (cold: each book built in full) and runs as fresh processes; the runs of the
scenarios are interleaved, so that load from other work on the machine falls on all alike.
The Dask cluster (``LocalCluster``, two worker processes of one thread each, on 127.0.0.1) is
started anew before each of its runs and is not timed: it stands for a cluster that is already
running. Its workers are started as booktool's deployment says (``--preload
booktool.catalogue.worker``, which also leaves out Dask's statistical profiler), and the run
waits until each has its render child loaded, as a running cluster's would; the "cold workers"
scenario starts them bare (the profiler on, as Dask starts it), so that the first book on each
loads booktool and WeasyPrint within the timed run, as a local catalogue's processes do.
Peak memory is the largest sum of the resident sets of every process below this one
(the command, its workers, their render children, the cluster's workers), sampled every 0.1 s.

Usage: ``python bench/catalogue.py [--books 24] [--large 100] [--runs 3] [--large-runs 1]
[--write]`` (``--large 0`` leaves the large catalogue out).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
#: Where this script's section of RESULTS.md begins (it ends at the next such mark, if any).
MARK = "<!-- bench/catalogue.py writes from here to the next mark -->"
NEXT_MARK = "<!-- bench/importing.py writes from here to the end -->"
PR_SET_CHILD_SUBREAPER = 36
SCENARIOS = (
    "shell loop of booktool build",
    "catalogue build (local)",
    "catalogue build (Dask)",
    "catalogue build (Dask, cold workers)",
)


def make_catalogue(folder: Path, books: int) -> Path:
    """``books`` copies of this repo's booklet (manuscript and layouts), each retitled."""
    for number in range(1, books + 1):
        project = folder / f"book-{number:03d}"
        shutil.copytree(REPO / "manuscript", project / "manuscript")
        if (REPO / "layouts").is_dir():
            shutil.copytree(REPO / "layouts", project / "layouts")
        book = project / "manuscript" / "book.yaml"
        text = re.sub(r"(?m)^title: (.*)$", rf"title: \1, copy {number}", book.read_text())
        text = re.sub(
            r"(?m)^identifier: .*$",
            f"identifier: urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'bench-{number}')}",
            text,
        )
        book.write_text(text)
    return folder


def clean(folder: Path) -> None:
    for build in folder.glob("*/build"):
        shutil.rmtree(build)
    shutil.rmtree(folder / "build", ignore_errors=True)


def descendants() -> set[int]:
    """The processes below this one."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    mine, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        children = [p for p, parent in parents.items() if parent == pid and p not in mine]
        mine.update(children)
        todo += children
    return mine


def tree_rss() -> int:
    """The resident bytes of every process below this one."""
    total = 0
    for pid in descendants():
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE")


def tree_cpu() -> float:
    """CPU seconds (user and system) of this process, of its children it has reaped (with
    theirs), and of every live process below it (with the children each has reaped)."""
    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    tick = os.sysconf("SC_CLK_TCK")
    for pid in descendants():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def reap_orphans() -> None:
    """Reap the processes below this one that ended after their parent (this process is their
    subreaper): their CPU time then counts in :func:`tree_cpu`."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def measured(action: Callable[[], None]) -> tuple[float, float, float]:
    """Wall seconds of ``action``, the peak resident MiB of the process tree meanwhile, and the
    CPU seconds the tree spent (the cluster's scheduler, nannies and workers included)."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu = tree_cpu()
    began = time.perf_counter()
    action()
    seconds = time.perf_counter() - began
    done.set()
    sampler.join()
    time.sleep(0.5)  # orphans (a pool's workers, their render children) end after the command
    reap_orphans()
    return seconds, peak[0] / 1048576, tree_cpu() - cpu


def booktool(*argv: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "booktool", *argv]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def run_scenario(name: str, folder: Path) -> tuple[float, float, float]:
    clean(folder)
    if name == SCENARIOS[0]:
        books = sorted(p for p in folder.iterdir() if (p / "manuscript").is_dir())
        return measured(lambda: [booktool("build", str(p), "--quiet") for p in books] and None)
    if name == SCENARIOS[1]:
        return measured(lambda: booktool("catalogue", "build", str(folder), "--quiet"))
    from distributed import Client, LocalCluster

    # For the cluster's workers: a spawned process takes this one's sys.path, not PYTHONPATH.
    os.environ["PYTHONPATH"] = str(REPO / "src")
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    warm = name == SCENARIOS[2]
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        preload=["booktool.catalogue.worker"] if warm else [],
    ) as cluster:
        address = cluster.scheduler_address
        if warm:  # a running cluster's workers: booktool and WeasyPrint loaded
            from booktool.catalogue.worker import ready

            with Client(address) as client:
                assert all(client.run(ready).values()), "a worker's render child did not start"
        return measured(
            lambda: booktool("catalogue", "build", str(folder), "--scheduler", address, "--quiet")
        )


Run = tuple[float, float, float]


def bench(books: int, runs: int) -> dict[str, list[Run]]:
    found: dict[str, list[Run]] = {name: [] for name in SCENARIOS}
    with tempfile.TemporaryDirectory(prefix="booktool-catalogue-bench-") as temporary:
        folder = make_catalogue(Path(temporary) / "catalogue", books)
        for run in range(runs):
            for name in SCENARIOS:
                seconds, peak, cpu = run_scenario(name, folder)
                found[name].append((seconds, peak, cpu))
                print(
                    f"{books} books, run {run + 1}: {name}: {seconds:.1f} s, {peak:.0f} MiB, "
                    f"{cpu:.1f} CPU-s",
                    flush=True,
                )
    return found


def section(results: dict[int, dict[str, list[Run]]]) -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        MARK,
        "",
        "## Catalogues: books per minute (issue 23)",
        "",
        f"`bench/catalogue.py`: copies of this repo's booklet, PDF + EPUB each, cold. "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load} at "
        "the end (the benchmark's own runs included). Wall time with the Dask cluster already "
        "started (its start-up is not timed); CPU: the user + system seconds of every process "
        "of the run (the command, its workers and render children; the cluster's scheduler, "
        "nannies and workers), which load from other work on the machine changes far less than "
        "the wall time.",
        "",
        "| books | runs | scenario | median | books/min | CPU-s a book | peak memory |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    ratios = []
    for books, found in results.items():
        medians = {n: statistics.median(r[0] for r in found[n]) for n in SCENARIOS}
        cpus = {n: statistics.median(r[2] for r in found[n]) / books for n in SCENARIOS}
        for name in SCENARIOS:
            peak = max(r[1] for r in found[name])
            lines.append(
                f"| {books} | {len(found[name])} | {name} | {medians[name]:.1f} s | "
                f"{60 * books / medians[name]:.1f} | {cpus[name]:.2f} | {peak:.0f} MiB |"
            )
        local = medians[SCENARIOS[0]] / medians[SCENARIOS[1]]
        dask = medians[SCENARIOS[2]] / medians[SCENARIOS[1]]
        cold = medians[SCENARIOS[3]] / medians[SCENARIOS[1]]
        extra = (medians[SCENARIOS[2]] - medians[SCENARIOS[1]]) / books
        ratios.append(
            f"- {books} books: local catalogue / shell loop throughput = {local:.2f}× (target ≥ "
            f"1.6×: {'met' if local >= 1.6 else 'NOT met'}); Dask time / local catalogue time = "
            f"{dask:.2f} (target ≤ 1.15: {'met' if dask <= 1.15 else 'NOT met'}), "
            f"{extra * 1000:+.0f} ms of wall a book; with cold workers {cold:.2f}; CPU a book, "
            f"Dask / local: {cpus[SCENARIOS[2]] / cpus[SCENARIOS[1]]:.2f} "
            f"({(cpus[SCENARIOS[2]] - cpus[SCENARIOS[1]]) * 1000:+.0f} ms), cold workers "
            f"{cpus[SCENARIOS[3]] / cpus[SCENARIOS[1]]:.2f}"
        )
    return [*lines, "", *ratios, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=int, default=24)
    parser.add_argument("--large", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large-runs", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = parser.parse_args()
    # Orphans of a run (a pool's processes) become this process's children: reaped here,
    # their CPU time counts.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    results = {args.books: bench(args.books, args.runs)}
    if args.large:
        results[args.large] = bench(args.large, args.large_runs)
    lines = section(results)
    print("\n".join(lines[2:]))
    if args.write:
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        before, _, after = old.partition(MARK)
        if not _:
            before, after = (old.split(NEXT_MARK, 1)[0], old) if NEXT_MARK in old else (old, "")
        rest = after[after.index(NEXT_MARK) :] if NEXT_MARK in after else ""
        text = before.rstrip("\n") + "\n\n" + "\n".join(lines) + ("\n" + rest if rest else "")
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
