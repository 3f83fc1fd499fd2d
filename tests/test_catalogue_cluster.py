"""``booktool catalogue build --scheduler``: books built on a real Dask cluster, on 127.0.0.1.

A ``LocalCluster`` for the quick test; then a scheduler and two workers started as separate
processes, each worker in an empty folder of its own (no shared file system but what the
tasks carry), building a catalogue with a broken book, and losing a worker in the middle of
a book.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import booktool.catalogue.cluster
from tests.catalogue_helpers import HOUSE_TITLE_PAGE, break_book, built, make_catalogue
from tests.conftest import copy_project, run_cli
from tests.outputs import pdf_pages

distributed = pytest.importorskip("distributed")  # the 'cluster' extra; CI installs it

#: The scheduler retries a book whose worker died once, then reports it (its default: 3).
ENV = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}


def test_a_local_cluster_builds_the_bytes_a_local_build_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"}, house=True)
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        preload=["booktool.catalogue.worker"],  # warmed as they start
    ) as cluster:
        # booktool's preload leaves out Dask's statistical profiler (7% of a book's CPU).
        with distributed.Client(cluster.scheduler_address) as client:
            callbacks = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
        assert len(callbacks) == 2
        for names in callbacks.values():
            assert "heartbeat" in names and not {"profile", "profile-cycle"} & set(names)
        # Set after the workers started: the task carries it (the EPUB's dates change with it).
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        run = run_cli("catalogue", "build", str(cat), "--scheduler", cluster.scheduler_address)
        assert run.code == 0, run.err
        assert built(cat / "a") == ["book-a.epub", "book-a.pdf"]
        first = {n: (cat / "a" / "build" / n).read_bytes() for n in ("book-a.pdf", "book-a.epub")}
        assert "HOUSE STYLE MARK" in pdf_pages(cat / "a" / "build" / "book-a.pdf")[1]
        # The workers keep the house layouts they unpacked: a changed one is not served from
        # what they kept.
        house_page = cat / "layouts" / "_title_page.html"
        house_page.write_text(HOUSE_TITLE_PAGE.replace("MARK", "CHANGED"), "utf-8")
        changed = run_cli("catalogue", "build", str(cat), "--scheduler", cluster.scheduler_address)
        assert changed.code == 0, changed.err
        for book in ("a", "b"):
            title_page = pdf_pages(cat / book / "build" / f"book-{book}.pdf")[1]
            assert "HOUSE STYLE CHANGED" in title_page and "MARK" not in title_page
        house_page.write_text(HOUSE_TITLE_PAGE, "utf-8")
        back = run_cli("catalogue", "build", str(cat), "--scheduler", cluster.scheduler_address)
        assert back.code == 0, back.err
        assert "HOUSE STYLE MARK" in pdf_pages(cat / "a" / "build" / "book-a.pdf")[1]
    assert {n: (cat / "a" / "build" / n).read_bytes() for n in first} == first
    alone = copy_project(tmp_path / "alone", "minimal")
    (alone / "manuscript" / "book.yaml").write_bytes((cat / "a/manuscript/book.yaml").read_bytes())
    (alone / "layouts").mkdir()
    (alone / "layouts" / "_title_page.html").write_bytes(
        (cat / "layouts" / "_title_page.html").read_bytes()
    )
    assert run_cli("build", str(alone), "--quiet").code == 0
    for name in ("book-a.pdf", "book-a.epub"):
        assert (cat / "a" / "build" / name).read_bytes() == (alone / "build" / name).read_bytes()
    # The client stored each book's stamp: the next run, here, has nothing to build.
    again = run_cli("catalogue", "build", str(cat))
    assert {"a: up to date", "b: up to date"} <= set(again.out.splitlines())


def test_no_scheduler_is_one_line(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal"})
    os.environ["BOOKTOOL_SCHEDULER"] = "tcp://127.0.0.1:9"  # nothing listens there
    try:
        run = run_cli("catalogue", "build", str(cat))
    finally:
        del os.environ["BOOKTOOL_SCHEDULER"]
    assert run.code == 1
    assert run.err.startswith("error[scheduler]: cannot reach the Dask scheduler at tcp://127")
    assert built(cat / "a") == []


class Cluster:
    """A scheduler and two workers, each its own process; each worker in an empty folder."""

    def __init__(self, folder: Path) -> None:
        env = {**os.environ, **ENV}
        self.processes: list[subprocess.Popen[bytes]] = []
        file = folder / "scheduler.json"
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                 "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not file.is_file() or not file.read_text():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = json.loads(file.read_text())["address"]
        for number in (1, 2):
            home = folder / f"worker-{number}"
            home.mkdir()
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                     "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                     "--preload", "booktool.catalogue.worker",
                     "--host", "127.0.0.1", "--local-directory", str(home)],
                    cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        self.client = distributed.Client(self.address, timeout=30)
        self.client.wait_for_workers(2, timeout=60)

    def close(self) -> None:
        self.client.close()
        for process in self.processes[::-1]:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    started = Cluster(tmp_path_factory.mktemp("cluster"))
    yield started
    started.close()


def test_a_cluster_of_processes_builds_the_good_books_and_names_the_broken_one(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = make_catalogue(
        tmp_path / "cat", {"a": "minimal", "b": "minimal", "c": "minimal"}, house=True
    )
    break_book(cat / "b")
    # One book in flight at a time: the next is sent as one comes back.
    monkeypatch.setattr(booktool.catalogue.cluster, "WINDOW_PER_THREAD", 0)
    monkeypatch.setattr(booktool.catalogue.cluster, "MIN_WINDOW", 1)
    run = run_cli(
        "catalogue", "build", str(cat), "--format", "epub", "--scheduler", cluster.address
    )
    assert run.code == 1
    assert built(cat / "a") == ["book-a.epub"] and built(cat / "c") == ["book-c.epub"]
    assert built(cat / "b") == []
    # The broken book's problems name its files here, not the worker's folder.
    assert f"{cat}/b/manuscript/book.yaml:" in run.err and "error[plan-unknown-segment]" in run.err
    assert "booktool-book-" not in run.err and "Traceback" not in run.err
    assert "b: failed (2 errors)" in run.out.splitlines()
    assert run.out.splitlines()[-1].startswith("3 books: 2 built, 0 up to date, 1 failed")
    # The workers' own folders hold nothing of the books.
    homes = sorted(Path(cluster.processes[1].args[-1]).parent.glob("worker-*"))
    left = [p for home in homes for p in home.rglob("*") if p.suffix in (".pdf", ".epub", ".md")]
    assert left == []


def test_a_book_whose_worker_dies_is_built_on_the_other(cluster: Cluster, tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"slow": "basic"})
    command = [sys.executable, "-m", "booktool", "catalogue", "build", str(cat),
               "--scheduler", cluster.address, "--json"]  # fmt: skip
    book = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    victim = None
    while victim is None:
        assert time.monotonic() < deadline, "the book never started on a worker"
        running = {w: keys for w, keys in cluster.client.processing().items() if keys}
        if running:
            victim = next(iter(running))
        else:
            time.sleep(0.02)
    pid = cluster.client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    out, err = book.communicate(timeout=120)
    status = Path(f"/proc/{pid}/status")  # the worker that had the book is gone (or a zombie)
    assert not status.exists() or "\nState:\tZ" in status.read_text()
    assert book.returncode == 0, err.decode()
    result = json.loads(out.decode().splitlines()[0])
    assert result["book"] == "slow" and result["status"] == "built"
    assert built(cat / "slow") == ["book-slow.epub", "book-slow.pdf"]
