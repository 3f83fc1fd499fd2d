"""``booktool import --language``: the tag written to book.yaml, dates read in the language,
drafts that degrade clearly where their rules read English, and a project that builds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from booktool.draft.dates import find_dates
from booktool.draft.sentences import split_sentences
from booktool.draft.titles import opening_title

from .conftest import run_cli
from .outputs import run_epubcheck

FRENCH = """\
Le Front populaire raconte comment la gauche française est arrivée au pouvoir en 1936 et a \
changé la vie des ouvriers. Le documentaire suit Léon Blum, les grèves de juin et les premiers \
congés payés.

• 00:00:00 Le 14 avril 1935, les partis de gauche se réunissent à Paris pour préparer une \
alliance contre la menace des ligues. Les militants parlent d'un « front commun ».
• 00:04:30 En mai 1936, le Front populaire gagne les élections législatives. Léon Blum devient \
président du Conseil le 4 juin 1936 et promet des réformes rapides.
• 00:09:15 Les grèves avec occupation d'usines touchent près de deux millions d'ouvriers. Les \
accords de Matignon, signés le 7 juin 1936, accordent des hausses de salaire de 7 à 15 %.
• 00:14:00 La loi du 20 juin 1936 crée deux semaines de congés payés. Pour la première fois, \
des familles ouvrières partent à la mer ; les trains sont pleins.
• 00:19:45 Mais la guerre d'Espagne divise la gauche. Blum refuse d'intervenir et démissionne \
en juin 1937 ; le Front populaire se défait en 1938.
"""
GERMAN = """\
Die Weimarer Republik war die erste deutsche Demokratie. Der Film erzählt von ihrer Gründung \
im Jahr 1919, von der Inflation und vom Ende im Januar 1933.

• 00:00:00 Am 9. November 1918 ruft Philipp Scheidemann in Berlin die Republik aus. Der Kaiser \
flieht in die Niederlande.
• 00:05:10 Die Nationalversammlung tagt in Weimar. Am 11. August 1919 unterschreibt Friedrich \
Ebert die neue Verfassung.
• 00:10:40 Die Inflation erreicht im November 1923 ihren Höhepunkt: Ein Brot kostet Milliarden \
Mark. Viele Familien verlieren ihre Ersparnisse.
• 00:16:20 Nach der Weltwirtschaftskrise von 1929 steigt die Arbeitslosigkeit auf über sechs \
Millionen.
• 00:21:00 Am 30. Januar 1933 wird Adolf Hitler Reichskanzler, und die Republik endet.
"""
JAPANESE = """\
明治維新は日本の近代化の始まりでした。この映像は、江戸幕府の終わりから新しい政府の改革までを描きます。

