"""Score the drafting engine's drafts against hand-made answer keys; print a table.

    PYTHONPATH=src python bench/drafts.py [tests/roots/summaries]

For each ``NAME.txt`` with a ``NAME.key.yaml`` beside it: chapters (count, Pk and WindowDiff
against the key's boundaries), the share of titles that pass every title rule, recall of the
key's dates (all, and full dates alone), recall of the key's quantities at the right timestamp,
people precision and recall, spelling-variant clusters right, key terms found, the share of the
source's word 4-grams (framing words aside) that the draft keeps, and the draft's time. The last
line times a fresh interpreter importing the engine and drafting 20 segments.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from booktool.draft import Draft, draft_booklet
from booktool.draft.clutter import split_summary
from booktool.draft.words import word_set
from booktool.source.timecode import parse_timecode

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "roots" / "summaries"
# Words that only the summary site's framing uses; a 4-gram holding one is not the source's.
FRAMING_TOKENS = word_set(
    """section video film documentary narrator excerpt clip we see learn explains explain
    describes describe shows show explored examined revealed reveals introduces elaborates
    finally viewers this how that"""
)
TITLE_FRAMING = re.compile(r"\b(?:section|video|film|narrator|excerpt|documentary|we see)\b", re.I)
SMALL_WORDS = word_set(
    "a an the and or nor but of in on at to for by with from as vs via into de van von der du da"
)


@dataclass(frozen=True)
class Scores:
    """One sample's scores; recall and precision are fractions (None where the key has none)."""

    name: str
    segments: int
    chapters: int
    pk: float
    windowdiff: float
    titles_ok: float
    dates: float | None
    full_dates: float | None
    quantities: float | None
    people_precision: float | None
    people_recall: float | None
    variants: str
    terms: str
    coverage: float
    framing_left: int
    seconds: float


def read_sample(path: Path) -> tuple[str, list[tuple[int, str]], dict[str, Any]]:
    """(summary page, segments, key) of a sample."""
    text = path.read_text(encoding="utf-8")
    pasted, segments = split_summary(text)
    key = yaml.safe_load(path.with_suffix(".key.yaml").read_text(encoding="utf-8"))
    # The engine is handed the summary with its clutter, as the importer may hand it.
    summary = text.split("•")[0].rsplit("\n\n", 1)[0] if pasted.dropped else pasted.text
    return summary, segments, key


def labels(groups: list[list[int]]) -> list[int]:
    """Chapter number per segment, from chapters as lists of segment positions."""
    result: list[int] = []
    for number, group in enumerate(groups):
        result += [number] * len(group)
    return result


def pk(reference: list[int], hypothesis: list[int]) -> float:
    """Beeferman's Pk: the share of windows where the two disagree on same-chapter-or-not."""
    count = len(reference)
    chapters = len(set(reference))
    k = max(1, round(count / chapters / 2))
    windows = range(count - k)
    errors = sum(
        (reference[i] == reference[i + k]) != (hypothesis[i] == hypothesis[i + k]) for i in windows
    )
    return errors / max(1, len(windows))


def windowdiff(reference: list[int], hypothesis: list[int]) -> float:
    """Pevzner and Hearst's WindowDiff: windows whose boundary counts differ."""
    count = len(reference)
    chapters = len(set(reference))
    k = max(1, round(count / chapters / 2))

    def boundaries(labels_: list[int], i: int) -> int:
        return sum(labels_[j] != labels_[j + 1] for j in range(i, i + k))

    windows = range(count - k)
    errors = sum(boundaries(reference, i) != boundaries(hypothesis, i) for i in windows)
    return errors / max(1, len(windows))


