"""The work a batch hands out, and the engines that run it: in-process, a process pool, or Ray.

A unit of work is one text file or one chunk of records. It is a pure function of the
settings and its input, so the order in which workers finish cannot change a byte of
the output; the batch puts results back in input order. Workers build their Cleaner
once (rules loaded, patterns compiled) and keep it for every unit they get.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import multiprocessing

from cleaner.config import Config
from cleaner.errors import CleanerError
from cleaner.formats import dump_record, parse_line
from cleaner.model import Result
from cleaner.pipeline import Cleaner, clean_record


@dataclass(frozen=True)
class WorkSettings:
    """What every worker must agree on; shipped to each worker once."""

    config: Config
    text_key: str = "text"
    meta_key: str = "cleaner"
    # Send back every removed or flagged line (for --report); off, results stay small.
    audit: bool = False


@dataclass
class Outcome:
    """What cleaning one unit gives back: output, counts, per-record problems, audit lines."""

    data: Any = None
    written: bool = False  # the worker wrote the output file itself (data is then None)
    documents: int = 0
    changed: int = 0
    changes: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    # (line number in the input or None for a whole file, reason)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    # (record line or None, line, code, action, before, after)
    audit: list[tuple[int | None, int, str, str, str, str]] = field(default_factory=list)

    def add(self, result: Result, record: int | None, audit: bool) -> None:
        """Count one cleaned document."""
        self.documents += 1
        self.changed += result.changed
        for change in result.changes:
            self.rules[change.code] += 1
            if change.action != "flag":
                self.changes += 1
            if audit and (change.action == "flag" or (change.action == "remove" and change.before.strip())):
                self.audit.append((record, change.line, change.code, change.action, change.before, change.after))


@dataclass
class WorkerState:
    """A worker's settings and the Cleaner built from them."""

    settings: WorkSettings
    cleaner: Cleaner


def make_state(settings: WorkSettings, cleaner: Cleaner | None = None) -> WorkerState:
    """Build a worker's Cleaner from the settings, or take one already built for them."""
    if cleaner is None or cleaner.config != settings.config:
        cleaner = Cleaner(settings.config)
    return WorkerState(settings, cleaner)


def too_big(size: int, limit: int, what: str = "document") -> str | None:
    """Say why a document of `size` bytes is refused, or None when it is within the limit (0: none)."""
    if limit and size > limit:
        return f"{what} is {size} bytes, over --max-doc-bytes {limit}"
    return None


def timed_out_message(config: Config) -> str:
    """The reason given for a document a rule's pattern ran too long on, where the rule could not be skipped."""
    return (f"a rule's pattern ran longer than regex_timeout_seconds ({config.regex_timeout_seconds}s) "
            "where it cannot be skipped; the document was not cleaned (fix or --ignore the rule)")


def clean_text_file(state: WorkerState, path: str, target: str | None = None) -> Outcome:
    """Clean one text file; write it to `target` atomically, or send the UTF-8 bytes back.

    Writing here, in the worker, lets the workers' writes and fsyncs overlap instead of
    queueing behind one another in the parent.
    """
    outcome = Outcome()
    try:
        data = Path(path).read_bytes()
        result = state.cleaner.clean(data)
    except TimeoutError:  # an OSError too, so it goes first
        outcome.errors.append((None, timed_out_message(state.settings.config)))
        return outcome
    except OSError as exc:
        outcome.errors.append((None, str(exc.strerror or exc)))
        return outcome
    except CleanerError as exc:
        outcome.errors.append((None, str(exc)))
        return outcome
    outcome.add(result, None, state.settings.audit)
    outcome.data = result.text.encode("utf-8")
    if target is not None:
        from cleaner import batch  # imported here: batch imports this module

        try:
            batch.write_atomic(Path(target), outcome.data)
        except OSError as exc:
            outcome.errors.append((None, f"cannot write {target}: {exc.strerror or exc}"))
        outcome.data = None
        outcome.written = True
    return outcome


