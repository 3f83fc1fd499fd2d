"""Every shipped language: its catalogue has the keys of en.yaml, and its sample booklet
(tests/roots/lang-<code>, the same small book written in each language) speaks it in the EPUB,
the PDF and the web edition: the catalogue's words, CLDR's dates, the language's tags, none of
the English labels, and EPUBCheck and Ace clean."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import lxml.html
import pikepdf
import pytest
import yaml
from babel import Locale

from booktool.language.words import Message, Words, load_words, placeholders

from .conftest import REPO, ROOTS, copy_project, run_cli
from .outputs import NS, Epub, ace_violations, find_ace, pdf_pages, run_epubcheck

BUILTIN = REPO / "src" / "booktool" / "layouts"
MESSAGES = BUILTIN / "messages"
LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "zh", "ja", "ar"]
TRANSLATED = LANGUAGES[1:]
#: The web edition (about 7 s a book) for English and the languages whose scripts and
#: punctuation differ most.
WEB_LANGUAGES = ["en", "fr", "ru", "zh", "ja", "ar"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The chronology's labels as a historian writing in each language prints them (c. 1780,
#: 1950s, 4 October 1957, May 1961, 1961–1972, 20 July 1969): CLDR's months and days, the
#: catalogue's decade, circa and range.
CHRONOLOGY = {
    "en": ["c. 1780", "1950s", "4 October 1957", "May 1961", "1961–1972", "20 July 1969"],
    "fr": [
        "vers 1780",
        "années 1950",
        "4 octobre 1957",
        "mai 1961",
        "1961–1972",
        "20 juillet 1969",
    ],
    "de": [
        "ca.\u00a01780",
        "1950er Jahre",
        "4. Oktober 1957",
        "Mai 1961",
        "1961–1972",
        "20. Juli 1969",
    ],
    "es": [
        "hacia 1780",
        "década de 1950",
        "4 de octubre de 1957",
        "mayo de 1961",
        "1961-1972",
        "20 de julio de 1969",
    ],
    "it": [
        "ca.\u00a01780",
        "anni 1950",
        "4 ottobre 1957",
        "maggio 1961",
        "1961–1972",
        "20 luglio 1969",
    ],
    "pt": [
        "c.\u00a01780",
        "década de 1950",
        "4 de outubro de 1957",
        "maio de 1961",
        "1961–1972",
        "20 de julho de 1969",
    ],
    "nl": [
        "ca.\u00a01780",
        "jaren 1950",
        "4 oktober 1957",
        "mei 1961",
        "1961–1972",
        "20 juli 1969",
    ],
    "pl": [
        "ok.\u00a01780",
        "lata 1950",
        "4 października 1957",
        "maj 1961",
        "1961–1972",
        "20 lipca 1969",
    ],
    "ru": [
        "ок.\u00a01780",
        "1950-е годы",
        "4 октября 1957\u202fг.",
        "май 1961\u202fг.",
        "1961–1972",
        "20 июля 1969\u202fг.",
    ],
    "zh": ["约1780年", "1950年代", "1957年10月4日", "1961年5月", "1961—1972年", "1969年7月20日"],
    "ja": ["1780年頃", "1950年代", "1957年10月4日", "1961年5月", "1961〜1972年", "1969年7月20日"],
    "ar": ["نحو 1780", "عقد 1950", "4 أكتوبر 1957", "مايو 1961", "1961–1972", "20 يوليو 1969"],
}
#: The one date of the chronology no sample's own text writes out in full (20 July 1969).
LANDING = 5

#: The catalogue's words every EPUB shows (in its text, or a screen reader's labels).
EPUB_KEYS = [
    "contents", "list_of_figures", "landmarks", "start_of_content", "pages", "cover",
    "title_page", "book_kind", "source_span", "study_aids", "key_terms", "questions", "figures",
    "measure", "said_at", "chronology", "see", "film", "people", "sources", "bibliography",
]  # fmt: skip
#: ... and every PDF prints.
PDF_KEYS = [
    "contents", "list_of_figures", "cover_band", "source_span", "study_aids", "key_terms",
    "questions", "figures", "measure", "said_at", "chronology", "see", "film", "people", "sources",
    "bibliography",
]  # fmt: skip
#: The English words that must not be left in another language's editions.
ENGLISH_KEYS = [
    *EPUB_KEYS, "cover_band", "value", "chapter", "appendix", "figure", "chart_data", "drawn_from",
    "figure_source", "qr_alt", "sources_intro", "the_source", "labelled_title",
]  # fmt: skip
WEB_KEYS = ["skip_link", "search_label", "search", "pager", "previous", "next", "contents"]


# --- the catalogues ------------------------------------------------------------------------


def _catalogue(code: str) -> dict[str, Message]:
    data: dict[str, Message] = yaml.safe_load((MESSAGES / f"{code}.yaml").read_text("utf-8"))
    return data


def _placeholders(message: Message) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return set().union(*(placeholders(text) for text in texts))


def test_the_shipped_catalogues_are_the_twelve_languages() -> None:
    assert sorted(path.stem for path in MESSAGES.glob("*.yaml")) == sorted(LANGUAGES)


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_catalogue_has_the_keys_and_placeholders_of_english(code: str) -> None:
    english, catalogue = _catalogue("en"), _catalogue(code)
    assert list(catalogue) == list(english)  # every key, in the reference's order
    for key, message in catalogue.items():
        assert isinstance(message, dict) == isinstance(english[key], dict), key
        assert _placeholders(message) == _placeholders(english[key]), key
        if isinstance(message, dict):
            categories = Locale.parse(code).plural_form.tags | {"other"}
            assert set(message) == categories, (key, sorted(categories))
    words = _words(code)
    assert words.catalogue == code and not words.problems


@pytest.mark.parametrize("code", ["fr"])
def test_french_words_carry_french_spaces(code: str) -> None:
    """A narrow no-break space inside « » and before ; ! ?, a no-break space before :, in every
    message (a plain space there would let the line break before the mark)."""
    for key, message in _catalogue(code).items():
        for text in message.values() if isinstance(message, dict) else [message]:
            assert not re.search(r"[ \u00a0][;!?»]|« ", text), key
            assert not re.search(r"[^\u00a0\d]:[ ]", text), key


@pytest.mark.parametrize("code", ["zh", "ja"])
def test_chinese_and_japanese_words_use_full_width_punctuation(code: str) -> None:
    for key, message in _catalogue(code).items():
        for text in message.values() if isinstance(message, dict) else [message]:
            # (The colon stays ASCII only between hours, minutes and seconds, as 00:05:00.)
            assert not re.search(r"[\u3000-\u9fff][,;.!?(]|[,;.] ", text), key
    words = _words(code)
    assert words("sentence_separator") == "" and words("sentence_end") == "。"


@cache
def _words(code: str) -> Words:
    return load_words(code, [BUILTIN])


# --- the sample booklets -------------------------------------------------------------------


class Build:
    """One language's sample booklet, built on demand: PDF and EPUB, then the web edition."""

    def __init__(self, code: str, folder: Path) -> None:
        self.code = code
        self.project = copy_project(folder, f"lang-{code}")
        result = run_cli("build", str(self.project))
        assert result.code == 0, result.err
        # The project is written in the language: no missing glyphs, no other warning.
        assert "warning" not in result.err, result.err
        self.pdf = next((self.project / "build").glob("*.pdf"))
        self.epub = Epub(next((self.project / "build").glob("*.epub")))

    @property
    def words(self) -> Words:
        return _words(self.code)

    @cached_property
    def epub_text(self) -> str:
        """The text of every XHTML document and of the NCX, with the labels given to screen
        readers (alt, aria-label, title)."""
        texts = []
        for name in self.epub.zip.namelist():
            if name.endswith((".xhtml", ".ncx")):
                root = self.epub.document(name.removeprefix(self.epub.base))
                texts.append(" ".join(root.itertext()))
                texts += [
                    value
                    for element in root.iter()
                    for attribute in ("alt", "aria-label", "title")
                    if (value := element.get(attribute))
                ]
        return " ".join(" ".join(texts).split())

    @cached_property
    def pdf_text(self) -> str:
        """The PDF's text as a reader's tool extracts it, normalised (NFKC, one space for any
        run of spaces, no bidirectional controls)."""
        return _normal(" ".join(pdf_pages(self.pdf)))

    @cached_property
    def pdf_lines(self) -> list[str]:
        return [_normal(line) for page in pdf_pages(self.pdf) for line in page.splitlines()]

    def printed(self, label: str) -> bool:
        """Whether the PDF prints ``label``. An extractor gives the runs of a line that mixes
        right-to-left words with numbers in an order of its own: there, each word of the label
        is looked for on one line."""
        if self.words.direction == "rtl":
            words = _normal(label).split()
            return any(all(word in line for word in words) for line in self.pdf_lines)
        return _squash(label) in _squash(self.pdf_text)

    @cached_property
    def web(self) -> dict[str, Any]:
        result = run_cli("build", str(self.project), "--format", "web")
        assert result.code == 0, result.err
        folder = next(p for p in (self.project / "build").iterdir() if p.name.endswith("-web"))
        return {p.name: lxml.html.parse(str(p)).getroot() for p in sorted(folder.glob("*.html"))}


