"""Stage mechanisms. Each module exposes `build(rules, config) -> Stage`.

A Stage is a callable `Document -> (Document, list[Change])`: small, pure, and built
once per Cleaner so that everything expensive (compiled patterns, phrase automata,
language profiles) is prepared a single time.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from cleaner.model import Action, Change, Document
from cleaner.ruleset import Rule

Stage = Callable[[Document], tuple[Document, list[Change]]]


def substitute(
    pattern: regex.Pattern[str],
    replacement: str | Callable[[regex.Match[str]], str],
    text: str,
    rule: Rule,
    action: Action = "replace",
    timeout: float | None = None,
) -> tuple[str, list[Change]]:
    """Replace every match of `pattern` and record one Change per replaced span.

    Matches whose replacement equals the matched text are not changes and are not
    recorded, so a substitution that has nothing to do costs one scan. A pattern that
    runs past `timeout` seconds on this text is skipped for this text only: the text
    comes back unchanged with one `flag` Change that says so.
    """
    changes: list[Change] = []
    pieces: list[str] = []
    last = 0
    # Line numbers are counted on from the previous change, not from the start of the
    # text each time: a change every few characters of a long text stays linear.
    line, line_start, seen = 1, 0, 0
    try:
        for match in pattern.finditer(text, timeout=timeout):
            after = replacement(match) if callable(replacement) else match.expand(replacement)
            before = match.group()
            if after == before:
                continue
            start = match.start()
            line += text.count("\n", seen, start)
            newline = text.rfind("\n", seen, start)
            if newline >= 0:
                line_start = newline + 1
            seen = start
            col = start - line_start + 1
            changes.append(Change(rule.code, rule.stage, line, col, action, before, after, rule.summary))
            pieces.append(text[last:match.start()])
            pieces.append(after)
            last = match.end()
    except TimeoutError:
        return text, [timed_out(rule, timeout)]
    if not changes:
        return text, changes
    pieces.append(text[last:])
    return "".join(pieces), changes


def offsets(text: str, needle: str) -> list[int]:
    """Every place `needle` starts in `text`, found with str.find (no regex).

    >>> offsets("a-b-c", "-")
    [1, 3]
    """
    found = []
    index = text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def timed_out(rule: Rule, timeout: float | None) -> Change:
    """The warning a rule leaves when its pattern ran too long on a document and was skipped."""
    return Change(rule.code, rule.stage, 1, 1, "flag", "", "",
                  f"Skipped: the rule's pattern ran longer than {timeout}s on this document "
                  "(a pathological pattern or input); the rest of the cleaning went on.")


def line_change(rule: Rule, line_number: int, before: str, after: str, action: Action,
                summary: str | None = None) -> Change:
    """Record a change to a whole line (1-based line number, column 1)."""
    return Change(rule.code, rule.stage, line_number, 1, action, before, after, summary or rule.summary)
