"""The print edition: the book's HTML laid out by WeasyPrint in child processes, as a PDF.

The print HTML is cut into parts (:mod:`booktool.render.parts`) that render at once, one per core,
under the book's limits (:mod:`booktool.render.pool`), and are joined
(:mod:`booktool.render.join`). Page numbers are booktool's to resolve: the render starts from the
last layout's numbers (or, on a first build, lays the parts out on a guess and renumbers the
kept layouts in place), and lays out again only the parts whose numbers moved. A part whose
document and files are unchanged is taken from the cache. What the renders report is turned
into problems here: refused loads are errors naming the layout file that asked for them,
corrupt fonts and characters no font can draw are warnings naming the files.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from html.entities import codepoint2name
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from booktool import __version__
from booktool.cache.installed import tool_version
from booktool.cache.store import BuildCache
from booktool.editions import scriptfonts
from booktool.editions.base import Made, PageCallback
from booktool.editions.html import HtmlEdition
from booktool.editions.impose import HALF_SIZES, impose, saddle_order, sheet_size
from booktool.editions.layouts import BASE_URL
from booktool.editions.pagemap import PageStart
from booktool.errors import BooktoolError, Problem, RenderError
from booktool.render.engine import chosen as chosen_engine
from booktool.render.join import Joiner, merge_parts
from booktool.render.parts import PageNumbers, PrintParts, cut, digit_shape
from booktool.render.pdfactions import clean_pdf
from booktool.render.pool import (
    FastEngineFailed,
    RenderJob,
    RenderResult,
    keeps_layouts,
    kept_by,
    render_jobs,
)
from booktool.render.protocol import Refusal
from booktool.render.tagging import tag_formulas
from booktool.source.text import decode_text

MAX_LISTED_CHARACTERS = 8
#: Layout rounds before the page numbers must have settled (LaTeX's "rerun" loop).
MAX_ROUNDS = 4
#: A render job's fields that say how the children keep layouts, not what is rendered.
_HOLDING = {"hold", "reuse", "generation", "drop"}
#: Parts known before the first one a rebuild renders, at least, to join them meanwhile.
JOIN_AHEAD_MIN = 1
#: Font files the join may embed once for all parts (WOFF is unpacked before embedding).
FONT_SUFFIXES = frozenset({".otf", ".ttf", ".otc", ".ttc"})
#: What a rendered part's cached report leaves out: how this build's children held it.
_UNSTORED = ("pdf", "token", "reused_layout", "worker")
_SERVED = re.compile(re.escape(BASE_URL) + r"([^'\"\s]+)")


def _shape_key(document: str) -> str:
    """A key for the layouts a document can be renumbered from: its numbers' digit shape."""
    return hashlib.sha256(digit_shape(document).encode()).hexdigest()


def layout_cost(html: str) -> float:
    """About how long a document takes to lay out, for the longest part to go first: an
    element costs about what 40 characters of text do (a contents entry is more work than
    its bytes say; measured on this repo's booklet)."""
    return len(html) + 40.0 * html.count("<")


def numbers_of(results: list[RenderResult]) -> PageNumbers:
    """The page numbers the parts' layouts give."""
    return PageNumbers.from_parts([r.pages for r in results], [r.anchors for r in results])


@dataclass(frozen=True)
class RenderedPdf:
    """A written print edition, what its render warned about, and the resources it loaded."""

    data: bytes
    pages: int
    warnings: list[Problem]
    resources: list[str]
    page_starts: list[PageStart]


_FORMULA_ALT = re.compile(r'<img class="formula(?:-block)?" alt="([^"]*)"')


