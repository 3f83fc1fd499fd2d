"""Real-world Markdown kept whole in both editions: formulas, list numbers, wide and tall
pictures, words in narrow table columns, deep headings (issue 21)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from .conftest import run_cli
from .hostile import BOOK_YAML, segment, write_project
from .outputs import Epub, pdf_pages, run_epubcheck

SEG1 = "manuscript/segments/seg-01.md"
SEG2 = "manuscript/segments/seg-02.md"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

BODY = """\
3. three
4. four

a. alpha
b. beta

iv. four
v. five

(@) first example
(@) second example

Between the examples.

(@) third example

Energy $E = mc^2$ and $\\alpha + \\beta$.

$$k = 1{,}05 \\cdot 10^{-6}$$

A broken one: $\\frac{a$ here.

#### Deep four

##### Deep five

| Species | Where it lives in the river estuary, and how many of them one finds there |
|---|---|
| fish | The fish live in the lower reaches of the river, where the water is brackish |
| Pneumonoultramicroscopicsilicovolcanoconiosis | a lung disease |

![A wide picture](../images/wide.png)

![A tall picture](../images/tall.png)

The end of the segment.
"""


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("markdown")
    project = write_project(
        root,
        {
            SEG2: segment(2, BODY),
            "manuscript/images/wide.png": _png(3000, 400),
            "manuscript/images/tall.png": _png(400, 4000),
        },
    )
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project, result.err


def _pdf(project: Path) -> Path:
    return next((project / "build").glob("*.pdf"))


def _epub(project: Path) -> Path:
    return next((project / "build").glob("*.epub"))


def _pdftotext(pdf: Path) -> str:
    """poppler's text of the PDF: unlike pypdf's, it holds the list markers."""
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_print_numbers_lists_as_the_manuscript_does(built: tuple[Path, str]) -> None:
    text = _pdftotext(_pdf(built[0]))
    for line in ("3. three", "4. four", "a. alpha", "b. beta", "iv. four", "v. five"):
        assert re.search(rf"^\s*{re.escape(line)}$", text, re.M), line
    assert re.search(r"^\s*3\. third example$", text, re.M)  # an example list goes on counting


def test_formulas_are_mathml_in_the_epub_and_pictures_in_print(built: tuple[Path, str]) -> None:
    project, _ = built
    epub = Epub(_epub(project))
    chapter = next(href for href in epub.spine_hrefs() if href.startswith("chapter"))
    formulas = list(epub.document(chapter).iter(f"{MATHML}math"))
    assert [f.get("alttext") for f in formulas] == [
        "E = mc^2",
        "\\alpha + \\beta",
        "k = 1{,}05 \\cdot 10^{-6}",
    ]
    assert [f.get("display") for f in formulas] == ["inline", "inline", "block"]
    properties = {i.get("href"): i.get("properties") for i in epub.manifest().values()}
    assert properties[chapter] == "mathml"
    pdf_text = "\n".join(pdf_pages(_pdf(project)))
    assert (
        "Energy" in pdf_text and "mc^2" not in pdf_text and "$" not in pdf_text.split("A broken")[0]
    )
    html = run_cli("build", str(project), "--format", "html")
    assert html.code == 0
    print_html = next((project / "build").glob("*.html")).read_text()
    assert (
        print_html.count('class="formula"') == 2 and print_html.count('class="formula-block"') == 1
    )
    assert 'alt="E = mc^2"' in print_html and "<math" not in print_html


def test_an_unreadable_formula_is_shown_as_tex_with_a_warning(built: tuple[Path, str]) -> None:
    project, err = built
    assert (
        f"{SEG2}:27: warning[formula]: formula '\\frac{{a' could not be read: it is shown as "
        "its TeX source; check its braces and commands"
    ) in [line.replace(str(project) + "/", "") for line in err.splitlines()]
    assert "\\frac{a" in "\n".join(pdf_pages(_pdf(project)))


def test_deep_headings_stay_headings_with_one_warning(built: tuple[Path, str]) -> None:
    project, err = built
    warnings = [line.replace(str(project) + "/", "") for line in err.splitlines()]
    assert [w for w in warnings if "heading-depth" in w] == [
        f"{SEG2}:31: warning[heading-depth]: a level-5 heading (#####) is deeper than the book "
        "can show: it prints like a level-4 one (####); use at most #### in a segment"
    ]
    epub = Epub(_epub(project))
    chapter = next(href for href in epub.spine_hrefs() if href.startswith("chapter"))
    headings = [
        "".join(h.itertext())
        for h in epub.document(chapter).iter("{http://www.w3.org/1999/xhtml}h6")
    ]
    assert headings == ["Deep four", "Deep five"]


def test_short_words_in_narrow_columns_are_never_split(built: tuple[Path, str]) -> None:
    text = "\n".join(pdf_pages(_pdf(built[0])))
    words = set(re.findall(r"[A-Za-z]+", text))
    for word in ("fish", "Species", "brackish", "estuary"):
        assert word in words, word
    assert not re.search(r"\bfis\b|\bbrack\b", text)


def _drawn_widths(pdf: Path) -> tuple[float, list[tuple[float, float]]]:
    """The page width and the (width, height) each raster image is drawn at, in points."""
    sizes = []
    with pikepdf.open(pdf) as document:
        width = float(document.pages[0].mediabox[2])
        for page in document.pages:
            images = {str(k) for k, v in page.images.items()}
            matrices = [pikepdf.Matrix()]
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    matrices.append(matrices[-1])
                elif op == "Q":
                    matrices.pop()
                elif op == "cm":
                    matrices[-1] = pikepdf.Matrix(*[float(x) for x in operands]) @ matrices[-1]
                elif op == "Do" and str(operands[0]) in images:
                    m = matrices[-1]
                    sizes.append((abs(m.a), abs(m.d)))
    return width, sizes


def test_pictures_fit_the_text_block_and_the_page(built: tuple[Path, str]) -> None:
    page_width, sizes = _drawn_widths(_pdf(built[0]))
    text_width = page_width - 2 * 20 / 25.4 * 72  # A4 less print.css's 20 mm side margins
    page_height = 297 / 25.4 * 72
    assert len(sizes) == 2
    for width, height in sizes:
        assert width <= text_width + 0.5
        assert height <= 0.6 * page_height + 0.5
    wide, tall = sizes
    assert wide[0] / wide[1] == pytest.approx(3000 / 400, rel=0.02)  # scaled, not squeezed
    assert tall[1] / tall[0] == pytest.approx(4000 / 400, rel=0.02)


def test_the_epub_of_real_markdown_passes_epubcheck(built: tuple[Path, str]) -> None:
    report = run_epubcheck(_epub(built[0]))
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, [
        m["message"] for m in report["messages"]
    ]


TWO_CHAPTERS = BOOK_YAML.replace(
    "chapters:\n- id: one\n  title: One\n  segments: [seg-01, seg-02]\n",
    "chapters:\n- id: one\n  title: One\n  segments: [seg-01]\n"
    "- id: two\n  title: Two\n  segments: [seg-02]\n",
)
LINKS = """\
## Alpha {#x}

<a id="top"></a>Text at the top.

See [the gamma heading](#gamma-heading) and [alpha](#x), or go [back up](#top).

<https://example.com/\\[\\>

[a broken host](https://../)

<https://example.com?find=\\*>

<table>
  <tr>

    <td>Hi</td>

  </tr>
</table>
"""


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = write_project(
        tmp_path_factory.mktemp("links"),
        {
            "manuscript/book.yaml": TWO_CHAPTERS,
            SEG1: segment(1, LINKS),
            SEG2: segment(2, '## Gamma heading\n\n<a id="top"></a>More text.\n'),
        },
    )
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    return project, result.err


def test_links_find_their_target_anywhere_in_the_book(linked: tuple[Path, str]) -> None:
    epub = Epub(_epub(linked[0]))
    links = {
        "".join(a.itertext()): a.get("href")
        for a in epub.document("chapter-01.xhtml").iter("{http://www.w3.org/1999/xhtml}a")
    }
    assert links["the gamma heading"] == "chapter-02.xhtml#seg-02-gamma-heading"
    assert links["alpha"] == "#seg-01-x"
    assert links["back up"] == "#seg-01-top"  # raw HTML's id, prefixed like pandoc's own
    ids = [
        element.get("id")
        for href in ("chapter-01.xhtml", "chapter-02.xhtml")
        for element in epub.document(href).iter()
        if element.get("id")
    ]
    assert len(ids) == len(set(ids)) and "seg-02-top" in ids


def test_web_addresses_are_encoded_or_dropped(linked: tuple[Path, str]) -> None:
    project, err = linked
    epub = Epub(_epub(project))
    hrefs = [
        a.get("href")
        for a in epub.document("chapter-01.xhtml").iter("{http://www.w3.org/1999/xhtml}a")
        if (a.get("href") or "").startswith("http")
    ]
    assert hrefs == ["https://example.com/%5C%5B%5C", "https://example.com?find=%5C*"]
    assert "a broken host" in epub.text("chapter-01.xhtml")
    lines = [line.replace(str(project) + "/", "") for line in err.splitlines()]
    assert (
        f"{SEG1}:15: warning[link-target]: removed link 'https://../': it is not a valid web "
        "address (its text is kept); check the address"
    ) in lines


def test_a_table_broken_by_blank_lines_is_mended(linked: tuple[Path, str]) -> None:
    project, err = linked
    lines = [line.replace(str(project) + "/", "") for line in err.splitlines()]
    assert (
        f"{SEG1}:19: warning[html-repaired]: a <tr> was broken by a blank line: its markup was "
        "read back; keep raw HTML blocks free of blank lines"
    ) in lines
    cells = (
        Epub(_epub(project)).document("chapter-01.xhtml").iter("{http://www.w3.org/1999/xhtml}td")
    )
    assert ["".join(td.itertext()) for td in cells] == ["Hi"]


def test_linked_book_passes_epubcheck_and_print_has_no_doubled_anchor(
    linked: tuple[Path, str],
) -> None:
    project, err = linked
    assert "Anchor defined twice" not in err
    report = run_epubcheck(_epub(project))
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, [
        m["message"] for m in report["messages"]
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "## A {#x}\n\nText.\n\n## B {#x}\n\nMore.\n",
            f"{SEG1}:7: error[duplicate-id]: the id 'x' is given twice (lines 7 and 11); give "
            "each heading or element its own id",
        ),
        (
            "See [nowhere](#nothing).\n",
            f"{SEG1}:7: error[unresolved-reference]: the link to '#nothing' points at no heading "
            "or id in the book; link to an existing heading's id, or give the target an {#id}",
        ),
    ],
    ids=["duplicate-id", "dangling-link"],
)
def test_ids_and_links_that_cannot_work_are_errors(
    body: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path, {SEG1: segment(1, body)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".")
    assert result.code == 1
    assert result.err.splitlines() == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Write `<script>` to add a script.\n\n<script>alert(1)</script>\n",
            f"{SEG1}:9: warning[unsafe-html]: removed raw HTML <script>: books carry no "
            "scripts; write it in Markdown or remove it",
        ),
        (
            "```\n[bad](https://../)\n```\n\nThen [bad](https://../) for real.\n",
            f"{SEG1}:11: warning[link-target]: removed link 'https://../': it is not a valid "
            "web address (its text is kept); check the address",
        ),
    ],
    ids=["tag-after-code", "link-after-code-block"],
)
def test_warnings_point_past_code_at_the_real_line(
    body: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path, {SEG1: segment(1, body)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "epub")
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if "warning[" in line] == [expected]


def test_a_problem_is_one_line_whatever_it_quotes() -> None:
    from booktool.errors import Problem

    problem = Problem(Path("a.md"), 3, "removed link 'https://x/\na'", "fix\r\nit", code="c")
    assert problem.format("warning") == "a.md:3: warning[c]: removed link 'https://x/ a'; fix it"


def test_formulas_are_tagged_as_formulas_with_their_tex(built: tuple[Path, str]) -> None:
    with pikepdf.open(_pdf(built[0])) as pdf:
        found: list[tuple[str, str]] = []
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") in (pikepdf.Name.Formula, pikepdf.Name.Figure):
                    found.append((str(node.S), str(node.get("/Alt", ""))))
                if "/K" in node:
                    stack.append(node.K)
    assert sorted(found) == sorted(
        [
            ("/Formula", "E = mc^2"),
            ("/Formula", "\\alpha + \\beta"),
            ("/Formula", "k = 1{,}05 \\cdot 10^{-6}"),
            ("/Figure", "A wide picture"),
            ("/Figure", "A tall picture"),
        ]
    )


def test_a_character_no_font_draws_is_found_where_it_is_written_as_a_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "Plain text first.\n\nThe letters &#x10570; and &#66929; are Vithkuqi.\n"
    project = write_project(tmp_path, {SEG1: segment(1, body)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "pdf")
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if "missing-glyphs" in line] == [
        f"{SEG1}:9: warning[missing-glyphs]: no font can draw '\U00010570' (U+10570 VITHKUQI "
        "CAPITAL LETTER A, Vithkuqi), '\U00010571' (U+10571 VITHKUQI CAPITAL LETTER BBE, "
        "Vithkuqi); add a font with the Vithkuqi script to layouts/ (@font-face in "
        "print.css)"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            # The same address twice, once over two lines: each warning at its own link.
            "See [one](/bar and baz).\n\nAnd [two](/bar\n and baz ) too.\n",
            [
                f"{SEG1}:7: warning[link-target]: removed link '/bar%20and%20baz' from <a>: "
                "only http, https, mailto and #anchors are kept; link to a web page or to a "
                "heading in the book",
                f"{SEG1}:9: warning[link-target]: removed link '/bar%20and%20baz' from <a>: "
                "only http, https, mailto and #anchors are kept; link to a web page or to a "
                "heading in the book",
            ],
        ),
        (
            # Written with an entity and an escape: found as pandoc reads it.
            "Plain text first.\n\n[a](/f&ouml;\\*)\n",
            [
                f"{SEG1}:9: warning[link-target]: removed link '/fö*' from <a>: only http, "
                "https, mailto and #anchors are kept; link to a web page or to a heading in "
                "the book"
            ],
        ),
        (
            # A reference defined as nothing: its definition, not the top of the file.
            "Intro.\n\n[foo2]:\n\nbar [foo2]\n",
            [
                f"{SEG1}:9: warning[link-target]: removed link '' from <a>: only http, https, "
                "mailto and #anchors are kept; link to a web page or to a heading in the book"
            ],
        ),
        (
            # A tag left open swallows the next words as "attributes": one warning, there.
            'Intro.\n\n<div class="box"\n*hi* there>\ntext\n</div>\n',
            [
                f"{SEG1}:10: warning[unsupported-html]: raw HTML <div> is not closed by '>', "
                "so the text after it was read as its attributes (*hi* there) and removed; "
                "close the tag with '>'"
            ],
        ),
        (
            # CSS the print edition cannot read: at its line, WeasyPrint says nothing more.
            'Intro.\n\n<span style="color: bluish">blue</span> text.\n',
            [
                f"{SEG1}:9: warning[unsupported-html]: removed 'color: bluish' from the style "
                "of <span>: it is not CSS that the print edition can read; check the "
                "property's name and value"
            ],
        ),
    ],
    ids=["same-address-twice", "entity-and-escape", "empty-reference", "open-tag", "bad-css"],
)
def test_each_warning_names_the_line_of_what_it_is_about(
    body: str, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path, {SEG1: segment(1, body)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "pdf")
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if "warning[" in line] == expected


def test_every_unknown_citation_is_an_error_at_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "First [@пункт3] here.\n\nAgain [see @пункт3, p. 2] and [@item10].\n\nLast @пункт3.\n"
    project = write_project(tmp_path, {SEG1: segment(1, body)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".")
    assert result.code == 1
    assert [line.split(": error")[0] for line in result.err.splitlines()] == [
        f"{SEG1}:7:8",
        f"{SEG1}:9:12",
        f"{SEG1}:9:32",
        f"{SEG1}:11:6",
    ]
