"""SVG a book may carry: an allow-list of elements and attributes, checked on the parsed tree.

The file is parsed with defusedxml (no DTD, no entities, no outside references). Every element
must be a static drawing element of the SVG namespace (no script, no foreign content, no SMIL
animation, which can change an ``href``); every attribute must be a known geometry,
presentation or accessibility attribute; a reference (``href``, ``url()`` in any attribute or
style) may point only at an ``#id`` in the same drawing, an embedded image only at a raster
``data:`` image (no SVG document inside another); CSS is read with its escapes and comments
decoded first (``\\75 rl(`` is ``url(``). Anything else is refused, with what it is.
"""

from __future__ import annotations

import re
from typing import Any

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_SVG_BYTES = 5 * 1024 * 1024

_FILTERS = (
    "feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting "
    "feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR "
    "feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting "
    "feSpotLight feTile feTurbulence"
)
#: Static drawing elements: no script, foreignObject, animation (set, animate…), feImage, a.
ELEMENTS = frozenset(
    (
        "svg g defs symbol use title desc metadata style path rect circle ellipse line polyline "
        "polygon text tspan textPath linearGradient radialGradient stop pattern clipPath mask "
        "marker image filter switch " + _FILTERS
    ).split()
)
#: Presentation attributes (also the CSS properties a style may set).
PRESENTATION = frozenset(
    [
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "color",
        "display",
        "visibility",
        "font",
        "font-family",
        "font-size",
        "font-size-adjust",
        "font-style",
        "font-weight",
        "font-variant",
        "font-stretch",
        "text-anchor",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "letter-spacing",
        "word-spacing",
        "text-decoration",
        "writing-mode",
        "direction",
        "unicode-bidi",
        "clip-path",
        "clip-rule",
        "mask",
        "filter",
        "marker",
        "marker-start",
        "marker-mid",
        "marker-end",
        "stop-color",
        "stop-opacity",
        "flood-color",
        "flood-opacity",
        "lighting-color",
        "color-interpolation",
        "color-interpolation-filters",
        "shape-rendering",
        "text-rendering",
        "image-rendering",
        "overflow",
        "vector-effect",
        "paint-order",
        "mix-blend-mode",
        "isolation",
        "transform-origin",
    ]
)
ATTRIBUTES = PRESENTATION | frozenset(
    [
        "id",
        "class",
        "style",
        "lang",
        "version",
        "baseProfile",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "fr",
        "d",
        "points",
        "pathLength",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "offset",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "markerUnits",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "method",
        "spacing",
        "side",
        "href",
        "type",
        "media",
        "filterUnits",
        "primitiveUnits",
        "in",
        "in2",
        "result",
        "stdDeviation",
        "mode",
        "operator",
        "k1",
        "k2",
        "k3",
        "k4",
        "values",
        "tableValues",
        "slope",
        "intercept",
        "amplitude",
        "exponent",
        "radius",
        "baseFrequency",
        "numOctaves",
        "seed",
        "stitchTiles",
        "scale",
        "xChannelSelector",
        "yChannelSelector",
        "order",
        "kernelMatrix",
        "divisor",
        "bias",
        "targetX",
        "targetY",
        "edgeMode",
        "preserveAlpha",
        "surfaceScale",
        "specularConstant",
        "specularExponent",
        "diffuseConstant",
        "kernelUnitLength",
        "azimuth",
        "elevation",
        "z",
        "pointsAtX",
        "pointsAtY",
        "pointsAtZ",
        "limitingConeAngle",
        "systemLanguage",
        "role",
        "aria-label",
        "aria-labelledby",
        "aria-describedby",
        "aria-hidden",
        "aria-roledescription",
    ]
)
_XML_ATTRIBUTES = frozenset({f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"})
_RASTER_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.I)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.DOTALL)
_LOCAL = re.compile(r"#[A-Za-z_][\w.:-]*")
_CSS_LOADS = re.compile(
    r"@import|@font-face|@namespace|expression\s*\(|-moz-binding|behaviou?r\s*:|image-set\s*\(|"
    r"image\s*\(|cross-fade\s*\(|element\s*\(|src\s*\(|javascript:|data:",
    re.I,
)


def _local(tag: Any) -> tuple[str, str]:
    """(namespace, local name) of an element's or attribute's name."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _css(text: str) -> str:
    """CSS with escapes and comments decoded, as a browser reads it."""

    def unescape(match: re.Match[str]) -> str:
        if match[1]:
            code = int(match[1], 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return match[2]

    return _CSS_ESCAPE.sub(unescape, _CSS_COMMENT.sub(" ", text))


def _url_fault(where: str, value: str) -> str | None:
    """Why ``value`` (an attribute value or CSS, decoded) refers outside the drawing."""
    for match in _URL.finditer(value):
        if not _LOCAL.fullmatch(match[2].strip()):
            return f"{where} refers to 'url({match[2].strip()[:60]})'; only url(#id) is allowed"
    return None


def _style_fault(where: str, css: str) -> str | None:
    decoded = _css(css)
    if fault := _url_fault(where, decoded):
        return fault
    if found := _CSS_LOADS.search(decoded):
        return f"{where} has '{found.group()}' in its style, which could load or run content"
    return None


def _href_fault(element: str, value: str) -> str | None:
    value = value.strip()
    if element == "image":
        if value.lower().startswith("data:image/svg"):
            return "<image> embeds another SVG document (data:image/svg+xml)"
        if _RASTER_DATA.fullmatch(value):
            return None
        return f"<image> refers to '{value[:60]}'; only PNG, JPEG, GIF or WebP data: images"
    if _LOCAL.fullmatch(value):
        return None
    return f"<{element}> refers to '{value[:60]}' outside the drawing"


def svg_fault(data: bytes) -> str | None:
    """Why an SVG document is not a plain, static drawing booktool can carry; None if it is."""
    if len(data) > MAX_SVG_BYTES:
        return f"it is over the {MAX_SVG_BYTES // 1048576} MiB limit for SVG"
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        return f"it declares a DTD or entities, which booktool refuses ({type(exc).__name__})"
    except Exception as exc:  # ParseError and friends: the file is not XML
        return f"it is not well-formed XML ({exc})"
    if _local(root.tag) != (SVG_NS, "svg"):
        return "its root element is not <svg>"
    return _tree_fault(root)


def _tree_fault(root: Any) -> str | None:
    for element in root.iter():
        namespace, name = _local(element.tag)
        if not name:  # a comment or processing instruction
            continue
        if namespace != SVG_NS or name not in ELEMENTS:
            shown = name if namespace == SVG_NS else element.tag
            return f"it contains <{shown}>, which is not a static SVG drawing element"
        for attribute, value in element.attrib.items():
            if fault := _attribute_fault(name, attribute, value):
                return fault
        if name == "style" and (fault := _style_fault("<style>", element.text or "")):
            return fault
    return None


def _attribute_fault(element: str, attribute: str, value: str) -> str | None:
    namespace, name = _local(attribute)
    where = f"<{element}> {name}"
    if (namespace == XLINK_NS and name == "href") or (not namespace and name == "href"):
        return _href_fault(element, value)
    if attribute in _XML_ATTRIBUTES or (namespace == XLINK_NS and name == "title"):
        return None
    if namespace or name not in ATTRIBUTES:
        return f"<{element}> has the attribute {attribute}, which is not a safe SVG attribute"
    if name == "style":
        return _style_fault(f"<{element}>", value)
    decoded = _css(value) if "\\" in value else value
    return _url_fault(where, decoded)
