"""booktool's words in the book's language: the message catalogues, a project's changes to
them, the languages without one, and the CLDR formats (dates, lists, numbers, plurals)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from babel import Locale

from booktool.errors import InputError
from booktool.language.tags import catalogue_names, cldr_locale
from booktool.language.words import PLURAL_CATEGORIES, load_words, placeholders
from booktool.model.book import HistoricalDate
from booktool.model.views import css_string
from booktool.source.yamlio import load_yaml
from tests.conftest import copy_project, run_cli
from tests.outputs import Epub, pdf_pages

BUILTIN = Path(__file__).resolve().parent.parent / "src" / "booktool" / "layouts"
MESSAGES = BUILTIN / "messages"


def _layouts(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    (folder / "messages").mkdir(parents=True)
    for file, text in files.items():
        (folder / "messages" / file).write_text(text, "utf-8")
    return folder


def _builtin_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A copy of the built-in catalogues with ``files`` added (languages booktool may ship)."""
    folder = tmp_path / "builtin"
    shutil.copytree(MESSAGES, folder / "messages")
    for file, text in files.items():
        (folder / "messages" / file).write_text(text, "utf-8")
    return folder


# --- the shipped catalogues --------------------------------------------------------------


def test_every_shipped_catalogue_has_english_keys_and_placeholders() -> None:
    english = load_yaml((MESSAGES / "en.yaml").read_text("utf-8"), MESSAGES / "en.yaml")
    assert len(english) > 60
    for path in sorted(MESSAGES.glob("*.yaml")):
        catalogue = load_yaml(path.read_text("utf-8"), path)
        assert set(catalogue) == set(english), path.name
        categories = set(Locale.parse(path.stem, sep="-").plural_form.tags) | {"other"}
        for key, reference in english.items():
            value = catalogue[key]
            if isinstance(reference, dict):
                assert isinstance(value, dict) and "other" in value, (path.name, key)
                assert set(value) <= categories, (path.name, key, sorted(value))
                assert set(value) <= set(PLURAL_CATEGORIES)
                texts, allowed = (
                    list(value.values()),
                    set().union(*(placeholders(t) for t in reference.values())),
                )
            else:
                assert isinstance(value, str), (path.name, key)
                texts, allowed = [value], placeholders(reference)
            for text in texts:
                assert placeholders(text) <= allowed, (path.name, key, text)
                if key not in (
                    "sentence_separator",
                    "link_separator",
                    "word_space",
                    "page_reference_after",
                ):
                    assert text.strip(), (path.name, key)


# --- which catalogue a tag takes ------------------------------------------------------------


def test_a_tag_with_a_region_takes_its_language_and_traditional_chinese_not_simplified() -> None:
    assert catalogue_names("pt-BR") == ["pt-BR", "pt"]
    assert catalogue_names("sr-Latn-RS") == ["sr-Latn-RS", "sr-Latn", "sr"]
    assert "zh" not in catalogue_names("zh-Hant")
    assert "zh" not in catalogue_names("zh-TW")
    assert catalogue_names("zh-Hans-CN")[-1] == "zh"
    assert str(cldr_locale("en")) == "en_GB"  # booktool's English is British
    assert str(cldr_locale("en-US")) == "en_US"
    assert str(cldr_locale("tlh")) == "en_GB"  # CLDR does not know it


def test_the_project_changes_single_words_over_the_house_and_the_builtin(tmp_path: Path) -> None:
    shipped = {"pt.yaml": "chapter: Capítulo {number}\ncontents: Sumário\n"}
    builtin = _builtin_with(tmp_path, shipped)
    house = _layouts(tmp_path, "house", {"pt.yaml": "contents: Índice\nfigures: Figuras\n"})
    project = _layouts(tmp_path, "project", {"pt-BR.yaml": "figures: Ilustrações\n"})
    words = load_words("pt-BR", [project, house, builtin])
    assert words.catalogue == "pt-BR"
    assert words("chapter", number=2) == "Capítulo 2"  # the built-in pt
    assert words("contents") == "Índice"  # the house's pt over the built-in
    assert words("figures") == "Ilustrações"  # the project's pt-BR over the house's pt
    assert words("study_aids") == "Study aids"  # a key no pt catalogue has: English
    assert words.problems == []


def test_a_language_without_words_is_english_with_one_warning_naming_it(tmp_path: Path) -> None:
    words = load_words("tlh", [BUILTIN], (tmp_path / "book.yaml", 3))
    assert words.catalogue == "en"
    assert words("chapter", number=1) == "Chapter 1"
    [warning] = words.problems
    assert warning.code == "language-missing" and warning.line == 3
    assert "'tlh'" in warning.message and "layouts/messages/tlh.yaml" in warning.hint


