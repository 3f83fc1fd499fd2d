"""``booktool catalogue``: many projects in one command, on this machine (the Dask runner's
tests are in test_catalogue_cluster.py)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from booktool.catalogue.houses import HouseCache
from booktool.catalogue.transport import pack, unpack
from booktool.cli.main import main
from booktool.errors import InputError
from booktool.limits import MAX_SENT_FILE_BYTES
from tests.catalogue_helpers import HOUSE_TITLE_PAGE, break_book, built, make_catalogue
from tests.conftest import copy_project, run_cli
from tests.outputs import pdf_pages


def test_every_book_is_built_and_one_failure_stops_none(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal", "c": "minimal"})
    break_book(cat / "b")
    run = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "2")
    assert run.code == 1
    # The print HTML, with the style sheets it loads beside it.
    for book in ("a", "c"):
        assert f"book-{book}.html" in built(cat / book)
        assert {"book.css", "print.css"} <= set(built(cat / book))
    assert built(cat / "b") == []
    assert re.search(r"cat/b/manuscript/book.yaml:\d+: error\[plan-unknown-segment\]", run.err)
    assert "Traceback" not in run.err
    lines = run.out.splitlines()
    assert any(s.startswith("a: built") for s in lines)
    assert "b: failed (2 errors)" in lines
    assert lines[-1].startswith("3 books: 2 built, 0 up to date, 1 failed")
    # The page lists every book, the failed one as not built.
    page = (cat / "build" / "index.html").read_text("utf-8")
    assert page.count('class="book"') == 3 and "Not built yet" in page


def test_only_what_changed_is_built_again(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"}, house=True)
    first = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "2")
    assert first.code == 0, first.err
    assert "HOUSE STYLE MARK" in (cat / "a" / "build" / "book-a.html").read_text("utf-8")
    again = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "2")
    assert {"a: up to date", "b: up to date"} <= set(again.out.splitlines())
    # One manuscript edited: that book alone is built.
    segment = cat / "b" / "manuscript" / "segments" / "seg-01.md"
    segment.write_text(segment.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    edited = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "2")
    assert "a: up to date" in edited.out.splitlines()
    assert any(s.startswith("b: built") for s in edited.out.splitlines())
    # The house layouts changed: every book is built again, with the new house style.
    house = cat / "layouts" / "_title_page.html"
    house.write_text(house.read_text("utf-8").replace("HOUSE STYLE MARK", "NEW HOUSE"), "utf-8")
    restyled = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "2")
    assert restyled.code == 0
    assert restyled.out.count(": built in") == 2
    for name in ("a", "b"):
        assert "NEW HOUSE" in (cat / name / "build" / f"book-{name}.html").read_text("utf-8")


def test_a_project_layout_overrides_the_house_one(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"own": "basic"}, house=True)
    run = run_cli("catalogue", "build", str(cat), "--format", "html")
    assert run.code == 0, run.err
    html = (cat / "own" / "build" / "book-own.html").read_text("utf-8")
    assert "For classroom use" in html and "HOUSE STYLE MARK" not in html


def test_books_built_in_the_pool_are_the_bytes_booktool_build_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "basic"})
    # The pool's processes may come from a server started before: the build carries it.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    run = run_cli("catalogue", "build", str(cat), "--jobs", "2", "--json")
    assert run.code == 0, run.err
    books = [json.loads(line) for line in run.out.splitlines()]
    assert sorted(b["book"] for b in books[:-1]) == ["a", "b"]
    assert all(b["status"] == "built" and b["ok"] for b in books[:-1])
    assert books[-1]["summary"] == {**books[-1]["summary"], "built": 2, "failed": 0, "books": 2}
    alone = copy_project(tmp_path / "alone", "basic")
    (alone / "manuscript" / "book.yaml").write_bytes((cat / "b/manuscript/book.yaml").read_bytes())
    assert run_cli("build", str(alone), "--quiet").code == 0
    for name in ("book-b.pdf", "book-b.epub"):
        assert (cat / "b" / "build" / name).read_bytes() == (alone / "build" / name).read_bytes()
    # The catalogue page links both editions of each book, and shows the EPUB's own cover.
    page = (cat / "build" / "index.html").read_text("utf-8")
    assert 'href="../b/build/book-b.pdf"' in page and 'href="../a/build/book-a.epub"' in page
    assert 'src="covers/b.png"' in page and (cat / "build" / "covers" / "b.png").is_file()
    assert "prefers-color-scheme: dark" in (cat / "build" / "catalogue.css").read_text("utf-8")


def test_catalogue_yaml_problems_are_one_line_each(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal"})
    (cat / "catalogue.yaml").write_text(
        "title: House\npublishr: X\nprojects:\n- a\n- missing\n- a\n- ../a\n", "utf-8"
    )
    run = run_cli("catalogue", "build", str(cat))
    assert run.code == 1 and run.out == ""
    errors = run.err.splitlines()
    assert errors == [
        f"{cat}/catalogue.yaml:2: error[unknown-key]: unknown key 'publishr' in catalogue.yaml; "
        "did you mean 'publisher'?",
        f"{cat}/catalogue.yaml:5: error[no-manuscript]: '{cat}/missing' has no "
        "manuscript/book.yaml; create the project there, or remove the line",
        f"{cat}/catalogue.yaml:6: error[catalogue]: 'a' is listed twice; list each project once",
        f"{cat}/catalogue.yaml:7: error[catalogue]: '../a' is not a folder name of this "
        "catalogue; name a folder directly inside the catalogue",
    ]


def test_an_empty_catalogue_says_so(tmp_path: Path) -> None:
    run = run_cli("catalogue", "build", str(tmp_path))
    assert run.code == 1 and "error[no-projects]" in run.err


def test_catalogue_yaml_sets_the_order_and_the_page(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal", "c": "minimal"})
    (cat / "catalogue.yaml").write_text(
        "title: River Towns\npublisher: Small Press\nseries: Places\nprojects: [c, a]\n", "utf-8"
    )
    run = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "1")
    assert run.code == 0
    assert [s.split(":")[0] for s in run.out.splitlines()[:2]] == ["c", "a"]
    assert built(cat / "b") == []
    page = (cat / "build" / "index.html").read_text("utf-8")
    assert "<h1>River Towns</h1>" in page and "Places · Small Press" in page
    assert page.index("Book c") < page.index("Book a")


def test_catalogue_check_checks_every_book(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"})
    break_book(cat / "b")
    run = run_cli("catalogue", "check", str(cat))
    assert run.code == 1
    assert "a: ok (0 errors, 0 warnings)" in run.out
    assert "b: failed" in run.out and "error[plan-unknown-segment]" in run.err
    assert run.out.splitlines()[-1] == "2 books checked, 1 failed"


def test_the_archive_carries_the_inputs_and_refuses_links(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "basic"}, house=True)
    (cat / "a" / "build").mkdir()
    (cat / "a" / "build" / "old.pdf").write_bytes(b"%PDF old")
    data = pack(cat / "a", cat / "layouts")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        names = archive.getnames()
    assert "project/manuscript/book.yaml" in names and "house/_title_page.html" in names
    assert "project/layouts/_title_page.html" in names
    assert not any("build" in name for name in names)
    project, house = unpack(data, tmp_path / "unpacked")
    assert (project / "manuscript" / "book.yaml").read_bytes() == (
        cat / "a" / "manuscript" / "book.yaml"
    ).read_bytes()
    assert house is not None and (house / "_title_page.html").is_file()
    (cat / "a" / "manuscript" / "secret.md").symlink_to("/etc/hostname")
    with pytest.raises(InputError) as refused:
        pack(cat / "a", None)
    assert refused.value.problems[0].code == "outside-project"


def test_the_archive_is_capped(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", "minimal")
    big = project / "manuscript" / "huge.png"
    with big.open("wb") as handle:
        handle.truncate(MAX_SENT_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(InputError) as refused:
        pack(project, None)
    assert refused.value.problems[0].code == "too-large-to-send"


def test_a_worker_unpacks_the_house_layouts_once_and_only_what_was_sent(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "basic", "b": "basic"}, house=True)
    houses = HouseCache()
    project_a, house_a = unpack(pack(cat / "a", cat / "layouts"), tmp_path / "a", houses)
    project_b, house_b = unpack(pack(cat / "b", cat / "layouts"), tmp_path / "b", houses)
    # The same house layouts, the same folder (Jinja finds its compiled templates again).
    assert house_a is not None and house_a == house_b
    assert not house_a.is_relative_to(tmp_path) and not (tmp_path / "a" / "house").exists()
    assert (
        project_a / "manuscript" / "book.yaml"
    ).is_file() and project_b == tmp_path / "b/project"
    assert (house_a / "_title_page.html").read_bytes() == (
        cat / "layouts" / "_title_page.html"
    ).read_bytes()
    # A changed house layout is a new folder holding the new file, never the kept one.
    (cat / "layouts" / "_title_page.html").write_text("{# changed #}", "utf-8")
    _, changed = unpack(pack(cat / "a", cat / "layouts"), tmp_path / "c", houses)
    assert changed is not None and changed != house_a
    assert (changed / "_title_page.html").read_text("utf-8") == "{# changed #}"
    # A kept folder whose files were altered since is not believed: written again.
    (changed / "_title_page.html").write_text("{# tampered #}", "utf-8")
    (changed / "extra.html").write_text("{# added #}", "utf-8")
    _, again = unpack(pack(cat / "b", cat / "layouts"), tmp_path / "d", houses)
    assert again == changed and sorted(p.name for p in again.iterdir()) == ["_title_page.html"]
    assert (again / "_title_page.html").read_text("utf-8") == "{# changed #}"
    # A project sent without house layouts gets none.
    assert unpack(pack(cat / "a", None), tmp_path / "e", houses)[1] is None
    houses.close()
    assert not houses.root.exists()


def test_a_worker_keeps_only_the_latest_house_layouts(tmp_path: Path) -> None:
    houses = HouseCache(keep=2)
    first = houses.folder({"a.html": b"1"})
    second = houses.folder({"a.html": b"2"})
    assert houses.folder({"a.html": b"1"}) == first  # used again: now the latest
    third = houses.folder({"sub/a.html": b"3"})
    assert (third / "sub" / "a.html").read_bytes() == b"3"
    assert first.is_dir() and third.is_dir() and not second.exists()
    houses.close()


#: A cluster worker's task, run book after book in one process (as a Dask worker runs them):
#: for each book, its status, its title page's PDF, the files of the user's template cache and
#: what is left in the worker's book folder afterwards.
WORKER_BOOKS = """
import json, sys
from pathlib import Path
from booktool.catalogue import worker
from booktool.catalogue.transport import pack
from booktool.cache.usercache import folder
catalogue, found = Path(sys.argv[1]), []
for number, name in enumerate(sys.argv[2:]):
    reply = worker.build_sent(pack(catalogue / name, None), ("pdf",), False, name, {})
    pdf = catalogue / f"{number}.pdf"
    pdf.write_bytes(next(iter(reply["files"].values())))
    found.append({
        "status": reply["result"].status,
        "pdf": str(pdf),
        "cached": sorted(p.name for p in folder("templates").iterdir()),
        "left": sorted(p.name for p in worker._KEPT["books"].root.iterdir()),
    })
