"""The words rules: the book's language has booktool's words, and the project's (or house's)
``layouts/messages/`` catalogues can be used — found by ``check`` as the build finds them."""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from booktool.checks.base import Finding
from booktool.errors import InputError, Problem
from booktool.source.manuscript import Manuscript

#: The last manuscript read and what its words gave: the three rules read them once.
_LAST: tuple[weakref.ref[Manuscript], list[Problem]] | None = None


def _problems(manuscript: Manuscript) -> list[Problem]:
    """What reading the book's words found: read once per loaded manuscript (a watch loads a
    new one after each edit, so an edited catalogue is read again)."""
    global _LAST
    if _LAST is not None and _LAST[0]() is manuscript:
        return _LAST[1]
    from booktool.editions.layouts import Layouts
    from booktool.language.words import load_words

    config, project = manuscript.config, manuscript.project
    directories = Layouts(project.layouts, house=project.house).directories
    where = (config.path, config.line_of.get("language"))
    try:
        found = load_words(config.language, directories, where).problems
    except InputError as exc:
        found = list(exc.problems)
    _LAST = (weakref.ref(manuscript), found)
    return found


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
