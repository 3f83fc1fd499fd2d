"""The layout chain: a project's ``layouts/`` first, then booktool's built-in layout.

A project overrides the built-in layout file by file; a template that overrides one may extend
the original as ``builtin/NAME`` (as Sphinx themes extend ``!NAME``). Nothing is read from
outside the chain: a name with ``..`` or a symlink that leads out of a folder is not found.
"""

from __future__ import annotations

import contextlib
import functools
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Jinja is loaded when a template is: not in the render children
    import jinja2

    from booktool.editions.sandbox import LayoutSandbox
    from booktool.language.words import Words

from booktool.cache import usercache
from booktool.errors import InputError, Problem, input_error

BUILTIN_LAYOUTS = Path(__file__).parent.parent / "layouts"
#: The built-in templates compiled ahead by ``make bytecode`` (:func:`compile_builtin`), as
#: compileall keeps modules in ``__pycache__``: a build with an empty cache loads them instead
#: of compiling them. Each is used only while its template's source is unchanged.
COMPILED_BUILTIN = Path(__file__).parent / "__pycache__" / "layouts"
#: The reserved host (it cannot resolve) that print documents are rendered against: the
#: fetcher serves its URLs from the layout chain and the manuscript's media (see fetcher.py).
BASE_URL = "https://booktool.invalid/"


TEXT_SUFFIXES = frozenset({".html", ".xhtml", ".css", ".svg"})
TEMPLATE_SUFFIXES = frozenset({".html", ".xhtml", ".svg"})


class LayoutOutsideError(Exception):
    """A template name that resolves outside its layouts folder (through a symlink)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _confined_loader(searchpath: Path | list[str]) -> jinja2.BaseLoader:
    """A FileSystemLoader that refuses templates that are symlinks out of their folder."""
    import jinja2
    from jinja2.loaders import split_template_path

    class _ConfinedLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Any]:
            pieces = split_template_path(template)  # refuses '..'
            for folder in self.searchpath:
                candidate = Path(folder, *pieces)
                if candidate.is_file():
                    if not candidate.resolve().is_relative_to(Path(folder).resolve()):
                        raise LayoutOutsideError(str(candidate))
                    break
            return super().get_source(environment, template)

    return _ConfinedLoader(searchpath)


def user_template_cache() -> Path | None:
    """Where a project's compiled templates are kept: the user's own cache folder, never the
    project's build/ (a compiled template is code, and a project may come from anyone)."""
    return usercache.folder("templates")


@functools.cache
def sandbox_key() -> str:
    """Part of every compiled template's key: code compiled outside the sandbox, or by
    another version of it, is never loaded into it."""
    import hashlib

    import jinja2

    from booktool.editions import sandbox

    source = Path(sandbox.__file__).read_bytes()
    return hashlib.sha256(source + jinja2.__version__.encode()).hexdigest()[:16]


