"""Render workers end with the build that started them: ``PR_SET_PDEATHSIG`` on Linux.

A build killed outright (SIGKILL, an OOM kill) cannot stop its workers; without this they
would render on for 10-20 s. The kernel sends the signal when the parent *thread* ends, so a
worker asks for it only when the build started it from its main thread (named in the
environment), and a sibling forked by a worker once the build has become its parent.
"""

from __future__ import annotations

import os
import signal
import threading

PARENT_ENV = "BOOKTOOL_BUILD_PID"
_PR_SET_PDEATHSIG = 1


def parent_env() -> dict[str, str]:
    """The environment a worker started now needs to end with this process (none from a
    thread other than the main one, which may end before the process)."""
    if threading.current_thread() is not threading.main_thread():
        return {PARENT_ENV: ""}
    return {PARENT_ENV: str(os.getpid())}


def die_with_parent() -> None:
    """Ask to be killed when the build ends; end at once if it already has."""
    parent = os.environ.get(PARENT_ENV, "")
    if not parent.isdigit():
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != int(parent):  # the build ended before the request took effect
        os._exit(1)
