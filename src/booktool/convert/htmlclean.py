"""Cleaning pandoc's HTML fragments before they enter either edition.

Raw HTML written in the Markdown is kept only as far as it is safe. Elements and attributes are
checked against an allow-list: elements that could run code, load content or change the document
(``script``, ``iframe``, ``object``, ``embed``, ``form``, ``style``, ``link`` …) are removed with
their content, event-handler attributes and links that are not http(s), mailto or ``#anchors``
are removed, and any other element outside the list is unwrapped (its text is kept). Each removal
is a warning naming the Markdown file and the line of the tag. Images are confined to
``manuscript/`` and checked (:mod:`booktool.source.images`). Each fragment is then serialised
again as well-formed XHTML (EPUBCheck rejects HTML-only syntax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from booktool.convert.anchors import FileAnchors, prefix_ids, resolve_links
from booktool.convert.repair import repair_tables
from booktool.convert.styles import declarations
from booktool.convert.urls import normal_web_url
from booktool.errors import Problem
from booktool.language.typography import needs_typography, set_typography
from booktool.source.locator import Locator
from booktool.source.media import Refusal, resolve_local

#: Deeper nesting than this (quotes in quotes, lists in lists) is refused: WeasyPrint's layout
#: recurses per level and gives out between 120 and 190 levels, and no reader could follow it.
MAX_DEPTH = 64

_ALLOWED = """a abbr article aside b bdi bdo blockquote br caption cite code col colgroup dd del
dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd label li mark
ol p pre q rp rt ruby s samp section small span strong sub sup table tbody td tfoot th thead time
tr u ul var wbr"""
ALLOWED_ELEMENTS = frozenset(_ALLOWED.split())
#: Removed with everything inside them, and why.
REMOVED_ELEMENTS: dict[str, str] = {
    **dict.fromkeys(("script", "noscript", "template"), "books carry no scripts"),
    **dict.fromkeys(
        ("iframe", "frame", "frameset", "object", "embed", "applet", "portal", "param"),
        "it would load content from outside the book",
    ),
    **dict.fromkeys(
        ("form", "input", "button", "select", "textarea", "option", "dialog"),
        "books carry no forms",
    ),
    **dict.fromkeys(
        ("style", "link", "meta", "base", "head", "title"),
        "styles and document settings belong in layouts/",
    ),
    **dict.fromkeys(
        ("svg", "canvas", "audio", "video", "source", "track", "picture", "map", "area"),
        "add pictures as Markdown images: ![description](file.png)",
    ),
}
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "role", "style", "tabindex"})
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "time": frozenset({"datetime"}),
}
#: Presentation MathML (what pandoc writes for ``$…$``), without links or actions.
_MATHML = """math semantics annotation mrow mi mo mn ms mtext mspace msup msub msubsup mfrac msqrt
mroot munder mover munderover mtable mtr mtd mstyle mpadded mphantom menclose merror mfenced
mmultiscripts mprescripts none mlabeledtr maligngroup malignmark"""
MATHML_ELEMENTS = frozenset(_MATHML.split())
MATHML_ATTRIBUTES = frozenset(
    """display xmlns encoding mathvariant mathsize mathcolor stretchy fence form separator
    separators lspace rspace accent accentunder linethickness columnalign rowalign columnspacing
    rowspacing columnlines rowlines frame width height depth voffset scriptlevel displaystyle
    movablelimits largeop symmetric maxsize minsize notation open close bevelled numalign
    denomalign columnspan rowspan alttext""".split()  # noqa: SIM905 (a list of names, as above)
)
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: Attributes outside the allow-list that would load, embed or attach something.
_LOADING = "rel srcset action formaction xlink:href background poster longdesc cite data ping"
LOADING_ATTRIBUTES = frozenset(_LOADING.split())
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript"})
#: What an attribute's name can be; anything else is text an unclosed tag swallowed.
_ATTRIBUTE_NAME = re.compile(r"[a-z_:][-a-z0-9_:.]*", re.IGNORECASE)
_UNSAFE_STYLE = re.compile(
    r"url\s*\(|@import|expression\s*\(|javascript:|behavior|binding|\\", re.IGNORECASE
)


@dataclass
class CleanResult:
    """Cleaned fragments, the files they reference, what was refused and what was removed."""

    html: dict[Path, str] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _Cleaner:
    """Cleans the fragments of one Markdown file, recording what it refused or removed."""

    def __init__(self, path: Path, manuscript: Path, locator: Locator, result: CleanResult):
        self.path = path
        self.manuscript = manuscript
        self.locate = locator
        self.result = result

    def warn(self, line: int | None, message: str, hint: str, code: str) -> None:
        self.result.warnings.append(Problem(self.path, line, message, hint, code=code))

    def refuse(self, line: int | None, message: str, hint: str, code: str) -> None:
        self.result.problems.append(Problem(self.path, line, message, hint, code=code))

    def clean(self, root: lxml.html.HtmlElement) -> None:
        elements = list(root.iter())
        # A formula's own elements are checked with it (MathML's allow-list, not HTML's).
        in_formulas = {e for math in root.iter("math") for e in math.iterdescendants()}
        for element in elements:
            if element is root or element in in_formulas or not _attached(element, root):
                continue
            if not isinstance(element.tag, str):  # comments, processing instructions
                element.drop_tree()
                continue
            tag = element.tag.lower()
            if tag == "math":
                self.formula(element)
            elif tag == "span" and "math" in (element.get("class") or "").split():
                self.unread_formula(element)
            elif tag == "input" and element.get("type") == "checkbox":  # pandoc's task lists
                _replace_with_text(element, "☒ " if element.get("checked") is not None else "☐ ")
            elif tag in REMOVED_ELEMENTS:
                line = self.locate.line(rf"<{re.escape(tag)}\b")
                self.warn(
                    line,
                    f"removed raw HTML <{tag}>: {REMOVED_ELEMENTS[tag]}",
                    "write it in Markdown or remove it",
                    "unsafe-html",
                )
                element.drop_tree()
            elif tag not in ALLOWED_ELEMENTS:
                line = self.locate.line(rf"<{re.escape(tag)}\b")
                self.warn(
                    line,
                    f"unsupported raw HTML <{tag}>: its text is kept without it",
                    "write it in Markdown",
                    "unsupported-html",
                )
                element.drop_tag()
            else:
                self.attributes(element, tag)
                if tag == "img":
                    self.image(element)

    def attributes(self, element: lxml.html.HtmlElement, tag: str) -> None:
        allowed = ELEMENT_ATTRIBUTES.get(tag, frozenset())
        text = [name for name in element.attrib if not _ATTRIBUTE_NAME.fullmatch(name)]
        if text:
            kept = GLOBAL_ATTRIBUTES | allowed
            text += [n for n, v in element.attrib.items() if not v and n not in kept | {*text}]
            # A tag left open: the words after it became "attributes" up to the next ">".
            self.warn(
                self.locate.literal(text[0]) or self.locate.line(rf"<{re.escape(tag)}\b"),
                f"raw HTML <{tag}> is not closed by '>', so the text after it was read as "
                f"its attributes ({' '.join(text[:3])}{' …' if len(text) > 3 else ''}) and "
                "removed",
                "close the tag with '>'",
                "unsupported-html",
            )
            for name in text:
                del element.attrib[name]
        for name, value in list(element.attrib.items()):
            name = name.lower()
            if name.startswith("on"):
                self.warn(
                    self.locate.line(rf"\b{re.escape(name)}\s*="),
                    f"removed event handler {name} from <{tag}>: books carry no scripts",
                    "remove it from the Markdown",
                    "unsafe-html",
                )
            elif name == "style" and _UNSAFE_STYLE.search(value):
                self.warn(
                    self.locate.literal(value) or self.locate.line(r"\bstyle\s*="),
                    f"removed style '{value}' from <{tag}>: it could load files",
                    "put styles in layouts/",
                    "unsafe-html",
                )
            elif name == "style":
                self.style(element, tag, value)
                continue
            elif name == "href" and not _safe_link(value):
                self.warn(
                    self.locate.url(value) or self.locate.line(r"\bhref\s*="),
                    f"removed link '{value}' from <{tag}>: only http, https, mailto "
                    "and #anchors are kept",
                    "link to a web page or to a heading in the book",
                    "unsafe-html" if _scheme(value) in SCRIPT_SCHEMES else "link-target",
                )
            elif name == "href" and _scheme(value) in ("http", "https"):
                self.web_link(element, value)
                continue
            elif name in GLOBAL_ATTRIBUTES | allowed or name.startswith(("aria-", "data-")):
                continue
            else:
                self.warn(
                    self.locate.line(rf"\b{re.escape(name)}\s*="),
                    f'removed attribute {name}="{value}" from <{tag}>',
                    "booktool keeps only plain HTML attributes",
                    "unsafe-html" if name in LOADING_ATTRIBUTES else "unsupported-html",
                )
            del element.attrib[name]

    def style(self, element: lxml.html.HtmlElement, tag: str, style: str) -> None:
        """An inline style with the declarations WeasyPrint would ignore removed, each with a
        warning at its line (WeasyPrint's own would name no file)."""
        found = declarations(style)
        invalid = [declaration.text for declaration in found if not declaration.valid]
        if not invalid:
            return
        for text in invalid:
            self.warn(
                self.locate.literal(text) or self.locate.line(r"\bstyle\s*="),
                f"removed '{text}' from the style of <{tag}>: it is not CSS that the "
                "print edition can read",
                "check the property's name and value",
                "unsupported-html",
            )
        kept = "; ".join(declaration.text for declaration in found if declaration.valid)
        if kept:
            element.set("style", kept)
        else:
            del element.attrib["style"]

    def web_link(self, element: lxml.html.HtmlElement, url: str) -> None:
        """A web link percent-encoded as a browser would send it; one that is no web address
        is dropped, its text kept."""
        normal = normal_web_url(url)
        if normal is not None:
            element.set("href", normal)
            return
        self.warn(
            self.locate.url(url) or self.locate.line(r"\bhref\s*="),
            f"removed link '{url}': it is not a valid web address (its text is kept)",
            "check the address",
            "link-target",
        )
        del element.attrib["href"]

    def formula(self, math: lxml.html.HtmlElement) -> None:
        """MathML kept as it is if every element and attribute in it is plain presentation
        MathML (no links, no actions), with its TeX source as ``alttext``; else removed."""
        for element in math.iter():
            if not isinstance(element.tag, str) or element.tag.lower() not in MATHML_ELEMENTS:
                name = element.tag if isinstance(element.tag, str) else "comment"
                self.warn(
                    self.locate.line(r"<math\b|\$"),
                    f"removed a formula holding <{name}>: only presentation MathML is kept",
                    "write the formula in TeX between $ signs",
                    "unsafe-html",
                )
                math.drop_tree()
                return
            for name in list(element.attrib):
                if name.lower() not in MATHML_ATTRIBUTES:
                    del element.attrib[name]
        math.set("xmlns", MATHML_NS)
        source = math.find(".//annotation")
        if source is not None and source.text and not math.get("alttext"):
            math.set("alttext", source.text.strip())

    def unread_formula(self, span: lxml.html.HtmlElement) -> None:
        """A formula pandoc could not read: its TeX shown as code, with a warning."""
        written = span.text_content()
        tex = written.strip().strip("$").strip()
        self.warn(
            self.locate.literal(written),
            f"formula '{tex}' could not be read: it is shown as its TeX source",
            "check its braces and commands",
            "formula",
        )
        span.tag = "code"
        span.attrib.clear()
        span.set("class", "formula-source")

    def image(self, img: lxml.html.HtmlElement) -> None:
        src = img.get("src", "")
        href = self.confine(src, self.locate.literal(src) if src else None)
        img.set("src", href or "")
        if img.get("alt") is None:
            img.set("alt", "")

    def confine(self, src: str, line: int | None) -> str | None:
        """The image's path inside the book, or None (and a problem) if it cannot be used."""
        try:
            href, path = resolve_local(src, self.path.parent, self.manuscript)
        except Refusal as refusal:
            self.refuse(line, f"image '{src}' {refusal.message}", refusal.hint, refusal.code)
            return None
        self.result.media[href] = path
        return href


def _scheme(url: str) -> str:
    return urlsplit(url.strip()).scheme.lower()


def _safe_link(url: str) -> bool:
    url = url.strip()
    return url.startswith("#") or _scheme(url) in LINK_SCHEMES


def _attached(element: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors())


def _replace_with_text(element: lxml.html.HtmlElement, text: str) -> None:
    element.tail = text + (element.tail or "")
    element.drop_tree()


def _depth(root: lxml.html.HtmlElement) -> int:
    depths = {root: 0}
    deepest = 0
    for element in root.iterdescendants():
        depth = depths[element.getparent()] + 1
        depths[element] = depth
        deepest = max(deepest, depth)
    return deepest


def _parse(fragment: str) -> lxml.html.HtmlElement:
    # huge_tree: libxml2 otherwise drops everything below 255 levels without a word.
    parser = lxml.html.HTMLParser(huge_tree=True)
    root: lxml.html.HtmlElement = lxml.html.fragment_fromstring(
        fragment, create_parent="div", parser=parser
    )
    return root


def _serialise(root: lxml.html.HtmlElement) -> str:
    serialised = etree.tostring(root, encoding="unicode", method="xml")
    if serialised == "<div/>":
        return ""
    return re.sub(r"\A<div>|</div>\Z", "", serialised).strip()


def clean_fragments(
    html: dict[Path, str],
    manuscript: Path,
    sources: dict[Path, tuple[str, int]],
    prefixes: dict[Path, str] | None = None,
    language: str = "en",
) -> CleanResult:
    """Safe, well-formed fragments; ``sources`` maps each path to (Markdown text, first line),
    ``prefixes`` each path to the prefix of its ids (see :mod:`booktool.convert.anchors`);
    quotation marks and spacing are those of ``language``, the book's (or an element's own)."""
    result = CleanResult()
    files: dict[Path, FileAnchors] = {}
    for path, fragment in html.items():
        result.html[path] = ""
        if not fragment.strip():
            continue
        root = _parse(fragment)
        depth = _depth(root)
        if depth > MAX_DEPTH:
            result.problems.append(
                Problem(
                    path,
                    None,
                    f"the text is nested {depth} levels deep (quotes, lists or blocks inside "
                    f"each other), over the limit of {MAX_DEPTH}",
                    "flatten the nesting",
                    code="too-deep",
                )
            )
            continue
        text, first_line = sources.get(path, ("", 1))
        locator = Locator(text, first_line)
        for repair in repair_tables(root):
            result.warnings.append(
                Problem(
                    path,
                    locator.line(r"<table\b"),
                    repair,
                    "keep raw HTML blocks free of blank lines",
                    code="html-repaired",
                )
            )
        _Cleaner(path, manuscript, locator, result).clean(root)
        files[path] = FileAnchors(root, (prefixes or {}).get(path, ""), text, first_line)
        result.problems += prefix_ids(files[path], path)
    result.problems += resolve_links(files)
    for path, file in files.items():
        if needs_typography(html[path], language):
            set_typography(file.root, language)
        result.html[path] = _serialise(file.root)
    return result
