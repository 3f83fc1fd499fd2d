"""The corpus of broken and hostile manuscripts, each with its exact outcome.

Every case is a base project (tests/hostile.py) with a few files changed, a command, and the
lines booktool must print: for ``error`` the whole of stderr (exit code 1, nothing built, no
traceback); for ``built`` every warning line on stdout (exit code 0, both editions written).
The commands run in the project folder, so paths print relative to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import run_cli
from .hostile import (
    BOOK_YAML,
    Content,
    Lazy,
    Link,
    Sparse,
    builtin,
    giant_png,
    huge_png,
    segment,
    write_project,
)

SEG1 = "manuscript/segments/seg-01.md"
SEG2 = "manuscript/segments/seg-02.md"
BOOK = "manuscript/book.yaml"
FIGURES = "manuscript/figures.yaml"
ID_HINT = "use letters, digits, '-', '_' and '.' (not first), at most 64 characters"
CHART = """\
- id: {id}
  kind: chart
  title: A chart
  alt: Bars.
  source: The film.
  data:
    - {{label: One, value: {value}, at: "00:01:00"}}
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>
"""


def svg(body: str) -> str:
    """An SVG drawing holding ``body``."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10">{body}</svg>\n'
    )


#: SVG that loads or runs something by a route a deny-list missed: (name, body, reason).
HOSTILE_SVG = [
    (
        "css-escape",
        '<rect width="5" height="5" style="fill: \\75 rl(https://example.com/t.png)"/>',
        "<rect> refers to 'url(https://example.com/t.png)'; only url(#id) is allowed",
    ),
    (
        "css-escape-in-a-presentation-attribute",
        '<rect width="5" height="5" fill="\\75 rl(https://example.com/p.svg#p)"/>',
        "<rect> fill refers to 'url(https://example.com/p.svg#p)'; only url(#id) is allowed",
    ),
    (
        "fill-url",
        '<rect width="5" height="5" fill="url(https://example.com/p.svg#p)"/>',
        "<rect> fill refers to 'url(https://example.com/p.svg#p)'; only url(#id) is allowed",
    ),
    *[
        (
            f"{attribute}-url",
            f'<rect width="5" height="5" {attribute}="url(file:///etc/passwd#x)"/>',
            f"<rect> {attribute} refers to 'url(file:///etc/passwd#x)'; only url(#id) is allowed",
        )
        for attribute in ("filter", "mask", "clip-path", "marker-end")
    ],
    (
        "smil-set-href",
        '<a><set attributeName="href" to="https://example.com/"/></a>',
        "it contains <a>, which is not a static SVG drawing element",
    ),
    (
        "smil-animate",
        '<rect width="5" height="5"><animate attributeName="fill" to="red" dur="1s"/></rect>',
        "it contains <animate>, which is not a static SVG drawing element",
    ),
    (
        "nested-svg-document",
        '<image width="5" height="5" href="data:image/svg+xml;base64,PHN2Zy8+"/>',
        "<image> embeds another SVG document (data:image/svg+xml)",
    ),
    (
        "outside-image",
        '<image width="5" height="5" xlink:href="https://example.com/a.png"/>',
        "<image> refers to 'https://example.com/a.png'; only PNG, JPEG, GIF or WebP data: images",
    ),
    (
        "use-outside",
        '<use href="other.svg#shape"/>',
        "<use> refers to 'other.svg#shape' outside the drawing",
    ),
    (
        "event-attribute",
        '<rect width="5" height="5" onload="alert(1)"/>',
        "<rect> has the attribute onload, which is not a safe SVG attribute",
    ),
    (
        "foreign-object",
        "<foreignObject><p>x</p></foreignObject>",
        "it contains <foreignObject>, which is not a static SVG drawing element",
    ),
    (
        "escaped-import",
        "<style>@\\69mport 'https://example.com/x.css';</style>",
        "<style> has '@import' in its style, which could load or run content",
    ),
]
NO_SEGMENTS = "A summary paragraph and nothing else.\n"
OUT_OF_ORDER = "Summary.\n\n• 00:05:00 Second part.\n• 00:01:00 First part.\n"
DEEP = ">" * 400 + " deep\n"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8
TABLE = f"| Term | Meaning |\n|---|---|\n| {LONG_WORD} | a lung disease |\n"
CELL = "<br/>".join(f"line {i}" for i in range(1500))
UNSPLITTABLE = f"| a | b |\n|---|---|\n| {CELL} | x |\n"
ATTACHMENT_TITLE = (
    '{% extends "builtin/_title_page.html" %}\n{% block title_page_extra %}\n'
    '<p><a rel="attachment" href="file:///etc/passwd">notes</a></p>\n{% endblock %}\n'
)


