"""The rule files ship inside the package: a wheel built from the sdist finds and loads them."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from cleaner.ruleset import RuleSet

from .conftest import REPO


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build an sdist, then a wheel from that sdist (as pip does from PyPI)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True)
    return out


def test_wheel_from_sdist_carries_every_rule_file(built: Path) -> None:
    wheel = next(built.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule_file in (REPO / "rules").glob("*.toml"):
        assert f"cleaner/rules/{rule_file.name}" in names


def test_installed_wheel_loads_every_rule(built: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=True)
    python = env_dir / "bin" / "python"
    wheel = next(built.glob("*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True)
    probe = ("import cleaner, cleaner.ruleset as r; d = r.bundled_rules_dir(); "
             "print(d); print(len(r.RuleSet.load().rules))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    rules_dir, count = done.stdout.split()
    assert Path(rules_dir).parts[-2:] == ("cleaner", "rules")
    assert "site-packages" in rules_dir
    assert int(count) == len(RuleSet.load().rules)
