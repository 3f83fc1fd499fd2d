"""The drafting engine's text stages: pasted-page clutter, sentences, framing."""

from __future__ import annotations

import pytest

from booktool.draft.clutter import clean_pasted, split_summary
from booktool.draft.framing import deframe_sentence, deframe_text
from booktool.draft.sentences import split_sentences


def test_pasted_clutter_is_dropped_and_the_url_kept() -> None:
    page = (
        'Summary of "The Dust Bowl"\n'
        "https://www.youtube.com/watch?v=abc123\n"
        "AI generated summary - may contain errors\n"
        "00:00:00 - 01:00:00\n"
        "\n"
        "The Dust Bowl was a disaster. The summary of events follows.\n"
        "\n"
        "  • 00:00:00 In this section, the plains dried up.\n"
    )
    pasted = clean_pasted(page)
    assert pasted.url == "https://www.youtube.com/watch?v=abc123"
    assert len(pasted.dropped) == 4
    assert pasted.text.startswith("The Dust Bowl was a disaster. The summary of events follows.")
    assert "• 00:00:00 In this section" in pasted.text


def test_a_page_without_clutter_is_left_alone() -> None:
    page = "Chernobyl was the worst accident.\n\n• 0:00 It exploded."
    assert clean_pasted(page) == clean_pasted(page)
    assert clean_pasted(page).text == page
    assert clean_pasted(page).url is None


def test_bullets_split_with_h_mm_ss_mm_ss_and_m_ss_times() -> None:
    page = "Summary.\n\n• 0:00 One.\n• 4:30 Two\ncontinued.\n• 12:05 Three.\n• 1:02:10 Four."
    pasted, segments = split_summary(page)
    assert pasted.text == "Summary."
    assert segments == [(0, "One."), (270, "Two continued."), (725, "Three."), (3730, "Four.")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He moved to Washington D.C. in 1901. Then he left.",
            ["He moved to Washington D.C. in 1901.", "Then he left."],
        ),
        (
            "The No. 4 reactor held 2.5 million tons. St. Louis was far.",
            ["The No. 4 reactor held 2.5 million tons.", "St. Louis was far."],
        ),
        (
            "Dr. Smith met Franklin D. Roosevelt in the U.S. Army. It rained.",
            ["Dr. Smith met Franklin D. Roosevelt in the U.S. Army.", "It rained."],
        ),
        ("They went to the U.S. The war began.", ["They went to the U.S.", "The war began."]),
        ("The work of D. A. Henderson ended.", ["The work of D. A. Henderson ended."]),
        ('He said "No." Then he left!', ['He said "No."', "Then he left!"]),
    ],
)
def test_sentences_survive_abbreviations(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "In this section, we see how Mao went to Moscow to ask Stalin for help.",
            "Mao went to Moscow to ask Stalin for help.",
        ),
        (
            "In this section of the video, the narrator explains that the rains stopped.",
            "The rains stopped.",
        ),
        ("The video explains how farmers plowed the land.", "Farmers plowed the land."),
        ("We learn about the families who stayed.", "The families who stayed."),
        ("The film shows the toll of the dust.", "The toll of the dust."),
        (
            "Finally, the video describes the compulsory work schedule.",
            "The compulsory work schedule.",
        ),
        ("The excerpt describes the repression of rightists.", "The repression of rightists."),
        (
            "In this section, it is revealed that Mao blamed the party.",
            "Mao blamed the party.",
        ),
        (
            "In this section, the devastating impact of the famine is explored.",
            "The devastating impact of the famine.",
        ),
        (
            "Farmers tore up the grass in what the video calls the great plow-up.",
            "Farmers tore up the grass in what is called the great plow-up.",
        ),
        (
            "His responsibility is apparent in this section, along with the party's.",
            "His responsibility is apparent, along with the party's.",
        ),
        ("This segment covers what happened without wolves.", "What happened without wolves."),
        (
            "Ships pass each year, and the narrator explains that droughts lowered the lake.",
            "Ships pass each year, and droughts lowered the lake.",
        ),
        (
            "In this chapter, the narrator explains that the air blurs light.",
            "The air blurs light.",
        ),
        ("The video opens with a history of wolves.", "A history of wolves."),
        ("The documentary kicks off with the life cycle.", "The life cycle."),
        ("In this portion, the film explains that monarchs differ.", "Monarchs differ."),
        ("The host takes us to the mountains of Michoacán.", "The mountains of Michoacán."),
        ("Finally, the speaker reflects on the future.", "The future."),
        ("Next, viewers learn how the wolves came back.", "The wolves came back."),
        ("The documentary goes on to describe the trees.", "The trees."),
    ],
)
def test_framing_is_removed_and_the_sentence_repaired(sentence: str, expected: str) -> None:
    assert deframe_sentence(sentence).text == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Finally, Mao died in 1976.",
        "A member of the Communist Party explains that he wrote the book.",
        "The personal testimonies detail the starvation of entire groups.",
        "The bodies were discovered by the investigators in the fields.",
    ],
)
def test_sentences_without_framing_are_kept_as_written(sentence: str) -> None:
    result = deframe_sentence(sentence)
    assert result.text == sentence
    assert not result.changed


def test_a_paragraph_keeps_its_order_and_loses_only_the_framing() -> None:
    text = "In this section, we learn that the reef is old. It is huge. The video shows corals."
    assert deframe_text(text) == "The reef is old. It is huge. Corals."
