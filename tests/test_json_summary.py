"""``build --json``: one shape for a success and a failure; every problem carries its code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktool.errors import Problem

from .conftest import copy_project, run_cli

KEYS = ["ok", "up_to_date", "outputs", "removed", "warnings", "errors", "converted", "timings"]
PROBLEM_KEYS = ["path", "line", "column", "code", "message", "hint"]


def _rounded(timings: dict[str, float]) -> bool:
    return all(round(seconds, 3) == seconds for seconds in timings.values())


def test_success_and_failure_have_one_shape(tmp_path: Path) -> None:
    project = copy_project(tmp_path, root="minimal")
    (project / "manuscript" / "chronology.yaml").write_text(
        "- id: bridge\n  date: 1902\n  event: The first bridge.\n  segments: [seg-02]\n"
    )
    segment = project / "manuscript" / "segments" / "seg-02.md"
    segment.write_text(segment.read_text() + "\nA flood came in 1911.\n")  # a warning
    built = run_cli("build", str(project), "--format", "epub", "--json")
    assert built.code == 0, built.err
    success = json.loads(built.out)
    assert list(success) == KEYS
    assert success["ok"] is True and success["up_to_date"] is False and success["errors"] == []
    assert [o["format"] for o in success["outputs"]] == ["epub"]
    [warning] = success["warnings"]
    assert list(warning) == PROBLEM_KEYS and warning["code"] == "chronology-missing-year"
    assert success["timings"] and _rounded(success["timings"])

    strict = run_cli("build", str(project), "--strict")  # counted in the singular
    assert strict.code == 1
    assert "error[strict]: 1 warning and --strict" in strict.err
    assert "1 warnings" not in strict.err + strict.out and "1 errors" not in strict.err

    segment.write_text(segment.read_text().replace("start: 00:05:00", "start: 00:31:5O"))
    broken = run_cli("build", str(project), "--format", "epub", "--json")
    assert broken.code == 1
    failure = json.loads(broken.out)
    assert list(failure) == KEYS
    assert failure["ok"] is False and failure["up_to_date"] is False
    assert failure["outputs"] == [] and failure["removed"] == []
    [error] = failure["errors"]
    assert list(error) == PROBLEM_KEYS
    assert error["code"] == "segment-times" and error["line"] == 4
    assert "'00:31:5O' is not a timestamp" in error["message"]
    assert _rounded(failure["timings"])
    # The same one line on stderr, with its code.
    assert "seg-02.md:4: error[segment-times]: 'start': '00:31:5O'" in broken.err


def test_a_failure_before_the_build_is_json_too(tmp_path: Path) -> None:
    """No manuscript, a bad option: still the one shape, and a code."""
    empty = run_cli("build", str(tmp_path), "--json")
    option = run_cli(
        "build", str(copy_project(tmp_path / "p", "minimal")), "--json", "--bleed", "3"
    )
    for result, code in ((empty, "no-manuscript"), (option, "option")):
        assert result.code == 1
        summary = json.loads(result.out)
        assert list(summary) == KEYS and summary["ok"] is False
        assert [e["code"] for e in summary["errors"]] == [code]


def test_every_problem_has_a_code() -> None:
    with pytest.raises(TypeError):
        Problem(None, None, "something is wrong")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="without a code"):
        Problem(None, None, "something is wrong", code="")
    assert Problem(None, 3, "wrong", "fix it", code="config").format("warning") == (
        "warning[config]: wrong; fix it"
    )