_BIDI = re.compile("[\u00ad\u2010\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _normal(text: str) -> str:
    return " ".join(_BIDI.sub("", unicodedata.normalize("NFKC", text)).split())


def _squash(text: str) -> str:
    """No spaces at all, case folded: survives letter-spacing, line breaks, and the spaces a
    PDF extractor puts between CJK or Arabic glyphs or leaves out."""
    return re.sub(r"\s", "", _normal(text)).casefold()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Build]:
    builds: dict[str, Build] = {}

    def get(code: str) -> Build:
        if code not in builds:
            builds[code] = Build(code, tmp_path_factory.mktemp(f"lang-{code}"))
        return builds[code]

    return get


def _expected(words: Words, key: str) -> str:
    """A message as an edition of the sample shows it (the sample's figure, chapter, source)."""
    figure = words("figure", number="A.1")
    values: dict[str, object] = {
        "number": 1 if key == "chapter" else "A.1",
        "letter": "A",
        "figure": figure,
        "unit": "km",
    }
    return words(key, **{name: values[name] for name in placeholders(str(words.messages[key]))})


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_epub_holds_the_catalogues_words(code: str, build: Callable[[str], Build]) -> None:
    book = build(code)
    text, words = book.epub_text, book.words
    wanted = [words(key) for key in EPUB_KEYS]
    wanted += [_expected(words, key) for key in ("chapter", "appendix", "figure", "chart_data")]
    wanted.append(
        words("labelled_title", label=words("appendix", letter="A"), title=words("figures"))
    )
    missing = [label for label in wanted if _normal(label) not in text]
    assert not missing, missing


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_chronology_gives_cldr_dates_and_the_catalogues_words(
    code: str, build: Callable[[str], Build]
) -> None:
    book = build(code)
    chronology = book.epub.document("chronology.xhtml")
    labels = {"".join(dt.itertext()) for dt in chronology.iter(f"{{{NS['x']}}}dt")}
    assert labels == set(CHRONOLOGY[code])
    assert book.printed(CHRONOLOGY[code][LANDING])


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_pdf_prints_the_catalogues_words(code: str, build: Callable[[str], Build]) -> None:
    book = build(code)
    words = book.words
    wanted = [words(key) for key in PDF_KEYS]
    wanted += [_expected(words, key) for key in ("chapter", "appendix", "figure", "chart_data")]
    wanted.append(words("page_reference").strip())
    missing = [label for label in wanted if not book.printed(label)]
    assert not missing, missing


