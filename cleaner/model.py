"""The values that flow through cleaner: documents in, results and changes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Action = Literal["remove", "replace", "insert", "flag"]
ACTIONS: tuple[Action, ...] = ("remove", "replace", "insert", "flag")


class Change(NamedTuple):
    """One edit (or flag) a rule made, with enough context to audit it.

    `line` and `col` are 1-based and point into the text as it entered the stage
    that made the change; `before` and `after` are the affected span. A `flag`
    leaves the text alone and carries its suggested rendering in `after`.

    Immutable. A named tuple rather than a frozen dataclass: a clean of one web page
    makes about seventy of these, and a frozen dataclass takes four times as long to build.
    """

    code: str
    stage: str
    line: int
    col: int
    action: Action
    before: str
    after: str
    summary: str

    def as_dict(self) -> dict[str, Any]:
        """Return the change as a plain JSON-ready dict."""
        return self._asdict()


@dataclass(frozen=True, slots=True)
class Document:
    """Text on its way through the stages, with the metadata stages attach.

    `raw` holds undecoded bytes until the decode stage has turned them into `text`.
    """

    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    raw: bytes | None = None

    def with_text(self, text: str) -> Document:
        """Return a copy with new text (raw bytes are dropped once decoded)."""
        return Document(text=text, meta=self.meta, raw=None)

    def with_meta(self, **updates: Any) -> Document:
        """Return a copy with metadata keys added or replaced."""
        return Document(text=self.text, meta={**self.meta, **updates}, raw=self.raw)


@dataclass(frozen=True, slots=True)
class Result:
    """What cleaning one document gives: clean text, the changes, and metadata."""

    text: str
    changes: tuple[Change, ...]
    meta: Mapping[str, Any]

    @property
    def changed(self) -> bool:
        """True when any rule edited the text (flags alone do not count)."""
        return any(change.action != "flag" for change in self.changes)


def position(text: str, offset: int) -> tuple[int, int]:
    """Turn a character offset into a 1-based (line, column) pair.

    >>> position("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1
