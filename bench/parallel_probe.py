"""How much could rendering the PDF in parts, in parallel processes, save? (issue 7, item 3)

Not booktool's pipeline: a measurement to decide on it. The print HTML of an N× booklet is cut
at chapter boundaries into one part per CPU (each with the whole ``<head>``, so the same CSS),
each part is laid out and written by WeasyPrint in its own fresh process, all at once, and the
parts are joined with pikepdf. That is timed against one process laying out the whole HTML
(the floor). Cross-references and contents page numbers across parts are NOT resolved here:
the probe measures the time the approach could reach, not a faithful book.

Usage: ``python bench/parallel_probe.py [--scale 10] [--runs 3]``
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed  # the benchmark: its generator and floor script


def split(document: str, parts: int) -> list[str]:
    """The HTML cut at chapter boundaries into ``parts`` documents of about equal size."""
    root = lxml_html.fromstring(document)
    body = root.body
    children = list(body)
    sizes = [len(lxml_html.tostring(child)) for child in children]
    share, cuts, running = sum(sizes) / parts, [0], 0
    for index, (child, size) in enumerate(zip(children, sizes, strict=True)):
        if running >= share * len(cuts) and "chapter" in (child.get("class") or ""):
            cuts.append(index)
        running += size
    cuts = [*cuts[:parts], len(children)]
    documents = []
    for start, end in itertools.pairwise(cuts):
        part = copy.deepcopy(root)
        part_body = part.body
        for child in list(part_body)[:start] + list(part_body)[end:]:
            part_body.remove(child)
        documents.append("<!DOCTYPE html>\n" + lxml_html.tostring(part, encoding="unicode"))
    return documents


def render(jobs: list[Path], folder: Path) -> tuple[float, list[Path]]:
    """Every job laid out in its own fresh process, all at once; the wall time."""
    outputs = [folder / f"part-{i}.pdf" for i in range(len(jobs))]
    started = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, "-c", speed.FLOOR, str(job), str(out)])
        for job, out in zip(jobs, outputs, strict=True)
    ]
    for child in children:
        if child.wait() != 0:
            raise SystemExit("a part failed to render")
    return time.perf_counter() - started, outputs


def merge(parts: list[Path], target: Path) -> tuple[float, int]:
    import pikepdf

    started = time.perf_counter()
    merged = pikepdf.new()
    for path in parts:
        with pikepdf.open(path) as pdf:
            merged.pages.extend(pdf.pages)
    merged.save(target)
    return time.perf_counter() - started, len(merged.pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="booktool-probe-") as name:
        folder = Path(name)
        project = speed.generate(folder / "project", args.scale)
        whole = folder / "job.json"
        subprocess.run([sys.executable, "-c", speed.JOB, str(project), str(whole)], check=True)
        job = json.loads(whole.read_text())
        part_jobs = []
        for index, document in enumerate(split(job["html"], cpus)):
            path = folder / f"job-{index}.json"
            path.write_text(json.dumps(job | {"html": document}))
            part_jobs.append(path)
        single, parallel, merging = [], [], []
        pages_single = pages_merged = 0
        for _ in range(args.runs):
            seconds, (out,) = render([whole], folder)
            single.append(seconds)
            import pikepdf

            with pikepdf.open(out) as pdf:
                pages_single = len(pdf.pages)
            seconds, outs = render(part_jobs, folder)
            merge_seconds, pages_merged = merge(outs, folder / "merged.pdf")
            parallel.append(seconds + merge_seconds)
            merging.append(merge_seconds)
        floor, split_time = statistics.median(single), statistics.median(parallel)
        print(
            json.dumps(
                {
                    "scale": args.scale,
                    "parts": cpus,
                    "runs": args.runs,
                    "single_process_s": round(floor, 2),
                    "parallel_plus_merge_s": round(split_time, 2),
                    "merge_s": round(statistics.median(merging), 2),
                    "ratio": round(split_time / floor, 2),
                    "pages_single": pages_single,
                    "pages_merged": pages_merged,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
