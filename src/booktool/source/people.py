"""``manuscript/people.yaml``: the people the booklet names, each with the spellings to avoid.

A list of entries like::

    - name: Liu Shaoqi            # the canonical spelling, used throughout the booklet
      variants: [Liu Xiaoxi, Liu Xiao Qi, Lu Xiaoqi]   # spellings the transcript uses
      dates: 1898–1969
      role: Chairman of the People's Republic of China, 1959–1968

The file is optional. :func:`read_people` checks it whole and raises one InputError listing
every problem, each with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booktool.errors import InputError, Problem
from booktool.source.schema import Collector
from booktool.source.yamlio import LineDict, LineList

#: Every key a person's entry accepts, with what it means.
PERSON_KEYS: dict[str, str] = {
    "name": "The canonical spelling of the name, as the booklet writes it. Required.",
    "variants": "Other spellings found in sources; `booktool check` flags them, --fix replaces.",
    "dates": "Birth and death, e.g. 1898–1969.",
    "role": "Who the person was, in a line.",
}


@dataclass(frozen=True)
class Person:
    """One person the booklet names: the canonical name and its variant spellings."""

    name: str
    line: int
    variants: list[str] = field(default_factory=list)
    dates: str | None = None
    role: str | None = None


def read_people(data: Any, path: Path) -> list[Person]:
    """Validate parsed ``people.yaml`` data; raise InputError listing every problem."""
    if data is None:
        return []
    problems = Collector(path)
    if not isinstance(data, LineList):
        raise InputError(
            Problem(
                path,
                1,
                "people.yaml must be a list of people",
                "start each with '- name: …'",
                code="people",
            )
        )
    people: list[Person] = []
    names: dict[str, int] = {}
    spellings: dict[str, str] = {}
    for index, item in enumerate(data):
        line = data.line_of(index)
        if not isinstance(item, LineDict):
            problems.add(line, "a person must be a mapping with at least a name", code="people")
            continue
        problems.unknown_keys(item, PERSON_KEYS, "a person")
        name = problems.text(item, "name", required=True)
        variants = _variants(item, problems)
        if name is None:
            continue
        if name in names:
            problems.add(
                item.line_of("name"),
                f"'{name}' is listed twice (first on line {names[name]})",
                "keep one entry per person",
                "duplicate-id",
            )
            continue
        names[name] = item.line_of("name")
        for variant in variants:
            owner = spellings.get(variant)
            if variant == name or owner is not None or variant in names:
                problems.add(
                    item.line_of("variants"),
                    f"variant '{variant}' of '{name}' is also "
                    + (f"a spelling of '{owner}'" if owner else "a canonical name"),
                    "a spelling may belong to one person only",
                    "people",
                )
            spellings.setdefault(variant, name)
        people.append(
            Person(
                name=name,
                line=item.line_of("name"),
                variants=variants,
                dates=problems.text(item, "dates"),
                role=problems.text(item, "role"),
            )
        )
    for person in people:
        if person.name in spellings and spellings[person.name] != person.name:
            problems.add(
                person.line,
                f"'{person.name}' is also listed as a variant of '{spellings[person.name]}'",
                "a spelling may belong to one person only",
                "people",
            )
    if problems.problems:
        raise InputError(*problems.problems)
    return people


def _variants(item: LineDict, problems: Collector) -> list[str]:
    value = item.get("variants")
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(
            item.line_of("variants"),
            "'variants' must be a list of spellings",
            "write 'variants: [Liu Xiaoxi, Lu Xiaoqi]'",
            "people",
        )
        return []
    return [" ".join(v.split()) for v in value]