def escaping_title(expression: str) -> str:
    """A project title page that extends the built-in one and runs ``expression`` on line 3."""
    return (
        '{% extends "builtin/_title_page.html" %}\n{% block title_page_extra %}\n'
        f"{expression}\n{{% endblock %}}\n"
    )


#: Known ways out of a Jinja template, each refused by the sandbox: (name, line 3, attribute).
ESCAPES = [
    ("mro-subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "'__class__' of 'str'"),
    (
        "globals-os",
        "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}",
        "'__init__' of 'type'",
    ),
    (
        "builtins",
        "{{ joiner.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
        "'__init__' of 'type'",
    ),
    (
        "namespace-internals",
        "{{ namespace().__class__.__init__.__globals__ }}",
        "'__class__' of 'Namespace'",
    ),
    (
        "template-reference",
        "{{ self._TemplateReference__context.environment }}",
        "'_TemplateReference__context' of 'TemplateReference'",
    ),
    ("attr-filter", "{{ book|attr('__class__') }}", "'__class__' of 'BookView'"),
    (
        "format-string",
        "{{ '{0.__class__.__init__.__globals__}'.format(book) }}",
        "'__class__' of 'BookView'",
    ),
    (
        "loop-internals",
        "{% for c in book.chapters %}{{ loop.__class__ }}{% endfor %}",
        "'__class__' of 'LoopContext'",
    ),
]


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, Content]
    outcome: str  # "error" or "built"
    lines: list[str]
    args: tuple[str, ...] = ("build", ".")
    notes: dict[str, str] = field(default_factory=dict)


