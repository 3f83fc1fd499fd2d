"""Shared by the drafting engine's tests: the samples and the evaluation script."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from booktool.draft import Draft, draft_booklet

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "roots" / "summaries"
NAMES = sorted(p.stem for p in SAMPLES.glob("*.txt"))


@cache
def bench() -> ModuleType:
    """bench/drafts.py, imported by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_drafts", ROOT / "bench" / "drafts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # for its dataclasses
    spec.loader.exec_module(module)
    return module


@cache
def drafted(name: str) -> Draft:
    """The draft of one sample, drafted once per test session."""
    summary, segments, _ = bench().read_sample(SAMPLES / f"{name}.txt")
    return draft_booklet(summary, segments)
