"""Bring text to canonical form: one way to write line ends, spaces, quotes, lists and blocks.

Canonical text has LF line ends, plain spaces, no zero-width characters, straight
quotes (unless configured to keep curly ones), "- " list bullets with the items of a
list on consecutive lines, no trailing spaces, and blocks (paragraphs, lists, tables)
separated by exactly one blank line. It is script-aware: CJK full-width punctuation,
the ideographic space and non-Latin letters are never folded to ASCII, and the
zero-width joiners that Indic, Persian and emoji sequences need are kept between
non-ASCII characters.

Each fixer is a plain function `(text, rule) -> (text, changes)` in FIXERS, named
like the `impl` of the CN rule that switches it on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, line_change, substitute

Fixer = Callable[[str, Rule], tuple[str, list[Change]]]

LINE_BREAKS = regex.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# NBSP and the other fixed-width spaces; the ideographic space U+3000 belongs to CJK
# typography and stays.
ODD_SPACES = regex.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f]+")
# Always-invisible characters, plus ZWNJ/ZWJ where they do not sit between two
# non-ASCII characters (there they shape Indic, Persian or emoji text).
INVISIBLE = regex.compile(r"[\u200b\u2060\ufeff\u180e\u00ad]+")
# Removed after INVISIBLE, so that the neighbours seen here are the real ones.
STRAY_JOINERS = regex.compile(r"(?<![^\x00-\x7f])[\u200c\u200d]+|[\u200c\u200d]+(?![^\x00-\x7f])")
SINGLE_QUOTES = regex.compile(r"[\u2018\u2019\u201a\u201b\u2032]")
DOUBLE_QUOTES = regex.compile(r"[\u201c\u201d\u201e\u201f\u2033]")
BULLET_LINE = regex.compile(r"(?m)^[ \t]*[\u2022\u25aa\u00b7\u25e6\u25cf\u25a0\u2023\u2043\u2219][ \t]*(?=\S)")
# What the repair stage leaves: C0/C1 controls other than tab and newline (ftfy keeps
# C1 codes that Windows-1252 leaves undefined) and lone surrogates, which no UTF-8
# writer accepts.
STRAY_CONTROLS = regex.compile(r"[^\P{Cc}\n\t]+")
LONE_SURROGATES = regex.compile(r"\p{Cs}")
TRAILING_SPACE = regex.compile(r"(?m)[ \t]+$")
LIST_ITEM = regex.compile(r"^(?:[-*+] |\d{1,3}[.)] )")
TABLE_DELIMITER = regex.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


def normalize_line_endings(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write every line end as LF: CRLF, lone CR and Unicode separators included."""
    return substitute(LINE_BREAKS, "\n", text, rule)


