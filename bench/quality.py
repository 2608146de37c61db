"""Measure boilerplate removal on real pages: clean eval-dev with default settings and score it.

    python bench/quality.py [--data ../shared/eval-dev] [--out DIR] [--per-page pages.tsv]

Cleans every `pages/NAME.txt` with `Cleaner()` (default settings) into a folder, then runs
the data set's own `score.py` on it and prints its tables, followed by cleaner's figures
beside the peers' reference figures on the same 57 pages. The articles belong to their
publishers: nothing from them is written outside the output folder.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cleaner import Cleaner

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-dev"

# Bag-of-tokens F1 on the same pages, from eval-dev/README.md and research/peers.md.
PEERS: tuple[tuple[str, float], ...] = (
    ("no cleaning (raw page text)", 0.68),
    ("jusText on the text", 0.78),
    ("C4-style line filter", 0.83),
    ("datatrove C4 filter", 0.84),
)

ROW = re.compile(r"^ALL\s+pred\s+\d+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Score:
    """Macro-averaged bag-of-tokens precision, recall and F1 over the pages."""

    precision: float
    recall: float
    f1: float


def clean_pages(data: Path, out: Path, cleaner: Cleaner | None = None) -> int:
    """Clean every page of `data/pages` into `out` with one Cleaner; return the page count."""
    cleaner = cleaner or Cleaner()
    out.mkdir(parents=True, exist_ok=True)
    pages = sorted((data / "pages").glob("*.txt"))
    for page in pages:
        (out / page.name).write_text(cleaner.clean(page.read_bytes()).text, encoding="utf-8")
    return len(pages)


def score_pages(data: Path, out: Path, per_page: Path | None = None) -> tuple[Score, str]:
    """Run the data set's score.py on a folder of cleaned pages; return the figures and its report."""
    command = [sys.executable, str(data / "score.py"), str(out), "--data", str(data)]
    if per_page is not None:
        command += ["--per-page", str(per_page)]
    report = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = ROW.search(report)
    if match is None:
        raise RuntimeError(f"score.py printed no 'ALL pred' row; its output was:\n{report}")
    precision, recall, f1 = (float(value) for value in match.groups())
    return Score(precision, recall, f1), report


def measure(data: Path = DEFAULT_DATA, out: Path | None = None, per_page: Path | None = None) -> Score:
    """Clean and score eval-dev; a temporary folder holds the output unless `out` is given."""
    if out is not None:
        clean_pages(data, out)
        return score_pages(data, out, per_page)[0]
    with tempfile.TemporaryDirectory(prefix="cleaner-quality-") as tmp:
        clean_pages(data, Path(tmp))
        return score_pages(data, Path(tmp), per_page)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with pages/, gold/, score.py")
    parser.add_argument("--out", type=Path, help="keep the cleaned pages here (default: a temporary folder)")
    parser.add_argument("--per-page", type=Path, help="write per-page scores (TSV) here")
    args = parser.parse_args()
    if not (args.data / "score.py").is_file():
        sys.exit(f"no score.py in {args.data}; pass --data PATH/TO/eval-dev")
    with tempfile.TemporaryDirectory(prefix="cleaner-quality-") as tmp:
        out = args.out or Path(tmp)
        count = clean_pages(args.data, out)
        score, report = score_pages(args.data, out, args.per_page)
    print(report)
    print(f"cleaner (default settings) on {count} pages, bag of tokens: "
          f"P {score.precision:.4f}  R {score.recall:.4f}  F1 {score.f1:.4f}")
    print("reference F1 on the same pages:")
    for name, f1 in PEERS:
        print(f"  {f1:.2f}  {name}")


if __name__ == "__main__":
    main()
