"""How much of an outside Markdown corpus reaches each edition.

Each file given becomes a booklet project (split into segments at its top-level headings, or
every N lines), which is built; for every segment, the share of pandoc's own plain text's word
4-grams found in the PDF's text and in the EPUB's is printed, with EPUBCheck's counts and the
warnings that name no line. The corpora themselves are not shipped (pandoc's test suite,
CommonMark's spec examples): point it at copies of your own.

    python bench/markdown_corpus.py test/testsuite.txt spec-examples.md

tests/test_markdown_corpus.py measures booktool's own sample (tests/roots/markdown) the same way.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from PIL import Image

#: What no edition prints as text, left out of pandoc's plain text before it is measured: list
#: markers (drawn by the style sheet or the reading system), formulas (pictures in print,
#: MathML in the EPUB), pictures (their alt text is no printed text; a figure's caption stays),
#: citations (the editions format them from sources.yaml; the words between them are measured),
#: a table's caption before it (where both editions print it; pandoc's plain text puts it after)
#: and each of its cells on its own (pandoc draws a grid table's rows side by side, line by line),
#: the ^ and ~ of super- and subscripts; each note's text is measured on
#: its own (print sets it at the foot of the page, the EPUB after its paragraph: the words
#: around it differ, not the note).
MEASURED = """
local notes = {}
local function items(list)
  local blocks = {}
  for _, item in ipairs(list.content) do
    for _, block in ipairs(item) do table.insert(blocks, block) end
  end
  return blocks
end
function Pandoc(doc)
  doc = doc:walk({
    OrderedList = items,
    BulletList = items,
    Math = function(_) return {} end,
    Image = function(_) return {} end,
    Cite = function(_) return pandoc.Str("NOTEBREAK") end,
    Figure = function(figure) return figure.caption.long end,
    Table = function(table)
      local blocks = table.caption.long
      local function add(rows)
        for _, row in ipairs(rows) do
          for _, cell in ipairs(row.cells) do
            blocks:insert(pandoc.Para({ pandoc.Str("NOTEBREAK") }))
            blocks:extend(cell.contents)
          end
        end
      end
      add(table.head.rows)
      for _, body in ipairs(table.bodies) do
        add(body.head)
        add(body.body)
      end
      add(table.foot.rows)
      blocks:insert(pandoc.Para({ pandoc.Str("NOTEBREAK") }))
      return blocks
    end,
    Superscript = function(s) return s.content end,
    Subscript = function(s) return s.content end,
    Note = function(note)
      for _, block in ipairs(note.content) do table.insert(notes, block) end
      return {}
    end,
  })
  for _, block in ipairs(notes) do
    doc.blocks:insert(pandoc.Para({ pandoc.Str("NOTEBREAK") }))
    doc.blocks:insert(block)
  end
  return doc