print(json.dumps(found))
"""


def test_a_worker_builds_each_book_in_one_folder_emptied_between_books(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"})
    for name in ("a", "b"):  # each book's own title page, at the same path on the worker
        (cat / name / "layouts").mkdir()
        page = HOUSE_TITLE_PAGE.replace("HOUSE STYLE MARK", f"OWN PAGE {name.upper()}")
        (cat / name / "layouts" / "_title_page.html").write_text(page, "utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-c", WORKER_BOOKS, str(cat), "a", "b", "a"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    books = json.loads(run.stdout)
    assert [b["status"] for b in books] == ["built"] * 3
    # Each book is built from its own files, though they had the same paths.
    marks = [re.findall(r"OWN PAGE [AB]", "".join(pdf_pages(Path(b["pdf"])))) for b in books]
    assert marks == [["OWN PAGE A"], ["OWN PAGE B"], ["OWN PAGE A"]]
    # The project's template is compiled into one file of the user's cache, not one a book.
    assert books[0]["cached"] and books[0]["cached"] == books[1]["cached"] == books[2]["cached"]
    assert all(b["left"] == [] for b in books)


@pytest.mark.parametrize("name", ["../escape.md", "/abs.md", "project/../../x", "other/x"])
def test_unpack_refuses_members_outside_its_folder(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ValueError):
        unpack(buffer.getvalue(), tmp_path / "into")
    assert not (tmp_path / "escape.md").exists()
    assert not os.path.exists("/abs.md")


def test_unpack_refuses_a_link(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("project/manuscript/book.yaml")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(ValueError):
        unpack(buffer.getvalue(), tmp_path / "into")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_shows_the_running_books_and_a_bar(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"})
    out, err = Terminal(), io.StringIO()
    code = main(["catalogue", "build", str(cat), "--format", "html", "--jobs", "2"], out, err)
    assert code == 0, err.getvalue()
    shown = out.getvalue()
    assert "  building a (" in shown and "] 0/2 books" in shown
    assert f"[{'#' * 30}] 2/2 books" in shown
    assert "\x1b[" in shown  # the live lines are redrawn in place
    # Once done, the live lines are cleared: the result lines and the summary remain.
    finished = re.sub(r"(?s)  building .*?\n|  \[.*?\n|\x1b\[\d+A\x1b\[J", "", shown)
    assert [line.split(":")[0] for line in finished.splitlines()[:2]] in (["a", "b"], ["b", "a"])


def test_a_house_layout_that_links_out_is_refused(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "minimal"}, house=True)
    outside = tmp_path / "outside.html"
    outside.write_text("<p>SECRET FROM OUTSIDE</p>", "utf-8")
    (cat / "layouts" / "_title_page.html").unlink()
    (cat / "layouts" / "_title_page.html").symlink_to(outside)
    run = run_cli("catalogue", "build", str(cat), "--format", "html")
    assert run.code == 1
    assert "error[outside-project]" in run.err and "SECRET" not in run.err
    assert built(cat / "a") == []


def _descendants(pid: int) -> set[tuple[int, int]]:
    """The processes below ``pid``, each as its id and start time (ids are reused: the
    machine is shared)."""
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stats[int(entry)] = (
                    Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                )
            except (OSError, IndexError):
                continue
    found: set[tuple[int, int]] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, fields in stats.items() if fields[1] == str(parent)]
        found.update((child, int(stats[child][19])) for child in children)
        todo += children
    return found


def _alive(process: tuple[int, int]) -> bool:
    """Whether that process (not another with its id) still runs (a zombie does not)."""
    try:
        fields = Path(f"/proc/{process[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return int(fields[19]) == process[1] and fields[0] != "Z"


def test_sigterm_stops_every_book_at_once(tmp_path: Path) -> None:
    cat = make_catalogue(tmp_path / "cat", {"a": "basic", "b": "basic", "c": "basic"})
    command = [sys.executable, "-m", "booktool", "catalogue", "build", str(cat), "--jobs", "2"]
    book = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    seen: set[tuple[int, int]] = set()
    while not any("render.worker" in _command(pid) for pid, _ in seen):  # books are rendering
        assert time.monotonic() < deadline and book.poll() is None
        seen |= _descendants(book.pid)
        time.sleep(0.05)
    seen |= _descendants(book.pid)
    book.send_signal(signal.SIGTERM)
    _, err = book.communicate(timeout=30)
    assert book.returncode == 128 + signal.SIGTERM, err.decode()
    assert err.decode().splitlines() == ["interrupted"]
    # Every process the command started ends: a render child killed before it asked to die
    # with its parent (still importing) sees it gone once it asks, and ends then.
    deadline = time.monotonic() + 20
    while (left := [_command(pid) for pid, at in seen if _alive((pid, at))]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert left == []


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
