"""Rule and config files are data; outputs stay in OUTDIR; inputs are never written over by accident (issue 8)."""

from __future__ import annotations

import ast
import errno
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, Config, RuleError
from cleaner.cli import main

from .conftest import REPO

DIRTY = b"Caf\xc3\x83\xc2\xa9 &amp; bar  \r\n"
CLEAN = "Café & bar\n"


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [*args, "--lang-backend", "off"], input=input, catch_exceptions=False)


# --- data only --------------------------------------------------------------------------------

RUNS_CODE = {"eval", "exec", "compile", "__import__", "execfile"}
LOADS_CODE = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "yaml", "importlib", "runpy", "imp"}


def test_no_module_can_run_code_from_a_file() -> None:
    """Audit: no eval/exec/compile/__import__ call, no pickle/marshal/yaml/importlib import, anywhere in cleaner/."""
    found = []
    for path in sorted((REPO / "cleaner").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RUNS_CODE:
                found.append(f"{path.name}:{node.lineno} calls {node.func.id}")
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in LOADS_CODE]
    assert found == []


def test_rule_and_config_files_are_read_as_toml_only() -> None:
    readers = [p.name for p in (REPO / "cleaner").rglob("*.py") if "tomllib.load" in p.read_text(encoding="utf-8")]
    assert sorted(readers) == ["config.py", "mt_rules.py", "ruleset.py"]


def test_an_impl_naming_python_code_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    rule_file = tmp_path / "evil.toml"
    rule_file.write_text(f'[[rule]]\ncode = "BP995"\nname = "boilerplate.evil"\nsummary = "Evil."\n'
                         f'stage = "boilerplate"\nkind = "code"\nimpl = "__import__(\'os\').system(\'touch {marker}\')"\n')
    with pytest.raises(RuleError) as caught:
        Cleaner(Config(rule_files=(str(rule_file),)))
    assert str(caught.value).startswith(f"{rule_file}: BP995: the boilerplate stage has no kind 'code' with impl ")
    assert not marker.exists()


# --- outputs never leave OUTDIR ---------------------------------------------------------------

def test_a_symlinked_folder_in_outdir_pointing_outside_is_not_written_through(tmp_path: Path) -> None:
    source, out, outside = tmp_path / "in", tmp_path / "out", tmp_path / "outside"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "a.txt").write_bytes(DIRTY)
    (source / "b.txt").write_bytes(DIRTY)
    outside.mkdir()
    out.mkdir()
    (out / "sub").symlink_to(outside, target_is_directory=True)
    result = run("clean", str(source), "-o", str(out), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: {source / 'sub' / 'a.txt'}: output path {out / 'sub' / 'a.txt'} "
                             "would leave the output folder; skipped\n")
    assert list(outside.iterdir()) == []
    assert (out / "b.txt").read_text() == CLEAN


def test_a_symlink_at_the_target_pointing_outside_is_not_written_through(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    out.mkdir()
    (source / "a.txt").write_bytes(DIRTY)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "a.txt").symlink_to(victim)
    result = run("clean", str(source), "-o", str(out), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: {source / 'a.txt'}: output path {out / 'a.txt'} "
                             "would leave the output folder; skipped\n")
    assert victim.read_text() == "precious"


def test_symlinked_folders_in_inputs_are_not_followed_and_symlinked_files_land_inside(tmp_path: Path) -> None:
    source, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    source.mkdir()
    elsewhere.mkdir()
    (elsewhere / "far.txt").write_bytes(DIRTY)
    (source / "linked").symlink_to(elsewhere, target_is_directory=True)
    (source / "link.txt").symlink_to(elsewhere / "far.txt")
    result = run("clean", str(source), "-o", str(out), "-j", "1")
    assert (result.exit_code, result.stderr) == (0, "")
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "manifest" not in p.name)
    assert written == ["link.txt"]
    assert (out / "link.txt").read_text() == CLEAN and not (out / "link.txt").is_symlink()
    assert (elsewhere / "far.txt").read_bytes() == DIRTY


def test_dot_dot_in_input_paths_does_not_move_outputs(tmp_path: Path) -> None:
    (tmp_path / "in" / "deep").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_bytes(DIRTY)
    out = tmp_path / "out"
    result = run("clean", str(tmp_path / "in" / "deep" / ".." / "a.txt"), str(tmp_path / "in" / "deep" / ".."),
                 "-o", str(out), "-j", "1")
    assert (result.exit_code, result.stderr) == (0, "")
    assert sorted(p.name for p in out.iterdir() if "manifest" not in p.name) == ["a.txt"]
    assert (out / "a.txt").read_text() == CLEAN


# --- inputs are written over only with --in-place --------------------------------------------

def test_outdir_equal_to_the_input_folder_writes_over_nothing(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_bytes(DIRTY)
    result = run("clean", str(source), "-o", str(source), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {source / 'a.txt'}: output would overwrite the input; use --in-place to mean that\n"
    assert (source / "a.txt").read_bytes() == DIRTY


def test_output_file_equal_to_the_input_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    data = json.dumps({"text": DIRTY.decode()}).encode() + b"\n"
    source.write_bytes(data)
    result = run("clean", str(source), "-o", str(source), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {source}: output would overwrite the input; use --in-place to mean that\n"
    assert source.read_bytes() == data


def test_in_place_rewrites_atomically_and_keeps_permissions(tmp_path: Path) -> None:
    private = tmp_path / "private.txt"
    private.write_bytes(DIRTY)
    private.chmod(0o600)
    inode = private.stat().st_ino
    result = run("clean", "--in-place", str(private), "-j", "1")
    assert (result.exit_code, result.stderr) == (0, "")
    assert private.read_text() == CLEAN
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.stat().st_ino != inode  # a new file renamed into place, not the old one truncated
    assert [p.name for p in tmp_path.iterdir()] == ["private.txt"]


def test_in_place_keeps_the_original_when_the_new_file_cannot_be_completed(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(DIRTY)

    def no_room(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", no_room)  # the last step before the rename fails
    result = run("clean", "--in-place", str(source), "-j", "1")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {source}: cannot write {source}: No space left on device\n"
    assert source.read_bytes() == DIRTY
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
