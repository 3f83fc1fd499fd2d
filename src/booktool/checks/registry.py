"""Every rule of ``booktool check``, one line each: stable code, severity, the check.

To add a rule: write a function ``(Manuscript) -> Iterable[Finding]`` in the module of its
subject (timing.py, names.py, layouts.py, or a new one), its docstring's first line saying
what it finds, and add its line here. Codes are stable: editors and scripts filter on them.
"""

from __future__ import annotations

from booktool.checks.apparatus import unresolved_references, years_missing_from_chronology
from booktool.checks.base import Rule, Severity
from booktool.checks.drafts import drafts_unreviewed
from booktool.checks.layouts import template_syntax
from booktool.checks.markdown import headings_too_deep
from booktool.checks.names import name_variants
from booktool.checks.timing import (
    segments_out_of_order,
    segments_overlapping,
    segments_past_duration,
)
from booktool.checks.words import language_without_words, messages_unknown, messages_unusable

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

RULES: tuple[Rule, ...] = (
    Rule("segment-order", W, segments_out_of_order),
    Rule("segment-overlap", E, segments_overlapping),
    Rule("segment-past-duration", E, segments_past_duration),
    Rule("unresolved-reference", E, unresolved_references),
    Rule("chronology-missing-year", W, years_missing_from_chronology),
    Rule("name-variant", W, name_variants),
    Rule("template-syntax", E, template_syntax),
    Rule("language-missing", W, language_without_words),
    Rule("messages", E, messages_unusable),
    Rule("messages-unknown", W, messages_unknown),
    Rule("heading-depth", W, headings_too_deep),
    Rule("draft-unreviewed", N, drafts_unreviewed),
)

#: Codes the loader reports while reading the manuscript: always errors, found before the rules.
LOAD_CODES: dict[str, str] = {
    "yaml-syntax": "YAML that does not parse (file:line:column)",
    "yaml-duplicate-key": "a key written twice in one mapping",
    "yaml-unsafe": "YAML aliases, merge keys, tags or non-text keys",
    "unknown-key": "a key booktool does not know (with 'did you mean …')",
    "missing-key": "a required key is missing",
    "config": "a value of the wrong kind in book.yaml",
    "not-utf8": "a file that is not UTF-8 (line, column and byte offset)",
    "file-too-large": "a manuscript file over the size limit",
    "front-matter": "front matter that is not closed or not a mapping",
    "segment-front-matter": "a segment without id, title or start",
    "segment-times": "a segment's end before its start, or two segments starting together",
    "empty-segment": "a segment without text",
    "empty-chapter": "a chapter listing no segments",
    "duplicate-id": "a segment, chapter or person id used twice",
    "plan-unknown-segment": "a chapter names a segment that does not exist",
    "plan-duplicate-segment": "a segment in two chapters",
    "plan-unplaced-segment": "a segment in no chapter",
    "missing-file": "the introduction file does not exist",
    "outside-project": "a file named outside manuscript/",
    "people": "a malformed entry in people.yaml",
}
