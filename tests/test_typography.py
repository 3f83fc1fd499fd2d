"""Typography in the book's language: quotation marks, French spacing, passages in another
language, numbers, hyphenation and CJK line breaking, checked on built editions."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyphen
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from booktool.language.typography import NARROW_NBSP, NBSP, Typography

from .conftest import ROOTS, run_cli
from .outputs import Epub, run_epubcheck

XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _english_before(text: str) -> str:
    """booktool's English smartening as it was before languages (the reference: English output
    must not change)."""
    if "'" not in text and '"' not in text:
        return text
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r'(^|[\s(\[{—–-])"', r"\1“", text)
    text = re.sub(r"(^|[\s(\[{—–-])'", r"\1‘", text)
    return text.replace('"', "”").replace("'", "’")


ENGLISH = Typography.for_language("en")


@pytest.mark.parametrize(
    "text",
    [
        "\"Mao's\" plan: 'steel' in '58",
        "the students' books and 'quoted' \"double 'inner' \"",
        '""empty"" and -"dash" (\'paren\') [\'bracket\']',
        "plain title",
    ],
)
def test_english_smartening_is_unchanged(text: str) -> None:
    assert ENGLISH.smarten(text) == _english_before(text)


@given(st.text(alphabet=st.sampled_from(list("ab '\"-(—\n?:;!«»\t\x0b\u00a0\u2003[{–"))))
def test_english_smartening_is_unchanged_on_any_text(text: str) -> None:
    assert ENGLISH.smarten(text) == _english_before(text)
    assert Typography.for_language("en-US").smarten(text) == _english_before(text)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            f"«{NARROW_NBSP}Il a dit «{NARROW_NBSP}non{NARROW_NBSP}» et l’a écrit{NARROW_NBSP}»",
        ),
        ("de", "„Il a dit ‚non‘ et l’a écrit“"),
        ("de-CH", "«Il a dit ‹non› et l’a écrit»"),
        ("de-ch", "«Il a dit ‹non› et l’a écrit»"),
        ("zh-Hant-TW", "「Il a dit 『non』 et l’a écrit」"),
        ("zh-TW", "「Il a dit 『non』 et l’a écrit」"),
        ("zh", "“Il a dit ‘non’ et l’a écrit”"),
        ("ja", "「Il a dit 『non』 et l’a écrit」"),
        ("ru", "«Il a dit „non“ et l’a écrit»"),
        ("pl", "„Il a dit «non» et l’a écrit”"),
        ("it", "«Il a dit “non” et l’a écrit»"),
        ("en-GB", "“Il a dit ‘non’ et l’a écrit”"),
        ("xx", "“Il a dit ‘non’ et l’a écrit”"),
    ],
)
def test_quotation_marks_follow_the_language(language: str, expected: str) -> None:
    text = "\"Il a dit 'non' et l'a écrit\""
    assert Typography.for_language(language).smarten(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pourquoi ? Parce que !", f"Pourquoi{NARROW_NBSP}? Parce que{NARROW_NBSP}!"),
        ("Pourquoi? Parce que!", f"Pourquoi{NARROW_NBSP}? Parce que{NARROW_NBSP}!"),
        ("Quoi ?!", f"Quoi{NARROW_NBSP}?!"),
        ("un; deux", f"un{NARROW_NBSP}; deux"),
        ("Note : voir", f"Note{NBSP}: voir"),
        ("Note: voir", f"Note{NBSP}: voir"),
        ("« Oui »", f"«{NARROW_NBSP}Oui{NARROW_NBSP}»"),
        ("«Oui»", f"«{NARROW_NBSP}Oui{NARROW_NBSP}»"),
        # Never in a time, a timestamp, a URL or a query.
        ("à 10:30, à 00:15:00", "à 10:30, à 00:15:00"),
        ("https://exemple.fr/page?q=1&r=2", "https://exemple.fr/page?q=1&r=2"),
        ("mailto:a@exemple.fr", "mailto:a@exemple.fr"),
    ],
)
def test_french_spacing(text: str, expected: str) -> None:
    assert Typography.for_language("fr").smarten(text) == expected
    assert Typography.for_language("fr-FR").smarten(text) == expected


def test_other_languages_are_not_spaced() -> None:
    for language in ("en", "de", "fr-CH"):
        assert Typography.for_language(language).smarten("Why? Note: yes!") == "Why? Note: yes!"


# --- Built editions -----------------------------------------------------------------------

BOOK = """\
title: {title}
language: {language}
identifier: urn:uuid:0b6f1d0e-5a53-4c1c-9d6e-2f1c8a0e7b{number:02d}
date: 2026-01-15
source:
  title: A River Town
  duration: "00:10:00"
