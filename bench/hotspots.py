"""Profile cleaner's default pipeline with cProfile on a bench corpus: what dominates now.

    python bench/run.py --size 10 --no-batch --no-sizes   # makes bench/corpus/corpus-10mb.jsonl once
    python bench/hotspots.py                               # top functions by own time
    python bench/hotspots.py --sort cumulative --top 40

The profiler roughly doubles the run time and weighs small Python calls more than C
calls, so read it for shares and names, and take speeds from bench/run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
from pathlib import Path

from cleaner.config import Config
from cleaner.pipeline import Cleaner

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus" / "corpus-10mb.jsonl")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (default tottime)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if not args.corpus.exists():
        parser.error(f"{args.corpus} not found; make it with `python bench/run.py --size 10 --no-batch --no-sizes`")
    with args.corpus.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    cleaner = Cleaner(Config())  # every stage on, language detected for every document
    cleaner.clean("Warm up: load models and tables first. Caf\u00c3\u00a9 &amp; \u201cquotes\u201d\n")
    profile = cProfile.Profile()
    profile.enable()
    for text in texts:
        cleaner.clean(text)
    profile.disable()
    print(f"{len(texts)} documents from {args.corpus.name}")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
