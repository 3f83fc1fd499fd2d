"""Timestamps that open the film (issue 19, point 3): with ``source.url``, every timestamp the
booklet shows links to that moment; the print edition opens each chapter with a QR code of its
first moment. Without a URL nothing changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from booktool.model.timelinks import moment_url, template_problem, url_problem

from .conftest import copy_project, run_cli
from .outputs import NS, Epub, pdf_pages, run_epubcheck, squash

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
#: The basic root's chapters and the start of each one's first section (book.yaml, segments).
CHAPTER_STARTS = [0, 600, 900, 1500, 2400, 3000]


def with_source(project: Path, lines: str) -> Path:
    """``project``'s book.yaml with ``lines`` added under ``source:`` (after its kind)."""
    book = project / "manuscript" / "book.yaml"
    text = book.read_text("utf-8")
    assert "  kind: documentary\n" in text
    book.write_text(text.replace("  kind: documentary\n", "  kind: documentary\n" + lines), "utf-8")
    return project


def uris(page: pikepdf.Page) -> list[str]:
    return [
        str(annotation.A.URI)
        for annotation in page.obj.get("/Annots", [])
        if "/A" in annotation and "/URI" in annotation.A
    ]


# The rules, one by one.


@pytest.mark.parametrize(
    ("url", "seconds", "expected"),
    [
        (YOUTUBE, 754, YOUTUBE + "&t=754"),
        (YOUTUBE + "&t=12&list=PL1", 300, YOUTUBE + "&list=PL1&t=300"),
        ("https://youtube.com/watch?v=abc&start=9", 60, "https://youtube.com/watch?v=abc&t=60"),
        ("https://youtu.be/dQw4w9WgXcQ", 0, "https://youtu.be/dQw4w9WgXcQ?t=0"),
        ("https://youtu.be/dQw4w9WgXcQ?t=5", 90, "https://youtu.be/dQw4w9WgXcQ?t=90"),
        ("https://vimeo.com/76979871", 125, "https://vimeo.com/76979871#t=125s"),
        ("https://vimeo.com/76979871#t=1m2s", 125, "https://vimeo.com/76979871#t=125s"),
        ("https://archive.org/details/film.mp4", 42, "https://archive.org/details/film.mp4#t=42"),
        ("http://example.org/film.webm#t=10", 3600, "http://example.org/film.webm#t=3600"),
    ],
)
def test_each_host_gets_its_own_form_of_the_moment(url: str, seconds: int, expected: str) -> None:
    assert moment_url(url, seconds) == expected


def test_a_time_link_template_overrides_the_rule_and_substitutes_only_its_placeholders() -> None:
    template = "{url}?start={seconds}&label={hms}"
    assert moment_url(YOUTUBE, 3725, template) == YOUTUBE + "?start=3725&label=01:02:05"
    assert moment_url("https://x.org/v", 5, "https://player.x.org/?v=1&t={seconds}") == (
        "https://player.x.org/?v=1&t=5"
    )


@pytest.mark.parametrize(
    ("template", "fault"),
    [
        ("{url.__class__}?t={seconds}", "'{url.__class__}' is not a placeholder"),
        ("{url}?t={0}", "'{0}' is not a placeholder"),
        ("{url}?t={seconds!r}", "'{seconds!r}' is not a placeholder"),
        ("{url}?t={seconds}}", "a brace that opens or closes no placeholder"),
        ("{url}#start", "names no moment"),
    ],
)
def test_a_time_link_with_anything_but_the_known_placeholders_is_refused(
    template: str, fault: str
) -> None:
    problem = template_problem(template)
    assert problem is not None and fault in problem


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/film.mp4",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "www.youtube.com/watch?v=x",
        "https:///no-host",
        'https://example.org/"onmouseover',
        "https://example.org/a film",
    ],
)
def test_only_an_http_or_https_address_is_a_source_url(url: str) -> None:
    assert url_problem(url) is not None
    assert url_problem("https://example.org/film?x=1#y") is None


@pytest.mark.parametrize(
    ("lines", "line", "expected"),
    [
        (
            "  url: ftp://example.org/film.mp4\n",
            17,
            "error[source-url]: source url 'ftp://example.org/film.mp4' is not an http(s) "
            "address (ftp); give the film's http:// or https:// address, or remove 'url'",
        ),
        (
            f"  url: {YOUTUBE}\n  time_link: '{{url}}?t={{seconds.real}}'\n",
            18,
            "error[time-link]: time_link '{seconds.real}' is not a placeholder booktool knows "
            "({url}, {seconds}, {hms}); write e.g. '{url}?start={seconds}' (placeholders {url}, "
            "{seconds}, {hms})",
        ),
    ],
)
def test_a_bad_source_url_or_time_link_is_one_line_naming_its_line(
    tmp_path: Path, lines: str, line: int, expected: str
) -> None:
    project = with_source(copy_project(tmp_path / "p"), lines)
    result = run_cli("build", str(project))
    assert result.code == 1
    assert result.err.splitlines() == [f"{project}/manuscript/book.yaml:{line}: {expected}"]
    assert "Traceback" not in result.err and not (project / "build" / "x.pdf").exists()


# A built booklet with a YouTube address.


@pytest.fixture(scope="module")
def youtube_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = with_source(copy_project(tmp_path_factory.mktemp("yt")), f"  url: {YOUTUBE}\n")
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project / "build"


