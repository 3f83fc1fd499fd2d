"""Titles the drafting engine makes: Title Case, topics named by the framing, phrases."""

from __future__ import annotations

import pytest

from booktool.draft.framing import deframe_sentence
from booktool.draft.titles import make_titles, title_case, topic_title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the great plow-up", "The Great Plow-Up"),
        ("communes and collective property", "Communes and Collective Property"),
        ("the crown-of-thorns starfish", "The Crown-of-Thorns Starfish"),
        ("Ferdinand de Lesseps and the canal", "Ferdinand de Lesseps and the Canal"),
        ("the RBMK reactor of the USSR", "The RBMK Reactor of the USSR"),
    ],
)
def test_title_case(text: str, expected: str) -> None:
    assert title_case(text) == expected


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "In this section, the excerpt describes the violent repression and mass deportation "
            "of individuals labeled as rightists, which paved the way.",
            "The Violent Repression and Mass Deportation of Individuals",
        ),
        (
            "In this section, the video explains the establishment of thousands of communes "
            "consisting of up to two thousand families.",
            "The Establishment of Thousands of Communes",
        ),
        ("In this part of the video, the siege of Caffa is discussed.", "The Siege of Caffa"),
        ("In this section, we learn about the religious response.", "The Religious Response"),
        (
            "The speaker begins by describing the outbreak of plague in Central Asia around 1338.",
            "The Outbreak of Plague in Central Asia",
        ),
        (
            "Finally, the video describes the exclusion zone of 2,600 square kilometres.",
            "The Exclusion Zone of 2,600 Square Kilometres",
        ),
        (
            "In this section, the film shows the first mass bleaching events in 1998.",
            "The First Mass Bleaching Events",
        ),
    ],
)
def test_the_topic_a_framing_sentence_names_titles_its_section(sentence: str, title: str) -> None:
    result = deframe_sentence(sentence)
    assert result.topic
    assert topic_title(result.text) == title


@pytest.mark.parametrize(
    "sentence",
    [
        "In this section, we see how Mao went to Moscow.",
        "In this section, it is revealed that Legasov took his own life.",
        "In this section, investigators go to Cheng.",
        "The rains stopped in 1931.",
    ],
)
def test_a_sentence_that_says_something_names_no_topic(sentence: str) -> None:
    assert not deframe_sentence(sentence).topic


def test_a_topic_may_begin_with_a_word_that_can_be_a_verb() -> None:
    assert topic_title("The causes of the decline.") == "The Causes of the Decline"
    assert topic_title("The mountains of Michoacán, where they were found.") == (
        "The Mountains of Michoacán"
    )


@pytest.mark.parametrize(
    "phrase", ["The fire of January 27, 1967.", "Corals grow.", "It.", "Hubble helped them."]
)
def test_no_topic_title_when_nothing_whole_is_left(phrase: str) -> None:
    assert topic_title(phrase) is None


def test_phrase_titles_are_distinctive_unique_and_from_their_text() -> None:
    texts = [
        "Farmers plowed the native grassland during the wheat boom. The wheat boom ended.",
        "The dust storms buried farms. Black blizzards of dust storms rolled over the plains.",
        "The federal government paid farmers for soil conservation and contour plowing.",
    ]
    used: set[str] = set()
    titles = make_titles(texts, used)
    assert len({t.lower() for t in titles}) == 3
    for title, text in zip(titles, texts, strict=True):
        assert all(w.lower() in text.lower() for w in title.split() if w.lower() != "and")
    assert "Wheat Boom" in titles[0]
    assert used == {t.lower() for t in titles}