• 00:00:00 1853年7月8日、ペリーの黒船が浦賀に来航しました。幕府は開国を迫られました。
• 00:04:00 1867年11月9日、徳川慶喜は大政奉還を行い、政権を朝廷に返しました。
• 00:08:30 1868年、明治政府が成立し、江戸は東京と改められました。
• 00:12:10 1871年8月29日に廃藩置県が行われ、藩は県に変わりました。
• 00:16:00 1889年2月11日、大日本帝国憲法が発布されました。
"""

SAMPLES = {
    "fr": (
        FRENCH,
        ["1935-04-14", "1936-05", "1936-06-04", "1936-06-07", "1936-06-20", "1937-06", "1938"],
        ["14 avril 1935", "4 juin 1936", "juin 1937"],
    ),
    "de": (
        GERMAN,
        ["1918-11-09", "1919-08-11", "1923-11", "1929", "1933-01-30"],
        ["9. November 1918", "11. August 1919", "November 1923"],
    ),
    "ja": (
        JAPANESE,
        ["1853-07-08", "1867-11-09", "1868", "1871-08-29", "1889-02-11"],
        ["1853年7月8日", "1889年2月11日"],
    ),
}


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def imported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """A summary in the language imported with ``--language`` and built (PDF and EPUB)."""
    language = request.param
    folder = tmp_path_factory.mktemp(f"import-{language}")
    source = folder / f"{language}.txt"
    source.write_text(SAMPLES[language][0], "utf-8")
    result = run_cli("import", str(source), str(folder / "book"), "--language", language)
    assert result.code == 0, result.err
    built = run_cli("build", str(folder / "book"), "--quiet")
    assert built.code == 0, built.err
    return language, folder / "book"


def _yaml(project: Path, name: str) -> object:
    return yaml.safe_load((project / "manuscript" / name).read_text("utf-8"))


def test_book_yaml_says_the_language(imported: tuple[str, Path]) -> None:
    language, project = imported
    book = _yaml(project, "book.yaml")
    assert isinstance(book, dict) and book["language"] == language


def test_the_chronology_reads_dates_in_the_language(imported: tuple[str, Path]) -> None:
    language, project = imported
    entries = _yaml(project, "chronology.yaml")
    assert isinstance(entries, list)
    assert [str(entry["date"]) for entry in entries] == SAMPLES[language][1]


def test_the_drafts_leave_out_what_reads_english_and_say_so(imported: tuple[str, Path]) -> None:
    language, project = imported
    text = (project / "manuscript" / "book.yaml").read_text("utf-8")
    assert "booktool's drafting rules read English" in text and f"'{language}'" in text
    book = _yaml(project, "book.yaml")
    assert isinstance(book, dict)
    assert not any("key_terms" in chapter for chapter in book["chapters"])
    assert not (project / "manuscript" / "figures.yaml").exists()
    # Titles are the text's own opening words, not English ones.
    titles = [book["title"], *(chapter["title"] for chapter in book["chapters"])]
    assert all(" and " not in title and title != "Study Booklet" for title in titles), titles


def test_the_project_builds_and_its_epub_checks(imported: tuple[str, Path]) -> None:
    language, project = imported
    pdf = next((project / "build").glob("*.pdf"))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The chronology's headings: the dates read, written back in the language (CLDR).
    for label in SAMPLES[language][2]:
        assert label in text, label
    report = run_epubcheck(next((project / "build").glob("*.epub")))
    messages = [f"{m['ID']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages
    assert report["checker"]["nFatal"] == 0, messages


def test_the_language_defaults_to_english(tmp_path: Path) -> None:
    source = tmp_path / "en.txt"
    source.write_text(
        "The Popular Front came to power in France in 1936.\n\n"
        "• 00:00:00 On 14 April 1935 the parties of the left met in Paris.\n"
        "• 00:03:00 In May 1936 the Popular Front won the election.\n",
        "utf-8",
    )
    assert run_cli("import", str(source), str(tmp_path / "book")).code == 0
    book = _yaml(tmp_path / "book", "book.yaml")
    assert isinstance(book, dict) and book["language"] == "en"
    dates = [str(e["date"]) for e in _yaml(tmp_path / "book", "chronology.yaml")]  # type: ignore[union-attr]
    assert dates == ["1935-04-14", "1936-05"]
    assert "drafting rules read English" not in (tmp_path / "book/manuscript/book.yaml").read_text()


@pytest.mark.parametrize("tag", ["fr FR", "français", "f", "fr_FR!", ""])
def test_a_bad_language_tag_is_one_line_and_exit_1(tmp_path: Path, tag: str) -> None:
    source = tmp_path / "s.txt"
    source.write_text("A summary.\n\n• 00:00:00 A segment.\n", "utf-8")
    result = run_cli("import", str(source), str(tmp_path / "book"), "--language", tag)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "error[option]" in result.err, result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "book").exists()


@pytest.mark.parametrize(
    ("language", "text", "date"),
    [
        ("fr", "Le 1er mai 1936, la grève", "1936-05-01"),
        ("fr", "en févr. 1934", "1934-02"),
        ("de", "Am 14. April 1935 begann", "1935-04-14"),
        ("de", "im März 1920", "1920-03"),
        ("es", "el 14 de abril de 1931", "1931-04-14"),
        ("pt", "em 25 de abril de 1974", "1974-04-25"),
        ("it", "il 2 giugno 1946", "1946-06-02"),
        ("nl", "op 5 mei 1945", "1945-05-05"),
        ("pl", "1 września 1939 roku", "1939-09-01"),
        ("ru", "12 апреля 1961 года", "1961-04-12"),
        ("ja", "1945年8月15日に", "1945-08-15"),
        ("zh", "1949年10月1日，", "1949-10-01"),
        ("ko", "1945년 8월 15일", "1945-08-15"),
    ],
)
def test_dates_are_read_with_the_languages_month_names(language: str, text: str, date: str) -> None:
    assert [mention.date for mention in find_dates(text, language)] == [date]


def test_english_month_names_are_not_read_in_another_language() -> None:
    assert [m.date for m in find_dates("le 14 April 1935", "fr")] == ["1935"]
    assert [m.date for m in find_dates("on 14 April 1935", "en")] == ["1935-04-14"]


def test_sentences_split_at_cjk_full_stops_and_keep_german_ordinals() -> None:
    assert split_sentences("黒船が来航しました。幕府は開国を迫られました。", "ja") == [
        "黒船が来航しました。",
        "幕府は開国を迫られました。",
    ]
    assert split_sentences("Am 9. November 1918 ruft er. Der Kaiser flieht.", "de") == [
        "Am 9. November 1918 ruft er.",
        "Der Kaiser flieht.",
    ]
    assert split_sentences("He scored 10. Then he left.", "en") == [
        "He scored 10.",
        "Then he left.",
    ]


def test_opening_titles_are_unique_and_short() -> None:
    used: set[str] = set()
    text = (
        "Le 14 avril 1935, les partis de gauche se réunissent à Paris pour préparer une alliance."
    )
    assert opening_title(text, used, "fr") == "Le 14 avril 1935"
    assert opening_title(text, used, "fr") == "Les partis de gauche se réunissent à Paris"
    assert (
        opening_title("明治政府が成立し、江戸は東京と改められました。", set(), "ja")
        == "明治政府が成立し"
    )