def test_pdf_spans_and_chronology_rows_link_to_their_moment(youtube_book: Path) -> None:
    path = youtube_book / "the-great-leap-forward.pdf"
    pages = pdf_pages(path)
    with pikepdf.open(path) as pdf:
        links = [uris(page) for page in pdf.pages]
    # Chapter 1's second section, "Source 00:05:00–00:10:00", on the chapter's first page.
    first = next(i for i, text in enumerate(pages) if "CHAPTER 1" in text)
    assert "00:05:00–00:10:00" in pages[first]
    assert f"{YOUTUBE}&t=300" in links[first]
    # The chronology's rows: "(film 00:05:00)" after each section they name, linked.
    chronology = [i for i, text in enumerate(pages) if text.lstrip().startswith("Chronology")]
    assert chronology, "no chronology page"
    row = squash("Stalin’s help and the first land reforms, p. 6 (film 00:05:00)")
    assert row in squash(pages[chronology[0]])
    assert f"{YOUTUBE}&t=300" in links[chronology[0]]
    moments = {uri for i in chronology for uri in links[i] if uri.startswith(YOUTUBE)}
    assert len(moments) >= 8
    every = {uri for page in links for uri in page}
    assert all(re.fullmatch(re.escape(YOUTUBE) + r"&t=\d+", u) for u in every if "youtube" in u)


def test_each_chapter_of_the_pdf_opens_with_a_qr_code_of_its_first_moment(
    youtube_book: Path, tmp_path: Path
) -> None:
    path = youtube_book / "the-great-leap-forward.pdf"
    pages = pdf_pages(path)
    starts = [i for i, text in enumerate(pages) if re.search(r"CHAPTER \d", text)]
    assert len(starts) == len(CHAPTER_STARTS)
    with pikepdf.open(path) as pdf:
        for index, seconds in zip(starts, CHAPTER_STARTS, strict=True):
            moment = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            assert moment in pages[index]  # the time printed under the code
            assert f"{YOUTUBE}&t={seconds}" in uris(pdf.pages[index])
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (Debian zbar-tools, `make sysdeps`) is not installed")
    for index, seconds in zip(starts, CHAPTER_STARTS, strict=True):
        image = tmp_path / f"page-{index + 1}"
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", str(index + 1), "-l",
             str(index + 1), str(path), str(image)],
            check=True,
        )  # fmt: skip
        decoded = subprocess.run(
            [zbarimg, "--quiet", "--raw", str(image) + ".png"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        assert decoded == [f"{YOUTUBE}&t={seconds}"], (index, decoded)
    other = [i for i in range(len(pages)) if i not in starts]
    assert other  # and no QR code on any other page: zbar finds none
    image = tmp_path / "other"
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-f", str(other[-1]), "-l", str(other[-1]), str(path),
         str(image)],
        check=True,
    )  # fmt: skip
    found = subprocess.run([zbarimg, "--quiet", "--raw", *map(str, tmp_path.glob("other*.png"))],
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert found.stdout == ""


def test_epub_anchors_carry_the_moments_and_it_has_no_qr_code(youtube_book: Path) -> None:
    book = Epub(youtube_book / "the-great-leap-forward.epub")

    def moments(href: str) -> list[tuple[str, str]]:
        return [
            (a.get("href"), "".join(a.itertext()))
            for a in book.document(href).iterfind(".//x:a[@class='film-moment']", NS)
        ]

    chapter = moments("chapter-01.xhtml")
    assert chapter == [
        (f"{YOUTUBE}&t=0", "00:00:00–00:05:00"),
        (f"{YOUTUBE}&t=300", "00:05:00–00:10:00"),
    ]
    assert (f"{YOUTUBE}&t=300", "00:05:00") in moments("chronology.xhtml")
    figures = moments("figures.xhtml")  # the chart's "Said at" column and the table's
    assert (f"{YOUTUBE}&t=2100", "00:35:00") in figures and len(figures) == 4 + 8
    assert len(moments("sources.xhtml")) == 11  # every section's span
    for name in book.zip.namelist():
        if name.endswith(".xhtml"):
            text = book.zip.read(name).decode()
            assert "chapter-qr" not in text and "data:image" not in text, name


def test_the_epub_with_links_to_the_film_passes_epubcheck(youtube_book: Path) -> None:
    report = run_epubcheck(youtube_book / "the-great-leap-forward.epub")
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, messages
    assert report["checker"]["nFatal"] == 0, messages


def test_time_link_gives_the_address_of_every_moment(tmp_path: Path) -> None:
    project = with_source(
        copy_project(tmp_path / "p"),
        "  url: https://films.example.org/leap\n  time_link: '{url}?start={seconds}&at={hms}'\n",
    )
    book_yaml = project / "manuscript" / "book.yaml"
    book_yaml.write_text(book_yaml.read_text("utf-8") + "epub: {page_list: false}\n", "utf-8")
    result = run_cli("build", str(project), "--format", "epub")
    assert result.code == 0, result.err
    book = Epub(project / "build" / "the-great-leap-forward.epub")
    links = [a.get("href") for a in book.document("chapter-02.xhtml").iterfind(".//x:a", NS)]
    assert "https://films.example.org/leap?start=600&at=00:10:00" in links


def test_without_a_source_url_no_timestamp_is_a_link(repo_html: Path, repo_epub: Path) -> None:
    html = repo_html.read_text("utf-8")
    assert "film-moment" not in html and "chapter-qr" not in html
    assert (
        '<p class="source-span">Source <span class="span-time">00:00:00–00:05:00</span></p>' in html
    )
    book = Epub(repo_epub)
    for name in book.zip.namelist():
        if name.endswith(".xhtml"):
            assert "film-moment" not in book.zip.read(name).decode(), name


def test_a_pasted_www_address_becomes_an_https_source_url() -> None:
    from booktool.draft.clutter import clean_pasted

    page = "Summary of a film\nwww.youtube.com/watch?v=abc123\n\n• 00:00:00 It starts.\n"
    assert clean_pasted(page).url == "https://www.youtube.com/watch?v=abc123"
    assert clean_pasted("Summary generated by AI: https://x.org/a\\b\n").url is None