def clean_jsonl_chunk(state: WorkerState, first: int, lines: Sequence[bytes | int]) -> Outcome:
    """Clean a chunk of JSON lines; each output line stands where its input line stood.

    A line that is not a JSON object, or a record without a string text field, is
    passed through byte for byte and reported with its line number. Blank lines pass
    through silently. So the output has as many lines as the input, except for records
    over max_doc_bytes (which the reader hands over as their length, an int): those are
    reported and left out, since passing them through would mean holding them in memory.
    """
    settings = state.settings
    outcome = Outcome()
    out: list[bytes] = []
    for number, line in enumerate(lines, start=first):
        if isinstance(line, int):
            reason = too_big(line, settings.config.max_doc_bytes, "record")
            outcome.errors.append((number, f"{reason}; left out of the output (raise the limit to clean it)"))
            continue
        if not line.strip():
            out.append(line)
            continue
        record, problem = parse_line(line)
        result = None
        if record is not None:
            try:
                cleaned, result, problem = clean_record(state.cleaner, record, settings.text_key, settings.meta_key)
            except TimeoutError:
                problem = f"{timed_out_message(settings.config)}; passed through unchanged"
            except Exception as exc:  # a bug must cost one record, not the run
                problem = f"internal error while cleaning: {type(exc).__name__}: {exc}"
        if result is None:
            outcome.errors.append((number, problem or "cannot be cleaned"))
            out.append(line if line.endswith(b"\n") else line + b"\n")
            continue
        outcome.add(result, number, settings.audit)
        out.append(dump_record(cleaned))
    outcome.data = b"".join(out)
    return outcome


def clean_rows(state: WorkerState, first: int, rows: Sequence[dict[str, Any]]) -> Outcome:
    """Clean a chunk of table rows (Parquet); a row without string text passes through."""
    settings = state.settings
    outcome = Outcome()
    out: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=first):
        text = row.get(settings.text_key)
        limit = settings.config.max_doc_bytes
        # len() counts characters; only a text that could be over the limit is encoded to count bytes.
        oversize = too_big(len(text.encode("utf-8", "surrogatepass")), limit, "text") \
            if isinstance(text, str) and limit and 4 * len(text) > limit else None
        problem: str | None
        try:
            if oversize:
                cleaned, result, problem = dict(row), None, f"{oversize}; passed through unchanged"
            else:
                cleaned, result, problem = clean_record(state.cleaner, row, settings.text_key, settings.meta_key)
        except TimeoutError:
            cleaned, result, problem = dict(row), None, f"{timed_out_message(settings.config)}; passed through unchanged"
        except Exception as exc:  # a bug must cost one record, not the run
            cleaned, result, problem = dict(row), None, f"internal error: {type(exc).__name__}: {exc}"
        if result is None:
            outcome.errors.append((number, problem or "cannot be cleaned"))
            cleaned = {**row, settings.meta_key: None}
        else:
            outcome.add(result, number, settings.audit)
        out.append(cleaned)
    outcome.data = out
    return outcome


def clean_text_files(state: WorkerState, items: Sequence[tuple[Any, ...]]) -> list[Outcome | Exception]:
    """Clean several text files in one unit of work: one round trip to a worker, not one per file.

    Each file's result stands alone: an unexpected exception costs that file only, and
    comes back in its place for the batch to report.
    """
    results: list[Outcome | Exception] = []
    clean_one: Any = TASKS["text"]  # looked up, not named: a test may put a faulty task in its place
    for args in items:
        try:
            results.append(clean_one(state, *args))
        except Exception as exc:  # a bug must cost one file, not the files bundled with it
            results.append(exc)
    return results


TASKS = {
    "text": clean_text_file,
    "texts": clean_text_files,
    "jsonl": clean_jsonl_chunk,
    "rows": clean_rows,
}


def run_task(state: WorkerState, kind: str, args: tuple[Any, ...]) -> Outcome:
    """Run one unit of work of the given kind."""
    task: Any = TASKS[kind]
    outcome: Outcome = task(state, *args)
    return outcome


