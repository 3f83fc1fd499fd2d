"""The exceptions booktool raises; the CLI maps each to an exit code and one line per problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, what to do."""

    path: Path | None
    line: int | None
    message: str
    hint: str = ""
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = display_path(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


def display_path(path: Path) -> str:
    """A path relative to the working directory where that is shorter."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class BooktoolError(Exception):
    """Base of every error booktool reports to its user (exit code 1)."""

    exit_code = 1

    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in problems))


class InputError(BooktoolError):
    """The manuscript, the config or a summary text is wrong: the user can fix it."""


class ProjectExistsError(BooktoolError):
    """A command would overwrite a manuscript that is already there."""


class RenderError(BooktoolError):
    """A renderer (pandoc, WeasyPrint, ebooklib) failed on input that passed the checks."""


def input_error(
    path: Path | None,
    line: int | None,
    message: str,
    hint: str = "",
    column: int | None = None,
) -> InputError:
    """Shorthand for an InputError with a single problem."""
    return InputError(Problem(path, line, message, hint, column))
