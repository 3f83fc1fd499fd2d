"""People, key terms and charts the drafting engine finds."""

from __future__ import annotations

import pytest

from booktool.draft.charts import draft_charts, draft_quantities
from booktool.draft.people import Person, find_people
from booktool.draft.terms import find_terms


def _people(*texts: str) -> list[Person]:
    return find_people(list(enumerate(texts)))


def test_spelling_variants_are_one_person_flagged_uncertain() -> None:
    people = _people(
        "Liu Xiaoxi, who became president in 1959, discovered the truth.",
        "Liu Xiao Qi contradicted him. It ended with Lu Xiaoqi's arrest and death in 1969.",
    )
    assert len(people) == 1
    liu = people[0]
    assert {liu.name, *liu.variants} == {"Liu Xiaoxi", "Liu Xiao Qi", "Lu Xiaoqi"}
    assert liu.uncertain_spelling
    assert liu.role == "president from 1959"
    assert liu.segments == [0, 1]


def test_a_fuller_form_is_the_name_and_a_surname_alone_no_variant() -> None:
    people = _people(
        "Soviet leader Khrushchev judged him.",
        "Soviet leader Nikita Khrushchev, who warned him, was ignored.",
        "Franklin D. Roosevelt launched the New Deal. Franklin Roosevelt asked Congress for help.",
    )
    names = {p.name: p for p in people}
    assert set(names) == {"Nikita Khrushchev", "Franklin D. Roosevelt"}
    assert names["Nikita Khrushchev"].variants == []
    assert names["Nikita Khrushchev"].role == "Soviet leader"
    assert not names["Nikita Khrushchev"].uncertain_spelling
    assert names["Franklin D. Roosevelt"].variants == ["Franklin Roosevelt"]


def test_names_in_any_latin_script() -> None:
    people = _people(
        "The historian José Martí said it. The engineer Hans Müller built the roads.",
        "In Michoacán, Ken Brugger and Catalina Aguado, volunteers for the project, found it.",
    )
    assert [(p.name, p.role) for p in people] == [
        ("José Martí", "historian"),
        ("Hans Müller", "engineer"),
        ("Ken Brugger", None),
        ("Catalina Aguado", None),
    ]


def test_military_ranks_are_titles() -> None:
    people = _people("A U-2 was shot down, killing its pilot, Major Rudolf Anderson.")
    assert [(p.name, p.role) for p in people] == [("Rudolf Anderson", "major")]


def test_a_surname_that_is_also_a_title() -> None:
    people = _people("The pastor Martin Luther King said he had a dream.")
    assert [(p.name, p.role) for p in people] == [("Martin Luther King", "pastor")]


def test_roles_come_from_appositives_and_titles() -> None:
    people = _people(
        "Terry Hughes, a marine biologist, surveyed the reef. Terry Hughs explains the damage.",
        "The deputy chief engineer Anatoly Dyatlov pushed the operators.",
        "President Theodore Roosevelt wanted the canal.",
    )
    roles = {p.name: p.role for p in people}
    assert roles == {
        "Terry Hughes": "marine biologist",
        "Anatoly Dyatlov": "deputy chief engineer",
        "Theodore Roosevelt": "president",
    }
    assert next(p for p in people if p.name == "Terry Hughes").variants == ["Terry Hughs"]


@pytest.mark.parametrize(
    "text",
    [
        "The Great Leap Forward was launched by the Communist Party in 1958.",
        "Turtles nest on Raine Island. A historian from the University of Hong Kong went there.",
        "The Soviet Union kept the secret. Workers in Pripyat and the city of Pripyat waited.",
        "The investigators wrote a report for Mao, Chew, and Lie. They went to Cheng.",
        "The author of the book Tombstone spoke. Americans feared the worst.",
        "Dust fell on Washington D.C. and St. Louis. The Homestead Act passed.",
        "On Black Sunday the Dust Bowl began. The Civilian Conservation Corps planted trees.",
    ],
)
def test_places_organisations_events_and_garbled_names_are_not_people(text: str) -> None:
    names = [p.name for p in _people(text)]
    assert "Mao" not in names or len(names) == 1
    assert [n for n in names if n != "Mao"] == []


def test_nicknames_and_such_as() -> None:
    people = _people(
        "Ecologist William Ripple measured willows. Bill Ripple argues the wolves did it.",
        "Some researchers, such as Arthur Middleton of the University of California, disagree.",
    )
    assert [(p.name, p.variants) for p in people] == [
        ("William Ripple", ["Bill Ripple"]),
        ("Arthur Middleton", []),
    ]


