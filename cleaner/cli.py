"""The `cleaner` command: a thin shell over the library. Only this module prints and exits.

Exit codes: 0 done; 1 `--check` found changes to make; 2 an error (each failed input
is named on stderr with the reason, and the rest of the batch goes on).
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from cleaner import __version__
from cleaner.batch import BatchOptions, Hooks, RunStats, run_batch
from cleaner.config import CHOICES, Config, load_config
from cleaner.errors import CleanerError, InputError
from cleaner.formats import FORMATS, format_of, is_known_data_name
from cleaner.model import Result
from cleaner.pipeline import Cleaner
from cleaner.stages.decode import decode_bytes
from cleaner.workers import timed_out_message, too_big

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _build_cleaner(config_path: str | None, select: Sequence[str], ignore: Sequence[str],
                   rule_files: Sequence[str], **settings: Any) -> Cleaner:
    config = load_config(Path(config_path)) if config_path else Config()
    config = config.replace(
        select=_split(select) or None,
        ignore=_split(ignore) or None,
        rule_files=tuple(str(Path(p).resolve()) for p in rule_files) or None,
        **settings,
    )
    return Cleaner(config)


def _fail(message: str) -> None:
    click.echo(f"cleaner: {message}", err=True)


def common_options(func: Any) -> Any:
    """Options shared by `clean` and `explain`: configuration and rule selection."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="Settings file (TOML): any option below, as top-level keys or under [cleaner]."),
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rules: codes (BP012), code prefixes (BP) or names (boilerplate.comment_form); comma-separated or repeated."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Switch these rules off (same forms as --select)."),
        click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True),
                     help="Extra rule file or folder of *.toml rule files (added to the bundled rules)."),
        click.option("--quotes", type=click.Choice(CHOICES["quotes"]), default=None,
                     help="Straighten curly quotes (default) or keep them."),
        click.option("--tables", type=click.Choice(CHOICES["tables"]), default=None,
                     help="Write repaired tables as Markdown (default), as sentences (text), or keep them as they are."),
        click.option("--mt", type=click.Choice(CHOICES["mt"]), default=None,
                     help="Machine-translation artifacts: fix safe ones and flag the rest (default), only flag, or off."),
        click.option("--mt-style/--no-mt-style", "mt_style", default=None,
                     help="Also flag political naming and framing (\"Kiev regime\", Artemovsk); never rewrites."),
        click.option("--lang-backend", "language_backend", type=click.Choice(CHOICES["language_backend"]),
                     default=None, help="Language detector (default: auto)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Clean text scraped from the web, and explain every change.

    \b
    Examples:
      cleaner clean article.txt                  clean one file to stdout
      cat article.txt | cleaner clean            clean stdin to stdout
      cleaner clean pages/ -o clean/             clean a folder (*.txt) into another
      cleaner explain article.txt                list every change with its rule code
      cleaner rules                              list the rules; `cleaner rules show BP001`
    """


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-o", "--output", "outdir", type=click.Path(),
              help="Output folder (mirrors the inputs' relative paths), or with one input file an output "
                   "file whose extension names its format and compression (out.jsonl.gz).")
@click.option("--glob", "patterns", multiple=True, default=("*.txt",), show_default=True,
              help="Files to take from input folders (repeat for several, e.g. --glob '*.jsonl.gz').")
@click.option("--in-place", is_flag=True, help="Overwrite each input file with its cleaned text (atomically).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any input would change.")
@click.option("--format", "input_format", type=click.Choice(("auto", *FORMATS)), default="auto", show_default=True,
              help="Input format; auto goes by extension (.jsonl, .jsonl.gz, .jsonl.zst, .parquet; else text).")
@click.option("--text-key", default="text", show_default=True, help="Field of a record that holds the text.")
@click.option("--meta-key", default="cleaner", show_default=True,
              help="Field where cleaner puts a record's metadata (lang, lang_prob, changes, codes, ...).")
@click.option("--keep-removed", is_flag=True, help="Keep removed lines in each record's metadata.")
@click.option("--report", "report", type=click.Path(dir_okay=False),
              help="Write counts per rule and every removed or flagged line (with file and code) to this JSON file.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0,
              help="Worker processes (default 0: all cores; 1: no workers, clean in this process).")
@click.option("--resume", is_flag=True, help="Skip outputs a previous run of the same settings completed; do the rest.")
@click.option("--engine", type=click.Choice(("local", "ray")), default="local", show_default=True,
              help="Where chunks are cleaned: local worker processes, or a Ray cluster (pip install 'cleaner[ray]').")
@click.option("--address", help="Ray cluster to join: auto, or HOST:PORT (default: start a local one).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; errors are still printed.")
@click.option("--summary", is_flag=True, help="Print the one-line summary even when stderr is not a terminal.")
@click.option("--max-doc-bytes", type=click.IntRange(min=0), default=None, metavar="N",
              help="Refuse a document (a text file, or a JSONL record's line) over N bytes "
                   "(default 67108864 = 64 MiB; 0: no limit).")
@common_options
def clean(inputs: tuple[str, ...], outdir: str | None, patterns: tuple[str, ...], in_place: bool, check: bool,
          input_format: str, text_key: str, meta_key: str, keep_removed: bool, report: str | None, jobs: int,
          resume: bool, engine: str, address: str | None, quiet: bool, summary: bool,
          max_doc_bytes: int | None, config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
          rule_files: tuple[str, ...], **settings: Any) -> None:
    """Clean files, folders or stdin: text, JSON Lines (.jsonl, .gz, .zst) or Parquet.

    With no INPUTS (or "-") read stdin and write stdout. With one file and no -o, write
    the cleaned text (or records) to stdout. With -o OUTDIR, clean every input file (and
    every file matching --glob under input folders) into OUTDIR, in parallel, with a
    manifest (cleaner-manifest.json) beside the outputs. Inputs are never modified
    unless --in-place is given.
    """
    try:
        cleaner = _build_cleaner(config_path, select, ignore, rule_files,
                                 keep_removed=True if keep_removed else None, max_doc_bytes=max_doc_bytes,
                                 **settings)
    except CleanerError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    if outdir and in_place:
        _fail("--output and --in-place exclude each other; choose one")
        sys.exit(EXIT_ERROR)
    records = input_format in ("jsonl", "parquet") or any(format_of(p) != "text" for p in inputs)
    if (not inputs or inputs == ("-",)) and not records:
        limit = cleaner.config.max_doc_bytes
        stdin = sys.stdin.buffer
        data = stdin.read(limit + 1) if limit else stdin.read()
        if limit and len(data) > limit:
            _fail(f"<stdin>: document is more than {limit} bytes, over --max-doc-bytes {limit}; "
                  "raise it or split the input")
            sys.exit(EXIT_ERROR)
        try:
            result = cleaner.clean(data)
        except TimeoutError:
            _fail(f"<stdin>: {timed_out_message(cleaner.config)}")
            sys.exit(EXIT_ERROR)
        except CleanerError as exc:
            _fail(f"<stdin>: {exc}")
            sys.exit(EXIT_ERROR)
        if check:
            sys.exit(EXIT_CHANGES if result.changed else EXIT_OK)
        # Bytes, so the output is UTF-8 whatever the locale says.
        sys.stdout.buffer.write(result.text.encode("utf-8"))
        return
    single = len(inputs) <= 1 and (not inputs or inputs[0] == "-" or not Path(inputs[0]).is_dir())
    if single and not outdir and not in_place and not check and not records:
        path = Path(inputs[0])
        try:
            size = path.stat().st_size
            reason = too_big(size, cleaner.config.max_doc_bytes)
            if reason:
                _fail(f"{path}: {reason}; raise it or split the file")
                sys.exit(EXIT_ERROR)
            result = cleaner.clean(path.read_bytes())
        except TimeoutError:
            _fail(f"{path}: {timed_out_message(cleaner.config)}")
            sys.exit(EXIT_ERROR)
        except OSError as exc:
            _fail(f"{path}: {exc.strerror or exc}")
            sys.exit(EXIT_ERROR)
        except CleanerError as exc:
            _fail(f"{path}: {exc}")
            sys.exit(EXIT_ERROR)
        sys.stdout.buffer.write(result.text.encode("utf-8"))
        return
    to_stdout = single and not outdir and not in_place and not check
    if not outdir and not in_place and not check and not to_stdout:
        _fail("several inputs or a folder need -o OUTDIR (or --in-place, or --check)")
        sys.exit(EXIT_ERROR)
    if to_stdout and format_of(inputs[0] if inputs else "-", input_format) == "parquet":
        _fail("Parquet output goes to a file: add -o OUT.parquet")
        sys.exit(EXIT_ERROR)
    output_file = None
    if outdir and single and not Path(outdir).is_dir() and is_known_data_name(outdir):
        output_file, outdir = Path(outdir), None
    if (not inputs or inputs == ("-",)) and output_file is None and not to_stdout and not check:
        _fail("records from stdin go to stdout or to one output file (-o OUT.jsonl)")
        sys.exit(EXIT_ERROR)
    options = BatchOptions(
        outdir=Path(outdir) if outdir else None, output_file=output_file, patterns=patterns,
        in_place=in_place, check=check, to_stdout=to_stdout, input_format=input_format,
        text_key=text_key, meta_key=meta_key, jobs=jobs, engine=engine, address=address, resume=resume,
        report=Path(report) if report else None,
    )
    interactive = sys.stderr.isatty() and not quiet
    bar = _ProgressBar() if interactive else None

    def report_error(message: str) -> None:
        if bar:
            bar.clear()
        _fail(message)

    hooks = Hooks(error=report_error, notice=lambda message: click.echo(message, err=True),
                  progress=bar.update if bar else None)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        stats = run_batch([Path(p) for p in inputs or ("-",)], cleaner.config, options, hooks,
                          stdin=sys.stdin.buffer,
                          stdout=sys.stdout.buffer if to_stdout else None, cleaner=cleaner)
    except CleanerError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted before any file was written")
        _exit_interrupted()
    except OSError as exc:  # the journal or an output folder cannot be written (a full disk, permissions)
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}; complete outputs are kept, run the same command with --resume "
              "to finish")
        sys.exit(EXIT_ERROR)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bar:
            bar.clear()
    if (interactive or summary) and not quiet:
        click.echo(_summary_line(stats), err=True)
    if stats.interrupted:
        _fail(f"interrupted; {stats.files} file(s) complete, no partial output left; "
              "run the same command with --resume to finish")
        _exit_interrupted()
    if stats.fatal:
        _fail(stats.fatal)
        sys.exit(EXIT_ERROR)
    if stats.failed or stats.errors:
        sys.exit(EXIT_ERROR)
    if stats.would_change:
        sys.exit(EXIT_CHANGES)


def _exit_interrupted() -> NoReturn:
    """Exit 130 at once, once outputs are closed and the message is out.

    The worker pool's own exit hook would otherwise try to wake its manager thread through
    a pipe the interrupt already closed, and print an "Exception ignored" traceback after
    our message; nothing is left for the exit hooks to do.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def _raise_interrupt(signum: int, frame: Any) -> None:
    # SIGTERM (a scheduler stopping the job) stops as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


def _summary_line(stats: RunStats) -> str:
    seconds = max(stats.seconds, 1e-6)
    line = (f"cleaner: {stats.documents:,} documents in {stats.files:,} files, {stats.changes:,} changes, "
            f"{stats.errors + stats.failed:,} errors, {seconds:.1f}s "
            f"({stats.documents / seconds:,.0f} docs/s, {stats.bytes_in / seconds / 1e6:.1f} MB/s)")
    if stats.skipped:
        line += f"; {stats.skipped:,} files already complete (skipped)"
    if stats.manifest:
        line += f"; manifest {stats.manifest}"
    return line


class _ProgressBar:
    """A one-line progress display on stderr: documents, docs/s, MB/s, share done, ETA."""

    def __init__(self) -> None:
        self.last = 0.0
        self.shown = False

    def update(self, stats: RunStats) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        seconds = max(stats.seconds, 1e-6)
        rate = stats.bytes_in / seconds
        text = f"{stats.documents:,} docs  {stats.documents / seconds:,.0f} docs/s  {rate / 1e6:.1f} MB/s"
        if stats.total_bytes:
            share = min(stats.bytes_in / stats.total_bytes, 1.0)
            filled = int(share * 20)
            eta = (stats.total_bytes - stats.bytes_in) / rate if rate else 0.0
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {share:4.0%}  {text}  ETA {_clock(eta)}"
        if stats.errors or stats.failed:
            text += f"  {stats.errors + stats.failed:,} errors"
        sys.stderr.write("\r" + text[:119].ljust(119))
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 119 + "\r")
            sys.stderr.flush()
            self.shown = False


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _read_input(source: str, limit: int = 0) -> bytes:
    """Read a file or standard input whole, refusing more than `limit` bytes (0: no limit)."""
    if source == "-":
        data = sys.stdin.buffer.read(limit + 1) if limit else sys.stdin.buffer.read()
        size = len(data)
    else:
        size = Path(source).stat().st_size
        data = b"" if limit and size > limit else Path(source).read_bytes()
    if limit and size > limit:
        shown = f"more than {limit}" if source == "-" else str(size)
        raise InputError(f"document is {shown} bytes, over --max-doc-bytes {limit}; raise it or split the input")
    return data


