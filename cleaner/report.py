"""The audit report of a batch (--report): counts per rule and every line removed or flagged.

It is for hunting false positives over a whole run: sort the removed lines by code,
read the ones a rule should not have taken, and fix or switch off that rule. Lines are
streamed to a temporary file while the run goes on, so a run over millions of
documents does not hold them in memory; the report is renamed into place at the end.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cleaner.ruleset import Rule


class ReportWriter:
    """Collect removed and flagged lines as a run goes, then write report.json."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._removed = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._flagged = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, file: str, lines: Iterable[tuple[int | None, int, str, str, str, str]]) -> None:
        """Add the audit lines of one unit of work: (record, line, code, action, before, after)."""
        for record, line, code, action, before, after in lines:
            entry: dict[str, Any] = {"file": file, "record": record, "line": line, "code": code, "text": before}
            if action == "flag":
                entry["suggestion"] = after
            target = self._flagged if action == "flag" else self._removed
            if target.tell():
                target.write(",\n")
            target.write(json.dumps(entry, ensure_ascii=False))

    def finish(self, header: Mapping[str, Any], rules: Counter[str], known: Mapping[str, Rule]) -> None:
        """Write the report: header, per-rule counts, then the removed and flagged lines."""
        per_rule = {
            code: {"name": known[code].name if code in known else None,
                   "summary": known[code].summary if code in known else None,
                   "count": count}
            for code, count in sorted(rules.items())
        }
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                head = json.dumps({**header, "rules": per_rule}, ensure_ascii=False, indent=1)
                out.write(head[:-2] + ',\n "removed": [\n')
                self._copy(self._removed, out)
                out.write('\n ],\n "flagged": [\n')
                self._copy(self._flagged, out)
                out.write("\n ]\n}\n")
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        finally:
            self.close()

    @staticmethod
    def _copy(source: Any, out: Any) -> None:
        source.seek(0)
        while block := source.read(1 << 16):
            out.write(block)

    def close(self) -> None:
        self._removed.close()
        self._flagged.close()