def test_possessive_appositives_among_them_and_objects_of_honours() -> None:
    people = _people(
        "Nancy Grace Roman, NASA's first chief of astronomy, planned it.",
        "Seven astronauts, among them Story Musgrave, fixed it.",
        "It earned Saul Perlmutter, Brian Schmidt and Adam Riess the Nobel Prize.",
    )
    assert [(p.name, p.role) for p in people] == [
        ("Nancy Grace Roman", "first chief of astronomy"),
        ("Story Musgrave", None),
        ("Saul Perlmutter", None),
        ("Brian Schmidt", None),
        ("Adam Riess", None),
    ]


def test_initials_and_appositive_roles_of_ordinary_people() -> None:
    people = _people(
        "The work of D. A. Henderson, an American epidemiologist who led it, ended.",
        "The last case was Rahima Banu, a two-year-old girl in Bangladesh, in 1975.",
    )
    assert [(p.name, p.role) for p in people] == [
        ("D. A. Henderson", "American epidemiologist"),
        ("Rahima Banu", "two-year-old girl in Bangladesh"),
    ]


def test_countries_and_companies_acting_are_not_people() -> None:
    people = _people(
        "In 1939, Germany invaded Poland. Britain and France declared war on Germany.",
        "Germany signed a pact with the Soviet Union. Japan attacked, and Germany surrendered.",
        "Apple announced the iPhone. Ford built cars. Ford decided to double wages.",
        "Brazil signed the treaty. Brazil refused to stop the logging. New Zealand signed.",
        "Saudi Arabia announced cuts. NASA launched the rocket.",
    )
    assert people == []


def test_a_list_shares_a_persons_cue() -> None:
    people = _people("Astronauts Gus Grissom, Ed White and Roger Chaffee died in the fire.")
    assert [p.name for p in people] == ["Gus Grissom", "Ed White", "Roger Chaffee"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Corals live with tiny algae called zooxanthellae that feed them.", "zooxanthellae"),
        ("On April 14, 1935, the day known as Black Sunday, a storm hit.", "Black Sunday"),
        ("The deportation of individuals labeled as rightists began.", "rightists"),
        ("Many died of what they called dust pneumonia.", "dust pneumonia"),
        ("They tore up the grass in what is called the great plow-up.", "great plow-up"),
        (
            "Black workers were paid under a system known as the gold and silver roll.",
            "gold and silver roll",
        ),
        (
            "The crown-of-thorns starfish, a kind of starfish that eats coral, spread.",
            "crown-of-thorns starfish",
        ),
        ("The sarcophagus, a steel and concrete shell, was built by November.", "sarcophagus"),
        (
            "It shows the idea of a trophic cascade, the chain of effects down a food web.",
            "trophic cascade",
        ),
        (
            "Elk avoided the valleys, a change that scientists call the landscape of fear.",
            "landscape of fear",
        ),
        ("Milkmaids who caught cowpox, a mild disease of cattle, were immune.", "cowpox"),
        ("Caterpillars feed only on milkweed, a plant whose sap is toxic.", "milkweed"),
        ("Kennedy announced the blockade, which he called a quarantine, on TV.", "quarantine"),
        (
            "He saw the practice of variolation, in which pus was scratched into the skin.",
            "variolation",
        ),
    ],
)
def test_key_terms_the_text_defines(text: str, term: str) -> None:
    terms = find_terms(text)
    assert [t for t, _ in terms] == [term]
    assert terms[0][1].rstrip(".") in text or terms[0][1][1:].rstrip(".") in text


@pytest.mark.parametrize(
    "text",
    [
        "Roosevelt called for help. He was called a hero by the press.",
        "Roman is often called the mother of Hubble.",
        "The corals expel their algae and turn white, a process of slow starvation.",
        "The famine killed millions, and the party stayed silent.",
        "Terry Hughes, a marine biologist, flew over the reef.",
    ],
)
def test_no_key_term_is_invented(text: str) -> None:
    assert find_terms(text, exclude=frozenset({"terry hughes"})) == []


def test_three_estimates_of_one_death_toll_make_a_chart() -> None:
    found = draft_quantities(
        [
            (0, "It resulted in a death toll of around 45 million."),
            (2100, "Millions died, with the official estimate putting the number at 18 million."),
            (3000, "Estimates of the death toll ranged from 36 million to 55 million."),
            (3300, "It produced 100 million tons of steel and 20 million tons of grain."),
        ]
    )
    charts = draft_charts(found)
    assert len(charts) == 1
    chart = charts[0]
    assert chart.unit == "million deaths"
    assert [(value, at) for _, value, at in chart.points] == [
        (18, 2100), (36, 3000), (45, 0), (55, 3000),
    ]  # fmt: skip
    labels = [label for label, _, _ in chart.points]
    assert labels[0] == "Official estimate"
    assert len(set(labels)) == len(labels)


def test_two_figures_make_no_chart() -> None:
    found = draft_quantities([(0, "The toll was 18 million deaths, or 45 million deaths.")])
    assert draft_charts(found) == []
