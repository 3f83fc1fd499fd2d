"""`booktool build`: reproducible bytes, safe failures, the layout chain, page sizes, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pypdf
import pytest

from booktool.convert.htmlclean import clean_fragments
from booktool.convert.markdown import MarkdownSource, convert_markdown

from .conftest import copy_project, run_cli
from .outputs import MM, Epub, pdf_pages

SLUG = "the-great-leap-forward"
#: The slug of the minimal test root's book.
MINIMAL = "a-river-town"


def outputs(project: Path) -> dict[str, bytes]:
    """The files in build/ (the cache folder aside), by name."""
    return {p.name: p.read_bytes() for p in sorted((project / "build").iterdir()) if p.is_file()}


def test_two_builds_in_different_places_are_byte_identical(
    tmp_path: Path, repo_build: Path
) -> None:
    again = copy_project(tmp_path / "elsewhere")
    result = run_cli("build", str(again))
    assert result.code == 0, result.err
    first, second = outputs(repo_build), outputs(again)
    assert set(first) == {f"{SLUG}.pdf", f"{SLUG}.epub"}
    assert first == second


def test_build_reports_what_it_wrote(tmp_path: Path) -> None:
    project = copy_project(tmp_path, "minimal")
    result = run_cli("build", str(project), "--format", "pdf")
    assert result.code == 0
    pages = len(pypdf.PdfReader(project / "build" / f"{MINIMAL}.pdf").pages)
    assert re.search(rf"wrote .*{MINIMAL}\.pdf \({pages} pages, \d+ KB\)", result.out)
    assert not (project / "build" / f"{MINIMAL}.epub").exists()


def test_source_date_epoch_sets_the_timestamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path, "minimal")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_cli("build", str(project), "--format", "epub").code == 0
    book = Epub(project / "build" / f"{MINIMAL}.epub")
    modified = book.opf.find(".//{*}meta[@property='dcterms:modified']")
    assert modified is not None and modified.text == "2023-11-14T22:13:20Z"
    assert {info.date_time for info in book.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_a_failed_build_leaves_the_last_good_outputs(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert run_cli("build", str(project)).code == 0
    before = outputs(project)
    segment = project / "manuscript" / "segments" / "seg-03.md"
    segment.write_text(segment.read_text().replace("start: 00:10:00", "start: [oops"))
    result = run_cli("build", str(project))
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert re.match(
        r".*seg-03\.md:[45]:\d+: error\[yaml-syntax\]: YAML error: .*from line 4\); "
        r"fix the YAML syntax$",
        result.err.strip(),
    )
    assert "Traceback" not in result.err
    assert outputs(project) == before  # same files, same bytes, no temp files left


def test_a_failure_late_in_the_build_writes_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert run_cli("build", str(project)).code == 0
    before = outputs(project)
    (project / "layouts" / "_section.html").write_text("{% if %}broken\n")
    result = run_cli("build", str(project))
    assert result.code == 1
    assert re.search(
        r"layouts/_section\.html:1: error\[template-syntax\]: template error: .*; fix the template",
        result.err,
    )
    assert outputs(project) == before


def test_config_errors_are_collected_with_suggestions(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    text = book.read_text().replace("title: The Great", "titel: The Great", 1)
    text = text.replace("page_size: A4", "page_size: B5").replace("[seg-03]", "[seg-99]")
    book.write_text(text)
    result = run_cli("build", str(project))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert any(
        re.search(
            r"book\.yaml:2: error\[unknown-key\]: unknown key 'titel' in book\.yaml; "
            r"did you mean 'title'\?",
            x,
        )
        for x in lines
    ), lines
    assert any("'title' is required" in x for x in lines)
    assert any(
        re.search(
            r"book\.yaml:\d+: error\[config\]: page_size 'B5' is not supported; "
            r"use A4, A5 or Letter",
            x,
        )
        for x in lines
    )
    assert len(lines) == 3, lines  # the plan is only checked once the config itself is valid


def test_plan_errors_name_the_segment(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace("[seg-03]", "[seg-99]"))
    result = run_cli("build", str(project))
    lines = result.err.strip().splitlines()
    assert any("names segment 'seg-99', which does not exist" in x for x in lines)
    assert any(
        re.search(
            r"seg-03\.md:2: error\[plan-unplaced-segment\]: segment 'seg-03' is in no chapter", x
        )
        for x in lines
    )


def test_a_project_without_a_manuscript_is_one_line(tmp_path: Path) -> None:
    result = run_cli("build", str(tmp_path))
    assert result.code == 1
    assert "book.yaml: error[no-manuscript]: no manuscript here; run 'booktool import" in result.err


def test_project_layouts_override_file_by_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "layouts" / "_section.html").write_text('{% extends "builtin/_section.html" %}\n')
    (project / "layouts" / "print.css").write_text("@page { size: A5; }\n")
    assert run_cli("build", str(project), "--format", "html").code == 0
    html = (project / "build" / f"{SLUG}.html").read_text()
    assert "For classroom use." in html  # this repo's own title page, extending the built-in
    assert run_cli("build", str(project), "--format", "pdf").code == 0


@pytest.mark.parametrize(
    ("size", "width", "height"), [("A5", 148 * MM, 210 * MM), ("Letter", 612, 792)]
)
def test_page_size_is_selectable(
    tmp_path: Path, size: str, width: float, height: float, repo_pdf: Path
) -> None:
    project = copy_project(tmp_path)
    book = project / "manuscript" / "book.yaml"
    book.write_text(book.read_text().replace("page_size: A4", f"page_size: {size}"))
    assert run_cli("build", str(project), "--format", "pdf").code == 0
    reader = pypdf.PdfReader(project / "build" / f"{SLUG}.pdf")
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=1)
        assert float(page.mediabox.height) == pytest.approx(height, abs=1)
    if size == "A5":
        assert len(reader.pages) > len(pdf_pages(repo_pdf))  # the same book on A4


def test_each_markdown_file_is_converted_on_its_own(tmp_path: Path) -> None:
    a = MarkdownSource(tmp_path / "a.md", "A text.[^1]\n\n[^1]: Note of A.\n", id_prefix="a-")
    b = MarkdownSource(tmp_path / "b.md", "B text.[^1]\n\n[^1]: Note of B.\n", id_prefix="b-")
    c = MarkdownSource(tmp_path / "c.md", "C *text*.\n")
    html = convert_markdown([a, b, c])
    assert "Note of A." in html[a.path] and "Note of B." not in html[a.path]
    assert "Note of B." in html[b.path] and "Note of A." not in html[b.path]
    # Numbered from 1 in each file, as if converted alone, and with the file's own id prefix.
    assert 'href="#a-fn1"' in html[a.path] and 'id="a-fn1"' in html[a.path]
    assert 'href="#b-fn1"' in html[b.path] and 'id="b-fn1"' in html[b.path]
    assert html[c.path] == "<p>C <em>text</em>.</p>"
    assert convert_markdown([b])[b.path] == html[b.path]


def test_a_file_with_an_unclosed_fence_does_not_swallow_the_next(tmp_path: Path) -> None:
    a = MarkdownSource(tmp_path / "a.md", "```\nunclosed fence\n")
    b = MarkdownSource(tmp_path / "b.md", "B text.\n")
    html = convert_markdown([a, b])
    assert "unclosed fence" in html[a.path] and "B text" not in html[a.path]
    assert html[b.path] == "<p>B text.</p>"


def test_raw_html_is_cleaned_and_raw_attributes_stay_off(tmp_path: Path) -> None:
    text = "Hi <script>alert(1)</script> and <b>bold</b>\n\n```{=html}\n<i>x</i>\n```\n"
    a = MarkdownSource(tmp_path / "a.md", text)
    html = convert_markdown([a])
    cleaned = clean_fragments(html, tmp_path, {a.path: (text, 1)})
    assert "<script" not in cleaned.html[a.path] and "alert" not in cleaned.html[a.path]
    assert "<b>bold</b>" in cleaned.html[a.path]
    assert "<i>" not in cleaned.html[a.path] and "&lt;i&gt;" in cleaned.html[a.path]
    assert [w.format("warning") for w in cleaned.warnings] == [
        f"{a.path}:1: warning[unsafe-html]: removed raw HTML <script>: books carry no scripts; "
        "write it in Markdown or remove it"
    ]


def test_timestamps_in_front_matter_may_be_unquoted(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    segment = project / "manuscript" / "segments" / "seg-10.md"
    text = segment.read_text()
    assert "start: 00:45:00" in text
    segment.write_text(
        text.replace("start: 00:45:00", "start: 0:45:00").replace("end: 00:50:00", "end: '50:00'")
    )
    assert run_cli("build", str(project), "--format", "html").code == 0
    html = (project / "build" / f"{SLUG}.html").read_text()
    assert '<span class="span-time">00:45:00–00:50:00</span>' in html


def test_images_outside_the_manuscript_are_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(
        segment.read_text() + "\n![leak](../../../secret.png)\n\n![x](file:///etc/passwd)\n"
    )
    result = run_cli("build", str(project))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert re.search(
        r"seg-02\.md:\d+: error\[outside-project\]: image '\.\./\.\./\.\./secret\.png' "
        r"is outside manuscript/",
        lines[0],
    )
    assert re.search(
        r"seg-02\.md:\d+: error\[not-local\]: image 'file:///etc/passwd' is not a file "
        r"in the manuscript",
        lines[1],
    )
    assert not (project / "build").exists() or not outputs(project)


def test_images_inside_the_manuscript_reach_both_editions(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    images = project / "manuscript" / "images"
    images.mkdir()
    (images / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10" fill="red"/></svg>'
    )
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text() + "\n![A red square](../images/dot.svg)\n")
    result = run_cli("build", str(project))
    assert result.code == 0, result.err
    book = Epub(project / "build" / f"{SLUG}.epub")
    assert "media/images/dot.svg" in [i.get("href") for i in book.manifest().values()]
    chapter = book.document("chapter-01.xhtml")
    assert chapter.find(".//{*}img[@src='media/images/dot.svg'][@alt='A red square']") is not None


def test_cwd_does_not_matter(tmp_path: Path) -> None:
    project = copy_project(tmp_path, "minimal")
    cwd = os.getcwd()
    try:
        os.chdir(project)
        result = run_cli("build", "--format", "epub")
    finally:
        os.chdir(cwd)
    assert result.code == 0
    assert f"wrote build/{MINIMAL}.epub" in result.out


def test_a_large_batch_is_shared_among_pandoc_processes_with_the_same_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import booktool.convert.markdown as markdown

    references = [
        {
            "id": "yang2012",
            "type": "book",
            "title": "Tombstone",
            "issued": {"date-parts": [[2012]]},
            "author": [{"family": "Yang", "given": "Jisheng"}],
        }
    ]
    sources = [
        MarkdownSource(
            tmp_path / f"s{i}.md",
            f"Text {i} with a note.[^1] As Yang says [@yang2012, p. {i}].\n\n[^1]: Note {i}.\n",
            id_prefix=f"s{i}-",
        )
        for i in range(9)
    ]
    sources.append(MarkdownSource(tmp_path / "refs", "", bibliography=True))
    one = convert_markdown(sources, references)
    monkeypatch.setattr(markdown, "BATCH_CHARACTERS", 1)
    monkeypatch.setattr(markdown, "_cores", lambda: 3)
    assert [len(run) for run in markdown.batches(sources[:-1])] == [3, 3, 3]
    assert convert_markdown(sources, references) == one
    assert "Tombstone" in one[tmp_path / "refs"] and "Note 4." in one[tmp_path / "s4.md"]
    assert "(Yang, 4)" in one[tmp_path / "s4.md"]  # citeproc ran in each batch


def test_citations_and_the_bibliography_are_formatted_in_one_pandoc_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """citeproc's set-up costs as much as 40,000 characters of Markdown: the documents that
    cite go with the bibliography into the first run, the rest share the cores; the HTML is the
    one a single process gives."""
    import booktool.convert.markdown as markdown

    references = [
        {"id": "yang2012", "type": "book", "title": "Tombstone", "issued": "2012"}
        | {"author": [{"family": "Yang", "given": "Jisheng"}]},
        {"id": "dikotter2010", "type": "book", "title": "Mao's Great Famine", "issued": "2010"},
    ]
    texts = {
        1: "As Yang writes [@yang2012, p. 4], the quotas rose.",
        4: "See @dikotter2010 [p. 12] and the map [@fig:map].",
    }
    sources = [
        MarkdownSource(
            tmp_path / f"s{i}.md",
            texts.get(i, f"Text {i}, a note.[^1] Mail a@yang2012.org; see [@fig:map].\n\n[^1]: N."),
            id_prefix=f"s{i}-",
        )
        for i in range(8)
    ]
    bibliography = MarkdownSource(tmp_path / "refs", "", bibliography=True)
    one = convert_markdown([*sources, bibliography], references)
    monkeypatch.setattr(markdown, "BATCH_CHARACTERS", 1)
    monkeypatch.setattr(markdown, "CITEPROC_CHARACTERS", 100)
    monkeypatch.setattr(markdown, "_cores", lambda: 3)
    runs = markdown.PandocRuns([*sources, bibliography], references)
    assert [s.path.name for s in runs.runs[0][:2]] == ["s1.md", "s4.md"]
    assert len(runs.runs) == 3
    keys = {"yang2012", "dikotter2010"}
    assert not any(markdown.cites(s.text, keys) for run in runs.runs[1:] for s in run)
    assert runs.result() == one
    assert "Tombstone" in one[bibliography.path] and "(Yang 2012, 4)" in one[sources[1].path]


def test_a_citation_is_told_from_an_address_and_a_cross_reference() -> None:
    from booktool.convert.markdown import cites

    keys = {"yang2012", "a.b"}
    assert cites("As [@yang2012, p. 4] says.", keys)
    assert cites("@yang2012 says.", keys) and cites("See [@{yang2012}].", keys)
    assert cites("End of a sentence, @yang2012.", keys) and cites("[-@a.b]", keys)
    assert not cites("Write to me@yang2012.org or see [@fig:yang2012].", keys)
    assert not cites("yang2012 without the sign, and @yang2013.", keys)
    assert not cites("@yang2012", set())


STARTED = """
import json, sys
import booktool.convert.markdown as markdown
from booktool.cli.main import main
loaded = {}
start = markdown._Pandoc.__init__
def starting(self, *args):
    loaded.update((name, name in sys.modules) for name in HEAVY)
    start(self, *args)
