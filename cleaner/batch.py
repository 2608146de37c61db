"""Clean many files, in parallel, streaming, and so that nothing is ever half-written or lost.

The library side of `cleaner clean` over files and folders (the CLI only prints what
this reports). A batch is a stream of steps in input order: for each file, either one
unit of work (a text file) or an opening, chunks of records, and a closing. Units go to
an engine (in-process, a process pool, or Ray) with a bounded number in flight; results
come back in input order and are written by this process alone. So memory holds a few
chunks per worker whatever the number or size of files, `-j 1` and `-j N` give the same
bytes, and every output is a temporary file renamed into place once complete. A
journal beside the manifest records each finished file, which is what `--resume` trusts.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import signal
import stat
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleaner.config import Config
from cleaner.errors import CleanerError
from cleaner.formats import (compression_of, format_of, iter_line_chunks, iter_parquet_chunks,
                             open_binary_input, open_binary_output, open_parquet_writer,
                             parquet_output_schema, write_parquet_rows)
from cleaner.manifest import Journal, manifest_paths, now_iso, settings_fingerprint
from cleaner.pipeline import Cleaner
from cleaner.report import ReportWriter
from cleaner.workers import Engine, Outcome, WorkSettings, default_jobs, make_engine

# Outputs get the permissions any new file would get (mkstemp alone would make them 0600).
_UMASK = os.umask(0)
os.umask(_UMASK)

# Test hook: send this process a signal (SIGKILL unless CLEANER_TEST_SIGNAL names another)
# after writing this many chunks, to prove that a killed run leaves no half-written output,
# that --resume finishes it byte for byte, and that Ctrl-C stops cleanly, deterministically.
KILL_AFTER_ENV = "CLEANER_TEST_KILL_AFTER_CHUNKS"
KILL_SIGNAL_ENV = "CLEANER_TEST_SIGNAL"


@dataclass(frozen=True)
class BatchOptions:
    """Where outputs go, which files are taken, how records are read, how the run is done."""

    outdir: Path | None = None
    output_file: Path | None = None
    patterns: tuple[str, ...] = ("*.txt",)
    in_place: bool = False
    check: bool = False
    to_stdout: bool = False
    input_format: str = "auto"
    text_key: str = "text"
    meta_key: str = "cleaner"
    jobs: int = 0
    engine: str = "local"
    address: str | None = None
    resume: bool = False
    report: Path | None = None


@dataclass(frozen=True)
class FileJob:
    """One input file, its format, where its output goes, or why it cannot be taken."""

    source: Path
    target: Path | None
    fmt: str
    error: str | None = None


@dataclass
class RunStats:
    """Running totals of a batch, for the progress bar, the summary and the exit code."""

    files: int = 0
    failed: int = 0
    skipped: int = 0
    documents: int = 0
    changed: int = 0
    changes: int = 0
    errors: int = 0
    would_change: int = 0
    bytes_in: int = 0
    total_bytes: int | None = None
    started: float = field(default_factory=time.monotonic)
    rules: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False
    fatal: str | None = None
    manifest: Path | None = None

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def ok(self) -> bool:
        return not (self.failed or self.errors or self.fatal or self.interrupted)


@dataclass
class Hooks:
    """How a batch tells its caller what happens; the CLI prints, a library caller may log."""

    error: Callable[[str], None] = lambda message: None
    notice: Callable[[str], None] = lambda message: None
    progress: Callable[[RunStats], None] | None = None


# --- writing without ever leaving half a file -----------------------------------------

class AtomicFile:
    """A temporary file beside `target` that becomes `target` only on commit.

    A reader, or a crash at any instant, sees the old file or the complete new one,
    never a half-written file under the final name.
    """

    def __init__(self, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        # A file written over (--in-place, or a rerun) keeps its permissions: a private
        # 0600 input must not come back readable by everyone.
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = 0o666 & ~_UMASK
        os.chmod(temp, mode)
        self.target = target
        self.temp = Path(temp)
        self.handle: IO[bytes] = os.fdopen(handle, "wb")

    def commit(self) -> None:
        """Flush to disk and rename into place."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.temp, self.target)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        try:
            self.handle.close()
        except OSError:
            pass
        self.temp.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `target`, flush it, then rename it into place."""
    atomic = AtomicFile(target)
    try:
        atomic.handle.write(data)
    except BaseException:
        atomic.abort()
        raise
    atomic.commit()


def sweep_temps(folder: Path, name: str | None = None) -> None:
    """Remove temporary files a killed run left (`.NAME.*.tmp`), in a folder tree or for one name."""
    if not folder.is_dir():
        return
    if name is not None:
        for path in folder.glob(f".{glob_escape(name)}.*.tmp"):
            path.unlink(missing_ok=True)
        return
    for root, _dirs, files in os.walk(folder):
        for file in files:
            if file.startswith(".") and file.endswith(".tmp") and file.count(".") >= 3:
                Path(root, file).unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


class JsonlSink:
    """Cleaned JSON lines into an atomic file (compressed by its extension) or a stream."""

    def __init__(self, target: Path | None, stream: IO[bytes] | None) -> None:
        self.atomic = AtomicFile(target) if target is not None else None
        raw = self.atomic.handle if self.atomic else stream
        assert raw is not None
        self.out = open_binary_output(raw, compression_of(target) if target else "none")
        self.raw = raw

    def write(self, data: bytes) -> None:
        self.out.write(data)

    def commit(self) -> None:
        if self.out is not self.raw:
            self.out.close()  # ends the compressed stream; the file stays open
        if self.atomic:
            self.atomic.commit()
        else:
            self.raw.flush()

    def abort(self) -> None:
        if self.atomic:
            try:
                if self.out is not self.raw:
                    self.out.close()
            except Exception:
                pass
            self.atomic.abort()


class ParquetSink:
    """Cleaned rows into an atomic Parquet file, one row group per chunk."""

    def __init__(self, target: Path, schema: Any, meta_key: str) -> None:
        self.atomic = AtomicFile(target)
        self.schema, self.meta_key = schema, meta_key
        self.writer = open_parquet_writer(self.atomic.handle, schema)

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        write_parquet_rows(self.writer, rows, self.schema, self.meta_key)

    def commit(self) -> None:
        self.writer.close()
        self.atomic.commit()

    def abort(self) -> None:
        try:
            self.writer.close()
        except Exception:
            pass
        self.atomic.abort()


# --- choosing inputs ------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    # An output or input folder is asked about once per file: resolving it (an lstat
    # per path component) once per run is enough.
    return folder.resolve()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(_resolved(folder))
    except ValueError:
        return False
    return True


def _walk(folder: Path, patterns: Sequence[str], skip: Path | None) -> Iterator[Path]:
    """Files under a folder matching any pattern, in a stable order, one folder in memory at a time."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        if skip is not None:
            dirs[:] = [d for d in dirs if not _inside(Path(root, d), skip)]
        for name in sorted(files):
            if name.startswith(".") and name.endswith(".tmp"):
                continue  # another run's temporary file
            if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                yield Path(root, name)