chapters:
- id: one
  title: {chapter}
  segments: [seg-01]
"""
SEGMENT = """\
---
id: seg-01
title: {title}
start: 00:00:00
---

{body}
"""


def make_project(
    folder: Path, language: str, body: str, title: str = "A River Town", extra: str = ""
) -> Path:
    """A one-segment book in ``language`` whose section is ``body`` (Markdown)."""
    (folder / "manuscript" / "segments").mkdir(parents=True)
    number = sum(map(ord, language)) % 100
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML one
    book = BOOK.format(title=quoted, language=language, number=number, chapter=quoted)
    (folder / "manuscript" / "book.yaml").write_text(book + extra, "utf-8")
    (folder / "manuscript" / "segments" / "seg-01.md").write_text(
        SEGMENT.format(title=quoted, body=body), "utf-8"
    )
    return folder


def build(project: Path, *formats: str) -> None:
    for edition in formats:
        result = run_cli("build", str(project), "--format", edition, "--quiet")
        assert result.code == 0, result.err


def print_html(project: Path) -> etree._Element:
    path = next((project / "build").glob("*.html"))
    return etree.fromstring(path.read_bytes(), etree.HTMLParser())


def epub_chapter(project: Path) -> etree._Element:
    book = Epub(next((project / "build").glob("*.epub")))
    href = next(h for h in book.spine_hrefs() if h.startswith("chapter-"))
    return book.document(href)


def pdf_text(project: Path, *options: str) -> str:
    pdf = next((project / "build").glob("*.pdf"))
    return subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


FRENCH_BODY = """\
Le maire a dit "Nous resterons ici" puis 'pourquoi pas ?' Pourquoi? Parce que !
Note: la séance commence à 10:30 et le film à 00:15:00; voir <https://exemple.fr/page?q=1>.

La commande `echo "a: b ?"` reste telle quelle, comme <kbd>Ctrl+C :</kbd> et $x: y$.

```
printf("Quoi? %d: ok\\n", 1);
```

Un passage en anglais : [He said "yes" ; then: no]{lang=en}.

![Une "image"](estuary.png)
"""


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(
        tmp_path_factory.mktemp("fr"), "fr", FRENCH_BODY, title='Le "pont" : pourquoi?'
    )
    shutil.copy(
        ROOTS / "markdown" / "manuscript" / "images" / "estuary.png",
        project / "manuscript" / "segments",
    )
    build(project, "html", "epub")
    return project


def _paragraphs(root: etree._Element, ns: str = "") -> list[str]:
    return ["".join(p.itertext()) for p in root.iter(f"{ns}p")]


def test_french_body_has_french_marks_and_spaces(french: Path) -> None:
    text = " ".join(_paragraphs(print_html(french)))
    assert f"«{NARROW_NBSP}Nous resterons ici{NARROW_NBSP}»" in text
    assert f"«{NARROW_NBSP}pourquoi pas{NARROW_NBSP}?{NARROW_NBSP}»" in text
    assert f"Pourquoi{NARROW_NBSP}? Parce que{NARROW_NBSP}!" in text
    assert f"Note{NBSP}: la séance commence à 10:30 et le film à 00:15:00{NARROW_NBSP};" in text
    assert "https://exemple.fr/page?q=1" in text
    first = next(p for p in _paragraphs(print_html(french)) if p.startswith("Le maire"))
    assert "“" not in first and '"' not in first


def test_french_spacing_leaves_code_and_formulas_alone(french: Path) -> None:
    root = print_html(french)
    codes = ["".join(c.itertext()) for c in root.iter("code")]
    assert 'echo "a: b ?"' in codes
    assert any('printf("Quoi? %d: ok\\n", 1);' in c for c in codes)
    assert ["".join(k.itertext()) for k in root.iter("kbd")] == ["Ctrl+C :"]
    # Attributes are never touched: the image's alt keeps what pandoc wrote.
    assert [img.get("alt") for img in root.iter("img") if "image" in (img.get("alt") or "")] == [
        "Une “image”"
    ]


def test_an_english_passage_in_a_french_book_keeps_english_typography(french: Path) -> None:
    spans = [s for s in print_html(french).iter("span") if s.get("lang") == "en"]
    assert ["".join(s.itertext()) for s in spans] == ["He said “yes” ; then: no"]


def test_french_titles_are_spaced(french: Path) -> None:
    headings = ["".join(h.itertext()).strip() for h in print_html(french).iter("h1", "h2")]
    assert f"Le «{NARROW_NBSP}pont{NARROW_NBSP}»{NBSP}: pourquoi{NARROW_NBSP}?" in headings


def test_french_epub_matches_and_checks(french: Path) -> None:
    text = " ".join(_paragraphs(epub_chapter(french), XHTML))
    assert f"«{NARROW_NBSP}Nous resterons ici{NARROW_NBSP}»" in text
    report = run_epubcheck(next((french / "build").glob("*.epub")))
    messages = [f"{m['ID']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages


GERMAN_QUOTE = """\
Angela Merkel said ["Wir schaffen das"]{lang=de} in 2015, and "we can do it" in English.