def test_a_project_gives_words_to_a_language_booktool_lacks(tmp_path: Path) -> None:
    project = _layouts(tmp_path, "project", {"tlh.yaml": "contents: nIqHom\n"})
    words = load_words("tlh", [project, BUILTIN])
    assert words.problems == [] and words.catalogue == "tlh"
    assert words("contents") == "nIqHom" and words("chronology") == "Chronology"


def test_each_mistake_in_a_messages_file_is_named_at_its_line(tmp_path: Path) -> None:
    text = (
        "chapter: Teil {numbre}\n"  # 1: a placeholder the key does not have
        "contents: Inhalt\n"
        "contnets: Inhalt\n"  # 3: an unknown key (a warning)
        "search_found: {one: '{count} Treffer'}\n"  # 4: no `other`
        "figure: [Abbildung]\n"  # 5: not words
        "see: 'Siehe {'\n"  # 6: a stray brace
    )
    project = _layouts(tmp_path, "project", {"en.yaml": text})
    path = project / "messages" / "en.yaml"
    with pytest.raises(InputError) as raised:
        load_words("en", [project, BUILTIN])
    found = {(p.line, p.code) for p in raised.value.problems}
    assert found == {(1, "messages"), (4, "messages"), (5, "messages"), (6, "messages")}
    first = next(p for p in raised.value.problems if p.line == 1)
    assert first.path == path and "{numbre}" in first.message and "{number}" in first.hint
    # Without the errors, the unknown key is one warning at its line.
    path.write_text("contents: Inhalt\ncontnets: Inhalt\n", "utf-8")
    [warning] = load_words("en", [project, BUILTIN]).problems
    assert (warning.line, warning.code) == (2, "messages-unknown")


# --- the formats of a language ---------------------------------------------------------------


def test_counted_words_take_the_languages_plural_forms(tmp_path: Path) -> None:
    forms = "search_found:\n  one: '{count} раздел'\n  few: '{count} раздела'\n"
    forms += "  many: '{count} разделов'\n  other: '{count} раздела'\n"
    builtin = _builtin_with(tmp_path, {"ru.yaml": forms})
    words = load_words("ru", [builtin])
    said = [words("search_found", count=n) for n in (1, 3, 5, 21, 1.5)]
    assert said == ["1 раздел", "3 раздела", "5 разделов", "21 раздел", "1.5 раздела"]
    assert words.forms("search_found")["many"] == "{count} разделов"


def test_dates_lists_and_numbers_follow_cldr() -> None:
    day = HistoricalDate((1958, 8, 29), None, "day")
    month = HistoricalDate((1958, 8, 0), None, "month")
    english = load_words("en", [BUILTIN])
    assert english.date(day) == "29 August 1958"
    assert english.date(month) == "August 1958"
    assert english.date(HistoricalDate((1950, 0, 0), (1952, 0, 0), "year")) == "1950–1952"
    assert english.date(HistoricalDate((1950, 0, 0), (1959, 0, 0), "decade")) == "1950s"
    assert english.date(HistoricalDate((1959, 0, 0), None, "year", True)) == "c. 1959"
    assert english.names(["Ann", "Bo", "Cy"]) == "Ann, Bo and Cy"
    assert english.number(12345.5) == "12,345.5"
    american = load_words("en-US", [BUILTIN])
    assert american.names(["Ann", "Bo", "Cy"]) == "Ann, Bo, and Cy"
    for tag, expected_day, expected_number in [
        ("fr", "29 août 1958", "12\u202f345,5"),
        ("de", "29. August 1958", "12.345,5"),
        ("ja", "1958年8月29日", "12,345.5"),
        ("ar", "29 أغسطس 1958", "12,345.5"),  # Latin digits, as page numbers are printed
    ]:
        words = load_words(tag, [BUILTIN])
        assert words.date(day) == expected_day, tag
        assert words.number(12345.5) == expected_number, tag
    assert load_words("ar", [BUILTIN]).direction == "rtl"
    assert english.direction == "ltr"


def test_the_templates_see_only_words_without_placeholders() -> None:
    labels = load_words("en", [BUILTIN]).labels
    assert labels["contents"] == "Contents" and labels["sentence_separator"] == " "
    assert "chapter" not in labels and "search_found" not in labels


def test_a_css_string_cannot_end_its_style_element() -> None:
    assert css_string(", p.\u00a0") == '", p.\\a0 "'
    made = css_string('"</style><script>x</script>')
    assert "<" not in made and made.count('"') == 2


# --- in the editions ------------------------------------------------------------------------