@main.command()
@click.argument("source", type=click.Path(allow_dash=True), default="-")
@click.option("--diff", "as_diff", is_flag=True, help="Show a unified diff of input and output instead.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change (JSON Lines).")
@click.option("--max-doc-bytes", type=click.IntRange(min=0), default=None, metavar="N",
              help="Refuse a document over N bytes (default 67108864 = 64 MiB; 0: no limit).")
@common_options
def explain(source: str, as_diff: bool, as_json: bool, config_path: str | None, select: tuple[str, ...],
            ignore: tuple[str, ...], rule_files: tuple[str, ...], max_doc_bytes: int | None,
            **settings: Any) -> None:
    """List every change cleaning SOURCE would make, one line each: LINE:COL CODE action: summary.

    LINE and COL point into the text as it entered the stage that made the change.
    Flags (suggestions that leave the text alone) are listed too.
    """
    try:
        cleaner = _build_cleaner(config_path, select, ignore, rule_files, max_doc_bytes=max_doc_bytes, **settings)
        data = _read_input(source, cleaner.config.max_doc_bytes)
        result = cleaner.clean(data)
    except OSError as exc:
        _fail(f"{source}: {exc.strerror or exc}")
        sys.exit(EXIT_ERROR)
    except CleanerError as exc:
        _fail(f"{source}: {exc}")
        sys.exit(EXIT_ERROR)
    name = "<stdin>" if source == "-" else source
    if as_diff:
        before = decode_bytes(data)[0]
        sys.stdout.writelines(difflib.unified_diff(
            before.splitlines(keepends=True), result.text.splitlines(keepends=True),
            fromfile=name, tofile=f"{name} (cleaned)"))
        return
    for change in result.changes:
        if as_json:
            click.echo(json.dumps(change.as_dict(), ensure_ascii=False))
        else:
            click.echo(_explain_line(name, result, change))


