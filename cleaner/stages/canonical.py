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

import re
from collections.abc import Callable, Sequence

import regex

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Action, Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, offsets, substitute

Fixer = Callable[[str, Rule], tuple[str, list[Change]]]

LINE_BREAKS = regex.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# ZWNJ/ZWJ where they do not sit between two non-ASCII characters (there they shape
# Indic, Persian or emoji text); removed after the always-invisible characters, so that
# the neighbours seen here are the real ones.
STRAY_JOINERS = regex.compile(r"(?<![^\x00-\x7f])[\u200c\u200d]+|[\u200c\u200d]+(?![^\x00-\x7f])")
BULLET_LINE = regex.compile(r"(?m)^[ \t]*[\u2022\u25aa\u00b7\u25e6\u25cf\u25a0\u2023\u2043\u2219][ \t]*(?=\S)")
# What the repair stage leaves: C0/C1 controls other than tab and newline (ftfy keeps
# C1 codes that Windows-1252 leaves undefined) and lone surrogates, which no UTF-8
# writer accepts.
STRAY_CONTROLS = regex.compile(r"[^\P{Cc}\n\t]+")
LONE_SURROGATES = regex.compile(r"\p{Cs}")
TRAILING_SPACE = regex.compile(r"(?m)[ \t]+$")
# A newline that ends a line with trailing blanks. Led by the newline, so re jumps from one
# newline to the next and looks back only there: cheaper than finding " \n" and "\t\n".
BLANK_BEFORE_NEWLINE = re.compile(r"\n(?<=[ \t]\n)")
LIST_ITEM = regex.compile(r"^(?:[-*+] |\d{1,3}[.)] )")
TABLE_DELIMITER = regex.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")

# Guards: does a fixer have anything to do? Most fixers find nothing in most documents,
# and a `c in text` test per character (a memchr-like scan) is ten times cheaper than a
# character-class search. Each string holds every character its fixer's pattern can
# start on, so skipping is exact. The plain character classes are applied by
# replace_chars, trailing spaces from their line ends, and BULLET_LINE only at the lines
# holding a bullet.
LINE_BREAK_CHARS = "\r\x0b\x0c\x85\u2028\u2029"
# NBSP and the other fixed-width spaces; the ideographic space U+3000 belongs to CJK
# typography and stays.
ODD_SPACE_CHARS = "\u00a0\u1680\u202f\u205f" + "".join(map(chr, range(0x2000, 0x200b)))
# Always invisible (the first five), then ZWNJ and ZWJ (see STRAY_JOINERS).
INVISIBLE_CHARS = "\u200b\u2060\ufeff\u180e\u00ad\u200c\u200d"
QUOTE_CHARS = "\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u201f\u2033"
BULLET_CHARS = "\u2022\u25aa\u00b7\u25e6\u25cf\u25a0\u2023\u2043\u2219"
# Too many characters for `in` tests: one class search (\p{Cc} but tab and newline, \p{Cs}).
HAS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same test on the UTF-8 bytes, where it is cheaper than a class search over wide text:
# a C0 control or DEL is a byte of its own (found by deleting those bytes), a C1 control is
# C2 80..9F and a lone surrogate (written with surrogatepass) is ED A0..BF; no other
# character's UTF-8 holds those bytes or byte pairs.
C0_BYTES = bytes([*range(0x09), *range(0x0b, 0x20), 0x7f])
# Two patterns, not one alternation: each starts with a literal byte, which re finds fast.
C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
SURROGATE_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")


def holds_any(text: str, chars: str) -> bool:
    """True when the text holds one of the characters (ASCII text holds none of ours)."""
    return not text.isascii() and any(map(text.__contains__, chars))


