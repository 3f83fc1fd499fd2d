"""Time booktool against pandoc and the WeasyPrint floor, at several sizes; write bench/RESULTS.md.

For each size (``--sizes 1 10 100``: N times this repo's booklet, every copy's sentences in
another order, same structure) every scenario runs as a fresh process, so interpreter start and
imports count; the runs of all scenarios are interleaved (run 1 of each, then run 2 of each …)
so that load from other work on the machine falls on all of them alike. Each row gives the
median wall time of the runs and the peak memory (the largest resident set of the process or
any of its children, from ``wait4``).

    cold full build           build/ (and its cache) removed, then ``booktool build`` (PDF + EPUB)
    cold EPUB alone           the same with ``--format epub`` (its page list is the print
                              edition's: the book is laid out for it)
    cold EPUB alone, no page list  the same for a copy of the book with
                              ``epub: {page_list: false}`` (a book with no printed edition)
    cold PDF alone            the same with ``--format pdf``
    cold web alone            the same with ``--format web`` (the web edition's folder; its
                              font subsets come from the user's cache after the first build)
    cold PDF alone, plain engine  the same with ``--engine plain``: one document laid out by
                              WeasyPrint's public API alone, page numbers in passes (the
                              fallback, and the reference the fast engine is tested against)
    PDF, page numbers known   the same, but the last build's page numbers kept (only
                              ``build/.cache/numbers-*.json``): no numbering pass, every part
                              rendered, nothing reused: what the parallel render itself costs
    no-op rebuild             nothing changed since the last build
    one segment edited → full a sentence added to one segment, then PDF and EPUB
    one segment edited → EPUB the same, ``--format epub``
    one segment edited → web  the same, ``--format web``
    pandoc → EPUB             pandoc's own ``pandoc book.md -o book.epub`` on the same Markdown
                              (one file: the chapters as headings, the segments' bodies)
    one segment edited → PDF  the same, ``--format pdf``: the parts that did not change are
                              reused, the edited one is rendered again
    one segment late in the book edited → PDF  the same for a segment of the last chapters
                              (the parts before it are joined while it renders)
    WeasyPrint floor          WeasyPrint alone, in a fresh Python, laying out and writing
                              booktool's own print HTML as one document (its page numbers
                              resolved, as booktool's parts have them), tagged PDF/UA as
                              booktool writes it, with the files it links served from memory:
                              the floor of any single-process WeasyPrint pipeline
    WeasyPrint, target-counter  the same document with the page numbers left to WeasyPrint's
                              ``target-counter()`` (how WeasyPrint books usually number their
                              contents and references; it lays the book out three times)

Usage: ``python bench/speed.py [--sizes 1 10 100] [--runs 5] [--large-runs 1] [--output …]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EDITED = "seg-05.md"
#: Sizes at or above this many times the booklet run ``--large-runs`` times.
LARGE = 50

FLOOR = """
import json, sys
from pathlib import Path
import weasyprint
from booktool.render.fetcher import ConfinedFetcher
from booktool.editions.layouts import BASE_URL, Layouts
job = json.loads(Path(sys.argv[1]).read_text())
layouts = Layouts(Path(job["project_layouts"]) if job["project_layouts"] else None)
media = {href: Path(path).read_bytes() for href, path in job["media"].items()}
media |= {href: __import__("base64").b64decode(data) for href, data in job["generated"].items()}
fetcher = ConfinedFetcher(layouts, media)
text = job["html"]
if sys.argv[3:] == ["target-counter"]:
    text = text.replace("attr(data-page)", "target-counter(attr(href), page)")
    text = text.replace('<link rel="stylesheet" href="print.css"/>', "<style>" + (
        layouts.find("print.css").read_text().replace(
            "attr(data-page)", "target-counter(attr(href), page)")) + "</style>")
