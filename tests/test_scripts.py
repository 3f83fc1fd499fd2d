"""Books in scripts Linux Libertine lacks: the Noto faces chosen by language in the print CSS,
embedded subset in the PDF; named (or, with ``epub: {embed_fonts: true}``, carried) in the
EPUB; a character no font draws named with its script and the package to install.

The Noto fonts come from Debian's fonts-noto-cjk and fonts-noto-core (``make sysdeps``).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from booktool.editions import scriptfonts
from booktool.editions.epubfonts import BOOK_FACES

from .conftest import REPO, ROOTS, copy_project, run_cli
from .outputs import Epub, run_epubcheck

pytestmark = pytest.mark.skipif(
    not scriptfonts.files_of(("Noto Serif CJK SC", "Noto Serif CJK JP")),
    reason="fonts-noto-cjk is not installed (make sysdeps)",
)
SEGMENTS = ROOTS / "scripts-zh" / "manuscript" / "segments"
#: A subset prefix and the PDF name WeasyPrint gives a face (family and style, dashed).
SUBSET = re.compile(r"^/?[A-Z]{6}\+(.+)$")


def build(project: Path, edition: str = "all") -> str:
    """Build ``edition`` (default: the PDF and the EPUB) of ``project``; the build's messages
    (it must succeed)."""
    result = run_cli("build", str(project), "--format", edition)
    assert result.code == 0, result.err
    return result.err


def embedding(project: Path) -> Path:
    """``project`` made to carry its fonts in the EPUB."""
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text("utf-8") + "epub: {embed_fonts: true}\n", "utf-8")
    return project


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The Chinese sample's PDF and EPUB (fonts named, not carried), and the build's messages."""
    project = copy_project(tmp_path_factory.mktemp("zh"), "scripts-zh")
    return project, build(project)


@pytest.fixture(scope="module")
def chinese_embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Chinese sample's EPUB with ``epub: {embed_fonts: true}``."""
    project = embedding(copy_project(tmp_path_factory.mktemp("zh-embed"), "scripts-zh"))
    build(project, "epub")
    return project / "build" / "book.epub"


def font_files(path: Path) -> dict[str, int]:
    """The PDF's embedded font files: each font's name (subset prefix and all) and its size."""
    found: dict[str, int] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = described.get("/FontDescriptor")
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if descriptor is not None and key in descriptor:
                        stream = descriptor[key]
                        found[str(described.BaseFont)] = len(stream.read_raw_bytes())
    return found


def test_the_chinese_pdf_embeds_subsets_of_the_simplified_noto_faces(
    chinese: tuple[Path, str],
) -> None:
    project, _ = chinese
    pdf = project / "build" / "book.pdf"
    fonts = font_files(pdf)
    faces = {match.group(1) for name in fonts if (match := SUBSET.match(name))}
    assert len(faces) == len(fonts), fonts  # every font embedded as a subset
    # Text in the serif face, headings in the sans one; Latin in the book's own fonts.
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold", "Book-Serif"} <= faces, faces
    # The CSS chose them: not the Japanese forms fontconfig offered first for Han.
    assert not [face for face in faces if "CJK-JP" in face or "CJK-TC" in face], faces
    # One subset of each face for the whole book (the parts' subsets joined), and small: the
    # face itself is a 26 MB collection.
    names = [SUBSET.sub(r"\1", name) for name in fonts]
    assert len(names) == len(set(names)), names
    assert max(fonts.values()) < 400_000, fonts
    assert pdf.stat().st_size < 1_500_000


