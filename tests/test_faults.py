"""Fault injection: what a build does with a cache it cannot believe, a full or read-only disk,
another build at work, and leftovers of a killed one.

Each test damages a real build's files or file system and runs the real command again; the
outcome is the exact line booktool prints and the files left behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli
from .hostile import segment, write_project

CACHE = Path("build") / ".cache"
SRC = Path(__file__).resolve().parent.parent / "src"


def _digests(project: Path) -> dict[str, str]:
    build = project / "build"
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in build.glob("*.*") if p.is_file()
    }


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hostile corpus's base project, built once; the tests run in its folder."""
    project = write_project(tmp_path, {})
    monkeypatch.chdir(project)
    result = run_cli("build", ".")
    assert result.code == 0, result.err
    return project


def test_deeply_nested_json_in_the_cache_counts_as_damaged(built: Path) -> None:
    """JSON nested deeper than the parser's recursion limit is a damaged file, not a
    RecursionError on every build until someone deletes it."""
    before = _digests(built)
    deep = b"[" * 200_000 + b"]" * 200_000
    damaged = [p for p in (built / CACHE).rglob("*") if p.is_file()]
    assert {p.suffix for p in damaged} >= {".json", ".pack", ".pdf"}
    for path in damaged:
        path.write_bytes(deep + b"\n" + deep)
    for name in before:
        (built / "build" / name).unlink()
    result = run_cli("build", ".")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert _digests(built) == before


# --- a cache that came from elsewhere, or was changed, is not believed ---------------------


def _dictionaries(pdf: Any) -> list[Any]:
    """Every dictionary of the PDF, direct ones inside others included."""
    import pikepdf

    found, stack, seen = [], [*pdf.objects, pdf.trailer], set()
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Object):
            continue  # a number, a name or a string as Python gives it
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            found.append(obj)
            stack += [value for _, value in obj.items()]
        elif isinstance(obj, pikepdf.Array):
            stack += list(obj)
    return found


def _output_actions(pdf_path: Path) -> list[str]:
    """Every action, embedded file or non-web link the PDF holds, as a short description."""
    import pikepdf

    found = []
    with pikepdf.open(pdf_path) as pdf:
        for key in ("/OpenAction", "/AA", "/AcroForm"):
            if key in pdf.Root:
                found.append(f"catalog {key}")
        for obj in _dictionaries(pdf):
            kind = obj.get("/S")
            if kind is not None and str(kind) in ("/JavaScript", "/Launch", "/GoToR", "/GoToE"):
                found.append(f"action {kind}")
            if kind == "/URI" and not str(obj.get("/URI", "")).startswith(("http", "mailto:")):
                found.append(f"link {obj.URI}")
            if obj.get("/Type") in ("/EmbeddedFile", "/Filespec") or "/EmbeddedFiles" in obj:
                found.append("embedded file")
            if "/AA" in obj or "/JS" in obj:
                found.append("additional action")
    return found


def _uris(pdf_path: Path) -> list[str]:
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return sorted(str(o.URI) for o in _dictionaries(pdf) if "/URI" in o)


