"""A small Chrome DevTools protocol client over websocket-client, for tests in Debian's Chromium.

One headless Chromium per test module, one page in it: navigate, evaluate, and the page's
console errors, exceptions and failed requests since the last navigation.
"""

from __future__ import annotations

import itertools
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

#: Debian's Chromium, if installed (the Makefile's ``ace`` target installs it where it can).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """Chromium started headless with a profile in ``profile``, driven through one page."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None
        port = free_port()
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.socket = websocket.create_connection(self._page_socket(port), timeout=30)
        for domain in ("Page", "Runtime", "Network", "Log", "DOM", "CSS"):
            self.send(f"{domain}.enable")

    def _page_socket(self, port: int) -> str:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                    targets = json.load(answer)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return str(pages[0]["webSocketDebuggerUrl"])
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        self.socket.settimeout(timeout)
        try:
            message: dict[str, Any] = json.loads(self.socket.recv())
        except websocket.WebSocketTimeoutException:
            return None
        return message

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method``; its result (events that come meanwhile are kept)."""
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = self._receive(deadline - time.monotonic())
            if message is None:
                break
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(method)

    def wait_event(self, name: str, timeout: float = 30) -> dict[str, Any]:
        """The first event ``name`` since the last navigation (waiting for it if need be)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for message in self.events[seen:]:
                if message["method"] == name:
                    return message
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(name)
            message = self._receive(left)
            if message is not None and "method" in message:
                self.events.append(message)

    def pump(self, seconds: float) -> None:
        """Collect the events that arrive within ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = self._receive(left)
            if message is not None and "method" in message:
                self.events.append(message)

    def navigate(self, url: str) -> None:
        """Open ``url`` and wait for its load event and its fonts."""
        self.events = []
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")
        self.pump(0.05)

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (a promise awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and failed or refused requests since the last
        navigation."""
        found = []
        for message in self.events:
            method, params = message["method"], message.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append(f"failed request: {params.get('errorText')}")
            elif method == "Network.responseReceived":
                response = params["response"]
                if response.get("status", 200) >= 400:
                    found.append(f"HTTP {response['status']}: {response['url']}")
        return found

    def requested(self) -> list[str]:
        """The URLs the page requested since the last navigation."""
        return [
            m["params"]["request"]["url"]
            for m in self.events
            if m["method"] == "Network.requestWillBeSent"
        ]

    def fonts_of(self, selector: str) -> list[str]:
        """The fonts Chromium drew the first element matching ``selector`` with."""
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        fonts = self.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
        return [str(font["familyName"]) for font in fonts]

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
