"""booktool's own words in the book's language: its message catalogues, with the project's changes.

The catalogues are ``messages/<language>.yaml`` in the layout chain: the built-in ones beside the
built-in templates, then a catalogue's house layouts, then the project's ``layouts/``, each
changing only the keys it writes (the project's words win, as its templates do). English is
the reference: every key, and the placeholders each key may use, are those of ``en.yaml``.
A language with no catalogue is written in English, with one warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booktool.errors import InputError, Problem
from booktool.language.tags import catalogue_names, cldr_locale
from booktool.language.typography import Typography
from booktool.source.yamlio import LineDict, load_yaml

if TYPE_CHECKING:
    from babel import Locale
    from markupsafe import Markup

    from booktool.model.book import HistoricalDate

MESSAGES = "messages"
REFERENCE = "en"
#: CLDR's plural categories: the forms a counted message may have (``other`` is required).
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
_BRACES = re.compile(r"[{}]")

Message = str | dict[str, str]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of one message."""
    return set(_PLACEHOLDER.findall(text))


def _texts(message: Message) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


@dataclass
class Words:
    """The words of one book's editions: messages by key, and dates, numbers and lists as the
    book's language writes them (CLDR's data, through Babel)."""

    #: The book's language tag, and the catalogue its words come from (``en`` if it has none).
    language: str
    catalogue: str
    messages: dict[str, Message]
    locale: Locale
    #: The warnings met while reading the catalogues (a missing language, an unknown key).
    problems: list[Problem] = field(default_factory=list)

    def __call__(self, key: str, /, **values: object) -> str:
        """The message ``key`` with its placeholders filled in; a counted message takes the form
        of ``count`` in the book's language."""
        return _fill(self._form(key, values), values)

    def _form(self, key: str, values: Mapping[str, object]) -> str:
        """The message ``key``, in the form its ``count`` takes if it has forms."""
        message = self.messages[key]
        if isinstance(message, dict):
            category = self.locale.plural_form(values["count"])  # type: ignore[arg-type]
            message = message.get(category, message["other"])
        return message

    def markup(self, key: str, /, **values: object) -> Markup:
        """The message as HTML: its own text escaped, each value escaped unless it is
        already ``Markup`` (a ``<cite>`` the caller made)."""
        from markupsafe import Markup, escape

        escaped = {name: escape(value) for name, value in values.items()}
        return Markup(_fill(str(escape(self._form(key, values))), escaped))

    def forms(self, key: str, /, **values: object) -> dict[str, str]:
        """Every form of a counted message, by plural category, the others filled in (for a
        page script that counts: ``Intl.PluralRules`` picks the form)."""
        message = self.messages[key]
        assert isinstance(message, dict), key
        return {category: _fill(text, values, keep={"count"}) for category, text in message.items()}

    @property
    def labels(self) -> dict[str, str]:
        """Every message without a placeholder, for the templates (``labels.contents``)."""
        return {
            key: message
            for key, message in self.messages.items()
            if isinstance(message, str) and not placeholders(message)
        }

    @property
    def typography(self) -> Typography:
        """The language's quotation marks and spacing."""
        return Typography.for_language(self.language)

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left (CLDR), else ``ltr``."""
        from booktool.language.direction import text_direction

        return text_direction(self.language)

    def number(self, value: float) -> str:
        """A number as the language groups and points it (in Latin digits, as page numbers and
        timestamps are printed): 1,000.5, 1 000,5, 1.000,5."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale, numbering_system="latn")

    def names(self, names: Iterable[str]) -> str:
        """Names joined as a list in the language: "A, B and C", "A, B et C", "A、B和C"."""
        from babel.lists import format_list

        return format_list(list(names), locale=self.locale)

    def date(self, date: HistoricalDate) -> str:
        """A historian's date in the language: 1958, August 1958, 29 August 1958, 1950–1952,
        c. 1959, 1950s; months and days from CLDR, the rest from the catalogue."""
        from babel.dates import format_date, format_skeleton

        year, month, day = date.start
        if date.precision == "decade":
            label = self("decade", year=year)
        elif date.end is not None:
            label = self("year_range", start=year, end=date.end[0])
        elif date.precision == "day":
            label = format_date(dt.date(year, month, day), "long", locale=self.locale)
        elif date.precision == "month":
            label = format_skeleton("yMMMM", dt.date(year, month, 1), locale=self.locale)
        else:
            label = self("year", year=year)
        return self("circa", date=label) if date.circa else label