::: {lang=fr}
Il a répondu : "non".
:::
"""


@pytest.fixture(scope="module")
def quoting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("en-de"), "en", GERMAN_QUOTE)
    build(project, "html", "pdf", "epub")
    return project


def test_a_german_quotation_keeps_its_language_and_marks(quoting: Path) -> None:
    html = print_html(quoting)
    spans = [s for s in html.iter("span") if s.get("lang") == "de"]
    assert ["".join(s.itertext()) for s in spans] == ["„Wir schaffen das“"]
    assert "“we can do it”" in " ".join(_paragraphs(html))
    divs = [d for d in html.iter("div") if d.get("lang") == "fr"]
    assert [" ".join(_paragraphs(d)) for d in divs] == [
        f"Il a répondu{NBSP}: «{NARROW_NBSP}non{NARROW_NBSP}»."
    ]
    chapter = epub_chapter(quoting)
    spans = [s for s in chapter.iter(f"{XHTML}span") if s.get("lang") == "de"]
    assert [(s.get(XML_LANG), "".join(s.itertext())) for s in spans] == [
        ("de", "„Wir schaffen das“")
    ]
    divs = [d for d in chapter.iter(f"{XHTML}div") if d.get("lang") == "fr"]
    assert [d.get(XML_LANG) for d in divs] == ["fr"]
    assert "„Wir schaffen das“" in pdf_text(quoting)
    report = run_epubcheck(next((quoting / "build").glob("*.epub")))
    messages = [f"{m['ID']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages


# --- Numbers in generated text -------------------------------------------------------------

FIGURES = """\
- id: crowd
  kind: chart
  title: The crowd
  unit: people
  alt: A bar chart of two crowds, 12,500 and 800 people.
  source: the film.
  data:
    - {label: First day, value: 12500, at: "00:01:00"}
    - {label: Second day, value: 800.5, at: "00:02:00"}