markdown._Pandoc.__init__ = starting
HEAVY = [
    "booktool.editions.plan", "booktool.editions.epub", "booktool.checks", "jinja2", "ebooklib",
]
code = main(["build", sys.argv[1], "--format", "epub", "--quiet"])
print(json.dumps([code, loaded, [name in sys.modules for name in HEAVY]]))
"""


def test_pandoc_starts_before_the_editions_modules_load(tmp_path: Path) -> None:
    """pandoc's conversion is the longest step of an EPUB built alone: the modules that make
    the editions (and check the manuscript) load while it runs, not before it starts."""
    import subprocess
    import sys

    project = copy_project(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", STARTED, str(project)], capture_output=True, text=True, check=True
    )
    code, at_start, at_end = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0, done.stderr
    assert at_start and not any(at_start.values()), at_start
    assert all(at_end)  # then they did load
    assert (project / "build" / f"{SLUG}.epub").is_file()


def test_the_command_exits_with_the_builds_code(tmp_path: Path) -> None:
    """``python -m booktool`` (as the ``booktool`` script) exits with main's code once the
    build is over: 0 with the outputs written, 1 with one line for bad input."""
    import subprocess
    import sys

    project = copy_project(tmp_path)
    command = [sys.executable, "-m", "booktool", "build", str(project), "--format", "epub"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project / "build" / f"{SLUG}.epub").stat().st_size > 10_000
    config = project / "manuscript" / "book.yaml"
    config.write_text(config.read_text().replace("language: en", "language: 12"))
    failed = subprocess.run(command, capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1 and "book.yaml:" in failed.stderr


def test_pandoc_runs_once_for_the_whole_book(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    import booktool.convert.markdown

    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(args: list[str], **kwargs: object) -> object:
        calls.append(args)
        return real_popen(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(booktool.convert.markdown.subprocess, "Popen", counting_popen)
    project = copy_project(tmp_path)
    assert run_cli("build", str(project), "--format", "html").code == 0
    assert len(calls) == 1 and "pandoc" in Path(calls[0][0]).name  # a small book: one run


def test_citing_documents_format_alike_alone_or_together(tmp_path: Path) -> None:
    """pandoc formats every citing document of a run in one citeproc pass (a pass costs about
    30 ms, most of it set-up): each document's HTML is still the one it gets alone, and every
    reference counts for disambiguation, as in the bibliography ("2012a" in both)."""
    author = [{"family": "Yang", "given": "Jisheng"}]
    references = [
        {"id": key, "type": "book", "title": title, "issued": "2012"} | {"author": author}
        for key, title in (("yang-a", "Tombstone"), ("yang-b", "Another"))
    ]
    texts = [
        "First [@yang-a, p. 3], again [@yang-a, p. 4].",
        "No citation here, only a cross-reference [@fig:map].",
        "Second [@yang-b] and first [@yang-a].",
        "First once more [@yang-a, p. 9].",
    ]
    sources = [
        MarkdownSource(tmp_path / f"d{i}.md", text, id_prefix=f"d{i}-")
        for i, text in enumerate(texts)
    ]
    refs = MarkdownSource(tmp_path / "refs", "", bibliography=True)
    together = convert_markdown([*sources, refs], references)
    for source in sources:
        assert convert_markdown([source], references)[source.path] == together[source.path]
    # "Another" sorts before "Tombstone": 2012a and 2012b, even where only one is cited.
    assert together[sources[0].path].count("Yang 2012b") == 2
    assert "2012a" not in together[sources[0].path] + together[sources[3].path]
    assert "Yang 2012a" in together[sources[2].path] and "2012b" in together[sources[2].path]
    bibliography = together[refs.path]
    assert bibliography.index("2012a") < bibliography.index("Another")
    assert bibliography.index("2012b") < bibliography.index("Tombstone")


def test_the_templates_load_ahead_and_a_broken_one_is_left_to_its_render(tmp_path: Path) -> None:
    """The build loads the layout chain's templates while pandoc runs (editions.layouts_for):
    every one that loads is compiled then; one that does not is reported by its render, with
    its file and line, as without the loading ahead."""
    from booktool.editions.layouts import BUILTIN_LAYOUTS, TEMPLATE_SUFFIXES
    from booktool.editions.plan import layouts_for
    from booktool.errors import InputError
    from booktool.source.project import Project

    project = copy_project(tmp_path)
    broken = project / "layouts" / "_section.html"
    broken.write_text("<section>\n{% if %}\n</section>\n")
    layouts = layouts_for(Project.open(project))
    assert layouts.env.cache is not None
    loaded = {key[1] for key in layouts.env.cache}
    builtin = {p.name for p in BUILTIN_LAYOUTS.iterdir() if p.suffix in TEMPLATE_SUFFIXES}
    assert loaded == builtin - {"_section.html"}
    with pytest.raises(InputError) as caught:
        layouts.render("_section.html", section=None)
    assert caught.value.problems[0].path == broken and caught.value.problems[0].line == 2