@pytest.fixture
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder (and so the machine's key) of this test alone."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def test_a_cache_from_another_machine_is_rebuilt(
    own_key: Path, built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = own_key / "booktool" / "key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    before = _digests(built)
    again = run_cli("build", ".", "--json")
    assert json.loads(again.out)["up_to_date"] is True
    # Another machine: the same cache files, another user's cache folder and key.
    monkeypatch.setenv("XDG_CACHE_HOME", str(own_key.parent / "elsewhere"))
    result = run_cli("build", ".", "--json")
    report = json.loads(result.out)
    assert result.code == 0 and report["up_to_date"] is False
    assert report["converted"] == 3  # summary.md and both segments: the pack was not believed
    assert all(output["written"] for output in report["outputs"])
    assert _digests(built) == before
    assert json.loads(run_cli("build", ".", "--json").out)["up_to_date"] is True


def test_a_key_that_is_not_one_is_replaced(own_key: Path, tmp_path: Path) -> None:
    from booktool.cache.seal import mac, machine_key, seal, unseal

    (own_key / "booktool").mkdir(parents=True)
    (own_key / "booktool" / "key").write_bytes(b"short")
    key = machine_key()
    assert len(key) == 32 and (own_key / "booktool" / "key").read_bytes() == key
    sealed = seal(b"data")
    assert unseal(sealed) == b"data"
    for data, secret in [(b"data", key), (b"", b"k"), (b"x" * 10_000, b"long key" * 20)]:
        assert mac(secret, data) == hmac.new(secret, data, "sha256").hexdigest()
    for at in range(len(sealed)):  # every byte is covered, the seal's own included
        changed = bytearray(sealed)
        changed[at] ^= 0x01
        assert unseal(bytes(changed)) is None


def _reseal_part_header(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a cached part's header line, keeping its seal as it was (a one-byte edit)."""
    stored = path.read_bytes()
    seal_line, _, rest = stored.partition(b"\n")
    header, _, pdf = rest.partition(b"\n")
    data = json.loads(header)
    change(data)
    path.write_bytes(seal_line + b"\n" + json.dumps(data).encode() + b"\n" + pdf)


def test_a_one_byte_change_in_a_part_header_or_the_page_map_is_found(
    own_key: Path, built: Path
) -> None:
    before = _digests(built)
    parts = sorted((built / CACHE / "parts").glob("*.pdf"))
    assert len(parts) >= 2
    for part in parts:
        _reseal_part_header(part, lambda data: data.update(pages=data["pages"] + 1))
    page_map = built / CACHE / "pagemap.json"
    text = page_map.read_bytes()
    at = text.index(b'"page": 2')
    page_map.write_bytes(text[: at + 8] + b"3" + text[at + 9 :])  # one byte: page 2 -> 3
    for name in before:
        (built / "build" / name).unlink()
    result = run_cli("build", ".", "--json")
    assert result.code == 0, result.err
    assert _digests(built) == before
    assert all(_unsealed(part) for part in parts)  # rendered again, and sealed


def _unsealed(path: Path) -> bytes | None:
    from booktool.cache.seal import read_sealed

    return read_sealed(path)


def test_a_part_with_actions_never_reaches_the_pdf(own_key: Path, built: Path) -> None:
    """Sealed or not, a part is stripped of every action before it joins the book."""
    import pikepdf

    from booktool.cache.seal import seal

    pdf_path = built / "build" / "hostile-test.pdf"
    assert _output_actions(pdf_path) == []
    for part in sorted((built / CACHE / "parts").glob("*.pdf")):
        header, _, data = (_unsealed(part) or b"").partition(b"\n")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            script = pdf.make_indirect(
                pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
            )
            pdf.Root.OpenAction = script
            pdf.Root.Names = pdf.Root.get("/Names", pikepdf.Dictionary())
            pdf.Root.Names.JavaScript = pikepdf.Dictionary(
                Names=pikepdf.Array([pikepdf.String("x"), script])
            )
            links = [
                pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")),
                pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh")),
                pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("file:///etc/passwd")),
            ]
            page = pdf.pages[0].obj
            page.Annots = pikepdf.Array(
                [
                    pdf.make_indirect(
                        pikepdf.Dictionary(
                            Type=pikepdf.Name.Annot,
                            Subtype=pikepdf.Name.Link,
                            Rect=pikepdf.Array([0, 0, 100, 100]),
                            A=action,
                        )
                    )
                    for action in links
                ]
                + list(page.get("/Annots", []))
            )
            page.AA = pikepdf.Dictionary(O=script)
            buffer = io.BytesIO()
            pdf.save(buffer)
        report = json.loads(header)
        report["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
        part.write_bytes(seal(json.dumps(report).encode() + b"\n" + buffer.getvalue()))
    parts = sorted((built / CACHE / "parts").glob("*.pdf"))
    tampered = {part: part.read_bytes() for part in parts}
    pdf_path.unlink()
    # A new process, as a user's next build: no render worker kept from the last one, so the
    # cached parts are the ones joined.
    result = subprocess.run(
        [sys.executable, "-m", "booktool", "build", ".", "--format", "pdf"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert {part: part.read_bytes() for part in parts} == tampered  # the parts joined
    assert _output_actions(pdf_path) == []
    from booktool.render.pdfactions import clean_pdf

    single = clean_pdf(_unsealed(part).partition(b"\n")[2])  # type: ignore[union-attr]
    (built / "single.pdf").write_bytes(single)
    left = _output_actions(built / "single.pdf")  # a part's links to others stay for the join
    assert [action for action in left if not action.startswith("link booktool-xref:")] == []


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_a_layout_link_that_acts_is_not_written(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layout's javascript: link and its data: attachment never become PDF actions, with
    either PDF engine."""
    title = (
        '{% extends "builtin/_title_page.html" %}\n{% block title_page_extra %}\n'
        '<p><a href="javascript:alert(1)">run</a> <a href="file:///etc/passwd">file</a>\n'
        '<a rel="attachment" href="data:text/plain,secret">notes</a>\n'
        '<a href="https://example.com/">web</a></p>\n{% endblock %}\n'
    )
    project = write_project(tmp_path, {"layouts/_title_page.html": title})
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "pdf", "--engine", engine)
    assert result.code == 0, result.err
    assert _output_actions(project / "build" / "hostile-test.pdf") == []
    assert _uris(project / "build" / "hostile-test.pdf") == ["https://example.com/"]


# --- file-system faults: one line, the last good outputs kept, the next build right ---------

FULL = re.compile(
    r"build(/\S+)?: error\[disk-full\]: no space left on the device; "
    r"free some space, then build again"
)
READ_ONLY = re.compile(
    r"build(/\S+)?: error\[read-only\]: the file system is read-only; "
    r"build on a writable disk, or mount it read-write"
)


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(built: Path) -> Iterator[Path]:
    """The built project's build/ on a tmpfs of 1 MiB of its own (root only), its outputs
    copied onto it; unmounted afterwards."""
    build = built / "build"
    saved = built.parent / "saved-build"
    shutil.copytree(build, saved, symlinks=True)
    shutil.rmtree(build)
    build.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(build))
    if mounted.returncode != 0:
        shutil.rmtree(build)
        shutil.copytree(saved, build, symlinks=True)
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        shutil.copytree(saved, build, symlinks=True, dirs_exist_ok=True)
        yield build
    finally:
        _mount("-o", "remount,rw", str(build))
        subprocess.run(["umount", "-l", str(build)], check=False)


def _edit(project: Path) -> None:
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text() + "\nA sentence added after the last build.\n")


def _right(project: Path, tmp_path: Path) -> None:
    """The project's outputs are those a build from scratch of its manuscript gives."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "manuscript", fresh / "manuscript")
    assert run_cli("build", str(fresh)).code == 0
    assert _digests(project) == _digests(fresh)


def _temporaries(build: Path) -> list[str]:
    return sorted(p.name for p in build.rglob(".*.tmp"))


def test_a_full_disk_is_one_line_and_the_outputs_are_kept(
    small_disk: Path, built: Path, tmp_path: Path
) -> None:
    before = _digests(built)
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    with contextlib.suppress(OSError):
        while True:
            os.write(fd, bytes(4096))
    os.close(fd)
    _edit(built)
    result = run_cli("build", ".")
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and FULL.fullmatch(lines[0]), result.err
    report = json.loads(run_cli("build", ".", "--json").out)  # the same, for a program
    assert not report["ok"] and [e["code"] for e in report["errors"]] == ["disk-full"]
    assert _digests(built) == before
    assert _temporaries(small_disk) == []
    filler.unlink()
    assert run_cli("build", ".").code == 0
    _right(built, tmp_path)


def test_a_read_only_build_folder_is_one_line_and_the_outputs_are_kept(
    small_disk: Path, built: Path, tmp_path: Path
) -> None:
    before = _digests(built)
    assert _mount("-o", "remount,ro", str(small_disk)).returncode == 0
    _edit(built)
    result = run_cli("build", ".")
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and READ_ONLY.fullmatch(lines[0]), result.err
    assert _digests(built) == before
    assert _mount("-o", "remount,rw", str(small_disk)).returncode == 0
    assert run_cli("build", ".").code == 0
    _right(built, tmp_path)


@pytest.mark.parametrize("where", ["build", "build/.cache"])
def test_a_file_where_a_folder_should_be_is_one_line(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path, {})
    monkeypatch.chdir(project)
    (project / where).parent.mkdir(parents=True, exist_ok=True)
    (project / where).write_text("a file\n")
    result = run_cli("build", ".")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{where}: error[not-a-folder]: is a file, where booktool keeps a folder; move the "
        "file away or delete it, then build again"
    ]
    (project / where).unlink()
    assert run_cli("build", ".").code == 0
    _right(project, tmp_path)


@pytest.mark.parametrize(
    ("number", "line"),
    [
        (
            errno.EACCES,
            "build/.cache/manifest.json: error[no-permission]: permission denied; make the "
            "folder writable for you, or build a copy of the project",
        ),
        (
            errno.EPERM,
            "build/.cache/manifest.json: error[no-permission]: operation not permitted; make "
            "the folder writable for you, or build a copy of the project",
        ),
    ],
)
def test_a_folder_without_permission_is_one_line(
    number: int, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root passes every permission check, so the error is made as the kernel gives it; a
    temporary file's name is never the one shown."""
    from booktool.filesystem import file_system_error

    monkeypatch.chdir(tmp_path)
    error = file_system_error(OSError(number, os.strerror(number), "build/.cache/manifest.json"))
    assert error is not None and [p.format() for p in error.problems] == [line]
    temporary = OSError(number, os.strerror(number), "build/.cache/.stamp.json.x1y2.tmp")
    error = file_system_error(temporary)
    assert error is not None and error.problems[0].format().startswith("build/.cache: ")
    assert file_system_error(OSError(errno.EIO, "I/O error", "build/x")) is None


# --- one build at a time ---------------------------------------------------------------------


def _booktool(*args: str) -> subprocess.Popen[str]:
    """The booktool command in a process of its own, in the working folder."""
    return subprocess.Popen(
        [sys.executable, "-m", "booktool", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )


@contextlib.contextmanager
def _held(project: Path) -> Iterator[None]:
    """``project``'s build lock, held by this test as a running build holds it."""
    from booktool.cache.lock import build_lock

    with build_lock(project / "build", wait=False, say=print):
        yield


def test_a_second_build_waits_for_the_first_and_says_so(built: Path) -> None:
    _edit(built)
    with _held(built):
        second = _booktool("build", ".")
        assert second.stderr is not None
        line = second.stderr.readline()  # blocks until the build has found the lock held
        assert line == f"waiting for another build in build (pid {os.getpid()}) to finish\n"
        assert second.poll() is None  # still waiting: nothing was written meanwhile
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "wrote build/hostile-test.pdf" in out


def test_no_wait_fails_at_once_while_a_build_runs(built: Path) -> None:
    before = _digests(built)
    _edit(built)
    with _held(built):
        second = _booktool("build", ".", "--no-wait")
        err = second.communicate(timeout=300)[1]
    assert second.returncode == 1
    assert err.splitlines() == [
        f"build: error[build-locked]: another booktool build is running in this folder "
        f"(pid {os.getpid()}); wait for it to finish, or build without --no-wait"
    ]
    assert _digests(built) == before
    assert run_cli("build", ".", "--no-wait").code == 0  # the lock is free again


def test_overlapping_builds_never_call_stale_outputs_up_to_date(built: Path) -> None:
    """Builds of two versions started together, then a third: the last build's outputs and
    stamp agree, whichever order the first two ran in."""
    segment = built / "manuscript" / "segments" / "seg-02.md"
    runs = []
    for text in ("First version of the text.\n", "Second version of the text.\n"):
        segment.write_text(segment.read_text().split("\n\n", 1)[0] + "\n\n" + text)
        runs.append(_booktool("build", "."))
    for process in runs:
        assert process.wait(timeout=300) == 0
    final = _digests(built)
    fresh = built.parent / "fresh"
    shutil.copytree(built / "manuscript", fresh / "manuscript")
    assert run_cli("build", str(fresh)).code == 0
    report = json.loads(run_cli("build", ".", "--json").out)
    if report["up_to_date"]:  # the stamp may be believed only if the outputs are these
        assert final == _digests(fresh)
    assert _digests(built) == _digests(fresh)


# --- leftovers of killed builds ---------------------------------------------------------------


def test_a_killed_builds_temporary_files_are_swept_by_the_next(built: Path) -> None:
    """A build killed while writing leaves ``.<name>.*.tmp`` (a full-size PDF); the next
    build, holding the lock, removes them: no other build can be writing them."""
    build = built / "build"
    left = [
        build / ".hostile-test.pdf.k1ll3d.tmp",
        build / ".cache" / ".manifest.json.x8y9z0.tmp",
        build / ".cache" / "parts" / ".0b6e.pdf.abc123.tmp",
    ]
    for path in left:
        path.write_bytes(b"%PDF-1.7 half written")
    kept = [build / ".cache" / "lock", build / "notes.tmp", build / ".keep.tmp"]
    (build / "notes.tmp").write_text("not ours\n")
    (build / ".keep.tmp").write_text("not ours either\n")
    result = run_cli("build", ".")
    assert result.code == 0 and "up to date" in result.out  # even a no-op build sweeps
    assert [path for path in left if path.exists()] == []
    assert all(path.exists() for path in kept)


def _processes_with(variable: str, prefix: str) -> list[int]:
    """The live processes whose environment sets ``variable`` to a value under ``prefix``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        wanted = f"{variable}={prefix}".encode()
        if state != "Z" and any(item.startswith(wanted) for item in environ):
            found.append(int(entry.name))
    return found


def _wait_until(condition: Callable[[], bool], seconds: float = 60) -> bool:
    """Whether ``condition`` came true within ``seconds`` (a bound, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _reap() -> None:
    """Collect children this process adopted as a subreaper (workers of killed builds)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


#: A table cell no page can hold: its render runs for many seconds, so a signal finds it busy.
UNSPLITTABLE = "| a | b |\n|---|---|\n| " + "<br/>".join(f"line {i}" for i in range(5000))
UNSPLITTABLE += " | x |\n"


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_end_the_workers_and_remove_their_folders(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path, {"manuscript/segments/seg-02.md": segment(2, UNSPLITTABLE)})
    monkeypatch.chdir(project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    build = subprocess.Popen(
        [sys.executable, "-m", "booktool", "build", "."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(scratch)},
    )
    workers = str(scratch / "booktool-render-")
    assert _wait_until(lambda: bool(_processes_with("TMPDIR", workers)))
    assert build.poll() is None  # still building
    build.send_signal(number)
    err = build.communicate(timeout=120)[1]
    assert build.returncode == 128 + number, err
    assert err.splitlines()[-1:] == ["interrupted"] and "Traceback" not in err
    assert _wait_until(lambda: not _processes_with("TMPDIR", workers), 30)
    assert sorted(p.name for p in scratch.iterdir() if p.name.startswith("booktool-")) == []


def test_a_worker_ends_when_the_build_that_started_it_is_killed(tmp_path: Path) -> None:
    """The worker's stdin stays open (another process holds it), so only the parent-death
    signal can end it once its build is killed outright."""
    read_end, write_end = os.pipe()
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            "from booktool.render.orphan import parent_env\n"
            "worker = subprocess.Popen([sys.executable, '-P', '-m', 'booktool.render.worker',"
            " '--serve', '2048'], stdin=int(sys.argv[1]), stdout=subprocess.DEVNULL,"
            " stderr=subprocess.PIPE, env={**os.environ, **parent_env()})\n"
            "print(worker.pid, flush=True)\n"
            "worker.stderr.readline()\n"
            "print('ready', flush=True)\n"
            "time.sleep(600)\n",
            str(read_end),
        ],
        stdout=subprocess.PIPE,
        text=True,
        pass_fds=(read_end,),
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    os.close(read_end)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert parent.stdout.readline() == "ready\n"
        parent.kill()
        parent.wait()

        def ended() -> bool:
            _reap()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                return True
            return stat.rsplit(")", 1)[1].split()[0] == "Z"

        assert _wait_until(ended, 30)
    finally:
        os.close(write_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _reap()


# --- messages carry their code and blame the file that holds the problem -------------------


def test_watch_reports_book_yaml_and_segment_time_errors_with_their_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_watch import Session

    project = write_project(tmp_path, {})
    monkeypatch.chdir(project)
    monkeypatch.setenv("PYTHONPATH", str(SRC))
    session = Session(".", "--format", "epub")
    try:
        session.wait_for("watching")
        book = project / "manuscript" / "book.yaml"
        good = book.read_text()
        book.write_text("Hostile Test\n")  # an editor's half-saved file
        lines = session.wait_for("build failed")
        assert (
            "manuscript/book.yaml:1: error[config]: book.yaml must be a mapping of keys to "
            "values" in lines
        )
        book.write_text(good)
        session.wait_for("up to date")  # the book as it was: the EPUB is still current
        seg = project / "manuscript" / "segments" / "seg-02.md"
        seg.write_text(seg.read_text().replace("start: 00:05:00", "start: 00:99:00"))
        lines = session.wait_for("build failed")
        assert (
            "manuscript/segments/seg-02.md:4: error[segment-times]: 'start': '00:99:00': minutes "
            "must be below 60" in lines
        )
    finally:
        session.stop()
