"""``booktool serve``: the web edition in a browser while you edit, reloaded on every save.

The web edition is built into a temporary folder (never the project's ``build/``), served on
127.0.0.1 only by the standard library's HTTP server, and rebuilt by :class:`Watcher` whenever
``manuscript/`` or ``layouts/`` changes (the build cache makes each rebuild incremental). Each
HTML page is served with a small script, injected here and never written to the folder, that
listens on a Server-Sent Events stream and reloads the page after each build. A failed build
keeps the last good pages and shows its one-line errors as a banner at the top of each page.
"""

from __future__ import annotations

import errno
import html
import shutil
import socket
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from booktool.cli.watch import Watcher
from booktool.errors import InputError, Problem
from booktool.source.project import Project

HOST = "127.0.0.1"
#: The server's own paths, beside the book's pages.
RELOAD_JS = "/__booktool__/reload.js"
EVENTS = "/__booktool__/events"
#: What each served page runs: reload when the build counter moves on.
RELOAD_SCRIPT = b"""(function () {
  var build = document.currentScript.getAttribute("data-build");
  var events = new EventSource("/__booktool__/events");
  events.onmessage = function (event) {
    if (event.data !== build) { events.close(); window.location.reload(); }
  };
}());
"""
_BANNER_STYLE = (
    "position:sticky;top:0;z-index:100;margin:0;padding:0.8rem 1rem;background:#7a1f1f;"
    "color:#fff;font:15px/1.4 sans-serif"
)


@dataclass(frozen=True)
class PreviewProject(Project):
    """The project, its editions built into ``output`` instead of its ``build/``."""

    output: Path = Path()

    @property
    def build_dir(self) -> Path:
        return self.output


class BuildState:
    """What the server shows: the built folder, the build counter and the last errors."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.counter = 0
        self.site: Path | None = None
        self.errors: list[str] = []
        self.closing = False

    def built(self, site: Path | None, errors: list[str]) -> None:
        with self.changed:
            if site is not None:
                self.site = site
            self.errors = list(errors)
            self.counter += 1
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the built folder; HTML with the reload script (and the error banner)."""

    state: BuildState

    def __init__(self, *args: Any, state: BuildState, **kwargs: Any) -> None:
        self.state = state
        site = state.site
        super().__init__(*args, directory=str(site) if site else tempfile.gettempdir(), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the builds, not every request."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        assert isinstance(self.server, PreviewServer)
        port = self.server.server_port
        if self.headers.get("Host") not in (f"{HOST}:{port}", f"localhost:{port}"):
            # Another name for this address (DNS rebinding): a web page must not read the book.
            self.send_error(HTTPStatus.FORBIDDEN, "open the preview at 127.0.0.1")
        elif path == RELOAD_JS:
            self.send_bytes(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        elif path == EVENTS:
            self.events()
        elif self.state.site is None:
            self.send_page(b"<!DOCTYPE html><html lang=en><title>Building</title><body></body>")
        else:
            file = Path(self.translate_path(path + ("index.html" if path.endswith("/") else "")))
            if file.suffix == ".html" and file.is_file():
                self.send_page(file.read_bytes())
            elif not file.is_file():  # no folder listings
                self.send_error(HTTPStatus.NOT_FOUND, "not in the booklet")
            else:
                super().do_GET()

    def send_bytes(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_page(self, page: bytes) -> None:
        """``page`` with the reload script and, after a failed build, the errors' banner."""
        with self.state.changed:
            counter, errors = self.state.counter, list(self.state.errors)
        script = f'<script src="{RELOAD_JS}" data-build="{counter}"></script>'.encode()
        head, found, tail = page.rpartition(b"</body>")
        page = head + script + found + tail if found else page + script
        if errors:  # at the top of the page, above the book's own header
            lines = "".join(f"<li>{html.escape(line)}</li>" for line in errors)
            banner = (
                f'<div id="booktool-build-error" role="alert" style="{_BANNER_STYLE}">'
                "<p style='margin:0 0 .4rem;font-weight:bold'>The last build failed; "
                f"these are the last good pages.</p><ul style='margin:0'>{lines}</ul></div>"
            ).encode()
            body = page.find(b"<body")
            start = page.find(b">", body) + 1 if body >= 0 else 0
            page = page[:start] + banner + page[start:]
        self.send_bytes(page, "text/html; charset=utf-8")

    def events(self) -> None:
        """The build counter as Server-Sent Events: now, then after each build."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent = -1
        try:
            while True:
                with self.state.changed:
                    if self.state.counter == sent and not self.state.closing:
                        self.state.changed.wait(timeout=15)
                    if self.state.closing:
                        return
                    counter = self.state.counter
                if counter != sent:
                    self.wfile.write(f"data: {counter}\n\n".encode())
                    sent = counter
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:  # the page went away
            return


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True


def free_port(near: int) -> int:
    """A port free on 127.0.0.1: the first after ``near`` that binds, else any."""
    for port in [*range(near + 1, min(near + 50, 65536)), 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    return 0


def open_server(port: int, state: BuildState) -> PreviewServer:
    """The server bound to 127.0.0.1:``port``; InputError naming a free port if it is taken."""
    try:
        return PreviewServer((HOST, port), partial(PreviewHandler, state=state))
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
        taken = "in use" if exc.errno == errno.EADDRINUSE else "not allowed"
        raise InputError(
            Problem(
                None,
                None,
                f"port {port} on {HOST} is {taken}",
                f"try --port {free_port(port)}",
                code="port",
            )
        ) from exc


class PreviewWatcher(Watcher):
    """The watcher of ``serve``: builds the web edition into the preview folder, then tells
    the server; with ``--format all`` it also keeps the project's PDF and EPUB current."""

    def __init__(
        self, preview: PreviewProject, state: BuildState, also: Watcher | None, **kwargs: Any
    ) -> None:
        super().__init__(preview, ("web",), **kwargs)
        self.state = state
        self.also = also

    def build_once(self) -> bool:
        ok = super().build_once()
        site = next((o.path for o in self.outputs if o.format == "web"), None) if ok else None
        self.state.built(site, self.errors)
        if self.also is not None:
            self.also.build_once()
        return ok


def serve(
    project: Project,
    port: int,
    out: TextIO,
    err: TextIO,
    *,
    formats: Sequence[str] = ("web",),
    interval: float = 0.3,
    debug: bool = False,
) -> int:
    """Serve the web edition of ``project`` until Ctrl-C; exit code 0."""
    state = BuildState()
    server = open_server(port, state)
    folder = Path(tempfile.mkdtemp(prefix="booktool-serve-"))
    preview = PreviewProject(project.root, project.house, output=folder / "build")
    others = tuple(name for name in formats if name != "web")
    also = Watcher(project, others, out, err, debug=debug) if others else None
    watcher = PreviewWatcher(preview, state, also, out=out, err=err, interval=interval, debug=debug)
    thread = threading.Thread(target=server.serve_forever, name="booktool-serve", daemon=True)
    thread.start()
    out.write(f"serving http://{HOST}:{server.server_address[1]}/ (Ctrl-C to stop)\n")
    out.flush()
    try:
        return watcher.run()
    finally:
        state.close()
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)
