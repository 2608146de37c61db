#!/usr/bin/env python3
"""Show that memory stays flat as a JSONL file grows: peak RSS for a file and one ten times larger.

    python bench/memory.py                      # 2 MB and 20 MB of JSONL, -j 2
    python bench/memory.py --mb 5 --factor 10 --jobs 2 --keep /tmp/mem

Builds the files from the seed articles (fixtures/seeds, perturbed so no two records are
equal), runs the installed `cleaner clean FILE -o OUT.jsonl.gz -j N` on each, and samples
the RSS of the whole process tree (the main process and its workers) every 50 ms from
/proc. Linux only. Prints one line per file: size, documents, seconds, peak RSS of the
main process and of the tree.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return pids


def make_jsonl(path: Path, megabytes: float, seed: int = 7) -> int:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "fixtures" / "seeds").glob("*.txt"))]
    rng = random.Random(seed)
    written = count = 0
    with path.open("w", encoding="utf-8") as out:
        while written < megabytes * 1e6:
            paragraphs = rng.choice(texts).split("\n\n")
            rng.shuffle(paragraphs)
            text = "\n\n".join(paragraphs[: rng.randint(min(3, len(paragraphs)), len(paragraphs))]) + f"\n\nLeave a Reply\n{count}"
            line = json.dumps({"id": count, "text": text, "source": "bench"}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            count += 1
    return count


def measure(source: Path, target: Path, jobs: int) -> tuple[float, int, int]:
    script = shutil.which("cleaner") or "cleaner"
    started = time.monotonic()
    process = subprocess.Popen([script, "clean", str(source), "-o", str(target), "-j", str(jobs), "-q"])
    peak_main = peak_tree = 0
    while process.poll() is None:
        pids = tree(process.pid)
        peak_main = max(peak_main, rss_kb(process.pid))
        peak_tree = max(peak_tree, sum(rss_kb(p) for p in pids))
        time.sleep(0.05)
    if process.returncode != 0:
        raise SystemExit(f"cleaner exited {process.returncode} on {source}")
    return time.monotonic() - started, peak_main, peak_tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=2.0, help="size of the first file (MB of JSONL)")
    parser.add_argument("--factor", type=int, default=10, help="how many times larger the second file is")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cleaner-mem-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for megabytes in (args.mb, args.mb * args.factor):
            source = folder / f"in-{megabytes:g}mb.jsonl"
            docs = make_jsonl(source, megabytes)
            seconds, main_kb, tree_kb = measure(source, folder / f"out-{megabytes:g}mb.jsonl.gz", args.jobs)
            print(f"{source.stat().st_size / 1e6:7.1f} MB  {docs:7d} docs  {seconds:6.1f} s  "
                  f"peak RSS main {main_kb / 1024:6.1f} MiB  tree ({args.jobs} workers) {tree_kb / 1024:6.1f} MiB",
                  flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
