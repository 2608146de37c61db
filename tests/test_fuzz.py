"""The atheris harness in fuzz/ runs for a short fixed number of iterations."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

pytest.importorskip("atheris")


def test_fuzz_harness_short_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, str(REPO / "fuzz" / "fuzz_clean.py"), "-runs=2000", "-max_len=512", "-seed=1",
         f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done 2000 runs" in done.stderr