class PdfEdition(HtmlEdition):
    """Lays out and writes the print edition: one HTML document, notes at the page foot."""

    format = "pdf"
    tool = "weasyprint"

    def settings(self) -> str:
        plain = " engine=plain" if chosen_engine()[0] == "plain" else ""
        return f"{self.limits!r} {self.options!r}{plain}"

    def make(self, on_page: PageCallback | None = None) -> Made:
        rendered = self.render_pdf(on_page)
        return Made(
            tag_formulas(rendered.data, self.formula_texts()),
            rendered.resources,
            rendered.pages,
            rendered.warnings,
            rendered.page_starts,
        )

    def formula_texts(self) -> set[str]:
        """The alternative texts of the formulas the print HTML draws (their TeX)."""
        if 'class="formula' not in self.print_document:
            return set()
        return {html.unescape(alt) for alt in _FORMULA_ALT.findall(self.print_document)}

    def layout_pages(self) -> RenderedPdf:
        """Lay the pages out for where each begins, without writing a PDF."""
        return self.render_pdf(None, write=False)

    #: The build cache: rendered parts and the last layout's page numbers (set by the build).
    cache: BuildCache | None = None
    #: How many parts the last render finished from a kept layout, renumbered in place.
    reused_layouts: int = 0
    #: The first parts' join, made while the others rendered (see :meth:`_joining_ahead`).
    _ahead: Joiner | None = None

    @functools.cached_property
    def parts(self) -> PrintParts:
        """The print document cut into the parts that render at once."""
        return cut(self.print_document, self.layouts.style_sheets())

    def render_job(self, html: str | None = None, *, write: bool = True) -> RenderJob:
        """What a render child needs: an HTML document (the whole book as one document by
        default) and the files it may load."""
        folder, house = self.layouts.project_directory, self.layouts.house_directory
        return RenderJob(
            html=self.parts.single_document(self.predicted()) if html is None else html,
            project_layouts=str(folder) if folder else None,
            house_layouts=str(house) if house else None,
            media={href: str(path) for href, path in self.book.media.items()},
            generated={
                href: base64.b64encode(data).decode("ascii")
                for href, data in self.generated.items()
            },
            pdf_identifier=self.pdf_identifier,
            memory_mb=self.limits.render_memory_mb,
            pdf_variant=self.options.pdf_variant,
            write=write,
        )

    @property
    def pdf_identifier(self) -> str:
        """The PDF's trailer identifier (every part's and the joined file's): from the book's."""
        return hashlib.sha256(self.book.identifier.encode()).hexdigest()[:32]

    @property
    def _numbers_key(self) -> str:
        return hashlib.sha256(f"{self.format} {self.settings()}".encode()).hexdigest()[:16]

    def predicted(self) -> PageNumbers | None:
        """The last layout's page numbers, if the parts are still as many."""
        data = self.cache.numbers(self._numbers_key) if self.cache else None
        if data is None or len(data.get("starts", ())) != len(self.parts.parts):
            return None
        return PageNumbers(tuple(data["starts"]), dict(data["anchors"]))

    @functools.cached_property
    def files_digest(self) -> str:
        """A hash of every file a part's render may load: manuscript media, drawn charts and
        every file of the layout chain (the project's and booktool's own)."""
        hasher = hashlib.sha256(f"{__version__} {tool_version(self.tool)}".encode())
        files = dict(self.media_bytes())
        for index, folder in enumerate(self.layouts.directories):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.resolve().is_relative_to(folder):
                    files[f"{index}:{path.relative_to(folder).as_posix()}"] = path.read_bytes()
        for name, data in sorted(files.items()):
            hasher.update(f"{name} {len(data)}\n".encode() + hashlib.sha256(data).digest())
        hasher.update(scriptfonts.installed_stamp(self.book.language).encode())
        return hasher.hexdigest()

    def _part_key(self, job: RenderJob) -> str:
        # Paths are left out (the files' contents are in files_digest): a moved project hits.
        skip = {"memory_mb", "write", "media", "project_layouts", "house_layouts", "engine"}
        skip |= _HOLDING
        fields = {k: v for k, v in asdict(job).items() if k not in skip}
        text = json.dumps(fields, sort_keys=True) + self.files_digest
        return hashlib.sha256(text.encode()).hexdigest()

    def _render(
        self,
        documents: dict[int, str],
        write: bool,
        on_page: PageCallback | None,
        *,
        hold: bool = False,
        deadline: float | None = None,
    ) -> dict[int, RenderResult]:
        """Each part's result: from the cache where the same document was rendered before,
        else laid out (and written, if ``write``) in the render children at once.

        Where the build's render workers keep a layout of a part's document with other page
        numbers of the same digit counts (:attr:`RenderPool.kept`), that layout is
        renumbered in its child instead. ``hold``: the children keep these layouts (as they
        always do for ``booktool watch``). ``deadline`` (``time.monotonic()``) ends the
        render."""
        results: dict[int, RenderResult] = {}
        pool = kept_by(self.limits)
        keep = pool is not None and (hold or pool.lasting)
        fields: dict[str, Any] = {"hold": keep}
        if pool is not None:
            fields |= {"generation": pool.generation, "drop": pool.dropped[:]}
            pool.dropped.clear()
        jobs = {
            index: replace(self.render_job(html, write=write), **fields)
            for index, html in documents.items()
        }
        keys = {index: self._part_key(job) for index, job in jobs.items()}
        for index, key in keys.items():
            found = self.cache.part(key) if self.cache and not hold else None
            if found is not None:
                results[index] = RenderResult(**found[0], pdf=found[1])
        todo = [index for index in jobs if index not in results]
        pins: list[int | None] = []
        for index in todo:
            entry = pool.kept.pop(_shape_key(documents[index]), None) if pool else None
            if entry is not None:
                jobs[index] = replace(jobs[index], reuse=entry[0])
            pins.append(entry[1] if entry else None)
        if todo:
            weights = [layout_cost(jobs[index].html) for index in todo]
            # The parts before the first to render, if this round has them all (a later
            # round renders only the parts whose numbers moved).
            first = min(todo)
            known = [results[i].pdf for i in range(first) if i in results]
            with self._joining_ahead(known if write and len(known) == first else []):
                done = render_jobs(
                    [jobs[i] for i in todo], self.limits, on_page, pins, weights, deadline
                )
            for index, pin, result in zip(todo, pins, done, strict=True):
                results[index] = result
                if pool is not None and pin is not None and result.worker != pin:
                    pool.dropped.append(jobs[index].reuse or "")  # another worker took it
                if pool is not None and result.token:
                    pool.kept[_shape_key(documents[index])] = (
                        result.token,
                        result.worker,
                        documents[index],
                    )
                if write and self.cache is not None:
                    stored = {k: v for k, v in asdict(result).items() if k not in _UNSTORED}
                    self.cache.store_part(keys[index], stored, result.pdf)
        return results

    @contextlib.contextmanager
    def _joining_ahead(self, known: list[bytes]) -> Iterator[None]:
        """The parts before the first one to render (``known``: found in the cache) joined in
        a thread while the block renders: in a rebuild, the join of the unchanged parts was
        the largest step after the render. :meth:`render_pdf` goes on from that join if the
        book's first parts are still those; else it joins them again."""
        self._drop_ahead()
        if len(known) < JOIN_AHEAD_MIN:
            yield
            return
        joiner = Joiner()
        failed: list[BaseException] = []

        def join() -> None:
            try:
                for part in known:
                    joiner.add(part)
            except Exception as exc:  # a broken part: the join from scratch will say so
                failed.append(exc)

        thread = threading.Thread(target=join, name="booktool-join-ahead", daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            thread.join()
            joiner.close()
            raise
        thread.join()
        if failed:
            joiner.close()
        else:
            self._ahead = joiner

    def _drop_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def _forget_others(self, documents: list[str]) -> None:
        """The kept layouts of documents other than ``documents`` dropped (the workers are
        told with the next jobs): a lasting pool keeps only the book as it is now."""
        pool = kept_by(self.limits)
        if pool is None:
            return
        wanted = {_shape_key(document) for document in documents}
        for key in [key for key in pool.kept if key not in wanted]:
            pool.dropped.append(pool.kept.pop(key)[0])

    def laid_out(
        self, on_page: PageCallback | None = None, *, write: bool = True
    ) -> tuple[list[RenderResult], PageNumbers, bool]:
        """Every part rendered with the page numbers its own layout gives, those numbers, and
        whether they settled.

        Starts from the last layout's numbers; without them, from a guess
        (:meth:`PrintParts.estimate`) that the children lay out and keep, then renumber in
        place where the numbers keep their widths (:mod:`booktool.render.renumber`), or, without
        render workers kept for the build, from a pass that only lays out. After each round,
        the parts whose documents the new numbers change are laid out again, until none is
        (:data:`MAX_ROUNDS` at the most). A self-numbered document (``target-counter()``)
        is one part that WeasyPrint numbers: one round. ``limits.render_seconds`` bounds all
        the rounds together.
        """
        parts = self.parts
        count = len(parts.parts)
        deadline = time.monotonic() + self.limits.render_seconds  # for every round together
        numbers = self.predicted()
        rendered: dict[int, tuple[str, RenderResult]] = {}
        if numbers is None and not parts.self_numbered:
            hold = keeps_layouts(self.limits)
            guess = parts.estimate() if hold else None
            first_documents = {i: parts.document(i, guess) for i in range(count)}
            first = self._render(first_documents, False, on_page, hold=hold, deadline=deadline)
            numbers = numbers_of([first[i] for i in range(count)])
        settled = False
        for _ in range(MAX_ROUNDS):
            given = None if parts.self_numbered else numbers
            documents = {i: parts.document(i, given) for i in range(count)}
            todo = {i: html for i, html in documents.items() if rendered.get(i, ("",))[0] != html}
            if not todo:
                settled = True
                break
            done = self._render(todo, write, on_page, deadline=deadline)
            for index, result in done.items():
                rendered[index] = (todo[index], result)
            numbers = numbers_of([rendered[i][1] for i in range(count)])
        self._forget_others([rendered[i][0] for i in range(count)])
        results = [rendered[i][1] for i in range(count)]
        self.reused_layouts = sum(result.reused_layout for result in results)
        assert numbers is not None  # the loop ran at least once
        if self.cache is not None:
            stored = {"starts": list(numbers.starts), "anchors": dict(numbers.anchors)}
            self.cache.store_numbers(self._numbers_key, stored)
        return results, numbers, settled

    def render_pdf(self, on_page: PageCallback | None = None, *, write: bool = True) -> RenderedPdf:
        """Lay out (and write, unless ``write`` is false) the PDF in render children: with the
        fast engine, or the plain one if asked for (:mod:`booktool.render.engine`), if the
        installed WeasyPrint is not one the fast engine was tested on, or if it failed (then
        with one ``render-fallback`` warning)."""
        engine, fallback = chosen_engine()
        if engine == "fast":
            try:
                return self.render_fast(on_page, write=write)
            except BooktoolError:
                raise  # the book's own problem (a refused file, out of time): no fallback
            except FastEngineFailed as exc:
                fallback = f"the fast engine failed ({exc})"
            except Exception as exc:  # a patched step, or the join, met what it did not know
                fallback = f"the fast engine failed ({type(exc).__name__}: {exc})"
            finally:
                self._drop_ahead()
        rendered = self.render_plain(on_page, write=write)
        if fallback:
            rendered.warnings.insert(
                0,
                Problem(
                    None,
                    None,
                    f"{fallback}; the PDF is made with WeasyPrint's public API alone (slower)",
                    "see README (Speed) for the WeasyPrint versions the fast engine knows",
                    code="render-fallback",
                ),
            )
        return rendered

    def render_fast(
        self, on_page: PageCallback | None = None, *, write: bool = True
    ) -> RenderedPdf:
        """The fast engine: the parts laid out at once, renumbered in place, joined."""
        results, numbers, settled = self.laid_out(on_page, write=write)
        data = b""
        if write:
            served = sorted({name for result in results for name in result.served})
            fonts = [result.fonts for result in results]
            files = self.font_files(served, fonts) if len(results) > 1 else {}
            ahead, self._ahead = self._ahead, None
            data = merge_parts(
                [r.pdf for r in results], self.pdf_identifier, fonts, files, ahead=ahead
            )
        return self._rendered(results, numbers, settled, data)

    def render_plain(
        self, on_page: PageCallback | None = None, *, write: bool = True
    ) -> RenderedPdf:
        """The plain engine: the book as one document in one render child, WeasyPrint's public
        API alone (``HTML(...).render()``, ``write_pdf()``, the confined fetcher), page
        numbers in two passes or more: the anchors' pages one layout gives are printed by
        the next, until a layout prints the numbers it gives (:data:`MAX_ROUNDS` at most)."""
        deadline = time.monotonic() + self.limits.render_seconds
        key = f"{self._numbers_key}-plain"
        known = self.cache.numbers(key) if self.cache else None
        numbers = PageNumbers((1,), dict(known["anchors"])) if known else None
        html = self.parts.single_document(numbers)
        settled = False
        result = RenderResult()
        for round_ in range(MAX_ROUNDS):
            # A first pass on unknown numbers only learns them: no PDF written.
            writes = write and (numbers is not None or round_ > 0)
            job = replace(self.render_job(html, write=writes), engine="plain")
            (result,) = render_jobs([job], self.limits, on_page, deadline=deadline)
            numbers = numbers_of([result])
            following = self.parts.single_document(numbers)
            if following == html and (writes or not write):
                settled = True
                break
            html = following
        assert numbers is not None  # the loop ran at least once
        if self.cache is not None:
            self.cache.store_numbers(key, {"starts": [1], "anchors": dict(numbers.anchors)})
        # Whatever the render wrote, no action reaches the book (the fast engine's join strips
        # them; here the one document is the book).
        return self._rendered(
            [result], numbers, settled, clean_pdf(result.pdf) if result.pdf else b""
        )

    def _rendered(
        self, results: list[RenderResult], numbers: PageNumbers, settled: bool, data: bytes
    ) -> RenderedPdf:
        """The rendered PDF, with what the renders reported as problems (refused loads are
        errors; fonts, missing glyphs, unsettled numbers and WeasyPrint's log, warnings)."""
        refusals = list({r: None for result in results for r in result.refusals})
        errors = [self._refusal_problem(r) for r in refusals if r.kind != "font"]
        if errors:
            raise RenderError(*errors)
        warnings = [self._refusal_problem(r) for r in refusals]
        if not settled:
            warnings.append(
                Problem(
                    None,
                    None,
                    f"page numbers did not settle after {MAX_ROUNDS} layouts: a contents entry "
                    "or page reference may print a neighbouring page",
                    "build again; if it stays, a reference sits where a page break moves",
                    code="page-numbers",
                )
            )
        missing = sorted({c for result in results for c in result.missing_glyphs})
        warnings += self._glyph_warnings(missing)
        explained = re.compile(r"Font-face .* cannot be loaded") if refusals else None
        log = list({message: None for result in results for message in result.log})
        warnings += [
            self._log_problem(message)
            for message in log
            if not (explained and explained.search(message))
        ]
        starts = [
            PageStart(**{**fields, "page": first + fields["page"] - 1})
            for result, first in zip(results, numbers.starts, strict=True)
            for fields in result.page_starts
        ]
        served = sorted({name for result in results for name in result.served})
        pages = sum(result.pages for result in results)
        return RenderedPdf(data, pages, warnings, served, starts)

    def font_files(
        self, served: Iterable[str], records: Iterable[Iterable[Any]] = ()
    ) -> dict[str, bytes]:
        """The layout chain's font files among the ``served`` names, by SHA-256: what the join
        may cut one subset of every part's glyphs from. And, if the parts' font ``records``
        name others, the Noto faces the print CSS gives the book's language
        (:mod:`booktool.editions.scriptfonts`), which WeasyPrint found through fontconfig."""
        files = {}
        for name in served:
            if PurePosixPath(name).suffix.lower() not in FONT_SUFFIXES:
                continue
            path = self.layouts.find(name)
            if path is not None:
                data = path.read_bytes()
                files[hashlib.sha256(data).hexdigest()] = data
        wanted = {str(record["sha256"]) for part in records for record in part} - set(files)
        if wanted:
            files |= scriptfonts.font_files(self.book.language, wanted)
        return files

    def _log_problem(self, message: str) -> Problem:
        """A WeasyPrint warning, at the media or layout file it names if it names one."""
        match = _SERVED.search(message)
        name = unquote(match.group(1)) if match else ""
        path = self.book.media.get(name) or (self.layouts.find(name) if name else None)
        if path is not None and message.startswith("Failed to load image"):
            detail = message.split(": ", 1)[1].strip() if ": " in message else ""
            return Problem(
                path,
                None,
                "image cannot be decoded, so the PDF leaves it out"
                + (f" ({detail})" if detail else ""),
                "export the image again",
                code="image-corrupt",
            )
        return Problem(path, None, message.replace(BASE_URL, ""), code="weasyprint")

    def _refusal_problem(self, refusal: Refusal) -> Problem:
        """One refused load as a problem, at the layout file and line that asked for it."""
        name = refusal.path or refusal.url
        where = self.layouts.locate(refusal.url) or self.layouts.locate(name.rsplit("/", 1)[-1])
        path, line = where if where else (None, None)
        if refusal.kind == "font":
            return Problem(
                Path(name),
                None,
                f"font cannot be read ({refusal.reason}); its text falls back to another font",
                "replace the font file",
                code="font-corrupt",
            )
        if refusal.kind == "svg":
            return Problem(
                Path(name),
                None,
                f"SVG refused: {refusal.reason}",
                "use a plain SVG drawing, or a PNG",
                code="unsafe-svg",
            )
        if refusal.kind == "outside":
            folder = self.layouts.project_directory
            return Problem(
                folder / name if folder else None,
                None,
                f"'{name}' leads outside layouts/",
                "copy the file into layouts/ instead of linking to it",
                code="outside-project",
            )
        system_font = PurePosixPath(refusal.url).suffix.lower() in FONT_SUFFIXES
        if where is None and refusal.url.startswith("file:") and system_font:
            # A font local() found on the system: at the stylesheet that names it.
            path, line = self.layouts.locate("local(") or (None, None)
            return Problem(
                path,
                line,
                f"refused to load the system font '{PurePosixPath(refusal.url).name}' that "
                "local() names",
                "put the font file in layouts/ and load it with url()",
                code="not-local",
            )
        if refusal.kind == "missing":
            return Problem(
                path,
                line,
                f"'{name}' is not a file in layouts/",
                "put the file in layouts/ and refer to it by a relative path",
                code="missing-file",
            )
        return Problem(
            path,
            line,
            f"refused to load '{refusal.url}'",
            "only files in manuscript/ and layouts/ may be used",
            code="not-local",
        )

    def _glyph_warnings(self, codepoints: list[int]) -> list[Problem]:
        """Which characters no font can draw, by the manuscript file that holds them."""
        left = {chr(c) for c in codepoints}
        warnings = []
        for section in self.book.sections:
            text = decode_text(section.source_path.read_bytes())
            places = {c: _written_at(text, c) for c in left}
            found = sorted(c for c, at in places.items() if at is not None)
            if not found:
                continue
            left -= set(found)
            line = min(text.count("\n", 0, places[c] or 0) + 1 for c in found)
            warnings.append(self._glyph_problem(section.source_path, line, found))
        if left:
            warnings.append(self._glyph_problem(None, None, sorted(left)))
        return warnings

    @staticmethod
    def _glyph_problem(path: Path | None, line: int | None, chars: list[str]) -> Problem:
        listed = ", ".join(scriptfonts.describe(c) for c in chars[:MAX_LISTED_CHARACTERS])
        if len(chars) > MAX_LISTED_CHARACTERS:
            listed += f" and {len(chars) - MAX_LISTED_CHARACTERS} more"
        return Problem(
            path,
            line,
            f"no font can draw {listed}",
            scriptfonts.install_hint(chars),
            code="missing-glyphs",
        )


def _written_at(text: str, char: str) -> int | None:
    """Where ``char`` is first written in a Markdown text: as itself, or as an HTML character
    reference (``&#3243;``, ``&#xCAB;``, ``&eacute;``)."""
    forms = [re.escape(char), rf"&#0*{ord(char)};", rf"(?i:&#x0*{ord(char):x};)"]
    name = codepoint2name.get(ord(char))
    if name:
        forms.append(rf"&{name};")
    found = re.search("|".join(forms), text)
    return found.start() if found else None


class BookletEdition(PdfEdition):
    """The handout: the book laid out on half-size pages, imposed two-up for saddle stitching.

    The pages are the print edition's at A5 (half-Letter for a Letter book), without tags
    (imposition cannot keep a structure tree), bleed or marks (office duplex printers print
    neither); the sheets are A4 (Letter) landscape.
    """

    format = "booklet"
    printed_as = "booklet"

    def setup(self) -> None:
        half = HALF_SIZES.get(self.book.page_size, "A5")
        self.options = replace(
            self.options, pdf_variant=None, bleed=None, marks=False, page_size=half
        )

    def make(self, on_page: PageCallback | None = None) -> Made:
        rendered = self.render_pdf(on_page)
        sheets = impose(
            rendered.data,
            sheet_size(self.book.page_size),
            self.words("booklet_title", title=self.view.title),
            right_to_left=self.view.direction == "rtl",
        )
        return Made(
            sheets,
            rendered.resources,
            len(saddle_order(rendered.pages)),
            rendered.warnings,
            rendered.page_starts,
        )
