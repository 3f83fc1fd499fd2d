"""Numbers and dates the drafting engine reads: number words, quantities, dates and non-dates."""

from __future__ import annotations

import pytest

from booktool.draft.dates import date_sort_key, find_dates
from booktool.draft.numbers import find_quantities, parse_number_words


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("two thousand", 2000),
        ("two point five million", 2_500_000),
        ("three hundred thousand", 300_000),
        ("three hundred fifty million", 350_000_000),
        ("a hundred", 100),
        ("one and a half million", 1_500_000),
        ("twenty-five", 25),
        ("nineteen hundred", 1900),
        ("a dozen", 12),
        ("one hundred and twenty", 120),
        ("seven thousand two hundred", 7200),
        ("zero", 0),
    ],
)
def test_number_words(words: str, value: float) -> None:
    assert parse_number_words(words) == value


@pytest.mark.parametrize("words", ["", "many", "two apples", "point"])
def test_what_is_not_a_number_is_none(words: str) -> None:
    assert parse_number_words(words) is None


def _found(text: str) -> list[tuple[str, float | None, float | None, float | None, str]]:
    return [
        (q.number.text, q.number.value, q.number.low, q.number.high, q.what)
        for q in find_quantities(text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("up to two thousand families", [("two thousand", 2000, None, None, "families")]),
        (
            "up to ten or twenty thousand households",
            [("ten or twenty thousand", None, 10_000, 20_000, "households")],
        ),
        (
            "Mao demanded 100 million tons of steel in three years.",
            [("100 million", 100_000_000, None, None, "tons of steel")],
        ),
        ("brought together 7,000 cadres from", [("7,000", 7000, None, None, "cadres")]),
        ("killed 90% of the coral", [("90%", 90, None, None, "coral")]),
        (
            "the deaths of hundreds of thousands of people",
            [("hundreds of thousands", None, 100_000, 1_000_000, "people")],
        ),
        (
            "estimates ranging from 36 million to 55 million",
            [("36 million to 55 million", None, 36e6, 55e6, "estimates")],
        ),
        (
            "about two point five million people left",
            [("two point five million", 2.5e6, None, None, "people")],
        ),
    ],
)
def test_quantities_with_what_they_count(
    text: str, expected: list[tuple[str, float | None, float | None, float | None, str]]
) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The No. 4 reactor exploded at 1:23 a.m. on 26 April 1986.",
        "It happened in 1958, in the 1930s, and between 1950 and 1952.",
        "Apollo 11 landed, and the V-2 flew.",
        "They walked for three years, with two countries and one type of crop.",
        "at 00:19:58 the film cut",
        "A female known as 06 became famous.",
    ],
)
def test_years_timestamps_names_and_small_counts_are_not_quantities(text: str) -> None:
    dates = [(m.start, m.end) for m in find_dates(text)]
    assert find_quantities(text, exclude=dates) == []


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("On April 14, 1935, the day known as Black Sunday", ["1935-04-14"]),
        ("the fourteenth of April 1935", ["1935-04-14"]),
        ("the explosion of 26 April 1986 and 27th of April, 1988", ["1986-04-26", "1988-04-27"]),
        ("between 1950 and 1952, but from 1953", ["1950–1952", "1953"]),
        ("from 1959 to 1961 and 1950-52", ["1959–1961", "1950–1952"]),
        ("in the 1930s and the early 1900s", ["1930s", "1900s"]),
        ("It was not until 1962 that", ["1962"]),
        ("in August of 1958, in May 1934, around 1959", ["1958-08", "1934-05", "c. 1959"]),
        ("Estimates rose by 2050.", ["2050"]),
    ],
)
def test_dates_in_booktool_form(text: str, dates: list[str]) -> None:
    assert [m.date for m in find_dates(text)] == dates


@pytest.mark.parametrize(
    "text",
    [
        "silent for 50 years and done in three years",
        "1,000 people and 100 million tons and 1500 workers",
        "at 00:19:58 and 1:23 a.m.",
        "The government's Reef 2050 plan",
        "some 1958 tons of grain",
        "may 1986 workers",
    ],
)
def test_non_dates(text: str) -> None:
    assert find_dates(text) == []


def test_dates_sort_by_their_most_precise_reading() -> None:
    dates = ["1958-08-29", "1950s", "1950–1952", "c. 1959", "1958", "1958-08"]
    assert sorted(dates, key=date_sort_key) == [
        "1950s", "1950–1952", "1958", "1958-08", "1958-08-29", "c. 1959",
    ]  # fmt: skip
