"""Measure cleaner against ftfy and its peers on one corpus, one core, in one run.

Makes the corpus with ../shared/bench/gen_corpus.py into bench/corpus/ (git-ignored,
made once per size and reused), then runs every system in its own subprocess pinned
to one core, so that peak memory (RSS) is each system's own: the worker streams the
corpus one document at a time and times only the cleaning call (CPU time of the
process, which a busy shared machine disturbs less than wall time). cleaner and ftfy,
whose ratio the floors are about, run in alternating rounds (--rounds, default 3) and
each keeps its fastest. Prints one Markdown table: MB/s, docs/s, ratio to
`ftfy.fix_text`, peak RSS. Then the time each stage of the default pipeline takes on
its real input, `cleaner clean -j 1` against `-j 2` over the same corpus as text files
(wall time, the point of workers; also fastest of the rounds), and the cost per KB for
1 KB, 10 KB, 100 KB and 1 MB documents.

    pip install -e '.[bench]'
    python bench/run.py              # 50 MB corpus, about 20 minutes
    python bench/run.py --size 5     # quick look

Peers that are not installed (or fail to import) are reported as missing, not
skipped silently. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GEN_CORPUS = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
SIZES_KB = (1, 10, 100, 1000)

Cleaning = Callable[[str], object]


# --- systems: name -> function that builds a text -> anything cleaner ------------------

def build_cleaner() -> Cleaning:
    from cleaner.config import Config
    from cleaner.pipeline import Cleaner

    cleaner = Cleaner(Config())  # every stage on, language detected for every document
    return cleaner.clean


def build_cleaner_unremembered() -> Cleaning:
    # The boilerplate stage remembers what it learnt about a line's text (up to 16k texts
    # of at most 1,000 characters) from one document to the next: site chrome recurs on
    # every page of a crawl. The bench corpus recurs far more than a crawl does (it is
    # five seed articles perturbed), so this row shows the pipeline with nothing
    # remembered across documents: the figure to expect on text that never repeats.
    from cleaner.stages import boilerplate

    boilerplate.LineMemo.LONGEST = 0
    if hasattr(boilerplate, "fold_other"):
        boilerplate.fold_other = boilerplate.fold  # its lru_cache is a memo across documents too
    return build_cleaner()


def build_ftfy() -> Cleaning:
    import ftfy

    return ftfy.fix_text


def build_clean_text() -> Cleaning:
    import cleantext

    return cleantext.clean  # its defaults: fix_unicode, to_ascii, lower, normalize whitespace


def build_textacy() -> Cleaning:
    from textacy import preprocessing as pre

    return pre.make_pipeline(pre.normalize.bullet_points, pre.normalize.hyphenated_words,
                             pre.normalize.quotation_marks, pre.normalize.unicode,
                             pre.remove.html_tags, pre.normalize.whitespace)


def build_datatrove() -> Cleaning:
    # English word tokenizer is spaCy's blank pipeline and C4 splits lines itself
    # (split_paragraph=True): no nltk data or model download is needed, so this runs offline.
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter
    from datatrove.pipeline.formatters import FTFYFormatter

    formatter, c4, gopher = FTFYFormatter(), C4QualityFilter(), GopherQualityFilter()

    def chain(text: str) -> object:
        doc = Document(text=formatter.format(text), id="0")
        kept = c4.filter(doc)
        if kept is True or (isinstance(kept, tuple) and kept[0]):
            return gopher.filter(doc)
        return kept

    return chain


HEADLINE = ("cleaner (default pipeline)", "ftfy.fix_text")
SYSTEMS: dict[str, Callable[[], Cleaning]] = {
    "cleaner (default pipeline)": build_cleaner,
    "cleaner (no memory across documents)": build_cleaner_unremembered,
    "ftfy.fix_text": build_ftfy,
    "clean-text": build_clean_text,
    "textacy preprocessing": build_textacy,
    "datatrove FTFY+C4+Gopher": build_datatrove,
}


# --- worker side: runs in a subprocess ---------------------------------------------------

def read_docs(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)["text"]


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def measure(system: str, corpus: Path, stages: bool) -> dict[str, object]:
    """Clean every document of the corpus with one system; return times, sizes and peak RSS."""
    pin_one_core()
    clean = SYSTEMS[system]()
    clean("Warm up: load models and tables before the clock starts. Caf\u00c3\u00a9 &amp; \u201cquotes\u201d\n")
    stage_seconds: dict[str, float] = {}
    if stages:
        clean = time_stages(clean, stage_seconds)
    cpu = wall = 0.0
    docs = size = 0
    for text in read_docs(corpus):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        clean(text)
        cpu += time.process_time() - start_cpu
        wall += time.perf_counter() - start_wall
        docs += 1
        size += len(text.encode("utf-8"))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"system": system, "cpu": cpu, "wall": wall, "docs": docs, "bytes": size,
            "peak_mb": peak_kb / 1024, "stages": stage_seconds}


def time_stages(clean: Cleaning, seconds: dict[str, float]) -> Cleaning:
    """Wrap the cleaner's stages so each one's CPU time is added up on its real input."""
    cleaner = clean.__self__  # type: ignore[attr-defined]
    wrapped = []
    for name, stage in cleaner._stages:
        def timed(doc: object, stage: Callable[..., object] = stage, name: str = name) -> object:
            start = time.process_time()
            out = stage(doc)
            seconds[name] = seconds.get(name, 0.0) + time.process_time() - start
            return out
        wrapped.append((name, timed))
    cleaner._stages = tuple(wrapped)
    return clean


def measure_sizes(corpus: Path, budget_mb: float) -> dict[str, object]:
    """Clean documents of 1 KB .. 1 MB (corpus text cut or joined at line ends) and time each size."""
    pin_one_core()
    clean = build_cleaner()
    clean("warm up\n")
    pool = "\n\n".join(text for _, text in zip(range(2000), read_docs(corpus)))
    rows = {}
    for kb in SIZES_KB:
        count = max(2, int(budget_mb * 1000 / kb))
        docs, offset = [], 0
        while len(docs) < count and offset < len(pool):
            end = pool.find("\n", offset + kb * 1000)
            end = len(pool) if end < 0 else end
            docs.append(pool[offset:end])
            offset = end + 1
            if offset >= len(pool):
                offset = 0
        start = time.process_time()
        for doc in docs:
            clean(doc)
        cpu = time.process_time() - start
        size = sum(len(doc.encode("utf-8")) for doc in docs)
        rows[str(kb)] = {"docs": len(docs), "bytes": size, "cpu": cpu}
    return rows


# --- driver side -----------------------------------------------------------------------

def make_corpus(size_mb: float, folder: Path) -> Path:
    """Return the corpus of this size, making it with gen_corpus.py the first time."""
    path = folder / f"corpus-{size_mb:g}mb.jsonl"
    if not path.exists():
        if not GEN_CORPUS.exists():
            sys.exit(f"bench: {GEN_CORPUS} not found; the corpus generator lives in ../shared/bench")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(GEN_CORPUS), "--out", str(path), "--mb", f"{size_mb:g}"], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def as_text_files(corpus: Path) -> Path:
    """Write the corpus as one .txt file per document (for the batch CLI), once."""
    folder = corpus.with_suffix("")
    if not folder.exists():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        for number, text in enumerate(read_docs(corpus)):
            (partial / f"{number:06d}.txt").write_text(text, encoding="utf-8")
        partial.rename(folder)
    return folder


def run_worker(args: list[str]) -> dict[str, object] | str:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed: {last[:160]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_batch(files: Path, jobs: int, scratch: Path) -> float | str:
    """Wall seconds for `cleaner clean FILES -o OUT -j JOBS` into a new folder of `scratch`, or why it could not run.

    Outputs stay until every round is done: deleting thousands of fsynced files makes the
    disk discard their blocks in the background, which would slow the next timed run.
    """
    cli = shutil.which("cleaner")
    command = [cli] if cli else [sys.executable, "-m", "cleaner.cli"]
    help_text = subprocess.run([*command, "clean", "--help"], capture_output=True, text=True, check=False).stdout
    if "--jobs" not in help_text:
        return "absent: `cleaner clean` has no -j/--jobs option yet"
    out = Path(tempfile.mkdtemp(prefix=f"j{jobs}-", dir=scratch))
    if hasattr(os, "sync"):
        os.sync()  # the last run's writes reach the disk before this run's clock starts
    start = time.perf_counter()
    done = subprocess.run([*command, "clean", str(files), "-o", str(out), "-j", str(jobs)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        return f"failed (exit {done.returncode}): {(done.stderr.strip().splitlines() or [''])[-1][:160]}"
    return seconds


def table(results: list[dict[str, object] | str], names: list[str], staged: dict[str, object] | str) -> list[str]:
    ftfy = next((r for r in results if isinstance(r, dict) and r["system"] == "ftfy.fix_text"), None)
    ftfy_rate = ftfy["bytes"] / ftfy["cpu"] if ftfy else None  # type: ignore[operator]
    lines = ["| system | MB/s | docs/s | × ftfy | peak RSS (MB) |", "|---|---:|---:|---:|---:|"]
    for name, result in zip(names, results):
        if isinstance(result, str):
            lines.append(f"| {name} | — | — | — | {result} |")
            continue
        rate = result["bytes"] / result["cpu"]  # type: ignore[operator]
        ratio = f"{rate / ftfy_rate:.2f}" if ftfy_rate else "—"
        lines.append(f"| {name} | {rate / 1e6:.2f} | {result['docs'] / result['cpu']:,.0f} | {ratio} "  # type: ignore[operator]
                     f"| {result['peak_mb']:.0f} |")
    if isinstance(staged, str):
        lines.append(f"| · stages | — | — | — | {staged} |")
    else:
        cleaner = staged
        total = cleaner["bytes"]
        for stage, seconds in cleaner["stages"].items():  # type: ignore[attr-defined]
            if seconds > 0:
                rate = total / seconds  # type: ignore[operator]
                ratio = f"{rate / ftfy_rate:.1f}" if ftfy_rate else "—"
                lines.append(f"| · stage {stage} (in the pipeline) | {rate / 1e6:.1f} | "
                             f"{cleaner['docs'] / seconds:,.0f} | {ratio} | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=50.0, help="corpus size in MB of text (default 50)")
    parser.add_argument("--corpus-dir", type=Path, default=HERE / "corpus")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of the systems")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating rounds of cleaner and ftfy, fastest kept (default 3)")
    parser.add_argument("--no-batch", action="store_true", help="skip `cleaner clean -j 1` vs `-j 2`")
    parser.add_argument("--no-sizes", action="store_true", help="skip cost vs document size")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *rest = args.worker
        if kind == "sizes":
            print(json.dumps(measure_sizes(Path(rest[0]), float(rest[1]))))
        elif kind == "stages":
            print(json.dumps(measure("cleaner (default pipeline)", Path(rest[0]), stages=True)))
        else:
            print(json.dumps(measure(kind, Path(rest[0]), stages=False)))
        return

    corpus = make_corpus(args.size, args.corpus_dir)
    names = [name for name in SYSTEMS if name in args.systems.split(",")]
    # The ratio the floors are about, cleaner over ftfy, is measured in alternating rounds and
    # each system's fastest round kept (as timeit does): a shared machine's slow spells then
    # cannot fall on one of the two alone. Peers run once.
    best: dict[str, dict[str, object] | str] = {}
    for round_number in range(1, args.rounds + 1):
        for name in (n for n in HEADLINE if n in names):
            print(f"bench: {name} (round {round_number} of {args.rounds}) ...", file=sys.stderr, flush=True)
            result = run_worker([name, str(corpus)])
            if isinstance(result, dict):
                print(f"bench: {result['bytes'] / result['cpu'] / 1e6:.2f} MB/s", file=sys.stderr, flush=True)  # type: ignore[operator]
            kept = best.get(name)
            if kept is None or isinstance(kept, str) or (isinstance(result, dict) and result["cpu"] < kept["cpu"]):  # type: ignore[operator]
                best[name] = result
    results = []
    for name in names:
        if name not in best:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            best[name] = run_worker([name, str(corpus)])
        results.append(best[name])
    # Each stage's time, from a run of its own: the clock calls around every stage would
    # otherwise be counted in the pipeline's own row.
    print("bench: cleaner's stages ...", file=sys.stderr, flush=True)
    staged = run_worker(["stages", str(corpus)])
    today = datetime.date.today().isoformat()
    command = "python bench/run.py" + (f" --size {args.size:g}" if args.size != 50 else "") \
        + (f" --rounds {args.rounds}" if args.rounds != 3 else "")
    docs = next((r["docs"] for r in results if isinstance(r, dict)), "?")
    print(f"Measured {today} with `{command}`: {args.size:g} MB corpus ({docs} documents), "
          f"one core, CPU time of each system's own process (Python {sys.version.split()[0]}); "
          f"cleaner and ftfy fastest of {args.rounds} alternating rounds, the others one run.\n")
    print("\n".join(table(results, names, staged)))

    if not args.no_batch:
        print("bench: cleaner clean -j 1 / -j 2 ...", file=sys.stderr, flush=True)
        files = as_text_files(corpus)
        one: float | str = "absent"
        two: float | str = "absent"
        scratch = Path(tempfile.mkdtemp(prefix="cleaner-bench-"))
        for _ in range(args.rounds):  # alternating, fastest kept, as above
            for jobs in (1, 2):
                seconds = run_batch(files, jobs, scratch)
                print(f"bench: -j {jobs}: {seconds if isinstance(seconds, str) else f'{seconds:.1f} s'}",
                      file=sys.stderr, flush=True)
                kept = one if jobs == 1 else two
                if isinstance(kept, str) or (not isinstance(seconds, str) and seconds < kept):
                    if jobs == 1:
                        one = seconds
                    else:
                        two = seconds
        shutil.rmtree(scratch, ignore_errors=True)
        print("\n| batch CLI over the same corpus as .txt files | wall seconds | MB/s |\n|---|---:|---:|")
        total = sum(path.stat().st_size for path in files.iterdir())
        for label, seconds in (("cleaner clean -j 1", one), ("cleaner clean -j 2", two)):
            if isinstance(seconds, str):
                print(f"| {label} | {seconds} | |")
            else:
                print(f"| {label} | {seconds:.1f} | {total / seconds / 1e6:.2f} |")
        if not isinstance(one, str) and not isinstance(two, str):
            print(f"| speed-up with 2 workers | {one / two:.2f}x | |")

    if not args.no_sizes:
        print("bench: cost vs document size ...", file=sys.stderr, flush=True)
        sizes = run_worker(["sizes", str(corpus), f"{min(args.size, 8.0) / 2:g}"])
        print("\n| document size | documents | MB/s | µs per KB |\n|---|---:|---:|---:|")
        if isinstance(sizes, str):
            print(f"| — | — | — | {sizes} |")
        else:
            for kb, row in sizes.items():
                label = f"{int(kb) // 1000} MB" if int(kb) >= 1000 else f"{kb} KB"
                print(f"| {label} | {row['docs']} | {row['bytes'] / row['cpu'] / 1e6:.2f} | "
                      f"{row['cpu'] / (row['bytes'] / 1000) * 1e6:.0f} |")


if __name__ == "__main__":
    main()
