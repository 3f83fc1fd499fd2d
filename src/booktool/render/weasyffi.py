"""WeasyPrint's C declarations, parsed ahead: a render worker's import of WeasyPrint without
the parse.

WeasyPrint declares the Pango, HarfBuzz and fontconfig functions it calls to cffi as C source
(``weasyprint/text/ffi.py``), which cffi parses with pycparser at every import, on the path
of every PDF build. cffi can write a parse out as a Python module (its "out-of-line ABI
mode"); ``make bytecode`` writes one for the installed WeasyPrint (:func:`compile_ahead`), as it
compiles booktool's modules, and the worker's import takes it (:func:`prebuilt`) while
WeasyPrint's file is the one it was made from. The same declarations give the same types:
the PDFs are the same bytes.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.util
import io
from pathlib import Path
from typing import Any

#: Where ``make bytecode`` keeps the parse (beside booktool's own compiled modules).
COMPILED = Path(__file__).parent / "__pycache__" / "weasyprint_ffi.py"
#: The start of what cffi writes for a module of declarations, and what stands for it here.
_EMITTED = "# auto-generated file\nimport _cffi_backend\n\nffi = _cffi_backend.FFI("
_MADE = "def make(FFI):\n  return FFI("


def _declarations_file() -> Path | None:
    """WeasyPrint's ``text/ffi.py``, found without importing WeasyPrint."""
    spec = importlib.util.find_spec("weasyprint")
    folders = spec.submodule_search_locations if spec is not None else None
    return Path(next(iter(folders)), "text", "ffi.py") if folders else None


def _declarations(source: str) -> str | None:
    """The C source the module gives ``ffi.cdef()``: its one string literal."""
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "cdef"
            and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            return call.args[0].value
    return None


def compile_ahead(target: Path = COMPILED) -> bool:
    """Write the parse of WeasyPrint's declarations to ``target``; whether it was written
    (not if WeasyPrint's file is not the expected shape: the import then parses as usual)."""
    path = _declarations_file()
    if path is None:
        return False
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with contextlib.suppress(OSError):
        if target.read_text("utf-8").startswith(f"SOURCE_SHA256 = {digest!r}\n"):
            return True  # current
    declarations = _declarations(data.decode("utf-8"))
    if declarations is None:
        return False
    import cffi  # only when the parse is made again

    builder = cffi.FFI()
    builder.cdef(declarations)
    builder.set_source("booktool_weasyprint_ffi", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    emitted = target.with_suffix(".tmp")
    with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating <file>"
        builder.emit_python_code(str(emitted))
    code = emitted.read_text("utf-8")
    emitted.unlink()
    if not code.startswith(_EMITTED):
        return False
    text = f"SOURCE_SHA256 = {digest!r}\n{_MADE}{code[len(_EMITTED) :]}"
    target.write_text(text, "utf-8")
    return True


def prebuilt(compiled: Path = COMPILED) -> Any | None:
    """cffi's FFI of WeasyPrint's declarations, parsed ahead, whose ``cdef()`` does nothing
    (WeasyPrint's module calls it); None unless the parse was made from the installed
    WeasyPrint's file."""
    import _cffi_backend

    path = _declarations_file()
    try:
        text = compiled.read_text("utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path else None
    except OSError:
        return None
    if not text.startswith(f"SOURCE_SHA256 = {digest!r}\n"):
        return None

    class _Declared(_cffi_backend.FFI):  # type: ignore[misc]
        def cdef(self, *args: object, **options: object) -> None:
            """Declared already."""

    namespace: dict[str, Any] = {}
    exec(compile(text, str(compiled), "exec"), namespace)  # booktool's own generated module
    return namespace["make"](_Declared)