def title_problems(title: str, own_text: str, others: list[str]) -> list[str]:
    """Which title rules ``title`` breaks (empty when it passes them all)."""
    problems = []
    if len(title) > 60:
        problems.append("longer than 60 characters")
    if "…" in title or title.endswith(("...", ",", " and", " of", " the")):
        problems.append("cut off")
    if TITLE_FRAMING.search(title):
        problems.append("framing words")
    if title.lower() in (other.lower() for other in others):
        problems.append("not unique")
    words = title.split()
    for index, word in enumerate(words):
        if (
            (index == 0 or word.lower() not in SMALL_WORDS)
            and word[:1].isalpha()
            and not word[0].isupper()
        ):
            problems.append(f"not Title Case: {word}")
            break
    own = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", own_text)}
    for word in re.findall(r"[A-Za-z][A-Za-z'’-]*", title):
        if word.lower() not in own and word.lower() not in SMALL_WORDS:
            problems.append(f"word not from its text: {word}")
            break
    return problems


def titles_ok(draft: Draft) -> float:
    """The share of chapter and section titles that pass every title rule."""
    text_of = {segment.id: segment.text for segment in draft.segments}
    entries = [(c.title, " ".join(text_of[s] for s in c.segment_ids)) for c in draft.chapters]
    entries += [(s.title, s.text) for s in draft.segments]
    titles = [title for title, _ in entries]
    passed = 0
    for index, (title, text) in enumerate(entries):
        others = titles[:index] + titles[index + 1 :]
        passed += not title_problems(title, text, others)
    return passed / len(entries)


def fourgrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def coverage(draft: Draft) -> float:
    """The share of the sources' word 4-grams, framing words aside, that the draft keeps."""
    source: set[tuple[str, ...]] = set()
    for segment in draft.segments:
        source |= {g for g in fourgrams(segment.source_text) if not set(g) & FRAMING_TOKENS}
    kept = set()
    for segment in draft.segments:
        kept |= fourgrams(segment.text)
    return len(source & kept) / max(1, len(source))


LEFT_FRAMING = re.compile(
    r"\b(?:(?:this|the)\s+(?:section|video|film|documentary|narrator|excerpt|clip|segment|"
    r"speaker|presenter|host|lecture|chapter|episode)|we\s+(?:see|learn|hear)|viewers)\b",
    re.IGNORECASE,
)


def framing_left(draft: Draft) -> int:
    """How many segments still talk about the video ("the narrator", "we see", "this section")."""
    return sum(bool(LEFT_FRAMING.search(segment.text)) for segment in draft.segments)


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 0.01 * max(abs(b), 1e-9)


def quantity_recall(draft: Draft, key: dict[str, Any]) -> float | None:
    wanted = key.get("quantities") or []
    if not wanted:
        return None
    found = 0
    for item in wanted:
        at = parse_timecode(str(item["at"]))
        for quantity in draft.quantities:
            if quantity.at_seconds != at:
                continue
            if "value" in item and _close(quantity.value, float(item["value"])):
                found += 1
                break
            if (
                "low" in item
                and _close(quantity.low, float(item["low"]))
                and _close(quantity.high, float(item["high"]))
            ):
                found += 1
                break
    return found / len(wanted)


def _forms(name: str, variants: list[str]) -> set[str]:
    return {form.lower() for form in [name, *variants]}


def people_scores(draft: Draft, key: dict[str, Any]) -> tuple[float | None, float | None, str]:
    """(precision, recall, variant clusters right "n/m")."""
    wanted = key.get("people") or []
    if not wanted:
        return None, None, "-"
    key_forms = [_forms(p["name"], p.get("variants") or []) for p in wanted]

    def matches(person_forms: set[str], forms: set[str]) -> bool:
        if person_forms & forms:
            return True
        # A fuller form of the same name ("Nikita Khrushchev" for "Khrushchev") counts.
        return any(
            set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split())
            for a in person_forms
            for b in forms
            if len(a.split()) > 1 and len(b.split()) > 1
        )

    drafted = [_forms(p.name, p.variants) for p in draft.people]
    true_positive = sum(any(matches(d, k) for k in key_forms) for d in drafted)
    recalled = sum(any(matches(d, k) for d in drafted) for k in key_forms)
    clusters = [(k, p) for k, p in zip(key_forms, wanted, strict=True) if p.get("variants")]
    right = sum(any(d == k for d in drafted) for k, _ in clusters)
    precision = true_positive / len(drafted) if drafted else 0.0
    return precision, recalled / len(key_forms), f"{right}/{len(clusters)}"


