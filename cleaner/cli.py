"""The `cleaner` command: a thin shell over the library. Only this module prints and exits.

Exit codes: 0 done; 1 `--check` found changes to make; 2 an error (each failed input
is named on stderr with the reason, and the rest of the batch goes on).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from cleaner import __version__
from cleaner.batch import BatchOptions, iter_text_inputs, write_atomic
from cleaner.config import CHOICES, Config, load_config
from cleaner.errors import CleanerError
from cleaner.model import Result
from cleaner.pipeline import Cleaner
from cleaner.stages.decode import decode_bytes

EXIT_OK, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2


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
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False),
              help="Write cleaned files under this folder, mirroring the inputs' relative paths.")
@click.option("--glob", "pattern", default="*.txt", show_default=True, help="Files to take from input folders.")
@click.option("--in-place", is_flag=True, help="Overwrite each input file with its cleaned text (atomically).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any input would change.")
@common_options
def clean(inputs: tuple[str, ...], outdir: str | None, pattern: str, in_place: bool, check: bool,
          config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
          rule_files: tuple[str, ...], **settings: Any) -> None:
    """Clean files, folders or stdin.

    With no INPUTS (or "-") read stdin and write stdout. With one file and no -o, write
    the cleaned text to stdout. With -o OUTDIR, clean every input file (and every file
    matching --glob under input folders) into OUTDIR. Inputs are never modified unless
    --in-place is given.
    """
    try:
        cleaner = _build_cleaner(config_path, select, ignore, rule_files, **settings)
    except CleanerError as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    if outdir and in_place:
        _fail("--output and --in-place exclude each other; choose one")
        sys.exit(EXIT_ERROR)
    if not inputs or inputs == ("-",):
        data = click.get_binary_stream("stdin").read()
        try:
            result = cleaner.clean(data)
        except CleanerError as exc:
            _fail(f"<stdin>: {exc}")
            sys.exit(EXIT_ERROR)
        if check:
            sys.exit(EXIT_CHANGES if result.changed else EXIT_OK)
        click.get_text_stream("stdout", encoding="utf-8").write(result.text)
        return
    if len(inputs) == 1 and not outdir and not in_place and not check and not Path(inputs[0]).is_dir():
        path = Path(inputs[0])
        try:
            result = cleaner.clean(path.read_bytes())
        except OSError as exc:
            _fail(f"{path}: {exc.strerror or exc}")
            sys.exit(EXIT_ERROR)
        except CleanerError as exc:
            _fail(f"{path}: {exc}")
            sys.exit(EXIT_ERROR)
        sys.stdout.buffer.write(result.text.encode("utf-8"))
        return
    if not outdir and not in_place and not check:
        _fail("several inputs or a folder need -o OUTDIR (or --in-place, or --check)")
        sys.exit(EXIT_ERROR)
    options = BatchOptions(outdir=Path(outdir) if outdir else None, pattern=pattern, in_place=in_place)
    failed = would_change = 0
    for source, target, error in iter_text_inputs([Path(p) for p in inputs], options):
        if error:
            _fail(f"{source}: {error}")
            failed += 1
            continue
        try:
            result = cleaner.clean(source.read_bytes())
        except OSError as exc:
            _fail(f"{source}: {exc.strerror or exc}")
            failed += 1
            continue
        except CleanerError as exc:
            _fail(f"{source}: {exc}")
            failed += 1
            continue
        if check:
            if result.changed:
                click.echo(f"would clean {source}", err=True)
                would_change += 1
            continue
        assert target is not None
        try:
            write_atomic(target, result.text.encode("utf-8"))
        except OSError as exc:
            _fail(f"{target}: cannot write: {exc.strerror or exc}")
            failed += 1
    if failed:
        sys.exit(EXIT_ERROR)
    if would_change:
        sys.exit(EXIT_CHANGES)


def _read_input(source: str) -> bytes:
    if source == "-":
        return click.get_binary_stream("stdin").read()
    return Path(source).read_bytes()


@main.command()
@click.argument("source", type=click.Path(allow_dash=True), default="-")
@click.option("--diff", "as_diff", is_flag=True, help="Show a unified diff of input and output instead.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change (JSON Lines).")
@common_options
def explain(source: str, as_diff: bool, as_json: bool, config_path: str | None, select: tuple[str, ...],
            ignore: tuple[str, ...], rule_files: tuple[str, ...], **settings: Any) -> None:
    """List every change cleaning SOURCE would make, one line each: LINE:COL CODE action: summary.

    LINE and COL point into the text as it entered the stage that made the change.
    Flags (suggestions that leave the text alone) are listed too.
    """
    try:
        cleaner = _build_cleaner(config_path, select, ignore, rule_files, **settings)
        data = _read_input(source)
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