end
"""
MATHML = "{http://www.w3.org/1998/Math/MathML}math"
#: Pictures a corpus refers to by a bare file name (inline or in a link reference definition).
_PICTURE = re.compile(r"(?:\]\(|\]:\s*)([\w.-]+\.(?:png|jpe?g|gif))\b")
#: A citation key, as pandoc reads one (``@key`` or ``@{key}``), and code, where none is.
_CITATION = re.compile(r"(?<![\w@])-?@\{?(\w[\w:.#$%&+?<>~/-]*\w)")
_CODE_SPANS = re.compile(r"(`+)[^`].*?\1|^(```|~~~).*?^\2", re.S | re.M)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[•◦▪‣]|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])[ \t]+")


def words(text: str) -> list[str]:
    """The words of a text, lowercased, hyphenation at line ends undone; numbers of one or two
    digits left out on both sides (list numbers, note marks, page numbers)."""
    text = unicodedata.normalize("NFKC", text)
    # Joiners and bidi controls are not letters: pdftotext drops some and adds others.
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    # pandoc's plain text shows an autolink's address percent-encoded, the editions as written.
    text = re.sub(r"(?:%[0-9A-Fa-f]{2})+", lambda m: unquote(m.group(0)), text)
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return [w for w in re.findall(r"[^\W_]+", text.lower()) if not re.fullmatch(r"\d{1,2}", w)]


def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """The word n-grams of a text; a NOTEBREAK line starts a text of its own."""
    found: set[tuple[str, ...]] = set()
    for chunk in text.split("NOTEBREAK"):
        tokens = words(chunk)
        found |= {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}
    return found


def plain(markdown: Path, pandoc: str) -> str:
    """pandoc's own plain text of a segment (its front matter left out), as measured, read
    with booktool's extensions (raw TeX is text to booktool: it has no TeX to hand it to)."""
    from booktool.convert.markdown import PANDOC_FROM

    body = markdown.read_text("utf-8").split("---\n", 2)[2]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as measured:
        measured.write(MEASURED)
    try:
        return subprocess.run(
            [pandoc, "-f", PANDOC_FROM, "-t", "plain", "--wrap=none", "-L", measured.name],
            input=body,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(measured.name).unlink()


def pdf_text(pdf: Path, running_heads: set[str]) -> str:
    """The PDF's text without its running heads (lines of their own). poppler's pdftotext
    reads it: pypdf does not decode the encoding CMaps WeasyPrint writes for fonts with many
    glyphs (its text comes out as UTF-16 bytes).

    Read twice, in reading order and in the order it is drawn (``-raw``), the two texts
    measured together: each order splits something the other keeps whole (reading order
    splits a code block's columns at its tabs; drawing order puts list numbers, drawn by the
    style sheet, after their items). What neither holds is not in the PDF."""
    texts = []
    for mode in ([], ["-raw"]):
        text = subprocess.run(
            ["pdftotext", *mode, str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        text = _LIST_MARKER.sub("", text)  # poppler gives the markers the style sheet draws
        lines = text.split("\n")
        texts.append("\n".join(line for line in lines if line.strip() not in running_heads))
    return "\nNOTEBREAK\n".join(texts)


def epub_text(epub: Path) -> str:
    """The text of the EPUB's documents in reading order, formulas left out, each note after
    its document."""
    import zipfile

    with zipfile.ZipFile(epub) as package:
        names = [n for n in package.namelist() if n.endswith(".xhtml") and "nav" not in n]
        texts = []
        for name in sorted(names, key=_reading_order):
            document = etree.fromstring(package.read(name))
            for math in list(document.iter(MATHML)):
                _drop_keeping_tail(math)
            notes = document.xpath("//*[local-name()='aside'][@role='doc-footnote']")
            for note in notes:
                _drop_keeping_tail(note)
            texts.append("".join(document.itertext()))
            # Each note on its own, as pandoc's plain text is measured (the EPUB sets a note
            # after the block that calls it: the words around it are not the measure).
            texts.extend("NOTEBREAK" + "".join(note.itertext()) for note in notes)
    return "\n".join(texts)


def _reading_order(name: str) -> tuple[int, str]:
    order = ("cover", "title", "figures-list", "introduction", "chapter", "chronology")
    stem = name.rsplit("/", 1)[-1]
    return next((i for i, key in enumerate(order) if stem.startswith(key)), len(order)), stem


def _drop_keeping_tail(element: etree._Element) -> None:
    previous, parent = element.getprevious(), element.getparent()
    assert parent is not None
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def coverage(edition_text: str, segments: list[Path], pandoc: str) -> dict[str, float]:
    """For each segment, the share of its measured 4-grams found in ``edition_text``."""
    found = grams(edition_text)
    shares = {}
    for segment in segments:
        wanted = grams(plain(segment, pandoc))
        shares[segment.stem] = len(wanted & found) / len(wanted) if wanted else 1.0
    return shares


def project_from(corpus: Path, target: Path, lines_per_segment: int = 120) -> Path:
    """A booklet project holding ``corpus`` as segments (cut before top-level headings, or
    every ``lines_per_segment`` lines outside fenced code)."""
    text = corpus.read_text("utf-8")
    chunks: list[list[str]] = [[]]
    fence = False
    for line in text.split("\n"):
        if re.match(r"^(```|~~~)", line):
            fence = not fence
        long_enough = len(chunks[-1]) >= lines_per_segment
        if (
            not fence
            and chunks[-1]
            and (line.startswith("# ") or long_enough)
            and not line.startswith((" ", "|", "+"))  # nor inside a table
        ):
            chunks.append([])
        chunks[-1].append(line)
    segments = target / "manuscript" / "segments"
    segments.mkdir(parents=True)
    ids = []
    for number, chunk in enumerate(c for c in chunks if "".join(c).strip()):
        ids.append(f"seg-{number + 1:03d}")
        start = f"{number // 60:02d}:{number % 60:02d}:00"
        front = f"---\nid: {ids[-1]}\ntitle: Part {number + 1}\nstart: {start}\n---\n\n"
        (segments / f"{ids[-1]}.md").write_text(front + "\n".join(chunk) + "\n", "utf-8")
    # Pictures the corpus names but does not carry (pandoc's test suite names two): a small
    # grey square in their place, so that the build measures the text around them.
    for name in sorted(set(_PICTURE.findall(text))):
        picture = segments / name
        if "/" not in name and not picture.exists():
            kind = {"jpg": "JPEG", "jpeg": "JPEG"}.get(name.rsplit(".", 1)[-1].lower())
            Image.new("L", (8, 8), 160).save(picture, kind or None)
    # Sources the corpus cites (pandoc's citation tests cite @item1, @nonexistent …): one
    # book each, so that the build measures the text around the citations.
    cited = sorted(set(_CITATION.findall(_CODE_SPANS.sub("", text))))
    if cited:
        (target / "manuscript" / "sources.yaml").write_text(
            "".join(f"- id: {key}\n  type: book\n  title: Source {key}\n" for key in cited),
            "utf-8",
        )
    (target / "manuscript" / "book.yaml").write_text(
        f"title: {corpus.stem}\nlanguage: en\nidentifier: urn:x-corpus:{corpus.stem}\n"
        "date: 2026-01-01\nsource:\n  title: An outside corpus\nchapters:\n"
        f"- id: all\n  title: The Corpus\n  segments: [{', '.join(ids)}]\n",
        "utf-8",
    )
    return target


def show_lines(stderr: list[str]) -> None:
    """Each warning that names a line, with that line of its file."""
    for line in stderr:
        where = re.match(r"(\S+):(\d+):(?:\d+:)? warning\[([\w-]+)\]: (.*)", line)
        if where:
            path, number, code, message = where.groups()
            written = Path(path).read_text("utf-8").split("\n")[int(number) - 1]
            print(f"  {Path(path).name}:{number} [{code}] {message[:70]}\n      | {written[:90]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--lines", type=int, default=120, help="lines a segment at most")
    parser.add_argument(
        "--show-lines",
        action="store_true",
        help="print each warning with the line it names, to judge whether it is the right one",
    )
    args = parser.parse_args()
    from booktool.convert.markdown import pandoc_path

    for corpus in args.corpora:
        with tempfile.TemporaryDirectory() as folder:
            project = project_from(corpus, Path(folder) / "project", args.lines)
            built = subprocess.run(
                [sys.executable, "-m", "booktool", "build", str(project)],
                capture_output=True,
                text=True,
                check=False,
            )
            print(f"## {corpus}: exit {built.returncode}")
            lines = built.stderr.splitlines()
            unplaced = [
                line for line in lines if "warning[" in line and not re.match(r"\S+:\d+: ", line)
            ]
            warned = sum("warning[" in line for line in lines)
            print(f"warnings: {warned}, without a line: {len(unplaced)}")
            for line in unplaced[:10]:
                print("   ", line)
            if args.show_lines:
                show_lines(lines)
            if built.returncode:
                print(built.stderr[-2000:])
                continue
            segments = sorted((project / "manuscript" / "segments").glob("*.md"))
            build = project / "build"
            heads = {"The Corpus", "Sources and Notes"}
            for name, text in (
                ("PDF", pdf_text(next(build.glob("*.pdf")), heads)),
                ("EPUB", epub_text(next(build.glob("*.epub")))),
            ):
                shares = coverage(text, segments, pandoc_path())
                mean = sum(shares.values()) / len(shares)
                worst = min(shares, key=shares.__getitem__)
                print(f"{name}: 4-gram share mean {mean:.3f}, min {shares[worst]:.3f} ({worst})")
            check = subprocess.run(
                [sys.executable, "-m", "epubcheck", str(next(build.glob("*.epub")))],
                capture_output=True,
                text=True,
                check=False,
            )
            print("EPUBCheck:", "clean" if check.returncode == 0 else check.stdout[-1500:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
