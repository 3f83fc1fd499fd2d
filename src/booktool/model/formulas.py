"""Formulas in print: MathML drawn as SVG (WeasyPrint lays out no MathML).

pandoc writes each ``$…$`` as MathML with its TeX source; the EPUB carries the MathML itself.
The print edition replaces each formula with a picture of it drawn by ziamath (pure Python,
with its own OFL math font), sized in ``em`` so that it follows the text around it, sitting on
the text's baseline, with the TeX source as its alternative text.
"""

from __future__ import annotations

import base64
import functools

from lxml import etree

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: The size ziamath draws at, in CSS pixels: one ``em`` of the picture.
DRAWN_SIZE = 16.0


def print_formulas(root: etree._Element) -> None:
    """Replace every MathML formula under ``root`` with its SVG picture."""
    for math in [*root.iter(f"{{{MATHML_NS}}}math"), *root.iter("math")]:
        tex = math.get("alttext") or "".join(str(t) for t in math.itertext()).strip()
        picture = _picture(_bare_mathml(math))
        parent = math.getparent()
        if parent is None:
            continue
        if picture is None:  # ziamath could not draw it: its TeX, as code
            code = etree.Element("code", {"class": "formula-source"})
            code.text, code.tail = tex, math.tail
            parent.replace(math, code)
            continue
        data, width, height, depth = picture
        block = math.get("display") == "block"
        img = etree.Element("img")
        img.set("class", "formula-block" if block else "formula")
        img.set("alt", tex)
        img.set("src", "data:image/svg+xml;base64," + data)
        img.set(
            "style",
            f"width: {width:.3f}em; height: {height:.3f}em; vertical-align: -{depth:.3f}em",
        )
        img.tail = math.tail
        parent.replace(math, img)


def _bare_mathml(math: etree._Element) -> str:
    """The formula's presentation MathML alone, for ziamath: no TeX annotation, no
    ``semantics`` wrapper, no namespaces."""
    return etree.tostring(_plain(math)[0], encoding="unicode", with_tail=False)


def _plain(element: etree._Element) -> list[etree._Element]:
    name = etree.QName(element).localname
    if name == "annotation":
        return []
    children = [plain for child in element if isinstance(child.tag, str) for plain in _plain(child)]
    if name == "semantics":
        return children
    copy = etree.Element(name)
    for key, value in element.attrib.items():
        if "}" not in str(key):
            copy.set(str(key), str(value))
    copy.text = element.text
    for child in children:
        copy.append(child)
    copy.tail = element.tail
    return [copy]


@functools.lru_cache(maxsize=1024)
def _picture(mathml: str) -> tuple[str, float, float, float] | None:
    """The formula as a base64 SVG, its width, height and depth below the baseline in ``em``;
    None if ziamath cannot draw it (the formula is then left as MathML)."""
    import ziamath

    try:
        drawn = ziamath.Math(mathml, size=DRAWN_SIZE)  # type: ignore[attr-defined]
        svg = drawn.svg()
    except Exception:
        return None
    width, height = drawn.getsize()
    if not (0 < width < 10_000 and 0 < height < 10_000):
        return None  # an empty or degenerate formula: its TeX is shown instead
    view = etree.fromstring(svg.encode("utf-8")).get("viewBox", "0 0 0 0").split()
    depth = max(0.0, float(view[1]) + float(view[3]))
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return data, width / DRAWN_SIZE, height / DRAWN_SIZE, depth / DRAWN_SIZE