html = weasyprint.HTML(string=text, base_url=BASE_URL, url_fetcher=fetcher)
html.write_pdf(sys.argv[2], pdf_variant=job["pdf_variant"], pdf_identifier=b"bench")
"""

JOB = """
import json, sys
from dataclasses import asdict
from pathlib import Path
from booktool.build import build
from booktool.stages import convert
from booktool.cache.store import BuildCache
from booktool.editions.plan import build_moment
from booktool.editions.layouts import Layouts
from booktool.source.manuscript import load_manuscript
from booktool.editions.pdf import PdfEdition
from booktool.source.project import Project
project = Project.open(Path(sys.argv[1]))
build(project, ("pdf",))  # for the page numbers of the book's layout
manuscript = load_manuscript(project)
cache = BuildCache(project.build_dir)
book, _ = convert(manuscript, cache)
edition = PdfEdition(book, Layouts(project.layouts), build_moment(book), manuscript.config.limits)
edition.cache = cache
Path(sys.argv[2]).write_text(json.dumps(asdict(edition.render_job())))
"""

WARM = """
import json, sys, time
from pathlib import Path
from booktool.build import build
from booktool.source.project import Project
from booktool.source.config import RenderLimits
from booktool.render.pool import render_processes, warm_renderer
project = Project.open(Path(sys.argv[1]))
times = []
with warm_renderer(2048, render_processes(RenderLimits())):  # as booktool watch does
    build(project)
    for run in range(int(sys.argv[2])):
        path = project.manuscript / "segments" / sys.argv[3]
        path.write_text(path.read_text() + f"\\nA sentence in a warm process, {run}.\\n")
        started = time.perf_counter()
        build(project)
        times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


@dataclass
class Timed:
    """The runs of one scenario: wall seconds and peak resident memory (MiB) of each."""

    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class SizeResult:
    scale: int
    segments: int
    pages: int
    runs: int
    rows: dict[str, Timed]


def measure(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB (the process and its children) and stdout of one run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read().decode()}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def booktool(*argv: str) -> list[str]:
    """The ``booktool`` command as users run it (the script pip installs beside Python)."""
    script = Path(sys.executable).parent / "booktool"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "booktool"]
    return [*command, *argv, "--json"]


def shuffled(text: str, copy: int, name: str) -> str:
    """A segment's body with each paragraph's sentences in another order, per copy, and the
    copy's number in its first paragraph (so that no two copies are the same text)."""
    rng = random.Random(f"{copy}/{name}")
    lines, numbered = [], False
    for line in text.split("\n"):
        if line and not line.startswith(("#", ">", "|", "-", "*", "!", "[^", " ")):
            sentences = re.split(r"(?<=[.!?]) (?=[A-Z])", line)
            rng.shuffle(sentences)
            line = " ".join(sentences) + ("" if numbered else f" (Retold, {copy}.)")
            numbered = True
        lines.append(line)
    return "\n".join(lines)


def generate(target: Path, scale: int, source: Path = REPO) -> Path:
    """A booklet project (this repo's, or ``source``) at ``scale`` times its size: each
    chapter and segment again, with new ids, later times and its sentences reordered."""
    shutil.copytree(source / "layouts", target / "layouts")
    manuscript = target / "manuscript"
    shutil.copytree(source / "manuscript", manuscript)
    segments = sorted((manuscript / "segments").glob("*.md"))
    book = (manuscript / "book.yaml").read_text()
    plan, chapters = book.split("chapters:\n", 1)
    copies = [chapters]
    for copy in range(2, scale + 1):
        for path in segments:
            head, _, body = path.read_text().partition("\n---\n")
            head = re.sub(r"^id: (\S+)", rf"id: \1-{copy}", head, count=1, flags=re.MULTILINE)
            head = re.sub(
                r"^(start|end): (\d\d):",
                lambda m, c=copy: f"{m.group(1)}: {int(m.group(2)) + c - 1:02d}:",
                head,
                flags=re.MULTILINE,
            )
            body = shuffled(body, copy, path.stem)
            (path.parent / f"{path.stem}-{copy}.md").write_text(f"{head}\n---\n{body}")
        repeated = re.sub(r"(seg-\d+)", rf"\1-{copy}", chapters)
        repeated = re.sub(r"^- id: (\S+)", rf"- id: \1-{copy}", repeated, flags=re.MULTILINE)
        copies.append(repeated)
    if scale >= LARGE:  # ~1,900 pages: more than the default bounds on one render allow
        plan += "limits:\n  render_seconds: 3600\n  render_memory_mb: 8192\n"
    (manuscript / "book.yaml").write_text(plan + "chapters:\n" + "".join(copies))
    return target


