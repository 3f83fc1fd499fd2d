"""The print HTML cut into parts, and the page numbers booktool resolves itself."""

from __future__ import annotations

import re

from booktool.render.parts import (
    PAGE_MARK,
    PART_MARK,
    PLACEHOLDER,
    PageNumbers,
    cut,
    digit_shape,
    group,
)
from booktool.render.protocol import XREF_SCHEME

HEAD = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>T</title>\n'


def document(*blocks: str) -> str:
    return HEAD + '</head>\n<body class="print">' + PART_MARK.join(blocks) + "</body></html>"


def chapter(name: str, size: int = 40_000, links: str = "", notes: int = 0) -> str:
    filler = "x" * size
    footnotes = '<span class="footnote">n</span>' * notes
    return f'<section class="chapter" id="{name}"><p>{filler}{footnotes}{links}</p></section>'


def test_parts_follow_the_marks_by_size_and_keep_blocks_whole() -> None:
    blocks = [chapter(f"c{i}") for i in range(6)]
    parts = cut(document(*blocks))
    assert len(parts.parts) > 2
    assert parts.parts[0].html == blocks[0]  # the front matter on its own
    joined = "".join(part.html for part in parts.parts)
    assert joined == "".join(blocks)
    assert all(part.html.count('class="chapter"') >= 1 for part in parts.parts)


def test_a_small_edit_leaves_the_other_parts_as_they_were() -> None:
    blocks = [chapter(f"c{i}", 20_000 + 500 * i) for i in range(12)]
    before = group(blocks, 6)
    blocks[4] = blocks[4].replace("<p>", "<p>One sentence more for the edit. ")
    after = group(blocks, 6)
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_a_document_without_marks_or_numbering_itself_is_one_part() -> None:
    unmarked = document(chapter("a")).replace(PART_MARK, "")
    assert len(cut(unmarked).parts) == 1
    marked = document(chapter("a"), chapter("b"))
    self_numbered = cut(marked, [".x::after { content: target-counter(attr(href), page) }"])
    assert len(self_numbered.parts) == 1
    assert self_numbered.self_numbered
    sided = cut(marked, ["@page :left { margin-left: 3cm }"])
    assert len(sided.parts) == 1 and not sided.self_numbered
    total = cut(marked, ['@page { @bottom-right { content: counter(page) "/" counter(pages) } }'])
    assert len(total.parts) == 1  # each part would print its own page count


def test_the_first_guess_gives_each_marked_block_a_new_page_and_fills_pages_by_lines() -> None:
    entries = "".join(f'<li id="e{i}"><a href="#a">Entry {i}</a></li>' for i in range(72))
    front = (
        '<section id="cover"><h1>Title</h1></section>' + PAGE_MARK + f'<ol id="toc">{entries}</ol>'
    )
    blocks = [front, chapter("a", 85 * 64), chapter("b", 100)]  # 64 lines of 85 characters
    parts = cut(document(*blocks))
    assert len(parts.parts) == 3
    guess = parts.estimate()
    # cover 1 page; 72 contents entries 2 pages; 64 lines of prose 2 pages; then "b"
    assert guess.starts == (1, 4, 6)
    assert (guess.anchors["cover"], guess.anchors["toc"], guess.anchors["e0"]) == (1, 2, 2)
    assert guess.anchors["e71"] == 3
    assert (guess.anchors["a"], guess.anchors["b"]) == (4, 6)


def test_the_digit_shape_of_a_part_tells_which_layouts_can_be_renumbered() -> None:
    parts = cut(document(chapter("a", links='<a href="#b">b</a>'), chapter("b"), chapter("c")))

    def shaped(start: int, page: int) -> str:
        return digit_shape(parts.document(0, PageNumbers((start, 20, 30), {"b": page})))

    assert shaped(1, 12) == shaped(7, 34)  # the same digit counts; the first page is remade
    assert shaped(1, 9) != shaped(1, 10)  # a digit more reflows the line


def test_each_part_starts_at_its_page_and_note_and_links_across_parts_are_marked() -> None:
    blocks = [
        chapter("a", notes=2, links='<a class="page-ref" href="#b">b</a><a href="#a">a</a>'),
        chapter("b", notes=1),
        chapter("c", links='<a href="#a">a</a><a href="#nowhere">?</a>'),
    ]
    parts = cut(document(*blocks))
    assert len(parts.parts) == 3
    numbers = PageNumbers.from_parts([4, 3, 5], [{"a": 1}, {"b": 2}, {"c": 1}])
    assert numbers.starts == (1, 5, 8)
    assert numbers.anchors == {"a": 1, "b": 6, "c": 8}

    first = parts.document(0, numbers)
    assert "counter-reset: page 1;" in first and "counter-reset: footnote 0;" in first
    assert f'data-page="6" href="{XREF_SCHEME}b"' in first
    assert 'data-page="1" href="#a"' in first
    second = parts.document(1, numbers)
    assert "counter-reset: page 5;" in second and "counter-reset: footnote 2;" in second
    third = parts.document(2, numbers)
    assert "counter-reset: page 8;" in third and "counter-reset: footnote 3;" in third
    assert f'data-page="{PLACEHOLDER}" href="#nowhere"' in third  # WeasyPrint drops it
    for index in range(3):
        text = parts.document(index, numbers)
        assert text.startswith(HEAD) and text.rstrip().endswith("</html>")
        assert len(re.findall(r"<body\b", text)) == 1

    unknown = parts.document(2, None)
    assert f'data-page="{PLACEHOLDER}" href="{XREF_SCHEME}a"' in unknown

    single = parts.single_document(numbers)
    assert 'data-page="6" href="#b"' in single and XREF_SCHEME not in single