def _bytecode_cache(directory: Path | None) -> jinja2.BytecodeCache:
    """Jinja's bytecode cache in ``directory`` (the user's, if any), falling back to the
    built-in templates compiled ahead; only ``directory`` is written to. The user's own
    folder is kept within its limit (:mod:`booktool.cache.usercache`); any other (``make
    bytecode``'s, a test's) is left as it is."""
    import jinja2

    bounded = directory is not None and directory == user_template_cache()

    class _Keyed(jinja2.FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            return super().get_cache_key(f"{sandbox_key()}:{name}", filename)

    class _CompiledAhead(_Keyed):
        def __init__(self) -> None:
            super().__init__(str(COMPILED_BUILTIN))
            self.own: jinja2.FileSystemBytecodeCache | None = None
            if directory is not None:
                with contextlib.suppress(OSError):
                    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                    self.own = _Keyed(str(directory))

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if self.own is not None:
                self.own.load_bytecode(bucket)
                if bounded and bucket.code is not None:
                    usercache.used(Path(self.own.directory, self.own.pattern % (bucket.key,)))
            if bucket.code is None:
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            if self.own is not None:
                with contextlib.suppress(OSError):
                    self.own.dump_bytecode(bucket)
                if bounded:
                    usercache.tidy_now_and_then(Path(self.own.directory))

    return _CompiledAhead()


def compile_builtin() -> int:
    """Compile the built-in templates into :data:`COMPILED_BUILTIN`; how many there are."""
    COMPILED_BUILTIN.mkdir(parents=True, exist_ok=True)
    env = Layouts(None, COMPILED_BUILTIN).env
    names = [p.name for p in sorted(BUILTIN_LAYOUTS.iterdir()) if p.suffix in TEMPLATE_SUFFIXES]
    for name in names:
        env.get_template(name)
    return len(names)


class Layouts:
    """Finds templates and static files (CSS, fonts) through the layout chain."""

    def __init__(
        self,
        project_layouts: Path | None = None,
        cache: Path | None = None,
        house: Path | None = None,
    ) -> None:
        """The chain for ``project_layouts``, then the catalogue's ``house`` layouts (its shared
        ``layouts/``, overridden file by file by the project's), then the built-in ones;
        compiled templates are kept in ``cache`` if given (Jinja's bytecode cache, keyed by each
        template's source: a rebuild skips compiling), and the built-in ones are taken from
        those compiled ahead where they are current."""
        self.directories = [BUILTIN_LAYOUTS.resolve()]
        self.house_directory: Path | None = None
        self._project: Path | None = None
        if house is not None and house.is_dir():
            self.house_directory = house.resolve()
            self.directories.insert(0, self.house_directory)
        if project_layouts is not None and project_layouts.is_dir():
            self._project = project_layouts.resolve()
            self.directories.insert(0, self._project)
        self.cache = cache
        self._words: dict[str, Words] = {}

    @functools.cached_property
    def env(self) -> LayoutSandbox:
        """The templates' environment, made when the first template is rendered: Jinja's
        sandbox, bounded in time and size (:mod:`booktool.editions.sandbox`)."""
        import jinja2

        from booktool.editions.sandbox import LayoutSandbox

        return LayoutSandbox(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.PrefixLoader({"builtin": _confined_loader(BUILTIN_LAYOUTS)}),
                    _confined_loader([str(d) for d in self.directories]),
                ]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_bytecode_cache(self.cache),
        )

    def load_templates(self) -> None:
        """Load (and compile, if not cached) every template of the chain ahead of the first
        render, as the build does while pandoc runs. A template that does not load is left for
        its render to report."""
        import jinja2

        names = {
            path.name
            for folder in self.directories
            for path in folder.iterdir()
            if path.suffix in TEMPLATE_SUFFIXES
        }
        for name in sorted(names):
            with contextlib.suppress(jinja2.TemplateError, LayoutOutsideError):
                self.env.get_template(name)

    def render(self, name: str, **context: Any) -> str:
        """Render one template; a broken project template is named with its line."""
        import jinja2
        from jinja2.exceptions import SecurityError

        from booktool.editions.sandbox import TemplateBudgetError

        try:
            return self.env.render(self.env.get_template(name), context)
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else None
            raise input_error(
                path,
                exc.lineno,
                f"template error: {exc.message}",
                "fix the template",
                code="template-syntax",
            ) from exc
        except LayoutOutsideError as exc:
            raise input_error(
                Path(str(exc.name)),
                None,
                "layout is a link to a file outside layouts/",
                "copy the file into layouts/ instead of linking to it",
                code="outside-project",
            ) from exc
        except jinja2.TemplateNotFound as exc:
            path, line = self.template_line(exc)
            raise input_error(
                path,
                line,
                f"template '{exc.name}' not found in layouts",
                "restore it or remove the file that extends it",
                code="template-missing",
            ) from exc
        except (SecurityError, TemplateBudgetError, RecursionError) as exc:
            path, line = self.template_line(exc)
            if isinstance(exc, SecurityError):
                what, hint = str(exc), "a layout may use only the data booktool gives it"
            elif isinstance(exc, RecursionError):
                what, hint = "a macro calls itself too deeply", "end the macro's recursion"
            else:
                what, hint = str(exc), "keep the layout's loops and values to the book's size"
            raise input_error(
                path or self.find(name),
                line,
                f"template refused: {what.rstrip('.')}",
                hint,
                code="template-unsafe",
            ) from exc
        except UnicodeDecodeError as exc:
            raise input_error(
                self.find(name),
                None,
                "template is not UTF-8 text",
                "save it as UTF-8, or include only text files",
                code="template-syntax",
            ) from exc
        except jinja2.TemplateError as exc:
            path, line = self.template_line(exc)
            where = "template error" if path else f"template '{name}'"
            raise InputError(
                Problem(
                    path,
                    line,
                    f"{where}: {exc.message}",
                    "use only the names booktool gives the template",
                    code="template-error",
                )
            ) from exc

    def template_line(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The layout file and line a rendering error happened at (Jinja keeps them in the
        traceback's frames), the innermost one first."""
        roots = [str(directory) for directory in self.directories]
        found: tuple[Path | None, int | None] = (None, None)
        for frame, line in traceback.walk_tb(exc.__traceback__):
            filename = frame.f_code.co_filename
            if filename.startswith(tuple(roots)) and not filename.endswith(".py"):
                found = (Path(filename), line)
        return found

    def find(self, name: str) -> Path | None:
        """The first file called ``name`` in the chain, never a path outside it."""
        if name.startswith("builtin/"):
            directories, name = [BUILTIN_LAYOUTS.resolve()], name.removeprefix("builtin/")
        else:
            directories = self.directories
        for directory in directories:
            candidate = (directory / name).resolve()
            if not candidate.is_relative_to(directory):
                if (directory / name).exists():
                    return None  # a symlink out: refused, not replaced by the next folder
                continue
            if candidate.is_file():
                return candidate
        return None

    def words(self, language: str, where: tuple[Path | None, int | None] = (None, None)) -> Words:
        """booktool's words in ``language``: the built-in catalogue with the house's and the
        project's ``messages/`` changes (read once per chain and language)."""
        if language not in self._words:
            from booktool.language.words import load_words

            self._words[language] = load_words(language, self.directories, where)
        return self._words[language]

    def style_sheets(self) -> list[str]:
        """The text of every style sheet in the chain (each name as :meth:`find` resolves it)."""
        names = sorted(
            {p.relative_to(d).as_posix() for d in self.directories for p in d.rglob("*.css")}
        )
        found = [self.find(name) for name in names]
        return [path.read_text("utf-8", "replace") for path in found if path is not None]

    @property
    def project_directory(self) -> Path | None:
        """The project's own layouts folder, if it has one."""
        return self._project

    def leads_outside(self, name: str) -> bool:
        """Whether ``name`` exists in a layouts folder but resolves outside it (a symlink)."""
        for directory in self.directories:
            candidate = directory / name
            if candidate.exists() and not candidate.resolve().is_relative_to(directory):
                return True
        return False

    def locate(self, needle: str) -> tuple[Path, int] | None:
        """The project layout file (and line) whose text mentions ``needle``, if any."""
        folder = self.project_directory
        if folder is None or not needle:
            return None
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in TEXT_SUFFIXES or not path.is_file():
                continue
            if not path.resolve().is_relative_to(folder):  # never read through a symlink out
                continue
            text = path.read_text("utf-8", "replace")
            index = text.find(needle)
            if index >= 0:
                return path, text.count("\n", 0, index) + 1
        return None

    def read(self, name: str) -> bytes:
        """The bytes of a static layout file (CSS, font, image)."""
        path = self.find(name)
        if path is None and self.leads_outside(name):
            raise input_error(
                self.directories[0] / name,
                None,
                "layout is a link to a file outside layouts/",
                "copy the file into layouts/ instead of linking to it",
                code="outside-project",
            )
        if path is None:
            raise input_error(
                None,
                None,
                f"layout file '{name}' not found",
                "restore it in layouts/",
                code="template-missing",
            )
        return path.read_bytes()