def pandoc_markdown(project: Path, into: Path) -> Path:
    """The same Markdown as one file for pandoc: title, introduction, chapters, segments."""
    import yaml

    manuscript = project / "manuscript"
    book = yaml.safe_load((manuscript / "book.yaml").read_text())
    parts = [f"---\ntitle: {json.dumps(book['title'])}\nlang: {book['language']}\n---\n"]
    parts.append(
        "# Introduction\n\n" + (manuscript / "summary.md").read_text().split("\n---\n", 1)[1]
    )
    for chapter in book["chapters"]:
        parts.append(f"# {chapter['title']}\n")
        for segment in chapter["segments"]:
            head, _, body = (
                (manuscript / "segments" / f"{segment}.md").read_text()[4:].partition("\n---\n")
            )
            title = yaml.safe_load(head)["title"]
            parts.append(f"## {title}\n\n{body}\n")
    into.write_text("\n".join(parts))
    return into


def edit(project: Path, run: int, segment: str = EDITED) -> None:
    """A real change to one segment: one more sentence each time."""
    path = project / "manuscript" / "segments" / segment
    path.write_text(path.read_text() + f"\nAn editor's sentence, revision {run}.\n")


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def run_size(scale: int, runs: int, folder: Path, warm: bool) -> SizeResult:
    project = generate(folder / "project", scale)
    build_dir, target = project / "build", str(project)
    book_md = pandoc_markdown(project, folder / "book.md")
    job = folder / "job.json"
    subprocess.run([sys.executable, "-c", JOB, target, str(job)], check=True)
    shutil.rmtree(build_dir, ignore_errors=True)
    pandoc = pandoc_path()
    late = f"seg-09-{scale}.md" if scale > 1 else "seg-09.md"  # in the last chapter's copy
    unpaged = folder / "unpaged"  # the same book, its EPUB without the printed page numbers
    shutil.copytree(project, unpaged)
    with (unpaged / "manuscript" / "book.yaml").open("a") as book:
        book.write("epub:\n  page_list: false\n")

    def cold(edition: str, root: Path = project, *more: str) -> Callable[[int], list[str]]:
        def prepare(run: int) -> list[str]:
            shutil.rmtree(root / "build", ignore_errors=True)
            return booktool("build", str(root), "--format", edition, *more)

        return prepare

    def numbered(run: int) -> list[str]:
        measure(booktool("build", target, "--format", "pdf"))
        for path in build_dir.rglob("*"):
            if path.is_file() and not path.name.startswith("numbers-"):
                path.unlink()
        return booktool("build", target, "--format", "pdf")

    def rebuild(edition: str, edited: bool, segment: str = EDITED) -> Callable[[int], list[str]]:
        def prepare(run: int) -> list[str]:
            measure(booktool("build", target))  # start from an up-to-date build
            if edited:
                edit(project, run * 10 + len(edition), segment)
            return booktool("build", target, "--format", edition)

        return prepare

    scenarios: dict[str, Callable[[int], list[str]]] = {
        "cold full build (PDF + EPUB)": cold("all"),
        "cold EPUB alone": cold("epub"),
        "cold EPUB alone, no page list": cold("epub", unpaged),
        "cold PDF alone": cold("pdf"),
        "cold web alone": cold("web"),
        "cold PDF alone, plain engine": cold("pdf", project, "--engine", "plain"),
        "PDF, page numbers known": numbered,
        "no-op rebuild": rebuild("all", edited=False),
        "one segment edited → full": rebuild("all", edited=True),
        "one segment edited → EPUB": rebuild("epub", edited=True),
        "one segment edited → PDF": rebuild("pdf", edited=True),
        "one segment edited → web": rebuild("web", edited=True),
        "one segment late in the book edited → PDF": rebuild("pdf", True, late),
        "pandoc → EPUB (pandoc -o book.epub)": lambda run: [
            pandoc,
            str(book_md),
            "-o",
            str(folder / "pandoc.epub"),
        ],
        "WeasyPrint floor (print HTML → PDF)": lambda run: [
            sys.executable,
            "-c",
            FLOOR,
            str(job),
            str(folder / "floor.pdf"),
        ],
        "WeasyPrint, target-counter page numbers": lambda run: [
            sys.executable,
            "-c",
            FLOOR,
            str(job),
            str(folder / "floor-tc.pdf"),
            "target-counter",
        ],
    }
    rows = {name: Timed() for name in scenarios}
    pages = 0
    measure(booktool("build", target))  # the OS file cache warmed once
    for run in range(runs):
        for name, prepare in scenarios.items():
            seconds, peak, out = measure(prepare(run))
            rows[name].seconds.append(seconds)
            rows[name].peak_mb.append(peak)
            if name.startswith("cold full") and run == 0:  # before any edit
                report = json.loads(out)
                pages = next(o["pages"] for o in report["outputs"] if o["format"] == "pdf")
        print(f"  {scale}×: run {run + 1} of {runs} done", file=sys.stderr)
    if warm:
        result = subprocess.run(
            [sys.executable, "-c", WARM, target, str(runs), EDITED],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"the warm-process scenario failed:\n{result.stderr}")
        rows["one segment edited → full, warm process (watch)"] = Timed(
            json.loads(result.stdout.strip().splitlines()[-1]), []
        )
    segments = len(list((project / "manuscript" / "segments").glob("*.md")))
    return SizeResult(scale, segments, pages, runs, rows)


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
        f"(load average {load} at the end, the benchmark's own runs included); "
        f"Python {platform.python_version()}; {versions}"
    )