# --- engines ---------------------------------------------------------------------------

class Engine(Protocol):
    """Runs units of work; `submit` returns something whose result() is the Outcome."""

    def submit(self, kind: str, args: tuple[Any, ...]) -> Any: ...

    def close(self, cancel: bool = False) -> None: ...

    # True when a unit may write its output file where it runs (the same machine's files).
    writes_files: bool
    # How many text files may travel to a worker as one unit (1: each on its own).
    bundle: int

    @property
    def window(self) -> int: ...


class SerialEngine:
    """Run every unit in this process, as it is submitted (-j 1)."""

    window = 1
    writes_files = True  # units may write their own output files
    bundle = 1  # nothing to save: no round trip

    def __init__(self, settings: WorkSettings, cleaner: Cleaner | None = None) -> None:
        self.state = make_state(settings, cleaner)

    def submit(self, kind: str, args: tuple[Any, ...]) -> Future[Outcome]:
        future: Future[Outcome] = Future()
        try:
            future.set_result(run_task(self.state, kind, args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def close(self, cancel: bool = False) -> None:
        pass


_WORKER: WorkerState | None = None
# The Cleaner the parent built before forking its workers: they inherit it instead of
# each spending half a second loading and compiling the rules again.
_INHERITED: Cleaner | None = None


def _die_with_parent() -> None:
    # A worker must not outlive a run killed with SIGKILL (it would hold the run's
    # stdout and stderr open, and the CPU). Linux only; elsewhere workers end when
    # they next find their task queue closed.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        parent = os.getppid()
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _init_worker(settings: WorkSettings) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what happens, and a
    # worker that died of SIGINT would only turn a clean stop into a broken pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's SIGTERM handler (stop cleanly) is inherited through fork; a worker the
    # pool terminates must just end, not print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    global _WORKER
    _WORKER = make_state(settings, _INHERITED)


def _run_in_worker(kind: str, args: tuple[Any, ...]) -> Outcome:
    assert _WORKER is not None, "worker not initialised"
    return run_task(_WORKER, kind, args)


class PoolEngine:
    """Run units in N worker processes; results are collected in submission order by the batch."""

    writes_files = True  # workers are this machine's processes: they write their own outputs
    # A web page cleans in a few milliseconds, about what a round trip through the pool
    # costs the parent (pickling, two pipe writes, waking its threads): eight at a time,
    # the parent stops competing with the workers for the cores.
    bundle = 8

    def __init__(self, settings: WorkSettings, jobs: int, cleaner: Cleaner | None = None) -> None:
        # fork: workers are children of this process, start at once with the modules
        # already imported (and the rules already compiled), and (with PR_SET_PDEATHSIG)
        # die with it even on SIGKILL. forkserver and spawn leave helper processes behind
        # a killed parent.
        global _INHERITED
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        _INHERITED = cleaner
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                        initializer=_init_worker, initargs=(settings,))

    @property
    def window(self) -> int:
        # Enough units in flight to keep every worker busy while the parent writes,
        # few enough that memory stays a few chunks per worker.
        return 2 * self.jobs + 2

    def submit(self, kind: str, args: tuple[Any, ...]) -> Future[Outcome]:
        return self.pool.submit(_run_in_worker, kind, args)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
        if cancel:
            processes = list((getattr(self.pool, "_processes", None) or {}).values())
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:  # gone before the batch sweeps what they left
                process.join(timeout=5)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def make_engine(settings: WorkSettings, jobs: int, engine: str = "local", address: str | None = None,
                cleaner: Cleaner | None = None) -> Engine:
    """Pick the engine: in-process for one job, a process pool for more, or Ray.

    `cleaner`, built for `settings.config`, is reused in this process and by forked workers.
    """
    if engine == "ray":
        from cleaner.ray_engine import RayEngine

        return RayEngine(settings, address)
    if jobs <= 1:
        return SerialEngine(settings, cleaner)
    return PoolEngine(settings, jobs, cleaner)