def date_recall(draft: Draft, key: dict[str, Any], full_only: bool) -> float | None:
    wanted = [str(d) for d in key.get("dates") or []]
    if full_only:
        wanted = [d for d in wanted if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)]
    if not wanted:
        return None
    got = {event.date for event in draft.chronology}
    return sum(d in got for d in wanted) / len(wanted)


def terms_found(draft: Draft, key: dict[str, Any]) -> str:
    wanted = [str(t).lower() for t in key.get("key_terms") or []]
    got = [term.lower() for chapter in draft.chapters for term, _ in chapter.key_terms]

    def found(term: str) -> bool:
        # "RBMK reactors" names the key's "RBMK": one holds the other's words.
        return any(
            set(term.split()) <= set(g.split()) or set(g.split()) <= set(term.split()) for g in got
        )

    return f"{sum(found(t) for t in wanted)}/{len(wanted)} ({len(got)} drafted)"


def chapter_groups(draft: Draft) -> list[list[int]]:
    position = {segment.id: i for i, segment in enumerate(draft.segments)}
    return [[position[s] for s in chapter.segment_ids] for chapter in draft.chapters]


def score(path: Path) -> tuple[Scores, Draft]:
    """The draft of one sample and its scores against the sample's key."""
    summary, segments, key = read_sample(path)
    started = time.perf_counter()
    draft = draft_booklet(summary, segments)
    seconds = time.perf_counter() - started
    reference = labels([[n - 1 for n in group] for group in key["chapters"]])
    hypothesis = labels(chapter_groups(draft))
    precision, recall, variants = people_scores(draft, key)
    scores = Scores(
        name=path.stem,
        segments=len(segments),
        chapters=len(draft.chapters),
        pk=pk(reference, hypothesis),
        windowdiff=windowdiff(reference, hypothesis),
        titles_ok=titles_ok(draft),
        dates=date_recall(draft, key, full_only=False),
        full_dates=date_recall(draft, key, full_only=True),
        quantities=quantity_recall(draft, key),
        people_precision=precision,
        people_recall=recall,
        variants=variants,
        terms=terms_found(draft, key),
        coverage=coverage(draft),
        framing_left=framing_left(draft),
        seconds=seconds,
    )
    return scores, draft


def cold_seconds(samples: Path, count: int = 20) -> float:
    """Wall time of a fresh interpreter that imports the engine and drafts ``count`` segments."""
    script = f"""
import time
started = time.perf_counter()
from pathlib import Path
from booktool.draft import draft_booklet
from booktool.draft.clutter import split_summary
from booktool.draft.dates import date_sort_key
from booktool.draft.words import word_set
from booktool.draft.words import word_set
segments = []
summary = ""
for path in sorted(Path({str(samples)!r}).glob("*.txt")):
    pasted, found = split_summary(path.read_text(encoding="utf-8"))
    summary = summary or pasted.text
    offset = segments[-1][0] + 300 if segments else 0
    segments += [(offset + start, text) for start, text in found]
draft_booklet(summary, segments[:{count}])
print(time.perf_counter() - started)
"""
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    total = time.perf_counter() - started
    return max(float(output.strip()), total)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str]) -> int:
    samples = Path(argv[0]) if argv else SAMPLES
    header = (
        "| sample | segs | chapters | Pk | WinDiff | titles ok | dates | full dates | quantities "
        "| people P | people R | variants | key terms | 4-gram cov. | framing left | draft s |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for path in sorted(samples.glob("*.txt")):
        if not path.with_suffix(".key.yaml").exists():
            continue
        s, _ = score(path)
        print(
            f"| {s.name} | {s.segments} | {s.chapters} | {s.pk:.2f} | {s.windowdiff:.2f} "
            f"| {s.titles_ok:.2f} | {_fmt(s.dates)} | {_fmt(s.full_dates)} | {_fmt(s.quantities)} "
            f"| {_fmt(s.people_precision)} | {_fmt(s.people_recall)} | {s.variants} | {s.terms} "
            f"| {s.coverage:.2f} | {s.framing_left} | {s.seconds:.3f} |"
        )
    print(f"\nFresh interpreter, imports included, 20 segments: {cold_seconds(samples):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