#: The English labels that are also the language's own word for the same thing.
SHARED = {"fr": {"film", "pages"}, "de": {"film"}, "it": {"film"}, "nl": {"film"}, "pl": {"film"}}


def _english_fragments(code: str) -> list[str]:
    """The words of the English labels (the text between placeholders), less those the
    sample's manuscript or another of the language's messages also write ("Source" is the
    French figure_source's word too), and those SHARED by the two languages."""
    english, catalogue = _words("en"), _catalogue(code)
    manuscript = " ".join(
        path.read_text("utf-8") for path in (ROOTS / f"lang-{code}").rglob("*") if path.is_file()
    )
    fragments = []
    for key in ENGLISH_KEYS:
        if key in SHARED.get(code, set()):
            continue
        others = " ".join(str(message) for k, message in catalogue.items() if k != key)
        for part in re.split(r"\{[a-z_]+\}", str(english.messages[key])):
            part = part.strip(" :,.“”")
            if len(part) >= 3 and not _has_words(f"{others} {manuscript}", part):
                fragments.append(part)
    return fragments


def _has_words(text: str, words: str) -> bool:
    pattern = r"\s+".join(re.escape(word) for word in words.split())
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_english_label_is_left(code: str, build: Callable[[str], Build]) -> None:
    book = build(code)
    fragments = _english_fragments(code)
    assert "Chapter" in fragments and "Contents" in fragments  # the list is not empty
    epub, pdf = book.epub_text, book.pdf_text
    squashed = _squash(pdf)
    assert [f for f in fragments if _has_words(epub, f)] == []
    # In the PDF, a label set in spaced capitals ("A S T U D Y  B O O K L E T") is found with
    # the spaces taken out; a short word is looked for as a word.
    left = [
        f
        for f in fragments
        if (_squash(f) in squashed if len(_squash(f)) >= 6 else _has_words(pdf, f))
    ]
    assert left == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_document_and_the_pdf_name_the_language(
    code: str, build: Callable[[str], Build]
) -> None:
    book = build(code)
    opf = book.epub.opf
    assert opf.findtext(".//dc:language", namespaces=NS) == code
    assert opf.get(XML_LANG) == code
    documents = [n for n in book.epub.zip.namelist() if n.endswith(".xhtml")]
    assert len(documents) >= 8
    for name in documents:
        root = book.epub.document(name.removeprefix(book.epub.base))
        assert (root.get(XML_LANG), root.get("lang")) == (code, code), name
    with pikepdf.open(book.pdf) as pdf:
        assert str(pdf.Root.Lang) == code


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_accessibility_summary_is_in_the_language(
    code: str, build: Callable[[str], Build]
) -> None:
    book = build(code)
    words = book.words
    summary = book.epub.opf.findtext(
        ".//opf:meta[@property='schema:accessibilitySummary']", namespaces=NS
    )
    assert summary is not None
    opening = words.messages["a11y_structure"]
    assert isinstance(opening, str)
    assert summary.startswith(opening.split("{parts}")[0])
    assert summary.endswith(words("a11y_conformance"))
    parts = words.names([words("a11y_headings"), words("a11y_lists"), words("a11y_tables")])
    assert words("a11y_structure", parts=parts) in summary
    if code != "en":
        assert "WCAG 2.1 Level AA" not in summary and "This study booklet" not in summary
    if code in ("zh", "ja"):
        assert "。 " not in summary