def test_a_projects_words_reach_every_edition(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    messages = project / "layouts" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text(
        "chapter: Part {number}\n"
        'page_reference: ", page\\u00a0"\n'
        "chronology: Timeline\n"
        "page: printed page {number}\n",
        "utf-8",
    )
    built = run_cli("build", str(project), "--json")
    assert built.code == 0, built.err
    report = json.loads(built.out)
    assert report["warnings"] == []
    pdf = "\n".join(pdf_pages(project / "build" / "the-great-leap-forward.pdf"))
    assert "Part 1" in pdf and "Chapter 1" not in pdf
    assert "Timeline" in pdf and "Chronology" not in pdf
    assert re.search(r", page\s\d+", pdf) and not re.search(r", p\.\s\d", pdf)
    epub = Epub(project / "build" / "the-great-leap-forward.epub")
    chapter = epub.text("chapter-01.xhtml")
    assert "Part 1" in chapter and "Chapter 1" not in chapter
    nav = "".join(epub.nav().itertext())
    assert "Timeline" in nav
    markers = [
        e.get("aria-label")
        for href in epub.spine_hrefs()
        for e in epub.document(href).iter()
        if e.get("role") == "doc-pagebreak"
    ]
    assert markers and all(re.fullmatch(r"printed page \d+", m or "") for m in markers)


def test_a_book_in_a_language_without_words_builds_in_english_with_one_warning(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "book", "minimal")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8").replace("language: en", "language: tlh"), "utf-8")
    built = run_cli("build", str(project), "--format", "epub")
    assert built.code == 0, built.err
    [line] = [line for line in built.err.splitlines() if "language-missing" in line]
    assert line.startswith(f"{book.relative_to(project)}:3:") or ":3: warning" in line
    epub = Epub(project / "build" / "a-river-town.epub")
    assert epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "tlh"
    assert "Chapter 1" in epub.text("chapter-01.xhtml")


def test_a_bad_messages_file_stops_the_build_with_one_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book", "minimal")
    (project / "layouts" / "messages").mkdir(parents=True)
    (project / "layouts" / "messages" / "en.yaml").write_text("chapter: Teil {n}\n", "utf-8")
    built = run_cli("build", str(project), "--format", "epub")
    assert built.code == 1
    [line] = built.err.strip().splitlines()
    assert "messages/en.yaml:1:" in line and "error[messages]" in line and "{number}" in line
    assert "Traceback" not in built.err


def test_a_catalogue_page_is_in_its_catalogues_language(tmp_path: Path) -> None:
    from tests.catalogue_helpers import make_catalogue

    cat = make_catalogue(tmp_path / "cat", {"a": "minimal", "b": "minimal"})
    (cat / "catalogue.yaml").write_text("title: Qo’\nlanguage: tlh\n", "utf-8")
    house = cat / "layouts" / "messages"
    house.mkdir(parents=True)
    (house / "tlh.yaml").write_text(
        "catalogue_count:\n  other: '{count} paq'\ncatalogue_not_built: <ghobe’>\n", "utf-8"
    )
    run = run_cli("catalogue", "build", str(cat), "--format", "html", "--jobs", "1")
    assert run.code == 0, run.err
    page = (cat / "build" / "index.html").read_text("utf-8")
    assert '<html lang="tlh" dir="ltr">' in page
    assert "2 paq" in page and "2 books" not in page
    assert "&lt;ghobe’&gt;" in page  # the words are text, escaped
    (cat / "catalogue.yaml").write_text("language: 'en gb'\n", "utf-8")
    run = run_cli("catalogue", "build", str(cat), "--format", "html")
    assert run.code == 1 and "catalogue.yaml:1:" in run.err and "error[catalogue]" in run.err


def test_check_finds_what_the_build_finds_in_the_words(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book", "minimal")
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8").replace("language: en", "language: tlh"), "utf-8")
    checked = run_cli("check", str(project))
    assert checked.code == 0
    assert "book.yaml:3: warning[language-missing]" in checked.err
    assert run_cli("check", str(project), "--strict").code == 1
    messages = project / "layouts" / "messages"
    messages.mkdir(parents=True)
    (messages / "tlh.yaml").write_text("contents: nIqHom\nchapter: {numbre}\n", "utf-8")
    checked = run_cli("check", str(project))
    assert checked.code == 1
    assert "tlh.yaml:2: error[messages]" in checked.err
    assert "language-missing" not in checked.err  # the project gives the language its words


def test_a_changed_word_outside_the_documents_rebuilds_the_epub(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book", "minimal")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    messages = project / "layouts" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text("landmarks: Signposts\n", "utf-8")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    nav = Epub(project / "build" / "a-river-town.epub").nav()
    assert "Signposts" in "".join(nav.itertext())