"""


@pytest.mark.parametrize(
    ("language", "thousands", "fraction"),
    [("en", "12,500", "800.5"), ("fr", f"12{NARROW_NBSP}500", "800,5"), ("de", "12.500", "800,5")],
)
def test_chart_numbers_follow_the_language(
    tmp_path: Path, language: str, thousands: str, fraction: str
) -> None:
    project = make_project(tmp_path, language, "A crowd gathered.")
    (project / "manuscript" / "figures.yaml").write_text(FIGURES, "utf-8")
    build(project, "epub")
    book = Epub(next((project / "build").glob("*.epub")))
    figures = book.document("figures.xhtml")
    # The chart, drawn inline: its bars' values and its axis's ticks.
    labels = ["".join(t.itertext()) for t in figures.iter("{http://www.w3.org/2000/svg}text")]
    assert thousands in labels and fraction in labels, labels
    ticks = [
        label for label in labels if label[:1].isdigit() and label not in (thousands, fraction)
    ]
    assert any(len(tick) > 3 and not tick.isdigit() for tick in ticks), ticks  # grouped
    # The chart's data table.
    cells = ["".join(td.itertext()) for td in figures.iter(f"{XHTML}td")]
    assert thousands in cells and fraction in cells, cells


def test_this_repos_chart_numbers_are_under_a_thousand() -> None:
    """The English booklet is unchanged by grouping only while its numbers stay under 1000."""
    import yaml

    figures = yaml.safe_load((ROOTS / "basic" / "manuscript" / "figures.yaml").read_text())
    values = [p["value"] for f in figures if f["kind"] == "chart" for p in f["data"]]
    assert values and max(values) < 1000


# --- Hyphenation and line breaking ---------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "de", "es", "it", "pt", "nl", "pl", "ru"])
def test_pyphen_has_patterns(language: str) -> None:
    assert pyphen.language_fallback(language) == language
    assert pyphen.language_fallback(f"{language}-{language.upper()}") in (
        language,
        f"{language}_{language.upper()}",
    )


FRENCH_WORDS = (
    "Les anticonstitutionnellement interministérielles recommandations "
    "décentralisatrices réorganisèrent institutionnellement "
    "l’administration départementale, municipale et intercommunale, "
    "malgré l’incompréhensibilité caractéristique des "
    "circonscriptions extraordinairement hétérogènes. "
)


@pytest.mark.parametrize("language", ["fr", "fr-FR"])  # WeasyPrint: pyphen's fallback, fr
def test_french_paragraph_hyphenates_at_french_breaks(tmp_path: Path, language: str) -> None:
    body = '::: {style="width: 32mm"}\n' + FRENCH_WORDS * 3 + "\n:::\n"
    project = make_project(tmp_path, language, body)
    build(project, "pdf")
    lines = [line.strip() for line in pdf_text(project).splitlines()]
    french, english = pyphen.Pyphen(lang="fr"), pyphen.Pyphen(lang="en")
    words = set(re.findall(r"[\w’]+", FRENCH_WORDS))
    breaks = []
    for line, following in itertools.pairwise(lines):
        if line.endswith(("-", "\u2010")) and following:  # WeasyPrint writes U+2010
            head = line.split()[-1][:-1]
            tail = re.match(r"[\w’]+", following)
            assert tail, (line, following)
            word = next(w for w in words if w.endswith(head + tail[0]) or w == head + tail[0])
            at = len(word) - len(tail[0])
            breaks.append((word, at))
    assert len(breaks) >= 3, lines
    for word, at in breaks:
        assert at in french.positions(word), (word, at, french.positions(word))
    assert any(at not in english.positions(word) for word, at in breaks), breaks


def _lines(project: Path) -> list[tuple[float, float, str]]:
    """Each line of the PDF's pages: its left and right edges and its text."""
    layout = pdf_text(project, "-bbox-layout").encode("utf-8")
    root = etree.fromstring(layout, etree.HTMLParser(encoding="utf-8"))
    return [
        (
            float(line.get("xmin")),
            float(line.get("xmax")),
            "".join(w.text or "" for w in line.iter("word")),
        )
        for line in root.iter("line")
    ]


CHINESE = (
    "大跃进是中华人民共和国在一九五八年至一九六零年间发动的一场经济运动，"
    "目标是在短时间内赶上英国和美国的工业产量。农民被组织进人民公社，"
    "许多人被调去修建水利工程和炼钢，田地里的庄稼无人收割。"
) * 3


def test_a_chinese_paragraph_wraps_within_its_block(tmp_path: Path) -> None:
    body = '::: {style="width: 50mm"}\n' + CHINESE + "\n:::\n\n" + CHINESE + "\n"
    project = make_project(tmp_path, "zh", body)
    build(project, "pdf")
    lines = [line for line in _lines(project) if line[2] and line[2][0] in CHINESE[:60]]
    narrow = [line for line in lines if line[1] - line[0] < 50 * 72 / 25.4 + 1]
    assert len(narrow) >= 8, lines
    lefts = {round(line[0]) for line in narrow}
    assert len(lefts) == 1, lefts
    wide = [line for line in lines if line not in narrow]
    assert len(wide) >= 3, lines
    right = max(line[1] for line in wide)
    assert all(line[1] <= right + 0.5 for line in wide)
    text = pdf_text(project)
    assert "-" not in "".join(ch for ch in text if ch in CHINESE + "-")


JAPANESE = (
    "大躍進は、一九五八年から一九六〇年にかけて行われた。毛沢東は「鉄鋼の生産を三年で倍にする」と言った。"
    "農民は人民公社に組織され、畑は荒れた。「誰も収穫しなかった」と村人は語る。"
) * 4


def test_japanese_lines_never_start_with_closing_punctuation(tmp_path: Path) -> None:
    body = "".join(
        f'::: {{style="width: {width}mm"}}\n{JAPANESE}\n:::\n\n' for width in (31, 37, 43)
    )
    project = make_project(tmp_path, "ja", body)
    build(project, "pdf")
    lines = [line[2] for line in _lines(project) if line[2] and line[2][0] in JAPANESE + "。、」"]
    assert len(lines) >= 20, lines
    assert not [line for line in lines if line[0] in "。、」』）"], lines
