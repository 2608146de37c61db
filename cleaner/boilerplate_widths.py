"""How short and how long a text a parsed pattern can match, on any line and on a compact one.

A line is *compact* when the only whitespace in it is single spaces: `str.isprintable()` (which
is False for every other character the regex module's `\\s` matches) and no two spaces in a
row. On such a line a repeat of a whitespace-only item (`\\s*`, ` +`, `[ \\t]*`) matches one
character at most, so a pattern whose only unbounded parts are such repeats has a longest
match after all: a long paragraph cannot be a line that `Follow us\\s*:\\s*[^\\n]{1,80}` matches
in full, and the boilerplate stage need not look for the pattern's literals in it.

The patterns are read with the stdlib parser, as the boilerplate screens read them (see
`screen_branch`); whatever it does not know for certain counts as unbounded and zero-length.
"""

from __future__ import annotations

import sys

try:
    from re import _constants as sre_constants
except ImportError:  # pragma: no cover - other Pythons
    sre_constants = None

UNBOUNDED = sys.maxsize


def is_compact(line: str) -> bool:
    """True when every whitespace character of the line is a space with no space next to it.

    >>> is_compact("Follow us: @example"), is_compact("a  b"), is_compact("a\\tb"), is_compact("a\\xa0b")
    (True, False, False, False)
    """
    return line.isprintable() and "  " not in line


def spans(items: object) -> tuple[int, int, int]:
    """The fewest characters a parsed sequence matches, the most, and the most on a compact line.

    Every literal, class and `.` is one character (the regex module's default simple case
    folding keeps it so); lookarounds and anchors take none; group references and anything
    unknown may take any number.
    """
    c = sre_constants
    low = high = compact = 0
    for op, av in items:  # type: ignore[attr-defined]
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN, c.CATEGORY):
            step = (1, 1, 1)
        elif op is c.SUBPATTERN:
            step = spans(av[3])
        elif op is c.ATOMIC_GROUP:
            step = spans(av)
        elif op is c.BRANCH:
            parts = [spans(branch) for branch in av[1]]
            step = (min(p[0] for p in parts), max(p[1] for p in parts), max(p[2] for p in parts))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            least, most, item = av
            inner = spans(item)
            step = (least * inner[0], times(most, inner[1]),
                    min(1, times(most, 1)) if whitespace_only(item) else times(most, inner[2]))
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            step = (0, 0, 0)
        else:  # group references, conditionals, anything new: no bound known
            step = (0, UNBOUNDED, UNBOUNDED)
        low, high, compact = low + step[0], plus(high, step[1]), plus(compact, step[2])
    return low, high, compact


def times(count: int, width: int) -> int:
    """count * width, where MAXREPEAT counts and UNBOUNDED widths stay UNBOUNDED."""
    if width == 0:
        return 0
    if count >= sre_constants.MAXREPEAT or width >= UNBOUNDED:
        return UNBOUNDED
    return min(count * width, UNBOUNDED)


def plus(a: int, b: int) -> int:
    """a + b, where an UNBOUNDED side makes the sum UNBOUNDED."""
    return UNBOUNDED if a >= UNBOUNDED or b >= UNBOUNDED else a + b


def whitespace_only(item: object) -> bool:
    """True when a parsed repeat body is one item that matches nothing but whitespace (`\\s`, ` `)."""
    c = sre_constants
    parts = list(item)  # type: ignore[call-overload]
    if len(parts) != 1:
        return False
    op, av = parts[0]
    if op is c.LITERAL:
        return bool(av == ord(" "))
    if op is c.IN:
        return bool(av) and all(
            (kind is c.CATEGORY and value is c.CATEGORY_SPACE) or (kind is c.LITERAL and value == ord(" "))
            for kind, value in av)
    return False
