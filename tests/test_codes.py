"""Every problem code booktool can print is listed in the README (users filter on them)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "src" / "booktool").rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r"code=\"([a-z0-9-]+)\"", text))
        found |= set(re.findall(r"Rule\(\"([a-z0-9-]+)\"", text))
    return found


def test_every_code_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    codes = codes_in_source()
    assert len(codes) > 40
    missing = sorted(c for c in codes if not re.search(rf"[`\[]{re.escape(c)}[`\]]", readme))
    assert missing == []