def replace_chars(text: str, chars: str, replace: Callable[[str], str], rule: Rule,
                  action: Action = "replace", runs: bool = True) -> tuple[str, list[Change]]:
    """`substitute` for the pattern `[chars]+` (or `[chars]` when not `runs`), found with str.find.

    The characters are rare, so finding each one with a memchr-like scan and merging
    neighbours into runs costs less than a character-class scan of the whole text; the
    Changes (order, spans, positions) are the ones `substitute` records.
    """
    places = sorted(index for char in chars for index in offsets(text, char))
    if not places:
        return text, []
    spans: list[list[int]] = []
    for index in places:
        if runs and spans and spans[-1][1] == index:
            spans[-1][1] = index + 1
        else:
            spans.append([index, index + 1])
    pieces: list[str] = []
    changes: list[Change] = []
    last = 0
    line, line_start = 1, 0  # counted on from the previous span: linear in the changes
    for start, end in spans:
        before = text[start:end]
        after = replace(before)
        line += text.count("\n", last, start)
        newline = text.rfind("\n", last, start)
        if newline >= 0:
            line_start = newline + 1
        col = start - line_start + 1
        changes.append(Change(rule.code, rule.stage, line, col, action, before, after, rule.summary))
        pieces.append(text[last:start])
        pieces.append(after)
        last = end
    pieces.append(text[last:])
    return "".join(pieces), changes


