"""Structure tags WeasyPrint cannot choose: a formula's picture tagged as a Formula.

WeasyPrint tags every ``<img>`` as a Figure. A formula drawn as SVG (model/formulas.py) is a
Formula in PDF/UA, with its TeX source as its alternative text: its structure element is
retagged here, found by that text, after the PDF is written.
"""

from __future__ import annotations

import io
from collections.abc import Collection

import pikepdf


def tag_formulas(data: bytes, alternatives: Collection[str]) -> bytes:
    """``data`` with every Figure whose alternative text is one of ``alternatives`` tagged as
    a Formula; the same bytes if there is none (or no structure tree)."""
    if not alternatives:
        return data
    wanted = set(alternatives)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return data
        changed = 0
        stack = [tree.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == pikepdf.Name.Figure and str(node.get("/Alt", "")) in wanted:
                    node.S = pikepdf.Name.Formula
                    changed += 1
                kids = node.get("/K")
                if kids is not None:
                    stack.append(kids)
        if not changed:
            return data
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
