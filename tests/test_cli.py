"""The command line, in-process with click's CliRunner: exact exit codes and messages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cleaner.cli import main

from .conftest import FIXTURES

SEED = FIXTURES / "seeds" / "001_13b0ada248a51723.txt"


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_stdin_to_stdout() -> None:
    result = run("clean", "-", input="caf\u00c3\u00a9 &amp; co\r\n")
    assert result.exit_code == 0
    assert result.stdout == "café & co\n"


def test_no_input_reads_stdin() -> None:
    assert run("clean", input="x\u00a0y").stdout == "x y\n"


def test_one_file_to_stdout() -> None:
    result = run("clean", str(SEED))
    assert result.exit_code == 0
    assert result.stdout.startswith("Donald Trump is strengthening ties")
    assert "- Reducing US military aid to Ukraine\n- Blocking" in result.stdout


def test_folder_to_outdir_mirrors_paths_and_leaves_inputs(tmp_path: Path) -> None:
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    shutil.copy(SEED, source / "a.txt")
    (source / "sub" / "b.txt").write_bytes(b"one\r\n\r\n\r\ntwo")
    (source / "skip.md").write_text("not taken")
    before = {p: p.read_bytes() for p in source.rglob("*") if p.is_file()}
    result = run("clean", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "sub" / "b.txt").read_text() == "one\n\ntwo\n"
    assert (tmp_path / "out" / "a.txt").exists() and not (tmp_path / "out" / "skip.md").exists()
    assert {p: p.read_bytes() for p in source.rglob("*") if p.is_file()} == before


def test_missing_file_is_named_and_batch_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine text")
    result = run("clean", str(tmp_path / "nope.txt"), str(good), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {tmp_path / 'nope.txt'}: no such file or folder\n"
    assert (tmp_path / "out" / "good.txt").read_text() == "fine text\n"


def test_binary_input_is_refused_with_a_reason(tmp_path: Path) -> None:
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("clean", str(png))
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {png}: binary data (PNG image), not text\n"


def test_check_exits_1_when_changes_are_due(tmp_path: Path) -> None:
    dirty, tidy = tmp_path / "dirty.txt", tmp_path / "tidy.txt"
    dirty.write_text("a  \n\n\n\nb")
    tidy.write_text("a\n\nb\n")
    assert run("clean", "--check", str(tidy)).exit_code == 0
    result = run("clean", "--check", str(dirty), str(tidy))
    assert result.exit_code == 1
    assert result.stderr == f"would clean {dirty}\n"
    assert dirty.read_text() == "a  \n\n\n\nb"


def test_several_inputs_need_an_outdir(tmp_path: Path) -> None:
    result = run("clean", str(SEED), str(SEED))
    assert result.exit_code == 2
    assert result.stderr == "cleaner: several inputs or a folder need -o OUTDIR (or --in-place, or --check)\n"


def test_bad_option_value_exits_2_without_traceback() -> None:
    result = run("clean", "--quotes", "sideways", input="x")
    assert result.exit_code == 2
    assert "Invalid value for '--quotes'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_select_is_a_clear_error() -> None:
    result = run("clean", "--select", "ZZ1", input="x")
    assert result.exit_code == 2
    assert result.stderr == "cleaner: --select/--ignore: 'ZZ1' matches no rule; `cleaner rules` lists them\n"


def test_ignore_switches_a_rule_off() -> None:
    assert run("clean", "--ignore", "CN002", input="x\u00a0y").stdout == "x\u00a0y\n"


def test_explain_lists_changes_with_codes() -> None:
    result = run("explain", str(SEED))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(f"{SEED}:") for line in lines)
    assert any(" CN005 replace: Wrote a list bullet as \"- \"." in line for line in lines)
    assert any(" CN002 replace: " in line for line in lines)


def test_explain_json_has_every_field() -> None:
    result = run("explain", "--json", "-", input="x\u00a0y\r\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records, result.stdout
    for record in records:
        assert set(record) >= {"code", "stage", "line", "col", "action", "before", "after", "summary"}
    assert any(r["code"] == "CN002" and (r["before"], r["after"]) == ("\u00a0", " ") for r in records)


def test_explain_diff_is_a_unified_diff() -> None:
    result = run("explain", "--diff", "-", input="a  \nb")
    assert result.stdout.splitlines()[:2] == ["--- <stdin>", "+++ <stdin> (cleaned)"]
    assert "-a  " in result.stdout and "+a" in result.stdout


def test_rules_lists_every_rule_and_show_shows_examples() -> None:
    listing = run("rules").stdout.splitlines()
    assert any(line.startswith("BP001  boilerplate.comment_form") for line in listing)
    shown = run("rules", "show", "BP001")
    assert shown.exit_code == 0
    assert "example (changes):" in shown.stdout and "example (stays):" in shown.stdout
    missing = run("rules", "show", "XX999")
    assert missing.exit_code == 2
    assert missing.stderr == "cleaner: no rule 'XX999'; `cleaner rules` lists them\n"


def test_config_file_sets_options(tmp_path: Path) -> None:
    config = tmp_path / "cleaner.toml"
    config.write_text('[cleaner]\nquotes = "keep"\nignore = ["CN002"]\n')
    result = run("clean", "--config", str(config), input="\u201cx\u201d\u00a0y")
    assert result.stdout == "\u201cx\u201d\u00a0y\n"
    config.write_text('quotes = "sideways"\n')
    result = run("clean", "--config", str(config), input="x")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {config}: quotes must be one of straighten, keep, not 'sideways'\n"


def test_installed_console_script_runs() -> None:
    script = shutil.which("cleaner")
    assert script, "the cleaner console script is not installed"
    done = subprocess.run([script, "clean", "-"], input=b"x\xc2\xa0y", capture_output=True, check=False)
    assert (done.returncode, done.stdout) == (0, b"x y\n")
    assert sys.executable


def test_records_from_stdin_need_stdout_or_one_output_file(tmp_path: Path) -> None:
    result = run("clean", "--format", "jsonl", "-o", str(tmp_path / "out"), "-j", "1", input='{"text": "x"}\n')
    assert result.exit_code == 2
    assert result.stderr == "cleaner: records from stdin go to stdout or to one output file (-o OUT.jsonl)\n"


def test_parquet_to_stdout_is_refused(tmp_path: Path) -> None:
    result = run("clean", str(tmp_path / "x.parquet"))
    assert result.exit_code == 2
    assert result.stderr == "cleaner: Parquet output goes to a file: add -o OUT.parquet\n"


def test_progress_bar_and_summary_on_a_terminal(tmp_path: Path) -> None:
    """Run the installed script with stderr on a pseudo-terminal, as a person at a shell would."""
    import os
    import pty

    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps({"text": f"line {i}\u00a0here"}) + "\n" for i in range(300)))
    script = shutil.which("cleaner")
    assert script
    leader, follower = pty.openpty()
    done = subprocess.run([script, "clean", str(source), "-o", str(tmp_path / "o.jsonl"), "-j", "1",
                           "--lang-backend", "off"], stderr=follower, stdout=subprocess.DEVNULL, check=False,
                          timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            block = os.read(leader, 65536)
        except OSError:
            break
        if not block:
            break
        shown += block
    os.close(leader)
    assert done.returncode == 0
    text = shown.decode()
    assert re.search(r"cleaner: 300 documents in 1 files, [\d,]+ changes, 0 errors, [\d.]+s ", text), text
    assert "docs/s" in text and "MB/s" in text and "ETA" in text and "%" in text