def normalize_line_endings(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write every line end as LF: CRLF, lone CR and Unicode separators included."""
    # ASCII text can hold only the first three (one scan each); other text any of them.
    if not any(map(text.__contains__, LINE_BREAK_CHARS[:3] if text.isascii() else LINE_BREAK_CHARS)):
        return text, []
    return substitute(LINE_BREAKS, "\n", text, rule)


def replace_odd_spaces(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Turn NBSP and other fixed-width spaces into plain spaces."""
    if not holds_any(text, ODD_SPACE_CHARS):
        return text, []
    return replace_chars(text, ODD_SPACE_CHARS, lambda run: " " * len(run), rule)


def remove_zero_width(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Drop zero-width spaces, BOMs, soft hyphens and stray joiners."""
    if not holds_any(text, INVISIBLE_CHARS):
        return text, []
    text, invisible = replace_chars(text, INVISIBLE_CHARS[:5], lambda run: "", rule, action="remove")
    text, joiners = substitute(STRAY_JOINERS, "", text, rule, action="remove")
    return text, invisible + joiners


def straighten_quotes(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write curly quotes and apostrophes as straight ASCII ones."""
    if not holds_any(text, QUOTE_CHARS):
        return text, []
    text, single = replace_chars(text, QUOTE_CHARS[:5], lambda char: "'", rule, runs=False)
    text, double = replace_chars(text, QUOTE_CHARS[5:], lambda char: '"', rule, runs=False)
    return text, single + double


def normalize_bullets(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Write "•", "▪", "·", "◦" and similar list bullets as "- " at the line start."""
    if not holds_any(text, BULLET_CHARS):
        return text, []
    # Every match starts a line that holds a bullet character: try only those lines.
    starts = sorted({text.rfind("\n", 0, index) + 1 for char in BULLET_CHARS
                     for index in offsets(text, char)})
    pieces: list[str] = []
    changes: list[Change] = []
    last = 0
    line, counted = 1, 0
    for start in starts:
        match = BULLET_LINE.match(text, start)
        if match is None:
            continue
        line += text.count("\n", counted, start)
        counted = start
        changes.append(Change(rule.code, rule.stage, line, 1, "replace", match.group(), "- ", rule.summary))
        pieces.append(text[last:start])
        pieces.append("- ")
        last = match.end()
    if not changes:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), changes




def holds_control(text: str) -> bool:
    """True when HAS_CONTROL would find something: a C0/C1 control (not tab or newline) or a surrogate.

    >>> holds_control("tab\\tand\\nnewline, caf\u00e9"), holds_control("bell\\x07"), holds_control("\\x85")
    (False, True, True)
    """
    data = text.encode("utf-8", "surrogatepass")
    if len(data.translate(None, C0_BYTES)) != len(data):
        return True
    return not text.isascii() and (C1_UTF8.search(data) is not None or SURROGATE_UTF8.search(data) is not None)


def drop_stray_controls(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Remove leftover control characters; turn lone surrogates into U+FFFD."""
    if not holds_control(text):
        return text, []
    text, controls = substitute(STRAY_CONTROLS, "", text, rule, action="remove")
    text, surrogates = substitute(LONE_SURROGATES, "\ufffd", text, rule)
    return text, controls + surrogates


def strip_trailing_space(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Remove spaces and tabs at line ends (a line of only spaces becomes empty)."""
    # A match ends before a newline or at the end: without " \n", "\t\n" or a final
    # space or tab there is none.
    # TRAILING_SPACE's matches are the [ \t] runs that end a line: found from their end
    # (a newline after a space or tab, or the text's end) and walked back by hand.
    ends = [match.start() for match in BLANK_BEFORE_NEWLINE.finditer(text)]
    if text.endswith((" ", "\t")):
        ends.append(len(text))
    if not ends:
        return text, []
    pieces: list[str] = []
    changes: list[Change] = []
    last = 0
    line = 1
    for end in ends:
        start = end - 1
        while start > last and text[start - 1] in " \t":
            start -= 1
        line += text.count("\n", last, start)
        col = start - text.rfind("\n", 0, start)
        changes.append(Change(rule.code, rule.stage, line, col, "remove", text[start:end], "", rule.summary))
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "".join(pieces), changes


def block_kind(line: str) -> str:
    """The kind of block a line that is not blank belongs to: "list", "table" or "para".

    separate_blocks() writes this test out in its loop, with a fast path for the usual
    first characters; the two must agree.
    """
    return "list" if LIST_ITEM.match(line) else "table" if "|" in line else "para"


def separate_blocks(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Separate blocks by exactly one blank line; keep a list's items together.

    Paragraphs, lists and tables are blocks. Blank lines between the items of one list
    or the rows of one table are removed; a line break between two paragraphs becomes
    a blank line unless the second line continues the first (lower-case start, or the
    first ends in a hyphen or comma). Leading and surplus blank lines are dropped.
    """
    # One pass over the lines, written flat (no helper call per line): it runs on every
    # document, and again in emit.
    lines = text.split("\n")
    out: list[str] = []
    append = out.append
    changes: list[Change] = []
    note = changes.append
    code, stage = rule.code, rule.stage
    previous, previous_kind = "", ""
    numbered = enumerate(lines, 1)
    # The first line that is not blank opens the text: blank lines above it go.
    for number, previous in numbered:
        if previous and not previous.isspace():
            if number > 1:
                note(Change(code, stage, 1, 1, "remove", "\n" * (number - 1), "",
                            "Removed leading blank lines."))
            append(previous)
            previous_kind = block_kind(previous)
            break
    blank_run = 0
    for number, line in numbered:
        if not line or line.isspace():  # the same test as `not line.strip()`, without a copy
            blank_run += 1
            continue
        # The block kind: "list" (LIST_ITEM, by hand for the usual first characters; the
        # pattern for digits and non-ASCII), "table" (a pipe) or "para".
        first = line[0]
        if first in "-*+":
            kind = "list" if line[1:2] == " " else "table" if "|" in line else "para"
        elif ("0" <= first <= "9" or first > "\x7f") and LIST_ITEM.match(line):  # ASCII digit, or not ASCII
            kind = "list"
        else:
            kind = "table" if "|" in line else "para"
        if blank_run == 1:
            if kind == "para" or kind != previous_kind:
                append("")  # the canonical case: two blocks one blank line apart
            elif kind == "table" and number < len(lines) and TABLE_DELIMITER.match(lines[number]):
                # A blank line before a header row whose next line is a delimiter row separates
                # two tables; joining them would make one table of the two (tables stage, TB002).
                append("")
            else:
                note(Change(code, stage, number - 1, 1, "remove", "\n", "",
                            "Removed blank lines between the items of one list or table."))
        elif blank_run:
            if kind == previous_kind and kind != "para" and not (
                    kind == "table" and number < len(lines) and TABLE_DELIMITER.match(lines[number])):
                note(Change(code, stage, number - blank_run, 1, "remove", "\n" * blank_run, "",
                            "Removed blank lines between the items of one list or table."))
            else:
                append("")
                note(Change(code, stage, number - blank_run, 1, "remove", "\n" * blank_run, "\n",
                            "Collapsed a run of blank lines to one."))
        # A hard-wrapped paragraph: the next line starts in lower case, or the previous one
        # breaks off on a hyphen or comma. Such lines are one paragraph and stay joined.
        elif kind != previous_kind or kind == "para" and not (first.islower() or previous.endswith(("-", ","))):
            append("")
            note(Change(code, stage, number, 1, "insert", "", "\n",
                        "Inserted a blank line between two blocks."))
        append(line)
        previous, previous_kind = line, kind
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
