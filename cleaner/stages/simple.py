"""The simple rule kinds that any text stage can apply straight from rule files.

- `phrase_line`: drop a line that, after folding case, spacing and punctuation, is one
  of the rule's phrases. All phrase rules of a stage share one dict lookup per line.
- `regex_line`: drop a line that the rule's pattern matches in full.
- `regex_replace`: replace each match of the pattern with `replacement` (which may use
  groups, `\\1` or `\\g<name>`); an empty replacement removes the span.

Each may be limited to a `zone`: "head" (the first `zone_lines` non-blank lines),
"tail" (the last ones) or "any". A dropped line takes one neighbouring blank line with
it, so paragraphs stay separated by exactly one blank line.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import line_change, substitute, timed_out

SIMPLE_KINDS = ("phrase_line", "regex_line", "regex_replace")
FOLD = regex.compile(r"[\p{P}\p{S}\s]+")
DEFAULT_ZONE_LINES = 6


def fold(line: str) -> str:
    """Fold a line for phrase lookup: case, spacing and punctuation do not count.

    >>> fold("  Leave a REPLY!  ")
    'leave a reply'
    """
    return FOLD.sub(" ", line.casefold()).strip()


@dataclass(frozen=True)
class SimpleRules:
    """The simple-kind rules of one stage, compiled for one pass over the lines."""

    phrases: dict[str, Rule]
    line_patterns: tuple[Rule, ...]
    replacements: tuple[Rule, ...]
    timeout: float

    @classmethod
    def compile(cls, rules: Sequence[Rule], timeout: float) -> SimpleRules:
        """Index the simple rules; the first rule that lists a phrase owns it."""
        phrases: dict[str, Rule] = {}
        for rule in rules:
            if rule.kind == "phrase_line":
                for phrase in rule.phrases:
                    phrases.setdefault(fold(phrase), rule)
        return cls(
            phrases=phrases,
            line_patterns=tuple(r for r in rules if r.kind == "regex_line"),
            replacements=tuple(r for r in rules if r.kind == "regex_replace"),
            timeout=timeout,
        )

    def apply(self, doc: Document) -> tuple[Document, list[Change]]:
        """Apply every simple rule to the document in one pass over its lines."""
        if not (self.phrases or self.line_patterns or self.replacements):
            return doc, []
        text = doc.text
        changes: list[Change] = []
        for rule in self.replacements:
            if rule.zone != "any":
                continue
            for pattern in rule.patterns:
                text, made = substitute(pattern, rule.replacement or "", text, rule,
                                        action="replace" if rule.replacement else "remove",
                                        timeout=self.timeout)
                changes.extend(made)
        if self.phrases or self.line_patterns:
            text, made = self._drop_lines(text)
            changes.extend(made)
        return (doc.with_text(text) if changes else doc), changes

    def _line_rule(self, line: str, spent: dict[Rule, float], skipped: dict[Rule, Change]) -> Rule | None:
        rule = self.phrases.get(fold(line)) if self.phrases else None
        if rule is not None:
            return rule
        for candidate in self.line_patterns:
            if candidate in skipped:
                continue
            # One budget per rule per document, not per line: a pattern that takes 0.9 s
            # on every line of a long page must not add up to hours.
            left = self.timeout - spent.get(candidate, 0.0)
            started = time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError("regex timed out")
                if any(p.fullmatch(line, timeout=left) for p in candidate.patterns):
                    return candidate
            except TimeoutError:
                skipped[candidate] = timed_out(candidate, self.timeout)
            finally:
                spent[candidate] = spent.get(candidate, 0.0) + time.monotonic() - started
        return None

    def _drop_lines(self, text: str) -> tuple[str, list[Change]]:
        lines = text.split("\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        drop: dict[int, Rule] = {}
        spent: dict[Rule, float] = {}
        skipped: dict[Rule, Change] = {}
        for rank, index in enumerate(content):
            rule = self._line_rule(lines[index].strip(), spent, skipped)
            if rule is None:
                continue
            zone_lines = int(rule.option("zone_lines", DEFAULT_ZONE_LINES))
            if rule.zone == "head" and rank >= zone_lines:
                continue
            if rule.zone == "tail" and rank < len(content) - zone_lines:
                continue
            drop[index] = rule
        # A rule skipped for this document leaves the lines it dropped before it ran out
        # of time: each was a full match, so each removal is as right as it would have been.
        changes = list(skipped.values())
        if not drop:
            return text, changes
        changes += [line_change(rule, index + 1, lines[index], "", "remove") for index, rule in drop.items()]
        return remove_lines(lines, drop.keys()), changes


def remove_lines(lines: list[str], indexes: Iterable[int]) -> str:
    """Join lines without the given indexes, keeping blocks apart as they were.

    Two kept lines are separated by one blank line exactly when any blank line stood
    between them before, so removing a line never glues two blocks together, never
    splits one (a dropped table row or list item), and never leaves a blank run.
    """
    gone = set(indexes)
    kept: list[str] = []
    gap = False
    for index, line in enumerate(lines):
        if index in gone:
            continue
        if not line.strip():
            gap = True
            continue
        if kept and gap:
            kept.append("")
        kept.append(line)
        gap = False
    if lines and lines[-1] == "" and kept:
        kept.append("")
    return "\n".join(kept)
