"""``booktool check``: the manuscript lint, a registry of rules with stable codes.

Loading the manuscript reports what cannot be read (YAML syntax, unknown keys, duplicate ids:
see :data:`registry.LOAD_CODES`); then every rule in :data:`registry.RULES` runs on the loaded
manuscript. ``build`` runs the same check first.
"""

from booktool.checks.base import Finding, Fix, Reported, Rule, Severity
from booktool.checks.fix import FixReport, apply_fixes
from booktool.checks.registry import LOAD_CODES, RULES
from booktool.checks.runner import CheckReport, check_project, run_rules

__all__ = [
    "LOAD_CODES",
    "RULES",
    "CheckReport",
    "Finding",
    "Fix",
    "FixReport",
    "Reported",
    "Rule",
    "Severity",
    "apply_fixes",
    "check_project",
    "run_rules",
]
