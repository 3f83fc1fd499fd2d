"""Bounds on the PDF render, shared by the configuration and the render pool (no imports)."""

from __future__ import annotations

from dataclasses import dataclass

#: The address space each render process may use unless ``book.yaml`` says otherwise, in MiB:
#: what a worker started before the book's configuration is read gets.
RENDER_MEMORY_MB = 2048


@dataclass(frozen=True)
class RenderLimits:
    """Bounds on the PDF render, which runs in a child process; defaults suit a 300-page book."""

    #: Wall-clock seconds the render may take before it is stopped.
    render_seconds: float = 300
    #: Address space each render process may use, in MiB.
    render_memory_mb: int = RENDER_MEMORY_MB
    #: Render processes at once (the book's parts are laid out in parallel); 0: one per core.
    render_processes: int = 0
    #: Pixels an image may have, in millions: checked from its header, before it is decoded.
    max_megapixels: float = 50


#: The largest file a project sent to a cluster worker may hold (an image's limit: the largest
#: any input file may be), and the most its files may come to, and how many there may be.
MAX_SENT_FILE_BYTES = 20 * 1024 * 1024
MAX_SENT_BYTES = 256 * 1024 * 1024
MAX_SENT_FILES = 4096
