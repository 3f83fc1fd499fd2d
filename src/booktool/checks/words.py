"""The words rules: the book's language has booktool's words, and the project's (or house's)
``layouts/messages/`` catalogues can be used — found by ``check`` as the build finds them."""

from __future__ import annotations

from collections.abc import Iterator

from booktool.checks.base import Finding
from booktool.errors import InputError, Problem
from booktool.source.manuscript import Manuscript


def _problems(manuscript: Manuscript) -> list[Problem]:
    """What reading the book's words found (read anew each time: a watch edits them)."""
    from booktool.editions.layouts import Layouts
    from booktool.language.words import load_words

    config, project = manuscript.config, manuscript.project
    directories = Layouts(project.layouts, house=project.house).directories
    where = (config.path, config.line_of.get("language"))
    try:
        return load_words(config.language, directories, where).problems
    except InputError as exc:
        return list(exc.problems)


def _found(manuscript: Manuscript, code: str) -> Iterator[Finding]:
    for problem in _problems(manuscript):
        if problem.code == code:
            yield Finding(problem.path, problem.line, problem.message, problem.hint)


def language_without_words(manuscript: Manuscript) -> Iterator[Finding]:
    """The book's language has no catalogue of booktool's words: its labels are in English."""
    return _found(manuscript, "language-missing")


def messages_unusable(manuscript: Manuscript) -> Iterator[Finding]:
    """A layouts/messages file that cannot be used: a placeholder the key lacks, not words."""
    return _found(manuscript, "messages")


def messages_unknown(manuscript: Manuscript) -> Iterator[Finding]:
    """A key in layouts/messages that booktool does not have (a typing mistake?)."""
    return _found(manuscript, "messages-unknown")