def _fill(text: str, values: Mapping[str, object], keep: set[str] | None = None) -> str:
    """``text`` with each ``{name}`` replaced by its value (booktool's own substitution, not
    ``str.format``: a catalogue reaches no attribute of a value)."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if keep and name in keep:
            return match[0]
        return str(values[name])

    return _PLACEHOLDER.sub(value, text)


def load_words(
    language: str, directories: list[Path], where: tuple[Path | None, int | None] = (None, None)
) -> Words:
    """The words of a book in ``language`` from the ``messages/`` folders of the layout chain
    ``directories`` (the most specific first, the built-in layouts last). ``where`` is the
    book.yaml line that names the language, for the warning when it has no catalogue.
    Raises InputError for a project's catalogue that cannot be used."""
    builtin = directories[-1]
    reference_path = builtin / MESSAGES / f"{REFERENCE}.yaml"
    reference = _read_catalogue(reference_path, None, [])
    names = catalogue_names(language)
    found = [
        name
        for name in names
        if any(_catalogue_path(folder, name) is not None for folder in directories)
    ]
    problems: list[Problem] = []
    if not found and names[-1] != REFERENCE:
        problems.append(
            Problem(
                where[0],
                where[1],
                f"booktool has no words in '{language}'; its editions' labels are in English",
                f"add layouts/{MESSAGES}/{names[-1]}.yaml (its keys are those of booktool's "
                f"{MESSAGES}/{REFERENCE}.yaml) or use one of {', '.join(shipped(builtin))}",
                code="language-missing",
            )
        )
    chosen = found or [REFERENCE]
    messages: dict[str, Message] = dict(reference)
    errors: list[Problem] = []
    for folder in reversed(directories):  # the built-in first, the project's last
        for name in reversed(chosen):  # "pt" before "pt-BR"
            path = _catalogue_path(folder, name)
            if path is not None and path != reference_path:
                changes = _read_catalogue(path, reference, errors, problems)
                messages.update(changes)
    if errors:
        raise InputError(*errors)
    return Words(language, chosen[0], messages, cldr_locale(language), problems)


def shipped(builtin: Path) -> list[str]:
    """The languages booktool has catalogues for."""
    return sorted(path.stem for path in (builtin / MESSAGES).glob("*.yaml"))


def _catalogue_path(folder: Path, name: str) -> Path | None:
    """``folder/messages/<name>.yaml`` if it is a file inside ``folder`` (never through a link
    out of it)."""
    path = folder / MESSAGES / f"{name}.yaml"
    if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
        return None
    return path


def _read_catalogue(
    path: Path,
    reference: Mapping[str, Message] | None,
    errors: list[Problem],
    warnings: list[Problem] | None = None,
) -> dict[str, Message]:
    """The messages of one catalogue, each checked against the reference's key and
    placeholders (the reference itself is read unchecked)."""
    data = load_yaml(path.read_text("utf-8"), path)
    if data is None:
        return {}
    if not isinstance(data, LineDict):
        errors.append(
            Problem(
                path,
                1,
                "a messages file must map keys to words",
                "write one `key: words` per line, as booktool's messages/en.yaml does",
                code="messages",
            )
        )
        return {}
    messages: dict[str, Message] = {}
    for key, value in data.items():
        line = data.line_of(key)
        if reference is None:
            messages[key] = _as_message(value)
            continue
        if key not in reference:
            if warnings is not None:
                warnings.append(
                    Problem(
                        path,
                        line,
                        f"'{key}' is not one of booktool's words; it is not used",
                        "use a key of booktool's messages/en.yaml (a typing mistake?)",
                        code="messages-unknown",
                    )
                )
            continue
        problem = _message_problem(key, value, reference[key])
        if problem:
            errors.append(Problem(path, line, problem[0], problem[1], code="messages"))
            continue
        messages[key] = _as_message(value)
    return messages


def _as_message(value: Any) -> Message:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return str(value)


def _message_problem(key: str, value: Any, reference: Message) -> tuple[str, str] | None:
    """What is wrong with ``value`` as the words of ``key`` (and what to do), or None."""
    allowed = set().union(*(placeholders(text) for text in _texts(reference)))
    counted = isinstance(reference, dict)
    if counted:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return (
                f"'{key}' takes forms by count",
                "write `other:` and the forms your language needs (one:, few:, many: ...)",
            )
        unknown = sorted(set(value) - set(PLURAL_CATEGORIES))
        if unknown or "other" not in value:
            return (
                f"'{key}' needs an `other:` form and only CLDR's plural categories",
                f"use {', '.join(PLURAL_CATEGORIES)}",
            )
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        return (f"'{key}' must be words", "write the words after the colon, quoted if need be")
    for text in _texts(_as_message(value)):
        extra = sorted(placeholders(text) - allowed)
        if extra:
            named = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            return (
                f"'{key}' has no placeholder {{{extra[0]}}}",
                f"its placeholders are {named}",
            )
        if _BRACES.search(_PLACEHOLDER.sub("", text)):
            return (f"'{key}' has a brace that is not a placeholder", "remove it")
    return None