def _explain_line(name: str, result: Result, change: Any) -> str:
    detail = f"{change.before!r} -> {change.after!r}" if change.action != "remove" else repr(change.before)
    if len(detail) > 120:
        detail = detail[:117] + "..."
    return f"{name}:{change.line}:{change.col} {change.code} {change.action}: {change.summary} {detail}"


@main.group(invoke_without_command=True)
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True),
              help="Also list the rules of this rule file or folder.")
@click.pass_context
def rules(ctx: click.Context, rule_files: tuple[str, ...]) -> None:
    """List every rule: code, name and summary. `cleaner rules show CODE` shows one."""
    ctx.obj = rule_files
    if ctx.invoked_subcommand is not None:
        return
    try:
        cleaner = Cleaner(Config(rule_files=rule_files, language_backend="off"))
    except CleanerError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    for rule in cleaner.rules.rules:
        click.echo(f"{rule.code}  {rule.name:<40} {rule.summary}")


@rules.command("show")
@click.argument("code")
@click.pass_obj
def rules_show(rule_files: tuple[str, ...], code: str) -> None:
    """Show one rule (by code or name) with its explanation and examples."""
    try:
        cleaner = Cleaner(Config(rule_files=rule_files, language_backend="off"))
    except CleanerError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    rule = cleaner.rules.get(code)
    if rule is None:
        _fail(f"no rule {code!r}; `cleaner rules` lists them")
        sys.exit(EXIT_ERROR)
    click.echo(f"{rule.code} {rule.name}\n  {rule.summary}")
    click.echo(f"  stage: {rule.stage}  kind: {rule.kind}" + (f"  impl: {rule.impl}" if rule.impl else "")
               + (f"  mode: {rule.mode}" if rule.stage == "translation" else "")
               + (f"  zone: {rule.zone}" if rule.zone != "any" else ""))
    click.echo(f"  file: {rule.source}")
    if rule.explanation:
        click.echo(f"  {rule.explanation}")
    for pattern in rule.patterns:
        click.echo(f"  pattern: {pattern.pattern}")
    if rule.phrases:
        click.echo(f"  phrases: {len(rule.phrases)} (" + "; ".join(rule.phrases[:5])
                   + ("; ..." if len(rule.phrases) > 5 else "") + ")")
    for example in rule.examples:
        verdict = "changes" if example.changes else "stays"
        click.echo(f"  example ({verdict}): {example.input!r}" + (f" -> {example.output!r}" if example.changes else ""))
