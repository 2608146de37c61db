"""Precision gate: the translation stage never rewrites native English.

Reads the 57 native-English articles of ../shared/eval-dev at test time (their text
belongs to the publishers and is never copied into the repository); skipped when that
folder is absent. Run with `-s` to see the flag counts.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cleaner import Cleaner, Config

from .conftest import SHARED

EVAL_DEV = SHARED / "eval-dev"


def mt_changes(folder: Path) -> tuple[Counter[str], Counter[str], int, float]:
    """Count MT rewrites and MT flags by code over a folder, with the number of files and top score."""
    cleaner = Cleaner(Config(language_backend="off"))
    rewrites: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    files = sorted(folder.glob("*.txt"))
    top = 0.0
    for path in files:
        result = cleaner.clean(path.read_bytes())
        top = max(top, float(result.meta.get("mt_score", 0)))
        for change in result.changes:
            if change.stage == "translation":
                (flags if change.action == "flag" else rewrites)[f"{change.code} {change.before!r}"] += 1
    return rewrites, flags, len(files), top


@pytest.mark.parametrize("part", ["gold", "pages"])
def test_no_mt_rewrites_on_native_english(part: str) -> None:
    folder = EVAL_DEV / part
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (eval-dev is shared data beside the repository)")
    rewrites, flags, count, top = mt_changes(folder)
    print(f"\neval-dev/{part}: {count} files, MT rewrites {sum(rewrites.values())}, "
          f"MT flags {sum(flags.values())} {dict(flags)}, top mt_score {top}")
    assert count == 57
    assert not rewrites, f"MT rules rewrote native English: {dict(rewrites)}"
    # Flags should be rare: at most one per five articles.
    assert sum(flags.values()) <= count // 5, dict(flags)