def test_the_chinese_text_comes_back_out_of_the_pdf(chinese: tuple[Path, str]) -> None:
    project, _ = chinese
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(project / "build" / "book.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for segment in sorted(SEGMENTS.glob("*.md")):
        body = segment.read_text("utf-8").split("---", 2)[2]
        for paragraph in filter(None, (p.strip() for p in body.split("\n\n"))):
            assert re.sub(r"\s+", "", paragraph) in flat, paragraph


def test_no_character_of_the_chinese_book_is_left_undrawn(chinese: tuple[Path, str]) -> None:
    _, messages = chinese
    assert "missing-glyphs" not in messages, messages


def test_a_japanese_book_takes_the_japanese_glyph_forms(tmp_path: Path) -> None:
    project = copy_project(tmp_path, "scripts-ja")
    assert "missing-glyphs" not in build(project, "pdf")
    faces = {SUBSET.sub(r"\1", name) for name in font_files(project / "build" / "book.pdf")}
    assert {"Noto-Serif-CJK-JP", "Noto-Sans-CJK-JP-Bold"} <= faces, faces
    assert not [face for face in faces if "CJK-SC" in face], faces


def test_a_passage_in_another_language_takes_that_language_s_faces(tmp_path: Path) -> None:
    """An English book quoting a Traditional Chinese name (pandoc's ``[...]{lang=zh-TW}``)."""
    project = copy_project(tmp_path, "minimal")
    segment = project / "manuscript" / "segments" / "seg-01.md"
    segment.write_text(
        segment.read_text("utf-8") + "\nThe town was called [江邊小鎮]{lang=zh-TW}.\n", "utf-8"
    )
    assert "missing-glyphs" not in build(project, "pdf")
    faces = {SUBSET.sub(r"\1", name) for name in font_files(project / "build" / "a-river-town.pdf")}
    assert "Noto-Serif-CJK-TC" in faces, faces
    assert not [face for face in faces if "CJK" in face and "CJK-TC" not in face], faces


def test_a_font_collection_of_the_project_is_embedded_subset_once(tmp_path: Path) -> None:
    """A .ttc with CFF outlines in the project's layouts/ (face 0 of Noto Sans CJK: JP): the
    render takes it through the fetcher, and the join cuts one subset of it for all parts."""
    faces = scriptfonts.files_of(("Noto Sans CJK JP",))
    collection = next(face.path for face in faces if face.style == "Regular")
    assert collection.suffix == ".ttc" and collection.read_bytes()[:4] == b"ttcf"
    project = copy_project(tmp_path, "scripts-zh")
    (project / "layouts" / "fonts").mkdir(parents=True)
    shutil.copyfile(collection, project / "layouts" / "fonts" / "own.ttc")
    css = (REPO / "src" / "booktool" / "layouts" / "print.css").read_text("utf-8")
    (project / "layouts" / "print.css").write_text(
        css
        + '@font-face { font-family: "Own CJK"; src: url(fonts/own.ttc); }\n'
        + ':lang(zh):is(html, .cover-page, [lang]) { font-family: "Own CJK", serif; }\n',
        "utf-8",
    )
    assert "warning" not in build(project, "pdf")
    names = [SUBSET.sub(r"\1", name) for name in font_files(project / "build" / "book.pdf")]
    assert "Own-CJK" in names and "Noto-Serif-CJK-SC" not in names, names
    assert len(names) == len(set(names)), names


def test_the_epub_names_the_noto_faces_and_carries_no_font(chinese: tuple[Path, str]) -> None:
    project, _ = chinese
    path = project / "build" / "book.epub"
    book = Epub(path)
    types = {item.get("media-type") for item in book.manifest().values()}
    assert not [kind for kind in types if kind.startswith("font/")], types
    assert not [name for name in book.zip.namelist() if name.endswith((".otf", ".ttf"))]
    css = book.zip.read(book.base + "epub.css").decode()
    assert 'html:lang(zh), [lang]:lang(zh) { font-family: "Noto Serif CJK SC", serif; }' in css
    assert_epubcheck_clean(run_epubcheck(path))


def test_embed_fonts_carries_subsets_of_the_fonts_the_book_uses(chinese_embedded: Path) -> None:
    book = Epub(chinese_embedded)
    fonts = {
        item.get("href"): item.get("media-type")
        for item in book.manifest().values()
        if item.get("media-type").startswith("font/")
    }
    assert fonts["fonts/NotoSerifCJKSC-Regular.otf"] == "font/otf"
    assert fonts["fonts/NotoSansCJKSC-Bold.otf"] == "font/otf"
    assert {face[3] for face in BOOK_FACES} <= set(fonts), fonts
    serif = TTFont(io.BytesIO(book.zip.read(book.base + "fonts/NotoSerifCJKSC-Regular.otf")))
    cmap = serif.getBestCmap()
    assert {ord(c) for c in "小镇渡口集市"} <= set(cmap)
    # Cut to the book's characters: the face has 65,000 glyphs.
    assert len(serif.getGlyphOrder()) < 400
    assert ord("龍") not in cmap
    css = book.zip.read(book.base + "epub.css").decode()
    assert '@font-face { font-family: "Noto Serif CJK SC"; font-weight: normal;' in css
    assert 'html:root { font-family: "Book Serif", "Noto Serif CJK SC", serif; }' in css
    assert_epubcheck_clean(run_epubcheck(chinese_embedded))


def assert_epubcheck_clean(report: dict[str, Any]) -> None:
    checker = report["checker"]
    messages = [f"{m['ID']} {m['severity']}: {m['message']}" for m in report["messages"]]
    assert checker["nFatal"] == 0 and checker["nError"] == 0, messages
    assert checker["nWarning"] == 0, messages


def test_two_builds_give_the_same_bytes(tmp_path: Path) -> None:
    made = []
    for name in ("one", "two"):
        project = embedding(copy_project(tmp_path / name, "scripts-zh"))
        build(project)
        made.append([(project / "build" / f"book.{kind}").read_bytes() for kind in ("pdf", "epub")])
    assert made[0] == made[1]


def test_a_character_of_a_script_no_font_has_is_named_with_its_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vithkuqi (Unicode 14) is in no Noto package Debian has: the warning names the script and
    asks for a font (where a package has the script, it names the package: below)."""
    assert not subprocess.run(
        ["fc-list", ":charset=10570"], capture_output=True, text=True, check=True
    ).stdout, "a font with Vithkuqi is installed: pick another script for this test"
    project = copy_project(tmp_path, "minimal")
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text("utf-8") + "\nIt was spelled \U00010570.\n", "utf-8")
    monkeypatch.chdir(project)
    messages = build(Path("."), "pdf")
    assert [line for line in messages.splitlines() if "missing-glyphs" in line] == [
        "manuscript/segments/seg-02.md:9: warning[missing-glyphs]: no font can draw "
        "'\U00010570' (U+10570 VITHKUQI CAPITAL LETTER A, Vithkuqi); add a font with the "
        "Vithkuqi script to layouts/ (@font-face in print.css)"
    ]


@pytest.mark.parametrize(
    ("chars", "hint"),
    [
        ("ሀ", "install fonts-noto-core or add a font with the Ethiopic script to layouts/"),
        ("中あ", "install fonts-noto-cjk or add a font with the Han, Hiragana scripts to layouts/"),
        ("\U00010570", "add a font with the Vithkuqi script to layouts/"),
    ],
)
def test_the_missing_glyphs_hint_names_the_package_for_the_script(chars: str, hint: str) -> None:
    assert scriptfonts.install_hint(list(chars)) == f"{hint} (@font-face in print.css)"
    assert scriptfonts.describe("ሀ") == "'ሀ' (U+1200 ETHIOPIC SYLLABLE HA, Ethiopic)"


@pytest.mark.parametrize(
    ("language", "serif"),
    [
        ("zh", "Noto Serif CJK SC"),
        ("zh-CN", "Noto Serif CJK SC"),
        ("zh-Hant", "Noto Serif CJK TC"),
        ("zh-TW", "Noto Serif CJK TC"),
        ("zh-HK", "Noto Serif CJK HK"),
        ("ja", "Noto Serif CJK JP"),
        ("ko", "Noto Serif CJK KR"),
        ("ar", "Noto Naskh Arabic"),
        ("fa-IR", "Noto Naskh Arabic"),
        ("he", "Noto Serif Hebrew"),
        ("hi", "Noto Serif Devanagari"),
        ("en", None),
        ("zhx", None),
    ],
)
def test_each_language_has_its_faces(language: str, serif: str | None) -> None:
    faces = scriptfonts.faces_for(language)
    assert (faces.serif if faces else None) == serif


def test_the_style_sheets_name_every_face_of_the_table() -> None:
    """The print and EPUB CSS blocks follow scriptfonts.FACES (the EPUB's subsets, and the
    join's, are found by it): each language's rules name its faces."""
    layouts = REPO / "src" / "booktool" / "layouts"
    for sheet, selector, serif, sans in (
        ("print.css", ":lang({tags}):is(html,", '"Book Serif", "{0}", ', '"Book Sans", "{0}", '),
        ("epub.css", "html:lang({tag}), [lang]:lang({tag})", '"{0}", serif;', '"{0}", sans-serif;'),
    ):
        css = (layouts / sheet).read_text("utf-8")
        lines = css.split("/* Scripts: fonts by language */", 1)[1].splitlines()
        for faces in scriptfonts.FACES:
            for tag in faces.languages:
                start = selector.format(tags=", ".join(faces.languages), tag=tag)
                rules = [line for line in lines if start in line]
                assert len(rules) == 1 and serif.format(faces.serif) in rules[0], (sheet, tag)
                heads = [line for line in lines if sans.format(faces.sans) in line]
                assert [line for line in heads if f"{tag}" in line], (sheet, tag)


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "maybe",
            "error[config]: 'embed_fonts': 'maybe' is not true or false; write true or false",
        ),
    ],
)
def test_embed_fonts_is_checked(tmp_path: Path, value: str, line: str) -> None:
    project = copy_project(tmp_path, "minimal")
    book = project / "manuscript" / "book.yaml"
    text = book.read_text("utf-8")
    book.write_text(text + f"epub:\n  embed_fonts: {value}\n", "utf-8")
    result = run_cli("build", str(project))
    assert result.code == 1
    assert result.err.strip().endswith(f"book.yaml:{text.count(chr(10)) + 2}: {line}"), result.err