def iter_inputs(inputs: Sequence[Path], options: BatchOptions) -> Iterator[FileJob]:
    """Yield a FileJob for every input file, in a stable order.

    Folders are walked recursively for files matching the patterns (an output folder
    inside an input folder is not walked); the target mirrors the path relative to the
    folder given. A target outside the output folder, or on an input without
    --in-place, is an error for that file only.
    """
    for given in inputs:
        if str(given) == "-":
            yield FileJob(given, options.output_file, format_of("-", options.input_format))
            continue
        if given.is_dir():
            pairs: Iterator[tuple[Path, Path]] = ((p, p.relative_to(given))
                                                  for p in _walk(given, options.patterns, options.outdir))
        elif given.exists():
            pairs = iter([(given, Path(given.name))])
        else:
            yield FileJob(given, None, "text", "no such file or folder")
            continue
        for source, relative in pairs:
            yield _job(source, relative, options)


def _job(source: Path, relative: Path, options: BatchOptions) -> FileJob:
    fmt = format_of(source, options.input_format)
    if options.in_place:
        return FileJob(source, source, fmt)
    if options.check or options.to_stdout:
        return FileJob(source, None, fmt)
    if options.output_file is not None:
        target = options.output_file
        wanted = format_of(target, options.input_format if options.input_format != "auto" else "auto")
        if format_of(target) != fmt and wanted != fmt:
            return FileJob(source, None, fmt, f"cannot write {fmt} input as {format_of(target)} ({target})")
    else:
        assert options.outdir is not None
        target = options.outdir / relative
        if not _inside(target, options.outdir):
            return FileJob(source, None, fmt, f"output path {target} would leave the output folder; skipped")
    if target.exists() and target.resolve() == source.resolve():
        return FileJob(source, None, fmt, "output would overwrite the input; use --in-place to mean that")
    return FileJob(source, target, fmt)


