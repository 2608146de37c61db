"""Batch runs: parallel = serial byte for byte, bad records, manifest, report, kill and resume, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, Config, __version__
from cleaner.batch import KILL_AFTER_ENV, KILL_SIGNAL_ENV
from cleaner.cli import main
from cleaner.formats import CHUNK_RECORDS

from .conftest import FIXTURES

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
DIRTY = "Caf\u00c3\u00a9 &amp; bar  \r\n\r\n\r\nLeave a Reply\r\nreal text here.\r\n"


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write_jsonl(path: Path, count: int, start: int = 0) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + count):
            out.write(json.dumps({"id": i, "text": f"Record {i}: {DIRTY}", "tags": ["a", i]}) + "\n")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "manifest" not in p.name}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A folder of text files (the seeds, twice) and two JSONL shards."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    for seed in SEEDS:
        shutil.copy(seed, root / seed.name)
        shutil.copy(seed, root / "sub" / seed.name)
    write_jsonl(root / "a.jsonl", 40)
    write_jsonl(root / "sub" / "b.jsonl", 30, start=100)
    return root


def test_jobs_1_and_jobs_2_give_identical_outputs(corpus: Path, tmp_path: Path) -> None:
    before = tree_bytes(corpus)
    one = run("clean", str(corpus), "-o", str(tmp_path / "j1"), "--glob", "*.txt", "--glob", "*.jsonl", "-j", "1")
    two = run("clean", str(corpus), "-o", str(tmp_path / "j2"), "--glob", "*.txt", "--glob", "*.jsonl", "-j", "2")
    assert (one.exit_code, one.stderr) == (0, "")
    assert (two.exit_code, two.stderr) == (0, "")
    outputs = tree_bytes(tmp_path / "j1")
    assert len(outputs) == 2 * len(SEEDS) + 2
    assert outputs == tree_bytes(tmp_path / "j2")
    assert tree_bytes(corpus) == before  # inputs untouched
    cleaner = Cleaner()
    assert outputs[SEEDS[0].name] == cleaner.clean(SEEDS[0].read_bytes()).text.encode()


def test_records_keep_other_fields_and_get_metadata(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 7, "text": DIRTY, "url": "u", "nested": {"k": [1, 2]}}) + "\n")
    result = run("clean", str(source), "-o", str(tmp_path / "out.jsonl"), "--meta-key", "meta", "-j", "1")
    assert result.exit_code == 0, result.stderr
    record = json.loads((tmp_path / "out.jsonl").read_text())
    assert list(record) == ["id", "text", "url", "nested", "meta"]
    assert (record["id"], record["url"], record["nested"]) == (7, "u", {"k": [1, 2]})
    assert record["text"] == Cleaner().clean(DIRTY).text
    meta = record["meta"]
    assert set(meta) >= {"lang", "lang_prob", "changes", "codes"} and "removed" not in meta
    assert meta["changes"] > 0 and "BP001" in meta["codes"]


def test_keep_removed_puts_removed_lines_in_metadata(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": DIRTY}) + "\n")
    result = run("clean", str(source), "--keep-removed", "-j", "1")
    assert result.exit_code == 0, result.stderr
    removed = json.loads(result.stdout)["cleaner"]["removed"]
    assert removed == [{"line": 3, "code": "BP001", "text": "Leave a Reply"}]


def test_bad_records_are_named_passed_through_and_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"text": "good  \n"}), "{not json", json.dumps({"body": "no text"}),
             json.dumps({"text": 42}), "", json.dumps([1, 2]), json.dumps({"text": "also good\u00a0."})]
    source.write_text("\n".join(lines) + "\n")
    result = run("clean", str(source), "-o", str(tmp_path / "out.jsonl"), "-j", "2")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"cleaner: {source}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"cleaner: {source}:3: no 'text' field",
        f"cleaner: {source}:4: 'text' is int, not a string",
        f"cleaner: {source}:6: not a JSON object but list",
    ]
    out = (tmp_path / "out.jsonl").read_text().split("\n")
    assert len(out) == len(lines) + 1  # line for line
    for index in (1, 2, 3, 4, 5):
        assert out[index] == lines[index]  # passed through byte for byte
    assert json.loads(out[0])["text"] == "good\n"
    assert json.loads(out[6])["text"] == "also good .\n"
    manifest = json.loads((tmp_path / "out.jsonl.cleaner-manifest.json").read_text())
    assert manifest["status"] == "complete with errors"
    assert manifest["files"][0]["errors"] == 4 and manifest["totals"]["documents"] == 2


def test_manifest_records_version_rules_config_counters_and_files(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (corpus / "broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = run("clean", str(corpus), "-o", str(out), "--glob", "*.txt", "--glob", "*.jsonl*",
                 "--quotes", "keep", "-j", "2")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cleaner: {corpus / 'broken.jsonl.gz'}: cannot read: ")
    manifest = json.loads((out / "cleaner-manifest.json").read_text())
    cleaner = Cleaner(Config(quotes="keep"))
    assert manifest["cleaner_version"] == __version__
    assert manifest["ruleset_fingerprint"] == cleaner.rules.fingerprint
    assert manifest["config"] == json.loads(json.dumps(Config(quotes="keep").as_dict()))
    files = {Path(f["input"]).name + ("/sub" if "/sub/" in f["input"] else ""): f for f in manifest["files"]}
    assert files["broken.jsonl.gz"]["status"] == "error" and not (out / "broken.jsonl.gz").exists()
    assert files["a.jsonl"]["status"] == "done" and files["a.jsonl"]["documents"] == 40
    assert manifest["totals"]["documents"] == 2 * len(SEEDS) + 70
    assert manifest["totals"]["failed"] == 1 and manifest["totals"]["done"] == 2 * len(SEEDS) + 2
    assert sum(manifest["rules"].values()) >= manifest["totals"]["changes"] > 0
    assert all(f["seconds"] >= 0 for f in manifest["files"] if f["status"] == "done")
    assert not list(out.rglob("*.tmp")) and not (out / ".cleaner-manifest.json.journal").exists()


def test_report_lists_every_removed_line_with_file_and_code(corpus: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run("clean", str(corpus / "a.jsonl"), str(corpus / SEEDS[0].name), "-o", str(tmp_path / "out"),
                 "--report", str(report), "-j", "2")
    assert result.exit_code == 0, result.stderr
    data = json.loads(report.read_text())
    removed = [r for r in data["removed"] if r["file"] == str(corpus / "a.jsonl")]
    assert len(removed) == 40 and {r["code"] for r in removed} == {"BP001"}
    assert {r["text"] for r in removed} == {"Leave a Reply"}
    assert sorted(r["record"] for r in removed) == list(range(1, 41))
    assert data["rules"]["BP001"]["count"] == len([r for r in data["removed"] if r["code"] == "BP001"])
    assert data["rules"]["BP001"]["name"] == "boilerplate.comment_form"
    expected = [c for c in Cleaner().clean(SEEDS[0].read_bytes()).changes if c.action == "remove"]
    from_seed = [r for r in data["removed"] if r["file"] == str(corpus / SEEDS[0].name)]
    assert [(r["code"], r["text"]) for r in from_seed] == [(c.code, c.before) for c in expected]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script; output goes through files, so no stray child can hold a pipe."""
    script = shutil.which("cleaner")
    assert script, "the cleaner console script is not installed"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # Ctrl-C as at a terminal: a test run started in the background inherits SIGINT
        # ignored (POSIX), and the child would then never see the interrupt it is sent.
        done = subprocess.run([script, *args], stdout=out, stderr=err, text=True, check=False,
                              env={**os.environ, **(env or {})}, timeout=300,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(done.args, done.returncode, out.read(), err.read())


def test_sigkill_mid_run_then_resume_equals_uninterrupted_run(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for i in range(3):  # two chunks per shard
        write_jsonl(source / f"shard{i}.jsonl", CHUNK_RECORDS + 10, start=1000 * i)
    write_jsonl(source / "last.jsonl.gz", 0)
    shutil.copy(SEEDS[0], source / "z.txt")
    args = [str(source), "--glob", "*.jsonl", "--glob", "*.txt", "-j", "2", "--lang-backend", "off"]
    whole = _cli("clean", *args, "-o", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    # Killed while writing shard1 (after its first chunk): shard0 complete, shard1 half-written.
    killed = _cli("clean", *args, "-o", str(tmp_path / "killed"), env={KILL_AFTER_ENV: "3"})
    assert killed.returncode == -signal.SIGKILL
    out = tmp_path / "killed"
    assert (out / "shard0.jsonl").read_bytes() == (tmp_path / "whole" / "shard0.jsonl").read_bytes()
    assert not (out / "shard1.jsonl").exists() and not (out / "z.txt").exists()
    assert list(out.glob(".shard1.jsonl.*.tmp")), "the half-written temp file should be there to prove the point"
    assert not (out / "cleaner-manifest.json").exists()
    resumed = _cli("clean", *args, "-o", str(out), "--resume", "--summary")
    assert resumed.returncode == 0, resumed.stderr
    assert "1 files already complete (skipped)" in resumed.stderr
    assert tree_bytes(out) == tree_bytes(tmp_path / "whole")
    manifest = json.loads((out / "cleaner-manifest.json").read_text())
    whole_manifest = json.loads((tmp_path / "whole" / "cleaner-manifest.json").read_text())
    assert manifest["totals"] == whole_manifest["totals"] and manifest["rules"] == whole_manifest["rules"]


def test_resume_refuses_outputs_made_with_other_settings(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    write_jsonl(source, 3)
    assert run("clean", str(source), "-o", str(tmp_path / "out.jsonl"), "-j", "1").exit_code == 0
    again = run("clean", str(source), "-o", str(tmp_path / "out.jsonl"), "-j", "1", "--resume", "--quotes", "keep")
    assert again.exit_code == 2
    assert again.stderr == (f"cleaner: cannot resume: {tmp_path} was written with other settings or rules "
                            "(settings fingerprint differs); rerun without --resume to clean everything again\n")


def test_ctrl_c_stops_cleanly_with_exit_130(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    write_jsonl(source / "big.jsonl", 2 * CHUNK_RECORDS)
    done = _cli("clean", str(source), "--glob", "*.jsonl", "-o", str(tmp_path / "out"), "-j", "2", "--lang-backend", "off",
                env={KILL_AFTER_ENV: "1", KILL_SIGNAL_ENV: "INT"})
    assert done.returncode == 130
    assert done.stderr == ("cleaner: interrupted; 0 file(s) complete, no partial output left; "
                           "run the same command with --resume to finish\n")
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".cleaner-manifest.json.journal"]


def test_stdin_records_to_stdout(tmp_path: Path) -> None:
    lines = json.dumps({"text": "a\u00a0b"}) + "\n" + json.dumps({"text": "c"}) + "\n"
    result = run("clean", "--format", "jsonl", "-j", "1", input=lines)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["a b\n", "c\n"]


def test_output_file_mode_needs_matching_formats(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    write_jsonl(source, 1)
    result = run("clean", str(source), "-o", str(tmp_path / "out.txt"), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {source}: cannot write jsonl input as text ({tmp_path / 'out.txt'})\n"


def test_check_counts_records_that_would_change(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    write_jsonl(source, 3)
    result = run("clean", "--check", str(source), "-j", "1")
    assert result.exit_code == 1
    assert result.stderr == f"would clean {source} (3 of 3 records)\n"


def test_summary_line_when_asked(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    write_jsonl(source, 5)
    result = run("clean", str(source), "-o", str(tmp_path / "o.jsonl.gz"), "-j", "1", "--summary")
    assert result.exit_code == 0
    assert result.stderr.startswith("cleaner: 5 documents in 1 files, ")
    assert ", 0 errors, " in result.stderr and result.stderr.rstrip().endswith("o.jsonl.gz.cleaner-manifest.json")
    quiet = run("clean", str(source), "-o", str(tmp_path / "o2.jsonl"), "-j", "1", "--summary", "--quiet")
    assert quiet.stderr == ""


def test_a_bug_on_one_file_of_a_bundle_costs_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small text files travel to a worker several at a time; an unexpected exception on
    # one of them must fail that file and no other, as it does with one file per unit.
    from cleaner import workers

    source = tmp_path / "in"
    source.mkdir()
    for number in range(6):
        (source / f"{number}.txt").write_text(f"Text number {number}.\n")
    real = workers.TASKS["text"]

    def broken_on_3(state, path, *rest):  # type: ignore[no-untyped-def]
        if path.endswith("3.txt"):
            raise RuntimeError("boom")
        return real(state, path, *rest)

    monkeypatch.setitem(workers.TASKS, "text", broken_on_3)  # the forked workers inherit it
    result = run("clean", str(source), "-o", str(tmp_path / "out"), "-j", "2", "--lang-backend", "off")
    assert (result.exit_code, result.stderr) == (2, f"cleaner: {source / '3.txt'}: internal error: RuntimeError: boom\n")
    assert sorted(p.name for p in (tmp_path / "out").glob("*.txt")) == ["0.txt", "1.txt", "2.txt", "4.txt", "5.txt"]
    assert (tmp_path / "out" / "5.txt").read_text() == "Text number 5.\n"