def table(size: SizeResult) -> str:
    def row(name: str, timed: Timed) -> str:
        peak = f"{max(timed.peak_mb):.0f} MiB" if timed.peak_mb else "—"
        spread = f"{min(timed.seconds):.2f}–{max(timed.seconds):.2f} s"
        return f"| {name} | {timed.median:.2f} s | {spread} | {peak} |"

    runs = f"median of {size.runs} runs" if size.runs > 1 else "one run"
    return "\n".join(
        [
            f"### {size.scale}× — {size.segments} segments, {size.pages} pages ({runs})",
            "",
            "| scenario | median | min–max | peak memory |",
            "| --- | ---: | ---: | ---: |",
            *(row(name, timed) for name, timed in size.rows.items()),
            "",
        ]
    )


def verdict(value: float, limit: float) -> str:
    return f"{value:.2f} (target ≤ {limit:.2f}: {'met' if value <= limit else 'NOT met'})"


def run_by_run(numerator: Timed, denominator: Timed, limit: float) -> str:
    """``numerator / denominator`` run by run: the runs of all scenarios are interleaved, so
    run N of each met the machine in the same state. Their median and range, and how many of
    the runs are within ``limit``."""
    each = [a / b for a, b in zip(numerator.seconds, denominator.seconds, strict=True)]
    within = sum(ratio <= limit for ratio in each)
    return (
        f"{statistics.median(each):.2f} ({min(each):.2f}–{max(each):.2f}), "
        f"≤ {limit:.2f} in {within} of {len(each)} runs"
    )