CASES = [
    # --- front matter and text encodings -------------------------------------------------------
    Case(
        "front-matter-not-closed",
        {SEG1: "---\nid: seg-01\ntitle: One\n\nThe text.\n"},
        "error",
        [f"{SEG1}:1: error[front-matter]: front matter is not closed; end it with a '---' line"],
    ),
    Case(
        "front-matter-a-list",
        {SEG1: "---\n- id\n- title\n---\n\nText.\n"},
        "error",
        [f"{SEG1}:2: error[front-matter]: front matter must be a mapping of keys to values"],
    ),
    Case(
        "bom-and-crlf",
        {SEG1: "\ufeff" + segment(1, "Windows line ends.\n").replace("\n", "\r\n")},
        "built",
        [],
    ),
    Case(
        "not-utf8",
        {SEG2: segment(2, "Caf\xe9 cr\xe8me.\n").encode("latin-1")},
        "error",
        [f"{SEG2}:7:4: error[not-utf8]: not UTF-8 (byte 56: 0xe9); save the file as UTF-8"],
    ),
    Case(
        "duplicate-keys",
        {SEG1: segment(1, "Text.\n", extra="title: Again\n")},
        "error",
        [
            f"{SEG1}:5:1: error[yaml-duplicate-key]: duplicate key 'title' (first on line 3); "
            "keep one of them"
        ],
    ),
    Case(
        "alias-bomb",
        {
            BOOK: "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
        },
        "error",
        [
            f"{BOOK}:2:8: error[yaml-syntax]: YAML error: aliases (*name) are not allowed in "
            "booktool files; fix the YAML syntax"
        ],
    ),
    Case(
        "python-object-tag",
        {SEG1: segment(1, "Text.\n", extra="x: !!python/object/apply:os.system [id]\n")},
        "error",
        [
            f"{SEG1}:5: error[yaml-unsafe]: unsupported YAML tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'; use plain text, numbers, lists"
        ],
    ),
    Case(
        "unknown-front-matter-key",
        {SEG1: segment(1, "Text.\n", extra="speaker: Mao\n")},
        "error",
        [
            f"{SEG1}:5: error[unknown-key]: unknown front matter key 'speaker'; "
            "known keys: end, id, notes, start, title"
        ],
    ),
    # --- the summary text and the segments' times ----------------------------------------------
    Case(
        "import-no-segments",
        {"summary.txt": NO_SEGMENTS},
        "error",
        [
            "summary.txt: error[no-segments]: no segments found; "
            "add lines like '• 00:05:00 What happens here'"
        ],
        args=("import", "summary.txt", "new"),
    ),
    Case(
        "import-out-of-order",
        {"summary.txt": OUT_OF_ORDER},
        "error",
        [
            "summary.txt:4: error[timestamp-order]: timestamp 00:01:00 comes before the previous "
            "segment's 00:05:00 (line 3); put the segments in time order, each with its own start"
        ],
        args=("import", "summary.txt", "new"),
    ),
    Case(
        "overlapping-times",
        {SEG1: segment(1, "Text.\n", extra="end: 00:07:30\n")},
        "error",
        [
            f"{SEG1}:5: error[segment-overlap]: ends at 00:07:30, after 'seg-02' starts "
            "(00:05:00); end it at 00:05:00 or drop 'end'"
        ],
    ),
    Case(
        "segment-time-not-a-time",
        {SEG2: segment(2, "Text.\n", start="00:99:00")},
        "error",
        [f"{SEG2}:4: error[segment-times]: 'start': '00:99:00': minutes must be below 60"],
    ),
    Case(
        "book-yaml-not-a-mapping",
        {BOOK: "Hostile Test\n"},
        "error",
        [f"{BOOK}:1: error[config]: book.yaml must be a mapping of keys to values"],
    ),
    Case(
        "same-start",
        {SEG2: segment(2, "Text.\n", start="00:00:00")},
        "error",
        [
            f"{SEG2}:4: error[segment-times]: starts at 00:00:00, as seg-01.md does; "
            "give each segment its own start time"
        ],
    ),
    Case(
        "duplicate-ids",
        {SEG2: segment(2, "Text.\n").replace("id: seg-02", "id: seg-01")},
        "error",
        [
            f"{SEG2}:2: error[duplicate-id]: segment id 'seg-01' is also used by seg-01.md; "
            "give each segment its own id"
        ],
    ),
    Case(
        "empty-chapter",
        {SEG2: segment(2, "\n\n")},
        "error",
        [f"{SEG2}:6: error[empty-segment]: segment has no text; write its text"],
    ),
    Case(
        "fifty-megabytes",
        {SEG2: Sparse(50 * 1024 * 1024)},
        "error",
        [
            f"{SEG2}: error[file-too-large]: file is 51200 KiB, over the 4096 KiB limit; "
            "split it into smaller files"
        ],
    ),
    # --- ids: one rule for every id, never a path ------------------------------------------------
    Case(
        "figure-id-zip-slip",
        {FIGURES: CHART.format(id="../../evil", value="3")},
        "error",
        [f"{FIGURES}:1: error[bad-id]: figure id '../../evil' is not a valid id; {ID_HINT}"],
        args=("build", ".", "--format", "epub"),
    ),
    Case(
        "figure-id-a-path-in-the-pdf",
        {FIGURES: CHART.format(id="sub/chart", value="3")},
        "error",
        [f"{FIGURES}:1: error[bad-id]: figure id 'sub/chart' is not a valid id; {ID_HINT}"],
        args=("build", ".", "--format", "pdf"),
    ),
    Case(
        "segment-id-a-path",
        {SEG2: segment(2, "Text.\n").replace("id: seg-02", "id: ../seg-02")},
        "error",
        [f"{SEG2}:2: error[bad-id]: segment id '../seg-02' is not a valid id; {ID_HINT}"],
    ),
    Case(
        "chapter-id-hidden",
        {BOOK: BOOK_YAML.replace("- id: one", "- id: .one")},
        "error",
        [f"{BOOK}:9: error[bad-id]: chapter id '.one' is not a valid id; {ID_HINT}"],
    ),
    Case(
        "chronology-id-a-path",
        {
            "manuscript/chronology.yaml": "- id: a/b\n  date: 1958\n  event: Something.\n"
            "  segments: [seg-01]\n"
        },
        "error",
        [
            f"manuscript/chronology.yaml:1: error[bad-id]: chronology id 'a/b' is not a valid "
            f"id; {ID_HINT}"
        ],
    ),
    Case(
        "source-id-a-path",
        {"manuscript/sources.yaml": "- id: x/../y\n  type: book\n  title: A Book\n"},
        "error",
        [
            f"manuscript/sources.yaml:1: error[bad-id]: source id 'x/../y' is not a valid id; "
            f"{ID_HINT}"
        ],
    ),
    # --- values that crash a build: dates, numbers, characters ----------------------------------
    *[
        Case(
            f"impossible-date-{command}",
            {BOOK: BOOK_YAML.replace("2026-01-01", "2026-02-30")},
            "error",
            [
                f"{BOOK}:4: error[yaml-value]: '2026-02-30' is not a date in the calendar (day "
                "is out of range for month); write a real date as YYYY-MM-DD"
            ],
            args=(command, "."),
        )
        for command in ("check", "build")
    ],
    Case(
        "date-year-one",
        {BOOK: BOOK_YAML.replace("2026-01-01", "0001-01-01")},
        "error",
        [
            f"{BOOK}:4: error[config]: 'date': 0001-01-01 is outside the years 1000 to 2107; "
            "write it as YYYY-MM-DD"
        ],
        args=("check", "."),
    ),
    *[
        Case(
            f"chart-value-{name}",
            {FIGURES: CHART.format(id="chart", value=value)},
            "error",
            [
                f"{FIGURES}:7: error[figure]: a data point needs a number 'value' from 0 to "
                "1e+15; write the value in larger units (e.g. million) if it is larger"
            ],
            args=("check", "."),
        )
        for name, value in [
            ("nan", ".nan"),
            ("inf", ".inf"),
            ("huge-float", "1.7e+308"),
            ("huge-int", "1" + "0" * 400),
        ]
    ],
    Case(
        "chart-at-huge",
        {FIGURES: CHART.format(id="chart", value="3").replace('"00:01:00"', "9" * 30)},
        "error",
        [
            f"{FIGURES}:7: error[bad-timestamp]: 'at': {'9' * 30} seconds is not a timestamp of "
            "a source (0 to 999:59:59)"
        ],
        args=("check", "."),
    ),
    *[
        Case(
            f"noncharacter-{name}",
            {SEG2: segment(2, f"A {text} here.\n")},
            "error",
            [f"{SEG2}:7:3: error[bad-character]: {message}; remove it"],
            args=("check", "."),
        )
        for name, text, message in [
            ("typed", "\ufffe", "U+FFFE (a noncharacter) cannot be in a book"),
            ("typed-ffff", "\uffff", "U+FFFF (a noncharacter) cannot be in a book"),
            (
                "hex-entity",
                "&#xFFFE;",
                "'&#xFFFE;' is U+FFFE (a noncharacter), which cannot be in a book",
            ),
            (
                "decimal-entity",
                "&#65535;",
                "'&#65535;' is U+FFFF (a noncharacter), which cannot be in a book",
            ),
            (
                "control-entity",
                "&#1;",
                "'&#1;' is U+0001 (a control character), which cannot be in a book",
            ),
        ]
    ],
    Case(
        "noncharacter-in-a-yaml-escape",
        {BOOK: BOOK_YAML.replace("title: One", 'title: "One\\uFFFF"')},
        "error",
        [
            f"{BOOK}:10: error[bad-character]: the text holds U+FFFF (a noncharacter), which "
            "cannot be in a book; remove the escape that writes it"
        ],
    ),
    *[
        Case(
            f"control-character-in-the-title-{name}",
            {BOOK: BOOK_YAML.replace("title: Hostile Test", f'title: "Hostile{escape}Test"')},
            "error",
            [
                f"{BOOK}:1: error[bad-character]: the text holds {shown} (a control "
                "character), which cannot be in a book; remove the escape that writes it"
            ],
        )
        for name, escape, shown in [("bell", "\\a", "U+0007"), ("x01", "\\x01", "U+0001")]
    ],
    Case(
        "noncharacter-by-import",
        {"summary.txt": "Summary.\n\n• 00:01:00 First \ufffe part.\n"},
        "error",
        [
            "summary.txt:3:18: error[bad-character]: U+FFFE (a noncharacter) cannot be in a "
            "book; remove it"
        ],
        args=("import", "summary.txt", "new"),
    ),
    # --- images and links that reach outside ---------------------------------------------------
    Case(
        "missing-image",
        {SEG2: segment(2, "Text.\n\n![A map](../images/map.png)\n")},
        "error",
        [
            f"{SEG2}:9: error[missing-file]: image '../images/map.png' does not exist; "
            "check the file name"
        ],
    ),
    Case(
        "path-traversal",
        {SEG2: segment(2, "Text.\n\n![x](../../../secret.png)\n"), "../secret.png": b"\x89PNG"},
        "error",
        [
            f"{SEG2}:9: error[outside-project]: image '../../../secret.png' is outside "
            "manuscript/; copy it into manuscript/"
        ],
    ),
    Case(
        "symlinked-image",
        {
            SEG2: segment(2, "Text.\n\n![x](../images/pic.png)\n"),
            "../secret.png": b"\x89PNG\r\n\x1a\n",
            "manuscript/images/pic.png": Link("secret.png"),
        },
        "error",
        [
            f"{SEG2}:9: error[outside-project]: image '../images/pic.png' is a link to a file "
            "outside manuscript/; copy it into manuscript/"
        ],
    ),
    Case(
        "symlinked-segment",
        {"../passwords.md": "secret\n", "manuscript/segments/seg-03.md": Link("passwords.md")},
        "error",
        [
            "manuscript/segments/seg-03.md: error[outside-project]: is a link to a file outside "
            "manuscript/; copy the file into manuscript/ instead of linking to it"
        ],
    ),
    Case(
        "file-url-image",
        {SEG2: segment(2, "Text.\n\n![x](file:///etc/hostname)\n")},
        "error",
        [
            f"{SEG2}:9: error[not-local]: image 'file:///etc/hostname' is not a file in the "
            "manuscript; copy it into manuscript/ and use a relative path"
        ],
    ),
    Case(
        "remote-image",
        {SEG2: segment(2, "Text.\n\n<img src='https://example.com/a.png'>\n")},
        "error",
        [
            f"{SEG2}:9: error[not-local]: image 'https://example.com/a.png' is not a file in the "
            "manuscript; copy it into manuscript/ and use a relative path"
        ],
    ),
    Case(
        "file-attachment-link",
        {SEG2: segment(2, "See [the notes](file:///etc/passwd){rel=attachment}.\n")},
        "built",
        [
            f"{SEG2}:7: warning[link-target]: removed link 'file:///etc/passwd' from <a>: only "
            "http, https, mailto and #anchors are kept; link to a web page or to a heading in "
            "the book",
            f'{SEG2}:7: warning[unsafe-html]: removed attribute rel="attachment" from <a>; '
            "booktool keeps only plain HTML attributes",
        ],
    ),
    Case(
        "attachment-in-a-layout",
        {"layouts/_title_page.html": ATTACHMENT_TITLE},
        "error",
        [
            "layouts/_title_page.html:3: error[not-local]: refused to load 'file:///etc/passwd'; "
            "only files in manuscript/ and layouts/ may be used"
        ],
    ),
    Case(
        "remote-stylesheet-in-a-layout",
        {"layouts/print.css": "@import url(https://example.com/x.css);\n" + builtin("print.css")},
        "error",
        [
            "layouts/print.css:1: error[not-local]: refused to load 'https://example.com/x.css'; "
            "only files in manuscript/ and layouts/ may be used"
        ],
    ),
    Case(
        "symlinked-stylesheet",
        {"../outside.css": "p { color: red; }\n", "layouts/print.css": Link("outside.css")},
        "error",
        [
            "layouts/print.css: error[outside-project]: 'print.css' leads outside layouts/; "
            "copy the file into layouts/ instead of linking to it"
        ],
    ),
    Case(
        "symlinked-template",
        {"../outside.html": "<p>stolen</p>\n", "layouts/_section.html": Link("outside.html")},
        "error",
        [
            "layouts/_section.html: error[outside-project]: layout is a link to a file outside "
            "layouts/; copy the file into layouts/ instead of linking to it"
        ],
    ),
    # --- raw HTML and SVG ----------------------------------------------------------------------
    Case(
        "raw-script",
        {SEG2: segment(2, "Before.\n\n<script>fetch('https://example.com')</script>\n\nAfter.\n")},
        "built",
        [
            f"{SEG2}:9: warning[unsafe-html]: removed raw HTML <script>: books carry no scripts; "
            "write it in Markdown or remove it"
        ],
    ),
    Case(
        "iframe-and-event-handler",
        {
            SEG2: segment(
                2,
                'A <b onclick="steal()">bold</b> claim.\n\n'
                '<iframe src="https://example.com"></iframe>\n',
            )
        },
        "built",
        [
            f"{SEG2}:7: warning[unsafe-html]: removed event handler onclick from <b>: books "
            "carry no scripts; remove it from the Markdown",
            f"{SEG2}:9: warning[unsafe-html]: removed raw HTML <iframe>: it would load content "
            "from outside the book; write it in Markdown or remove it",
        ],
    ),
    Case(
        "javascript-link",
        {SEG2: segment(2, "A [link](javascript:alert(1)) here.\n")},
        "built",
        [
            f"{SEG2}:7: warning[unsafe-html]: removed link 'javascript:alert(1)' from <a>: only "
            "http, https, mailto and #anchors are kept; link to a web page or to a heading in "
            "the book"
        ],
    ),
    Case(
        "corrupt-image",
        {
            SEG2: segment(2, "Text.\n\n![A photo](../images/photo.png)\n"),
            "manuscript/images/photo.png": b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        },
        "built",
        [
            "manuscript/images/photo.png: warning[image-corrupt]: image cannot be decoded, so "
            "the PDF leaves it out; export the image again"
        ],
    ),
    Case(
        "svg-external-entity",
        {
            SEG2: segment(2, "Text.\n\n![x](../images/x.svg)\n"),
            "manuscript/images/x.svg": EXTERNAL_ENTITY,
        },
        "error",
        [
            f"{SEG2}:9: error[unsafe-svg]: image '../images/x.svg' is refused: it declares a DTD "
            "or entities, which booktool refuses (DTDForbidden); use a plain SVG drawing, or a PNG"
        ],
    ),
    Case(
        "svg-billion-laughs",
        {
            SEG2: segment(2, "Text.\n\n![x](../images/lol.svg)\n"),
            "manuscript/images/lol.svg": BILLION_LAUGHS,
        },
        "error",
        [
            f"{SEG2}:9: error[unsafe-svg]: image '../images/lol.svg' is refused: it declares a "
            "DTD or entities, which booktool refuses (DTDForbidden); use a plain SVG drawing, "
            "or a PNG"
        ],
    ),
    *[
        Case(
            f"svg-{name}",
            {
                SEG2: segment(2, "Text.\n\n![x](../images/x.svg)\n"),
                "manuscript/images/x.svg": svg(body),
            },
            "error",
            [
                f"{SEG2}:9: error[unsafe-svg]: image '../images/x.svg' is refused: {reason}; "
                "use a plain SVG drawing, or a PNG"
            ],
        )
        for name, body, reason in HOSTILE_SVG
    ],
    Case(
        "svg-plain-drawing-with-local-references",
        {
            SEG2: segment(2, "Text.\n\n![x](../images/x.svg)\n"),
            "manuscript/images/x.svg": svg(
                '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
                '</linearGradient><clipPath id="c"><rect width="5" height="5"/></clipPath>'
                '<filter id="f"><feGaussianBlur stdDeviation="1"/></filter></defs>'
                '<rect width="10" height="10" fill="url(#g)" clip-path="url(\'#c\')" '
                'style="filter: url(#f); stroke: black"/><use href="#c"/>'
            ),
        },
        "built",
        [],
    ),
    Case(
        "deep-nesting",
        {SEG2: segment(2, DEEP)},
        "error",
        [
            f"{SEG2}: error[too-deep]: the text is nested 401 levels deep (quotes, lists or "
            "blocks inside each other), over the limit of 64; flatten the nesting"
        ],
    ),
    *[
        Case(
            f"image-too-many-pixels-{edition}",
            {
                SEG2: segment(2, "A poster.\n\n![A poster](../images/poster.png)\n"),
                "manuscript/images/poster.png": Lazy(giant_png),
            },
            "error",
            [
                "manuscript/images/poster.png: error[image-too-large]: image is 20000 × 20000 "
                "pixels (400 megapixels), over the limit of 50 megapixels; scale it down, or "
                "raise limits.max_megapixels in book.yaml"
            ],
            args=("build", ".", "--format", edition),
        )
        for edition in ("epub", "pdf")
    ],
    Case(
        "figure-image-over-a-lower-limit",
        {
            BOOK: BOOK_YAML + "limits:\n  max_megapixels: 60\n",
            FIGURES: "- id: poster\n  kind: image\n  title: A poster\n  alt: A poster.\n"
            "  source: The film.\n  file: images/poster.png\n",
            "manuscript/images/poster.png": Lazy(huge_png),
        },
        "error",
        [
            "manuscript/images/poster.png: error[image-too-large]: image is 9000 × 9000 "
            "pixels (81 megapixels), over the limit of 60 megapixels; scale it down, or "
            "raise limits.max_megapixels in book.yaml"
        ],
    ),
    # --- layouts, fonts and text the fonts cannot draw -----------------------------------------
    Case(
        "template-syntax-error",
        {"layouts/_section.html": "<section>\n{% if %}\n</section>\n"},
        "error",
        [
            "layouts/_section.html:2: error[template-syntax]: template error: Expected an "
            "expression, got 'end of statement block'; fix the template"
        ],
    ),
    Case(
        "corrupt-font",
        {
            "layouts/fonts/broken.ttf": b"\x00\x01\x00\x00" + bytes(range(256)) * 8,
            "layouts/print.css": builtin("print.css")
            + "@font-face { font-family: Broken; src: url(fonts/broken.ttf); }\n"
            "p { font-family: Broken, serif; }\n",
        },
        "built",
        [
            "layouts/fonts/broken.ttf: warning[font-corrupt]: font cannot be read (it has no "
            "'cmap' table); its text falls back to another font; replace the font file"
        ],
    ),
    Case(
        "missing-glyphs",
        {SEG2: segment(2, "The letters \U00010570 and \U00010571 are Vithkuqi.\n")},
        "built",
        [
            f"{SEG2}:7: warning[missing-glyphs]: no font can draw '\U00010570' (U+10570 "
            "VITHKUQI CAPITAL LETTER A, Vithkuqi), '\U00010571' (U+10571 VITHKUQI CAPITAL "
            "LETTER BBE, Vithkuqi); add a font with the Vithkuqi script to layouts/ "
            "(@font-face in print.css)"
        ],
    ),
    Case(
        "system-font-by-local",
        {
            "layouts/print.css": builtin("print.css")
            + '@font-face { font-family: Sys; src: local("DejaVu Sans"); }\n'
            "p { font-family: Sys, serif; }\n"
        },
        "error",
        [
            f"layouts/print.css:{len(builtin('print.css').splitlines()) + 1}: error[not-local]: "
            "refused to load the system font 'DejaVuSans.ttf' that local() names; put the font "
            "file in layouts/ and load it with url()"
        ],
        args=("build", ".", "--format", "pdf"),
    ),
    Case("word-too-long-for-a-table-cell", {SEG2: segment(2, TABLE)}, "built", []),
    Case(
        "script-in-an-epub-layout",
        {
            "layouts/epub-chapter.xhtml": builtin("epub-chapter.xhtml").replace(
                "{% endblock %}\n{% block body_class %}",
                '<script src="https://example.com/track.js"></script>\n'
                "{% endblock %}\n{% block body_class %}",
            )
        },
        "error",
        [
            "layouts/epub-chapter.xhtml:6: error[unsafe-layout]: <script> in a layout: books "
            "carry no scripts; remove it from the layout",
            "layouts/epub-chapter.xhtml:6: error[unsafe-layout]: 'https://example.com/track.js' "
            "would be loaded from outside the book; remove it from the layout",
        ],
    ),
    Case(
        "remote-font-in-the-epub-stylesheet",
        {"layouts/epub.css": "@import 'https://example.com/fonts.css';\n"},
        "error",
        [
            "layouts/epub.css:1: error[unsafe-layout]: 'https://example.com/fonts.css' in a "
            "stylesheet: the EPUB carries no files for it; keep url() and @import for print.css "
            "only"
        ],
    ),
    # --- layouts run in Jinja's sandbox ---------------------------------------------------------
    *[
        Case(
            f"template-escape-{name}",
            {"layouts/_title_page.html": escaping_title(expression)},
            "error",
            [
                f"layouts/_title_page.html:3: error[template-unsafe]: template refused: access "
                f"to attribute {attribute} object is unsafe; a layout may use only the data "
                "booktool gives it"
            ],
        )
        for name, expression, attribute in ESCAPES
    ],
    Case(
        "template-range-bomb",
        {
            "layouts/_title_page.html": escaping_title(
                "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}"
            )
        },
        "error",
        [
            "layouts/_title_page.html:3: error[template-unsafe]: template refused: the template "
            "wrote more than 64 MiB; keep the layout's loops and values to the book's size"
        ],
    ),
    Case(
        "template-string-bomb",
        {"layouts/_title_page.html": escaping_title("{{ 'x' * 10 ** 9 }}")},
        "error",
        [
            "layouts/_title_page.html:3: error[template-unsafe]: template refused: the template "
            "made a value larger than a book; keep the layout's loops and values to the book's size"
        ],
    ),
    Case(
        "template-format-bomb",
        {"layouts/_title_page.html": escaping_title("{{ '%0999999999d' % 1 }}")},
        "error",
        [
            "layouts/_title_page.html:3: error[template-unsafe]: template refused: a format "
            "width or precision is too large; keep the layout's loops and values to the book's "
            "size"
        ],
    ),
    Case(
        "template-recursion",
        {
            "layouts/_title_page.html": escaping_title(
                "{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}{{ deeper(0) }}"
            )
        },
        "error",
        [
            "layouts/_title_page.html:3: error[template-unsafe]: template refused: a macro calls "
            "itself too deeply; end the macro's recursion"
        ],
    ),
    # --- resource limits -----------------------------------------------------------------------
    Case(
        "render-timeout",
        {BOOK: BOOK_YAML + "limits:\n  render_seconds: 1\n", SEG2: segment(2, UNSPLITTABLE)},
        "error",
        [
            "error[render-timeout]: the PDF did not finish rendering within 1 s; raise "
            "limits.render_seconds in book.yaml, or look for a runaway table or nesting in the "
            "manuscript"
        ],
    ),
    Case(
        "render-memory",
        {
            BOOK: BOOK_YAML + "limits:\n  render_memory_mb: 384\n  max_megapixels: 100\n",
            SEG2: segment(2, "A poster.\n\n![A huge poster](../images/poster.png)\n"),
            "manuscript/images/poster.png": Lazy(huge_png),
        },
        "error",
        [
            "error[render-memory]: the PDF render ran out of memory (limit 384 MiB); raise "
            "limits.render_memory_mb in book.yaml, or shrink huge images and tables"
        ],
    ),
]


