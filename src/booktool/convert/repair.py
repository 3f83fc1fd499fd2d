"""Raw HTML tables made valid XHTML again where Markdown broke them.

A blank line ends a raw HTML block in Markdown, so an indented line after it is read as a
code block: ``<tr>`` / blank / ``    <td>Hi</td>`` puts a ``<pre>`` inside the row, which no
reading system accepts (EPUBCheck RSC-005). A code block that holds nothing but the table's
own markup is read back as that markup; anything else found inside a table's structure is
moved after the table. Each repair is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
from lxml import etree

#: What each part of a table may hold directly.
TABLE_CHILDREN: dict[str, frozenset[str]] = {
    "table": frozenset({"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
    "colgroup": frozenset({"col"}),
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def repair_tables(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Mend every table under ``root``; yields what was done, one sentence each."""
    for part in list(root.iter(*TABLE_CHILDREN)):
        allowed = TABLE_CHILDREN[part.tag]
        for child in list(part):
            if not isinstance(child.tag, str) or child.tag in allowed:
                continue
            markup = _markup(child, allowed)
            if markup is not None:
                for offset, element in enumerate(markup):
                    part.insert(part.index(child) + offset, element)
                child.drop_tree()  # lxml keeps the text that follows it
                yield f"a <{part.tag}> was broken by a blank line: its markup was read back"
            else:
                table = next(child.iterancestors("table"), None)
                if table is None:
                    continue
                child.drop_tree()
                child.tail = None
                table.addnext(child)
                yield f"<{child.tag}> cannot stand inside a <{part.tag}>: moved after the table"


def _markup(block: etree._Element, allowed: frozenset[str]) -> list[etree._Element] | None:
    """The elements a code block's text writes, if it is a code block of nothing but
    elements ``allowed`` where it stands; else None."""
    if block.tag != "pre":
        return None
    text = "".join(str(t) for t in block.itertext())
    try:
        wrapper = etree.fromstring(f"<wrap>{text}</wrap>", _PARSER)
    except etree.XMLSyntaxError:
        return None
    elements = list(wrapper)
    if (
        not elements
        or (wrapper.text or "").strip()
        or any(
            not isinstance(e.tag, str) or e.tag not in allowed or (e.tail or "").strip()
            for e in elements
        )
    ):
        return None
    parsed = lxml.html.fragment_fromstring(text, create_parent="tr")
    return [e for e in parsed if isinstance(e.tag, str)] or None
