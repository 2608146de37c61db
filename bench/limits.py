#!/usr/bin/env python3
"""Size and shape limits: time and peak memory for one huge line, a million short lines, a big JSONL.

    python bench/limits.py                         # 100 MB line, 1M lines, 200 MB JSONL (each at 1/4, 1/2, 1)
    python bench/limits.py --line-mb 20 --lines 200000 --jsonl-mb 50 --timeout 300
    python bench/limits.py --only jsonl --jobs 2

Each shape is cleaned at a quarter, half and the whole of its size by the installed
`cleaner clean FILE -o OUT -j N --max-doc-bytes 0 --lang-backend off`, started from a
fresh helper process so that the peak RSS it reports (getrusage of its children: the
cleaner and every worker) belongs to that one run. Linear time shows as seconds that
double with the size; bounded memory as a JSONL peak that does not grow with it (a
single document must be held whole, so a huge line costs memory in proportion to it).
A run that passes --timeout is reported as such and the larger sizes of that shape are
skipped: super-linear paths show up here first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SENTENCE = "Caf\u00c3\u00a9 lorem ipsum dolor sit amet &amp; consectetur adipiscing elit\u00a0 "
# Runs the cleaner as a child and prints its wall time and the peak RSS of the whole tree.
HELPER = """
import resource, subprocess, sys, time
started = time.monotonic()
try:
    code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=float(sys.argv[1])).returncode
except subprocess.TimeoutExpired:
    code = "timeout"
print(code, time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_line(path: Path, size: int) -> int:
    """One line of `size` bytes, with something to clean every 70 characters."""
    piece = SENTENCE.encode("utf-8") * 1000
    with path.open("wb") as out:
        left = size
        while left > 0:
            out.write(piece[:left])
            left -= len(piece)
        out.write(b"\n")
    return 1


def write_lines(path: Path, count: int) -> int:
    """`count` short lines, one paragraph each, some with something to clean."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(f"Line {i} of a long list\u00a0here.\n" if i % 3 else f"Item {i}  \n")
    return count


def write_jsonl(path: Path, size: int) -> int:
    """Records of a few KB each until the file holds `size` bytes."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        written = 0
        while written < size:
            text = f"Record {count}. " + SENTENCE * (20 + count % 40) + "\r\n\r\n\r\nLeave a Reply\r\nEnd."
            line = json.dumps({"id": count, "text": text}) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            count += 1
    return count


def measure(command: list[str], timeout: float) -> tuple[str, float, int]:
    done = subprocess.run([sys.executable, "-c", HELPER, str(timeout), *command], capture_output=True, text=True,
                          check=True)
    code, seconds, peak_kb = done.stdout.split()
    return code, float(seconds), int(peak_kb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--line-mb", type=float, default=100.0, help="size of the single-line file (MB)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="number of short lines")
    parser.add_argument("--jsonl-mb", type=float, default=200.0, help="size of the JSONL file (MB)")
    parser.add_argument("--jobs", type=int, default=2, help="-j for the JSONL runs (text runs are one document)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a run counts as too slow")
    parser.add_argument("--only", choices=("line", "lines", "jsonl"), action="append", help="run only these shapes")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    script = shutil.which("cleaner")
    if script is None:
        sys.exit("bench/limits.py: the cleaner console script is not installed (pip install -e .)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="cleaner-limits-"))
    work.mkdir(parents=True, exist_ok=True)
    shapes = [
        ("line", "one line", "single.txt", lambda p, f: write_line(p, int(args.line_mb * 1e6 * f)), 1),
        ("lines", "short lines", "lines.txt", lambda p, f: write_lines(p, int(args.lines * f)), 1),
        ("jsonl", "JSONL", "records.jsonl", lambda p, f: write_jsonl(p, int(args.jsonl_mb * 1e6 * f)), args.jobs),
    ]
    print(f"{'shape':<12} {'size MB':>9} {'documents':>10} {'seconds':>9} {'MB/s':>7} {'peak RSS MB':>12}  result")
    try:
        for key, label, name, make, jobs in shapes:
            if args.only and key not in args.only:
                continue
            for fraction in (0.25, 0.5, 1.0):
                source = work / f"{fraction}-{name}"
                documents = make(source, fraction)
                size = source.stat().st_size
                target = work / f"out-{fraction}-{name}"
                code, seconds, peak = measure([script, "clean", str(source), "-o", str(target), "-j", str(jobs),
                                               "--max-doc-bytes", "0", "--lang-backend", "off", "--quiet"],
                                              args.timeout)
                result = {"0": "ok", "timeout": f"over {args.timeout:.0f}s"}.get(code, f"exit {code}")
                print(f"{label:<12} {size / 1e6:>9.1f} {documents:>10,} {seconds:>9.1f} "
                      f"{size / 1e6 / seconds:>7.2f} {peak / 1024:>12.0f}  {result}", flush=True)
                if not args.keep:
                    source.unlink()
                    target.unlink(missing_ok=True)
                if code == "timeout":
                    break
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