def replace_odd_spaces(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Turn NBSP and other fixed-width spaces into plain spaces."""
    return substitute(ODD_SPACES, lambda m: " " * len(m.group()), text, rule)


def remove_zero_width(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Drop zero-width spaces, BOMs, soft hyphens and stray joiners."""
    text, invisible = substitute(INVISIBLE, "", text, rule, action="remove")
    text, joiners = substitute(STRAY_JOINERS, "", text, rule, action="remove")
    return text, invisible + joiners


def straighten_quotes(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write curly quotes and apostrophes as straight ASCII ones."""
    text, single = substitute(SINGLE_QUOTES, "'", text, rule)
    text, double = substitute(DOUBLE_QUOTES, '"', text, rule)
    return text, single + double


def normalize_bullets(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write "•", "▪", "·", "◦" and similar list bullets as "- " at the line start."""
    return substitute(BULLET_LINE, "- ", text, rule)


def drop_stray_controls(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Remove leftover control characters; turn lone surrogates into U+FFFD."""
    text, controls = substitute(STRAY_CONTROLS, "", text, rule, action="remove")
    text, surrogates = substitute(LONE_SURROGATES, "\ufffd", text, rule)
    return text, controls + surrogates


def strip_trailing_space(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Remove spaces and tabs at line ends (a line of only spaces becomes empty)."""
    return substitute(TRAILING_SPACE, "", text, rule, action="remove")


def _block_kind(line: str) -> str:
    if LIST_ITEM.match(line):
        return "list"
    if "|" in line:
        return "table"
    return "para"


def _continues(previous: str, line: str) -> bool:
    # A hard-wrapped paragraph: the next line starts in lower case, or the previous one
    # breaks off on a hyphen or comma. Such lines are one paragraph and stay joined.
    return line[:1].islower() or previous.endswith(("-", ","))


def separate_blocks(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Separate blocks by exactly one blank line; keep a list's items together.

    Paragraphs, lists and tables are blocks. Blank lines between the items of one list
    or the rows of one table are removed; a line break between two paragraphs becomes
    a blank line unless the second line continues the first (lower-case start, or the
    first ends in a hyphen or comma). Leading and surplus blank lines are dropped.
    """
    lines = text.split("\n")
    out: list[str] = []
    changes: list[Change] = []
    previous = ""
    blank_run = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            blank_run += 1
            continue
        if out:
            kind, previous_kind = _block_kind(line), _block_kind(previous)
            same_block = kind == previous_kind and kind in ("list", "table")
            # A blank line before a header row whose next line is a delimiter row separates
            # two tables; joining them would make one table of the two (tables stage, TB002).
            if same_block and kind == "table" and blank_run and number < len(lines) \
                    and TABLE_DELIMITER.match(lines[number]):
                same_block = False
            if same_block and blank_run:
                changes.append(line_change(rule, number - blank_run, "\n" * blank_run, "", "remove",
                                           "Removed blank lines between the items of one list or table."))
            elif not same_block and not blank_run and not (kind == previous_kind == "para" and _continues(previous, line)):
                out.append("")
                changes.append(line_change(rule, number, "", "\n", "insert",
                                           "Inserted a blank line between two blocks."))
            elif not same_block and blank_run > 1:
                out.append("")
                changes.append(line_change(rule, number - blank_run, "\n" * blank_run, "\n", "remove",
                                           "Collapsed a run of blank lines to one."))
            elif not same_block and blank_run == 1:
                out.append("")
        elif blank_run:
            changes.append(line_change(rule, 1, "\n" * blank_run, "", "remove", "Removed leading blank lines."))
        out.append(line)
        previous = line
        blank_run = 0
    result = "\n".join(out)
    if text.endswith("\n") and out:
        result += "\n"
    if not changes and result == text:
        return text, []
    return result, changes


FIXERS: dict[str, Fixer] = {
    "normalize_line_endings": normalize_line_endings,
    "replace_odd_spaces": replace_odd_spaces,
    "remove_zero_width": remove_zero_width,
    "straighten_quotes": straighten_quotes,
    "normalize_bullets": normalize_bullets,
    "drop_stray_controls": drop_stray_controls,
    "strip_trailing_space": strip_trailing_space,
    "separate_blocks": separate_blocks,
}


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the canonicalize stage: the enabled fixers, in rule-file order."""
    steps: list[tuple[Fixer, Rule]] = []
    for rule in rules:
        if rule.impl not in FIXERS:
            raise RuleError(f"{rule.source}: {rule.code}: unknown canonicalize impl {rule.impl!r}; "
                             f"known: {', '.join(FIXERS)}")
        if rule.impl == "straighten_quotes" and config.quotes == "keep":
            continue
        steps.append((FIXERS[rule.impl], rule))

    def canonicalize(doc: Document) -> tuple[Document, list[Change]]:
        text = doc.text
        changes: list[Change] = []
        for fixer, rule in steps:
            text, made = fixer(text, rule)
            changes.extend(made)
        return (doc.with_text(text) if changes else doc), changes

    return canonicalize
