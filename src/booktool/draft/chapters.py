"""Consecutive segments grouped into chapters by topic.

Each segment is a TF-IDF vector of stemmed content words (pure Python: scikit-learn costs about a
second to import, and these documents are a few hundred words). The similarity across each gap
between segments is the cosine of the two segments on either side of it; dynamic programming then
cuts the gaps of lowest similarity, with a minimum chapter size, into a number of chapters set by
the number of segments (3–6 for 8–16 segments).
"""

from __future__ import annotations

import math
from collections import Counter

Vector = dict[str, float]


def tfidf(documents: list[list[str]]) -> list[Vector]:
    """TF-IDF vectors (log-scaled term frequency, smoothed IDF), normalised to unit length."""
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document))
    total = len(documents)
    vectors = []
    for document in documents:
        counts = Counter(document)
        vector = {
            term: (1 + math.log(count)) * (math.log((1 + total) / (1 + frequency[term])) + 1)
            for term, count in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in sorted(vector.items())})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(term, 0.0) for term, value in a.items())
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    norm_b = math.sqrt(sum(v * v for v in b.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def _window(vectors: list[Vector], start: int, end: int) -> Vector:
    summed: Vector = {}
    for vector in vectors[max(0, start) : max(0, end)]:
        for term, value in vector.items():
            summed[term] = summed.get(term, 0.0) + value
    return summed


def gap_similarities(vectors: list[Vector], width: int = 2) -> list[float]:
    """Similarity across each gap: the ``width`` segments before it against those after it."""
    return [
        cosine(
            _window(vectors, gap + 1 - width, gap + 1), _window(vectors, gap + 1, gap + 1 + width)
        )
        for gap in range(len(vectors) - 1)
    ]


def chapter_count(segments: int) -> int:
    """How many chapters for so many segments: 3–6 for 8–16, about one per three segments."""
    if segments <= 3:
        return 1
    if segments < 8:
        return max(2, round(segments / 3))
    if segments <= 16:
        return min(6, max(3, round(segments / 2.6)))
    return max(6, round(segments / 3))


def split_chapters(documents: list[list[str]], count: int | None = None) -> list[list[int]]:
    """Segment indices per chapter; the cuts minimise the similarity across them."""
    total = len(documents)
    if total == 0:
        return []
    wanted = min(count or chapter_count(total), total)
    min_size = 2 if total >= 2 * wanted else 1
    gaps = gap_similarities(tfidf(documents))
    # best[k][i]: least cost of cutting the first i segments into k chapters.
    infinity = float("inf")
    best = [[infinity] * (total + 1) for _ in range(wanted + 1)]
    back = [[0] * (total + 1) for _ in range(wanted + 1)]
    best[0][0] = 0.0
    for k in range(1, wanted + 1):
        for i in range(k * min_size, total + 1):
            for j in range((k - 1) * min_size, i - min_size + 1):
                if best[k - 1][j] == infinity:
                    continue
                cost = best[k - 1][j] + (gaps[j - 1] if j > 0 else 0.0)
                if cost < best[k][i] - 1e-12:
                    best[k][i], back[k][i] = cost, j
    cuts = []
    i = total
    for k in range(wanted, 0, -1):
        j = back[k][i]
        cuts.append((j, i))
        i = j
    return [list(range(a, b)) for a, b in reversed(cuts)]