# --- the stream of steps ----------------------------------------------------------------

@dataclass
class Step:
    """One item of the batch stream: work for an engine, or a marker for the writer."""

    index: int
    job: FileJob
    kind: str  # text | jsonl | rows (work);  open | close | fail | error | skip (markers)
    args: tuple[Any, ...] = ()
    raw_bytes: int = 0
    reason: str | None = None
    schema: Any = None


WORK_KINDS = ("text", "jsonl", "rows")
# A bundle of text files stops growing at this many bytes, so one huge file travels alone.
BUNDLE_BYTES = 1 << 20


def iter_steps(jobs: Iterator[FileJob], options: BatchOptions, done: dict[str, Any],
               stdin: IO[bytes] | None, max_doc_bytes: int = 0, workers_write: bool = False) -> Iterator[Step]:
    """Turn files into steps, reading records lazily: only chunks in flight are in memory.

    A text file over `max_doc_bytes` (0: no limit) fails without being read; a JSONL
    record over it is read past in bounded pieces and reported by the worker. With
    `workers_write`, a text file's worker writes its output itself.
    """
    # Only into an output folder: a worker killed mid-write leaves a temporary file, and
    # only there does the run sweep them away (at its end and at the next run's start).
    write_in_worker = workers_write and options.outdir is not None and not (
        options.check or options.to_stdout or options.in_place)
    for index, job in enumerate(jobs):
        if job.error:
            yield Step(index, job, "error", reason=job.error)
        elif str(job.source) in done:
            yield Step(index, job, "skip")
        elif job.fmt == "text":
            try:
                size = job.source.stat().st_size
            except OSError as exc:
                yield Step(index, job, "error", reason=str(exc.strerror or exc))
                continue
            if max_doc_bytes and size > max_doc_bytes:
                yield Step(index, job, "error", raw_bytes=size, reason=(
                    f"document is {size} bytes, over --max-doc-bytes {max_doc_bytes}; raise it or split the file"))
                continue
            yield Step(index, job, "text", (str(job.source), _str(job.target) if write_in_worker else None),
                       raw_bytes=size)
        elif job.fmt == "jsonl":
            yield from _jsonl_steps(index, job, stdin, max_doc_bytes)
        else:
            yield from _parquet_steps(index, job, options.meta_key)


def _jsonl_steps(index: int, job: FileJob, stdin: IO[bytes] | None, max_doc_bytes: int = 0) -> Iterator[Step]:
    try:
        raw: IO[bytes] = stdin if str(job.source) == "-" and stdin is not None else job.source.open("rb")
    except OSError as exc:
        yield Step(index, job, "error", reason=str(exc.strerror or exc))
        return
    try:
        yield Step(index, job, "open")
        last = 0
        try:
            stream = open_binary_input(raw)
            for first, lines in iter_line_chunks(stream, max_line_bytes=max_doc_bytes):
                try:
                    position = raw.tell()
                except (OSError, ValueError):  # a pipe
                    position = last + sum(len(line) if isinstance(line, bytes) else line for line in lines)
                yield Step(index, job, "jsonl", (first, lines), raw_bytes=position - last)
                last = position
        except Exception as exc:  # corrupt gzip/zstd, a read error: this file fails, the batch goes on
            yield Step(index, job, "fail", reason=f"cannot read: {exc or type(exc).__name__}")
            return
        yield Step(index, job, "close")
    finally:
        if raw is not stdin:
            raw.close()


