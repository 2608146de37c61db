"""Faults: a full disk and a killed worker leave no half-written output under a final name (issue 8)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cleaner import batch
from cleaner.cli import main
from cleaner.formats import CHUNK_RECORDS

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [*args, "--lang-backend", "off"], catch_exceptions=False)


def make_inputs(folder: Path, shards: int = 2, records: int = 2 * CHUNK_RECORDS + 5) -> None:
    folder.mkdir(parents=True)
    for i in range(shards):
        with (folder / f"shard{i}.jsonl").open("w", encoding="utf-8") as out:
            for n in range(records):
                out.write(json.dumps({"id": n, "text": f"Record {n}\u00a0of shard {i}.  "}) + "\n")
    (folder / "page.txt").write_text("Caf\u00c3\u00a9 &amp; bar  \r\n")


def final_outputs(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


class FullDisk:
    """A file handle on a disk that fills up after `room` bytes."""

    def __init__(self, inner: Any, room: int) -> None:
        self.inner, self.room = inner, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            raise ENOSPC
        self.room -= len(data)
        return int(self.inner.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_disk_full_while_writing_leaves_no_output_and_names_each_file(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    make_inputs(tmp_path / "in")
    real_init = batch.AtomicFile.__init__

    def small_disk(self: batch.AtomicFile, target: Path) -> None:
        real_init(self, target)
        self.handle = FullDisk(self.handle, 1000)  # type: ignore[assignment]
    monkeypatch.setattr(batch.AtomicFile, "__init__", small_disk)
    out = tmp_path / "out"
    result = run("clean", str(tmp_path / "in"), "-o", str(out), "--glob", "*.jsonl", "--glob", "*.txt", "-j", "1")
    assert result.exit_code == 2
    source = tmp_path / "in"
    assert result.stderr.splitlines() == [
        f"cleaner: {source / 'shard0.jsonl'}: cannot write {out / 'shard0.jsonl'}: No space left on device",
        f"cleaner: {source / 'shard1.jsonl'}: cannot write {out / 'shard1.jsonl'}: No space left on device",
        (f"cleaner: cannot write the manifest {out / 'cleaner-manifest.json'}: No space left on device; "
         "complete outputs are kept, rerun with --resume once there is room"),
    ]
    # page.txt is small enough to fit: it is complete; the shards are nowhere, not even as temp files.
    assert final_outputs(out) == [".cleaner-manifest.json.journal", "page.txt"]
    assert (out / "page.txt").read_text() == "Café & bar\n"


def test_disk_full_at_the_final_flush_leaves_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_inputs(tmp_path / "in", shards=1)

    def no_room(fd: int) -> None:
        raise ENOSPC
    monkeypatch.setattr(os, "fsync", no_room)
    out = tmp_path / "out"
    result = run("clean", str(tmp_path / "in"), "-o", str(out), "--glob", "*.jsonl", "-j", "1")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"cleaner: {tmp_path / 'in' / 'shard0.jsonl'}: cannot write "
                                             f"{out / 'shard0.jsonl'}: No space left on device")
    assert final_outputs(out) == [".cleaner-manifest.json.journal"]


KILLER = """
import os, signal, sys
import cleaner.workers as workers

real = workers.TASKS["text"]

def die_on_poison(state, path, *rest):
    # Runs in a forked pool worker: the poisoned file kills the worker that took it.
    if "poison" in path:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(state, path, *rest)

workers.TASKS["text"] = die_on_poison
from cleaner.cli import main
sys.exit(main())
"""


def test_a_killed_worker_stops_the_run_cleanly_and_resume_finishes_it(tmp_path: Path) -> None:
    source = tmp_path / "in"
    make_inputs(source, shards=3)
    (source / "poison.txt").write_text("this one kills its worker\n")
    out, whole = tmp_path / "out", tmp_path / "whole"
    options = ["--glob", "*.jsonl", "--glob", "*.txt", "-j", "2"]
    done = subprocess.run([sys.executable, "-c", KILLER, "clean", str(source), "-o", str(out), *options,
                           "--lang-backend", "off"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr == ("cleaner: a worker process died (killed, or out of memory); complete outputs are kept, "
                           "rerun with --resume to finish the rest\n")
    assert not list(out.rglob("*.tmp")) and not (out / "cleaner-manifest.json").exists()
    (source / "poison.txt").unlink()
    assert run("clean", str(source), "-o", str(whole), *options).exit_code == 0
    for name in final_outputs(out):  # whatever has a final name is complete
        if not name.startswith("."):
            assert (out / name).read_bytes() == (whole / name).read_bytes(), name
    resumed = run("clean", str(source), "-o", str(out), *options, "--resume")
    assert (resumed.exit_code, resumed.stderr) == (0, "")
    assert final_outputs(out) == final_outputs(whole)
    for name in final_outputs(whole):
        if "manifest" not in name:
            assert (out / name).read_bytes() == (whole / name).read_bytes(), name