def _outputs(project: Path) -> list[str]:
    build = project / "build"
    return sorted(p.suffix for p in build.iterdir() if p.is_file()) if build.is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_manuscript(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_project(tmp_path, case.files)
    monkeypatch.chdir(project)
    result = run_cli(*case.args)
    assert "Traceback" not in result.err
    if case.outcome == "error":
        assert result.code == 1
        assert [x for x in result.err.splitlines() if "warning[" not in x] == case.lines
        assert _outputs(project) == []
    else:
        assert result.code == 0, result.err
        warnings = [line for line in result.err.splitlines() if "warning[" in line]
        assert warnings == case.lines
        assert _outputs(project) == [".epub", ".pdf"]


def test_the_corpus_covers_the_issue() -> None:
    assert len(CASES) >= 25
    assert len({case.name for case in CASES}) == len(CASES)


def test_a_segments_folder_linked_outside_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that is not a link is taken as inside only when its folder is: the segments
    folder itself may be the link out."""
    project = write_project(tmp_path, {})
    segments = project / "manuscript" / "segments"
    names = sorted(path.name for path in segments.glob("*.md"))
    segments.rename(tmp_path / "shelf")
    segments.symlink_to(tmp_path / "shelf")
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "epub")
    assert result.code == 1 and "Traceback" not in result.err
    assert [line for line in result.err.splitlines() if "outside-project" in line] == [
        f"manuscript/segments/{name}: error[outside-project]: is a link to a file outside "
        "manuscript/; copy the file into manuscript/ instead of linking to it"
        for name in names
    ]
    assert _outputs(project) == []


def test_a_runaway_template_is_stopped_at_its_time_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loops that write nothing still count: the render stops at the bound, naming the line."""
    import booktool.editions.sandbox

    monkeypatch.setattr(booktool.editions.sandbox, "RENDER_SECONDS", 0.5)
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    project = write_project(tmp_path, {"layouts/_title_page.html": escaping_title(loops)})
    monkeypatch.chdir(project)
    result = run_cli("build", ".", "--format", "epub")
    assert result.code == 1
    assert result.err.splitlines() == [
        "layouts/_title_page.html:3: error[template-unsafe]: template refused: the template "
        "took longer than 0.5 s; keep the layout's loops and values to the book's size"
    ]
    assert _outputs(project) == []


def test_a_refused_template_ran_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command in the escape is never run, and the file it names is never read."""
    expression = "{{ cycler.__init__.__globals__.os.popen('touch pwned').read() }}"
    project = write_project(tmp_path, {"layouts/_title_page.html": escaping_title(expression)})
    monkeypatch.chdir(project)
    assert run_cli("build", ".").code == 1
    assert not (project / "pwned").exists()
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("seg-01", True),
        ("1958.communes", True),
        ("_x", True),
        ("../x", False),
        ("a/b", False),
        (".hidden", False),
        ("..", False),
        ("a\\b", False),
        ("café", False),
        ("x" * 65, False),
        ("", False),
    ],
)
def test_one_id_rule_guards_every_file_name(value: str, valid: bool) -> None:
    """The rule the readers apply is the one a chart's file name is made with."""
    from booktool.model.book import Figure
    from booktool.model.charts import chart_href
    from booktool.source.ids import is_id

    assert is_id(value) is valid
    figure = Figure(value, "A.1", "chart", "t", "a", "s")
    if valid:
        assert chart_href(figure) == f"media/figures/{value}.svg"
    else:
        with pytest.raises(ValueError, match="cannot name a file"):
            chart_href(figure)


@pytest.mark.parametrize(
    ("kind", "options"),
    [("PNG", {}), ("GIF", {}), ("JPEG", {}), ("WEBP", {"lossless": True}), ("WEBP", {})],
)
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_pixel_size_is_read_from_the_header(
    kind: str, options: dict[str, bool], mode: str, tmp_path: Path
) -> None:
    """The header's size is the one Pillow decodes, for every raster type a book carries."""
    from PIL import Image

    from booktool.source.pixels import pixel_size

    path = tmp_path / f"image.{kind.lower()}"
    image = Image.new(mode, (1234, 567), (120, 30, 30, 128)[: len(mode)])
    image.convert("RGB" if kind == "JPEG" else mode).save(path, kind, **options)
    with Image.open(path) as decoded:
        assert decoded.size == (1234, 567)
    assert pixel_size(path) == (1234, 567)
    if kind == "JPEG":  # EXIF and comments before the frame are skipped, not read as it
        data = path.read_bytes()
        comment = b"\xff\xfe" + (2 + 3000).to_bytes(2, "big") + b"x" * 3000
        path.write_bytes(data[:2] + comment + data[2:])
        assert pixel_size(path) == (1234, 567)