def _parquet_steps(index: int, job: FileJob, meta_key: str) -> Iterator[Step]:
    try:
        schema = parquet_output_schema(job.source, meta_key)
        size = job.source.stat().st_size
        yield Step(index, job, "open", schema=schema)
        for first, rows in iter_parquet_chunks(job.source):
            yield Step(index, job, "rows", (first, rows), raw_bytes=size if first == 1 else 0)
    except CleanerError as exc:
        yield Step(index, job, "error", reason=str(exc))
        return
    except Exception as exc:
        yield Step(index, job, "fail", reason=f"cannot read Parquet: {exc}")
        return
    yield Step(index, job, "close")


def _ordered(steps: Iterator[Step], engine: Engine) -> Iterator[tuple[Step, Outcome | None, BaseException | None]]:
    """Submit work with at most `engine.window` units in flight; yield results in input order.

    Consecutive text files travel as one unit of up to `engine.bundle` files (and about
    BUNDLE_BYTES), so a pool's round trip is paid per bundle, not per small file.
    """
    pending: deque[tuple[list[Step], Any]] = deque()
    bundle: list[Step] = []
    bundle_bytes = 0

    def send_bundle() -> None:
        nonlocal bundle_bytes
        if len(bundle) == 1:
            pending.append((list(bundle), engine.submit("text", bundle[0].args)))
        else:
            pending.append((list(bundle), engine.submit("texts", (tuple(step.args for step in bundle),))))
        bundle.clear()
        bundle_bytes = 0

    for step in steps:
        if step.kind == "text" and engine.bundle > 1:
            bundle.append(step)
            bundle_bytes += step.raw_bytes
            if len(bundle) < engine.bundle and bundle_bytes < BUNDLE_BYTES:
                continue
            send_bundle()
        else:
            if bundle:
                send_bundle()
            pending.append(([step], engine.submit(step.kind, step.args) if step.kind in WORK_KINDS else None))
        while len(pending) > engine.window:
            yield from _resolve(*pending.popleft())
    if bundle:
        send_bundle()
    while pending:
        yield from _resolve(*pending.popleft())


def _resolve(steps: list[Step], future: Any) -> Iterator[tuple[Step, Outcome | None, BaseException | None]]:
    if future is None:
        yield steps[0], None, None
        return
    try:
        result = future.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:
        for step in steps:
            yield step, None, exc
        return
    if not isinstance(result, list):
        yield steps[0], result, None
        return
    for step, outcome in zip(steps, result, strict=True):
        if isinstance(outcome, Exception):
            yield step, None, outcome
        else:
            yield step, outcome, None


# --- the run --------------------------------------------------------------------------

@dataclass
class _Open:
    """A file being written: its sink and its counts so far."""

    job: FileJob
    sink: JsonlSink | ParquetSink | None
    started: float = field(default_factory=time.monotonic)
    outcome: Outcome = field(default_factory=Outcome)
    raw_bytes: int = 0
    errors: int = 0


def total_input_bytes(inputs: Sequence[Path], options: BatchOptions) -> int:
    """Sum the sizes of every input file (for the progress bar's ETA)."""
    total = 0
    for job in iter_inputs(inputs, options):
        try:
            total += job.source.stat().st_size if not job.error and str(job.source) != "-" else 0
        except OSError:
            pass
    return total