@pytest.mark.parametrize("code", LANGUAGES)
def test_epubcheck_finds_nothing(code: str, build: Callable[[str], Build]) -> None:
    report = run_epubcheck(build(code).epub.path)
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    checker = report["checker"]
    assert checker["nFatal"] == checker["nError"] == checker["nWarning"] == 0, messages


@pytest.mark.parametrize("code", LANGUAGES)  # 7–10 s a book
def test_ace_finds_nothing(code: str, build: Callable[[str], Build], tmp_path: Path) -> None:
    ace = find_ace()
    if ace is None:
        pytest.skip("Ace by DAISY or Chromium is not installed (make ace installs both)")
    assert ace_violations(ace, build(code).epub.path, tmp_path / "ace") == []


@pytest.mark.parametrize("code", WEB_LANGUAGES)
def test_the_web_edition_speaks_the_language(code: str, build: Callable[[str], Build]) -> None:
    book = build(code)
    pages, words = book.web, book.words
    assert {"index.html", "search.html", "chapter-01.html"} <= set(pages)
    for name, root in pages.items():
        assert root.get("lang") == code, name
    # A chapter's page has every part of the navigation (the index has no "previous").
    page = pages["chapter-01.html"]
    text = " ".join([*page.itertext(), *_labels_for_readers(page)])
    missing = [words(key) for key in WEB_KEYS if words(key) not in text]
    assert not missing, missing
    status = pages["search.html"].get_element_by_id("search-status")
    found = {k.removeprefix("data-found-") for k in status.attrib if k.startswith("data-found-")}
    assert found == Locale.parse(code).plural_form.tags | {"other"}
    if code != "en":
        english = _words("en")
        for name, root in pages.items():
            text = " ".join([*root.itertext(), *_labels_for_readers(root)])
            left = [english(k) for k in WEB_KEYS if _has_words(text, english(k))]
            assert left == [], name


def _labels_for_readers(root: Any) -> list[str]:
    """The words an element gives a screen reader or a script shows (not ids or classes)."""
    return [
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if name in ("alt", "aria-label", "title", "placeholder") or name.startswith("data-")
    ]


@pytest.mark.parametrize("code", WEB_LANGUAGES)
def test_the_booklet_names_its_pages_in_the_language(
    code: str, build: Callable[[str], Build]
) -> None:
    """The A5 booklet of an A4 book says that its pages are not those the e-book follows, in
    the language, and its title says it is the booklet."""
    book = build(code)
    result = run_cli("build", str(book.project), "--format", "booklet")
    assert result.code == 0, result.err
    pdf = next((book.project / "build").glob("*-booklet.pdf"))
    words = book.words
    note = words("page_note_page_list", this=words("booklet_a5"), other=words("edition_a4"))
    text = " ".join(pdf_pages(pdf))
    if words.direction == "rtl":
        lines = [_normal(line) for line in text.splitlines()]
        assert any(all(w in line for w in _normal(note).split()[:3]) for line in lines)
    else:
        assert _squash(note) in _squash(text)
    with pikepdf.open(pdf) as opened:
        title = str(opened.docinfo["/Title"])
    assert title == words("booklet_title", title=_catalogue_title(code))


def _catalogue_title(code: str) -> str:
    data = yaml.safe_load((ROOTS / f"lang-{code}" / "manuscript" / "book.yaml").read_text("utf-8"))
    return str(data["title"])
