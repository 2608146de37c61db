"""The run manifest and its journal: what was run, with which rules and settings, and what became of each file.

While a run goes on, one line per finished file is appended to a journal beside the
manifest, so that a run killed at any moment (even by SIGKILL) knows on `--resume`
which outputs are complete. At the end the journal becomes the manifest, a JSON file
that lets anyone reproduce and audit the run: cleaner version, ruleset fingerprint,
effective config, per-rule counters, per-file status and timings.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from cleaner.errors import InputError

MANIFEST_NAME = "cleaner-manifest.json"
MANIFEST_VERSION = 1


def manifest_paths(outdir: Path | None, output_file: Path | None) -> tuple[Path, Path] | None:
    """Where the manifest and its journal go: inside OUTDIR, or beside the output file."""
    if outdir is not None:
        return outdir / MANIFEST_NAME, outdir / f".{MANIFEST_NAME}.journal"
    if output_file is not None:
        return (output_file.parent / f"{output_file.name}.{MANIFEST_NAME}",
                output_file.parent / f".{output_file.name}.{MANIFEST_NAME}.journal")
    return None


def settings_fingerprint(settings: Mapping[str, Any]) -> str:
    """Hash everything that decides the output bytes, so a resume never mixes two settings."""
    blob = json.dumps(settings, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def _read_entries(path: Path) -> tuple[str | None, list[dict[str, Any]]]:
    """Read a journal: its settings fingerprint and its file entries (a torn last line is ignored)."""
    fingerprint = None
    entries: list[dict[str, Any]] = []
    with path.open("rb") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the line a SIGKILL cut short
            if "settings_fingerprint" in entry:
                fingerprint = entry["settings_fingerprint"]
            elif "input" in entry:
                entries.append(entry)
    return fingerprint, entries


class Journal:
    """Append-only record of finished files; the source of truth for --resume."""

    def __init__(self, manifest: Path, path: Path, fingerprint: str, resume: bool) -> None:
        self.manifest = manifest
        self.path = path
        self.fingerprint = fingerprint
        self.done: dict[str, dict[str, Any]] = {}
        previous: list[dict[str, Any]] = []
        if resume:
            previous = self._previous()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle: IO[str] = path.open("w", encoding="utf-8")
        self._write({"settings_fingerprint": fingerprint})
        for entry in previous:
            self._write(entry)
            if entry.get("status") == "done" and entry.get("output") and Path(entry["output"]).exists():
                self.done[entry["input"]] = entry

    def _previous(self) -> list[dict[str, Any]]:
        if self.path.exists():
            fingerprint, entries = _read_entries(self.path)
        elif self.manifest.exists():
            try:
                data = json.loads(self.manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return []
            fingerprint, entries = data.get("settings_fingerprint"), list(data.get("files", []))
        else:
            return []
        if fingerprint is not None and fingerprint != self.fingerprint:
            raise InputError(
                f"cannot resume: {self.manifest.parent} was written with other settings or rules "
                "(settings fingerprint differs); rerun without --resume to clean everything again"
            )
        return entries

    def _write(self, entry: Mapping[str, Any]) -> None:
        self.handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        # Flushed, not fsynced: after a crash a missing line only means one file is redone.
        self.handle.flush()

    def record(self, entry: Mapping[str, Any]) -> None:
        """Note a finished (or failed) file."""
        self._write(entry)

    def close(self) -> None:
        self.handle.close()

    def write_manifest(self, header: Mapping[str, Any]) -> dict[str, Any]:
        """Turn the journal into the manifest (atomically), remove the journal, return the totals."""
        from cleaner.batch import write_atomic

        self.close()
        _, entries = _read_entries(self.path)
        files: dict[str, dict[str, Any]] = {}
        for entry in entries:
            files[entry["input"]] = entry  # a file redone on resume: its last entry counts
        rules: Counter[str] = Counter()
        totals = {"files": len(files), "done": 0, "failed": 0, "documents": 0, "changed_documents": 0,
                  "changes": 0, "record_errors": 0, "bytes_in": 0}
        for entry in files.values():
            totals["done" if entry.get("status") == "done" else "failed"] += 1
            totals["documents"] += entry.get("documents", 0)
            totals["changed_documents"] += entry.get("changed", 0)
            totals["changes"] += entry.get("changes", 0)
            totals["record_errors"] += entry.get("errors", 0)
            totals["bytes_in"] += entry.get("bytes_in", 0)
            rules.update(entry.get("rules", {}))
        manifest = {
            "manifest": MANIFEST_VERSION,
            **header,
            "settings_fingerprint": self.fingerprint,
            "totals": totals,
            "rules": dict(sorted(rules.items())),
            "files": list(files.values()),
        }
        write_atomic(self.manifest, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        self.path.unlink(missing_ok=True)
        return manifest


def now_iso() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