def ratios(sizes: list[SizeResult]) -> str:
    lines = ["## Ratios against the targets (issue 7)", ""]
    by_scale = {s.scale: s for s in sizes}
    for size in sizes:
        rows = size.rows
        floor = rows["WeasyPrint floor (print HTML → PDF)"].median
        cold = rows["cold full build (PDF + EPUB)"].median
        edited = rows["one segment edited → full"].median
        pdf = rows["cold PDF alone"].median
        edited_pdf = rows["one segment edited → PDF"].median
        late_pdf = rows["one segment late in the book edited → PDF"].median
        numbered = rows["PDF, page numbers known"].median
        plain = rows["cold PDF alone, plain engine"]
        # The issue sets the PDF's targets for the 10x book (the 1x booklet is one part).
        at_10x = verdict if size.scale == 10 else lambda value, _: f"{value:.2f}"
        lines.append(
            f"- {size.scale}×: cold full build / WeasyPrint floor = {verdict(cold / floor, 1.10)};"
            f" cold PDF alone / floor = {at_10x(pdf / floor, 0.65)};"
            f" PDF with page numbers known / floor = {numbered / floor:.2f};"
            f" one segment edited → PDF / cold PDF = {at_10x(edited_pdf / pdf, 0.35)};"
            f" late in the book: {late_pdf / pdf:.2f};"
            f" one segment edited → full / cold full = {edited / cold:.2f};"
            f" floor / WeasyPrint with target-counter = "
            f"{floor / rows['WeasyPrint, target-counter page numbers'].median:.2f};"
            f" cold PDF alone, fast / plain engine = {pdf / plain.median:.2f}"
            f" (run by run: {run_by_run(rows['cold PDF alone'], plain, 1.0)})"
        )
    if 10 in by_scale:
        rows = by_scale[10].rows
        pandoc = rows["pandoc → EPUB (pandoc -o book.epub)"].median
        epub = rows["cold EPUB alone"].median / pandoc
        unpaged = rows["cold EPUB alone, no page list"].median / pandoc
        lines.append(
            f"- 10×: cold EPUB alone / pandoc's direct EPUB = {verdict(epub, 1.0)} (with the"
            f" printed page list, which lays the book out); without a page list: "
            f"{verdict(unpaged, 1.0)}"
        )
        if by_scale[10].runs > 1:
            pdf, unpaged_runs = rows["cold PDF alone"], rows["cold EPUB alone, no page list"]
            floor_runs = rows["WeasyPrint floor (print HTML → PDF)"]
            pandoc_runs = rows["pandoc → EPUB (pandoc -o book.epub)"]
            edited_runs = rows["one segment edited → PDF"]
            lines.append(
                "- 10×, run by run (the ratio within each run): cold PDF alone / floor = "
                f"{run_by_run(pdf, floor_runs, 0.65)}; one segment edited → PDF / cold PDF = "
                f"{run_by_run(edited_runs, pdf, 0.35)}; EPUB alone without a page list / "
                f"pandoc = {run_by_run(unpaged_runs, pandoc_runs, 1.0)}"
            )
    small, large = min(by_scale), max(by_scale)
    if large != small:

        def per_page(size: SizeResult, name: str) -> float:
            return size.rows[name].median / size.pages

        for name in ("cold full build (PDF + EPUB)", "WeasyPrint floor (print HTML → PDF)"):
            a, b = per_page(by_scale[small], name), per_page(by_scale[large], name)
            lines.append(
                f"- time per page, {name}: {a * 1000:.0f} ms at {small}×, {b * 1000:.0f} ms at "
                f"{large}×: {large}×/{small}× = {verdict(b / a, 1.3)}"
            )
        peak = max(by_scale[large].rows["cold full build (PDF + EPUB)"].peak_mb)
        lines.append(f"- peak memory at {large}×, cold full build: {peak:.0f} MiB (target ≤ 1536)")
    return "\n".join([*lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario")
    parser.add_argument("--large-runs", type=int, default=1, help=f"runs at {LARGE}× and above")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    sizes = []
    for scale in args.sizes:
        runs = args.large_runs if scale >= LARGE else args.runs
        with tempfile.TemporaryDirectory(prefix="booktool-bench-") as folder:
            # What the runs leave in their temporary folder (WeasyPrint's font copies, in a
            # process that ends before collecting them) goes with this one.
            (Path(folder) / "tmp").mkdir()
            os.environ["TMPDIR"] = str(Path(folder) / "tmp")
            size = run_size(scale, runs, Path(folder), warm=scale == 1)
        print(table(size))
        sizes.append(size)
    fewer = [f"{s.scale}×: {s.runs}" for s in sizes if s.runs < 5]
    text = "\n".join(
        [
            "# Speed benchmark: booktool, pandoc and the WeasyPrint floor",
            "",
            "Written by `make bench` (`bench/speed.py`; its docstring says what each row runs).",
            "Every figure is the wall time of a fresh process (interpreter start and imports",
            "included), except the warm row, timed inside one process that keeps WeasyPrint",
            "loaded as `booktool watch` does. Peak memory is the largest resident set of the",
            "process or of any child it waited for (`wait4`). Ratios are from this one run.",
            "",
            f"Machine: {machine()}.",
            f"Run on {dt.date.today().isoformat()}.",
            *(
                [f"Fewer than 5 runs (to keep `make bench` feasible): {', '.join(fewer)}.", ""]
                if fewer
                else [""]
            ),
            ratios(sizes),
            *(table(size) for size in sizes),
        ]
    )
    # The sections of bench/catalogue.py and bench/importing.py (from the first of their
    # marks to the end) are kept as they were.
    old = args.output.read_text() if args.output.exists() else ""
    marks = [
        "<!-- bench/catalogue.py writes from here to the next mark -->",
        "<!-- bench/importing.py writes from here to the end -->",
    ]
    mark = next((m for m in marks if m in old), None)
    if mark is not None:
        text = text.rstrip("\n") + "\n\n" + mark + old.split(mark, 1)[1]
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