def run_batch(inputs: Sequence[Path], config: Config, options: BatchOptions, hooks: Hooks | None = None,
              stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None,
              cleaner: Cleaner | None = None) -> RunStats:
    """Clean every input file as the options say and return the run's totals.

    Errors with single files or records are reported through `hooks.error` as
    `PATH[:LINE]: reason` and the run goes on. Raises CleanerError when the run cannot
    start (bad settings, a resume over outputs made with other settings).
    """
    hooks = hooks or Hooks()
    _resolved.cache_clear()  # a folder's symlinks may have changed since the last run
    if cleaner is None or cleaner.config != config:  # one the caller built for this config is reused
        cleaner = Cleaner(config)  # checks the settings and rules before any worker starts
    settings = WorkSettings(config, options.text_key, options.meta_key, audit=options.report is not None)
    fingerprint = settings_fingerprint({
        "ruleset": cleaner.rules.fingerprint, "config": config.as_dict(),
        "text_key": options.text_key, "meta_key": options.meta_key, "format": options.input_format,
    })
    stats = RunStats()
    paths = None if (options.check or options.to_stdout or options.in_place) \
        else manifest_paths(options.outdir, options.output_file)
    journal = Journal(paths[0], paths[1], fingerprint, options.resume) if paths else None
    if options.outdir is not None:
        sweep_temps(options.outdir)
    elif options.output_file is not None:
        sweep_temps(options.output_file.parent, options.output_file.name)
    if hooks.progress is not None:
        stats.total_bytes = total_input_bytes(inputs, options)
    report = ReportWriter(options.report) if options.report else None
    engine = make_engine(settings, options.jobs or default_jobs(), options.engine, options.address, cleaner)
    kill_after = int(os.environ.get(KILL_AFTER_ENV, "0") or 0)
    written_chunks = 0
    open_files: dict[int, _Open] = {}
    failed: set[int] = set()
    started_iso = now_iso()

    def fail(step: Step, reason: str, line: int | None = None) -> None:
        stats.failed += 1
        failed.add(step.index)
        current = open_files.pop(step.index, None)
        if current is not None and current.sink is not None:
            current.sink.abort()
        hooks.error(f"{step.job.source}: {reason}")
        if journal:
            journal.record({"input": str(step.job.source), "output": _str(step.job.target),
                            "format": step.job.fmt, "status": "error", "error": reason})

    def finish(job: FileJob, outcome: Outcome, started: float, raw_bytes: int, errors: int = 0) -> None:
        stats.files += 1
        if options.check and outcome.changed:
            stats.would_change += 1
            detail = f" ({outcome.changed} of {outcome.documents} records)" if job.fmt != "text" else ""
            hooks.notice(f"would clean {job.source}{detail}")
        if journal:
            journal.record({
                "input": str(job.source), "output": _str(job.target), "format": job.fmt, "status": "done",
                "documents": outcome.documents, "changed": outcome.changed, "changes": outcome.changes,
                "errors": errors, "bytes_in": raw_bytes, "rules": dict(sorted(outcome.rules.items())),
                "seconds": round(time.monotonic() - started, 3),
            })

    def absorb(step: Step, outcome: Outcome, into: Outcome) -> None:
        for line, reason in outcome.errors:
            hooks.error(f"{step.job.source}:{line}: {reason}")
        stats.errors += len(outcome.errors)
        stats.documents += outcome.documents
        stats.changed += outcome.changed
        stats.changes += outcome.changes
        stats.rules.update(outcome.rules)
        into.documents += outcome.documents
        into.changed += outcome.changed
        into.changes += outcome.changes
        into.rules.update(outcome.rules)
        if report is not None and outcome.audit:
            report.add(str(step.job.source), outcome.audit)

    try:
        steps = iter_steps(iter_inputs(inputs, options), options, journal.done if journal else {}, stdin,
                           config.max_doc_bytes, workers_write=engine.writes_files)
        for step, outcome, problem in _ordered(steps, engine):
            if step.index in failed:
                continue
            stats.bytes_in += step.raw_bytes
            if step.kind == "error":
                fail(step, step.reason or "cannot be cleaned")
            elif step.kind == "skip":
                stats.skipped += 1
            elif step.kind == "fail":
                fail(step, step.reason or "cannot be read")
            elif problem is not None:
                fail(step, f"internal error: {type(problem).__name__}: {problem}")
            elif step.kind == "text":
                assert outcome is not None
                if outcome.errors:
                    fail(step, outcome.errors[0][1])
                    continue
                started = time.monotonic()
                try:
                    if options.to_stdout and stdout is not None:
                        stdout.write(outcome.data)
                    elif not options.check and step.job.target is not None and not outcome.written:
                        write_atomic(step.job.target, outcome.data)
                except OSError as exc:
                    fail(step, f"cannot write {step.job.target}: {exc.strerror or exc}")
                    continue
                absorb(step, outcome, Outcome())
                finish(step.job, outcome, started, step.raw_bytes)
            elif step.kind == "open":
                try:
                    sink: JsonlSink | ParquetSink | None = None
                    if step.job.fmt == "parquet" and not options.check:
                        assert step.job.target is not None, "Parquet goes to a file, not a stream"
                        sink = ParquetSink(step.job.target, step.schema, options.meta_key)
                    elif not options.check:
                        sink = JsonlSink(step.job.target, stdout)
                except OSError as exc:
                    fail(step, f"cannot write {step.job.target}: {exc.strerror or exc}")
                    continue
                open_files[step.index] = _Open(step.job, sink)
            elif step.kind in ("jsonl", "rows"):
                assert outcome is not None
                current = open_files[step.index]
                current.raw_bytes += step.raw_bytes
                absorb(step, outcome, current.outcome)
                current.errors += len(outcome.errors)
                try:
                    if current.sink is not None:
                        current.sink.write(outcome.data)
                except OSError as exc:
                    fail(step, f"cannot write {step.job.target}: {exc.strerror or exc}")
                    continue
                written_chunks += 1
                if kill_after and written_chunks == kill_after:
                    os.kill(os.getpid(), getattr(signal, "SIG" + os.environ.get(KILL_SIGNAL_ENV, "KILL")))
            elif step.kind == "close":
                current = open_files.pop(step.index)
                try:
                    if current.sink is not None:
                        current.sink.commit()
                except OSError as exc:
                    open_files[step.index] = current
                    fail(step, f"cannot write {step.job.target}: {exc.strerror or exc}")
                    continue
                finish(step.job, current.outcome, current.started, current.raw_bytes, current.errors)
            if hooks.progress is not None:
                hooks.progress(stats)
    except KeyboardInterrupt:
        stats.interrupted = True
    except BrokenProcessPool:
        stats.fatal = ("a worker process died (killed, or out of memory); complete outputs are kept, "
                       "rerun with --resume to finish the rest")
    finally:
        for current in open_files.values():
            if current.sink is not None:
                current.sink.abort()
        engine.close(cancel=stats.interrupted or stats.fatal is not None)
        if (stats.interrupted or stats.fatal is not None) and options.outdir is not None:
            sweep_temps(options.outdir)  # what workers stopped mid-write left
    if journal is not None:
        header = {
            "tool": "cleaner", "cleaner_version": _version(), "ruleset_fingerprint": cleaner.rules.fingerprint,
            "config": config.as_dict(),
            "options": {"format": options.input_format, "text_key": options.text_key,
                        "meta_key": options.meta_key, "patterns": list(options.patterns),
                        "jobs": options.jobs or default_jobs(), "engine": options.engine,
                        "resume": options.resume},
            "inputs": [str(p) for p in inputs],
            "status": "interrupted" if stats.interrupted else ("failed" if stats.fatal else
                                                               ("complete" if stats.ok else "complete with errors")),
            "started": started_iso, "finished": now_iso(), "seconds": round(stats.seconds, 3),
        }
        if stats.interrupted or stats.fatal:
            journal.close()  # keep the journal: --resume reads it
        else:
            try:
                journal.write_manifest(header)
                stats.manifest = journal.manifest
            except OSError as exc:  # a full disk: the outputs stand, the journal lets --resume finish
                journal.close()
                stats.fatal = (f"cannot write the manifest {journal.manifest}: {exc.strerror or exc}; "
                               "complete outputs are kept, rerun with --resume once there is room")
    if report is not None:
        if stats.interrupted or stats.fatal:
            report.close()
        else:
            report.finish({"tool": "cleaner", "cleaner_version": _version(),
                           "ruleset_fingerprint": cleaner.rules.fingerprint,
                           "inputs": [str(p) for p in inputs]},
                          stats.rules, {rule.code: rule for rule in cleaner.rules.rules})
    return stats


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _version() -> str:
    from cleaner import __version__

    return __version__
