"""Properties of any draft, over segments made of random sentences from the samples."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booktool.draft import draft_booklet
from tests.draft_helpers import NAMES, SAMPLES, bench

ID = re.compile(r"^[A-Za-z0-9_-]+$")


@cache
def sentences() -> list[str]:
    found = []
    for name in NAMES:
        _, segments, _ = bench().read_sample(SAMPLES / f"{name}.txt")
        for _, text in segments:
            found += re.split(r"(?<=[.!?])\s+", text)
    return found


texts = st.lists(st.integers(0, 10_000), max_size=4).map(
    lambda picks: " ".join(sentences()[p % len(sentences())] for p in picks)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=texts, bodies=st.lists(texts, max_size=20))
def test_any_draft_has_unique_ids_and_titles_that_follow_the_rules(
    summary: str, bodies: list[str]
) -> None:
    draft = draft_booklet(summary, [(i * 90, body) for i, body in enumerate(bodies)])
    ids = [c.id for c in draft.chapters] + [s.id for s in draft.segments]
    assert len(set(ids)) == len(ids)
    assert all(ID.match(i) for i in ids + [e.id for e in draft.chronology])
    assert len({e.id for e in draft.chronology}) == len(draft.chronology)
    titles = [c.title for c in draft.chapters] + [s.title for s in draft.segments]
    assert len({t.lower() for t in titles}) == len(titles)
    assert all(0 < len(t) <= 60 and "…" not in t for t in titles)
    assert [s for c in draft.chapters for s in c.segment_ids] == [s.id for s in draft.segments]
    if 8 <= len(bodies) <= 16:
        assert 3 <= len(draft.chapters) <= 6
