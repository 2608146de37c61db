"""Golden files: each seed document and its reviewed clean output.

Run `python -m pytest tests/test_golden.py --update-golden` to rewrite the .out.txt
files from the current output, then review the diff line by line before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner

from .conftest import FIXTURES

CASES = sorted((FIXTURES / "seeds").glob("*.txt"))
CASES = [case for case in CASES if not case.name.endswith(".out.txt")]


def golden_path(case: Path) -> Path:
    return FIXTURES / "golden" / f"{case.stem}.out.txt"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_seed_matches_golden(case: Path, default_cleaner: Cleaner, request: pytest.FixtureRequest) -> None:
    output = default_cleaner.clean(case.read_bytes()).text
    golden = golden_path(case)
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run with --update-golden and review it"
    assert output == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_seed_cleaning_is_idempotent(case: Path, default_cleaner: Cleaner) -> None:
    once = default_cleaner.clean(case.read_bytes()).text
    twice = default_cleaner.clean(once)
    assert twice.text == once
    assert not twice.changed, [c for c in twice.changes if c.action != "flag"]
