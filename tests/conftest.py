"""Shared fixtures: paths into the repository and the shared data beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner import Cleaner, Config

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite golden .out files from the current output (review the diff!).")


@pytest.fixture(scope="session")
def default_cleaner() -> Cleaner:
    return Cleaner()


@pytest.fixture(scope="session")
def quiet_cleaner() -> Cleaner:
    """A cleaner without language detection, for tests that only look at text."""
    return Cleaner(Config(language_backend="off"))


# In CI, property tests draw the same examples every run (no flaky red builds from a
# rare draw); locally they explore anew each run. Either way hypothesis shrinks and
# reports any failure it finds.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
