"""The real-page quality gate: default settings on eval-dev, scored by the data set's own score.py.

Skipped when ../shared/eval-dev is absent (the pages belong to their publishers and are not
shipped). Deterministic: no timing, no randomness.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache

import pytest

from .conftest import REPO, SHARED

EVAL_DEV = SHARED / "eval-dev"

# Measured floor of this version (bench/quality.py); a change that lowers either figure fails.
FLOOR_F1 = 0.88
FLOOR_PRECISION = 0.81
# The target of issue 3 (F1 >= 0.90 and precision >= 0.88) is not reached yet: strict xfail,
# so the day it is reached the test says so.
TARGET_F1 = 0.90
TARGET_PRECISION = 0.88

pytestmark = pytest.mark.skipif(not (EVAL_DEV / "score.py").is_file(), reason="../shared/eval-dev is absent")


@lru_cache(maxsize=1)
def measured():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cleaner_bench_quality", REPO / "bench" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.measure(EVAL_DEV)


def test_eval_dev_floor() -> None:
    score = measured()
    assert score.f1 >= FLOOR_F1, score
    assert score.precision >= FLOOR_PRECISION, score


@pytest.mark.xfail(strict=True, reason="issue 3 target not reached yet; see README 'Boilerplate on real pages'")
def test_eval_dev_target() -> None:
    score = measured()
    assert score.f1 >= TARGET_F1 and score.precision >= TARGET_PRECISION, score
