"""Pipe tables as values: split rows into cells, count true columns, write tables out.

A block of table lines becomes a `Table` of `Row`s; repairs (cleaner.stages.tables) build
new tables from old ones, and the writers here turn the result into canonical GFM
(`| a | b |` then `| --- | --- |`), into one sentence per row, or, when the canonical-form
rule is off, into rows that keep the look of their source line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import regex

DELIMITER_CELL = regex.compile(r"^:?-+:?$")
SENTENCE_END = regex.compile(r"[.!?:;][\"')\]]*$")
INNER_SENTENCE_END = regex.compile(r"[.!?][\"')\]]*\s+\p{Lu}")
UNESCAPED_PIPE = regex.compile(r"(?<!\\)\|")
WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")


class Row(NamedTuple):
    """One line of a table: its cells, whether it had outer pipes, and where it came from.

    `source` is the original line (or lines, for a merged row) and `edited` says whether
    the cells no longer match it, so untouched rows can be written back as they were.
    Immutable; a named tuple rather than a frozen dataclass, which takes three times as
    long to build (the repairs build a few new rows per table row).
    """

    cells: tuple[str, ...]
    line: int
    source: str
    lead: bool = False
    trail: bool = False
    delimiter: bool = False
    edited: bool = False

    def with_cells(self, cells: Sequence[str]) -> Row:
        """Return the row with new cells, marked as edited when they differ."""
        cells = tuple(cells)
        if cells == self.cells:
            return self
        # A row that an edit left looking like `| --- | |` would read as a delimiter row next
        # time; saying so now lets the delimiter repair drop it instead.
        return Row(cells, self.line, self.source, self.lead, self.trail,
                   self.delimiter or is_delimiter(cells), edited=True)


@dataclass(frozen=True)
class Table:
    """Rows in source order; the first non-delimiter row is the header."""

    rows: tuple[Row, ...]

    @property
    def line(self) -> int:
        """The 1-based line the table starts on."""
        return self.rows[0].line

    def data_rows(self) -> list[Row]:
        """The rows that are not delimiter rows (the header included)."""
        return [row for row in self.rows if not row.delimiter]

    def count_columns(self) -> int:
        """The true number of columns (see column_count), worked out anew."""
        rows = self.data_rows()
        if not rows:
            return 1
        lengths: dict[int, int] = {}
        for row in rows:
            length = content_length(row)
            if length:
                lengths[length] = lengths.get(length, 0) + 1
        if not lengths:
            return max(1, len(rows[0].cells))
        best = max(lengths.values())
        majority = max(length for length, seen in lengths.items() if seen == best)
        return max(1, content_length(rows[0]), majority)


@dataclass(frozen=True)
class Prose:
    """A paragraph that sat inside a table block and now stands on its own."""

    text: str
    line: int


Part = Table | Prose


def split_cells(line: str) -> tuple[tuple[str, ...], bool, bool]:
    """Split a table line into trimmed cells; say whether it had a leading and a trailing pipe.

    A pipe escaped as `\\|` or inside a code span (`a|b` between backticks) is part of
    its cell, as GFM readers expect once it is escaped.

    >>> split_cells("| a | `x|y` | b\\\\|c |")
    (('a', '`x|y`', 'b\\\\|c'), True, True)
    >>> split_cells("Reds | 4 ||")
    (('Reds', '4', ''), False, True)
    """
    text = line.strip()
    if "\\" not in text and "`" not in text:
        # Nothing escaped, no code span: every pipe is a cell boundary.
        pieces = text.split("|")
    else:
        pieces = _split_guarded(text)
    lead = text.startswith("|")
    trail = len(pieces) > 1 and text.endswith("|") and not text.endswith("\\|")
    if lead:
        pieces = pieces[1:]
    if trail and pieces:
        pieces = pieces[:-1]
    return tuple([piece.strip() for piece in pieces]), lead, trail


def _split_guarded(text: str) -> list[str]:
    # Split at the pipes that are neither escaped nor inside a code span.
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if char == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            fence = "`" * run
            close = text.find(fence, i + run)
            if close != -1:
                current.append(text[i:close + run])
                i = close + run
                continue
            current.append(fence)
            i += run
            continue
        if char == "|":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return pieces


def is_delimiter(cells: Sequence[str]) -> bool:
    """True for the cells of a delimiter row such as `---|:--:|`.

    >>> is_delimiter(["---", ":-:", ""])
    True
    >>> is_delimiter(["-", "Total"])
    False
    """
    filled = list(cells)
    while filled and not filled[-1]:
        filled.pop()
    if not filled or filled[0].lstrip(" ")[:1] not in ("-", ":"):
        return False  # the usual row: its first cell is not a delimiter cell
    return all(DELIMITER_CELL.match(cell.replace(" ", "")) for cell in filled)


def parse_row(line: str, number: int) -> Row:
    """Read one source line as a row."""
    cells, lead, trail = split_cells(line)
    return Row(cells=cells, line=number, source=line, lead=lead, trail=trail, delimiter=is_delimiter(cells))


def content_length(row: Row) -> int:
    """How many cells the row has up to its last non-empty one."""
    cells = row.cells
    length = len(cells)
    while length and not cells[length - 1]:
        length -= 1
    return length


def column_count(table: Table) -> int:
    """The true number of columns: the header's or the most common row length, whichever is larger.

    Row lengths count up to the last non-empty cell, so runs of empty trailing cells do not
    inflate the count; the header decides when a last column is mostly empty, and the
    majority decides when the header is short or empty. Repairs ask for it again and
    again, so each table keeps its answer (tables are never changed, only replaced) in its
    __dict__, as functools.cached_property would, but without the lock that costs
    cached_property (before Python 3.12) more than the count itself.
    """
    known: int | None = table.__dict__.get("columns")
    if known is None:
        known = table.__dict__["columns"] = table.count_columns()
    return known


def align_of(cell: str) -> str:
    """Normalise one delimiter cell to ---, :---, ---: or :---:."""
    cell = cell.replace(" ", "")
    left, right = cell.startswith(":"), cell.endswith(":") and len(cell) > 1
    return (":" if left else "") + "---" + (":" if right else "")


def escape_pipes(cell: str) -> str:
    """Escape every pipe in a cell that is not escaped yet (they sit in code spans).

    >>> escape_pipes("`a|b` and c\\\\|d")
    '`a\\\\|b` and c\\\\|d'
    """
    if "|" not in cell:
        return cell
    return str(UNESCAPED_PIPE.sub(r"\\|", cell))


def format_cells(cells: Sequence[str], lead: bool = True, trail: bool = True) -> str:
    """Write cells as one table line; an empty cell is written as a single space.

    >>> format_cells(["Reds", "", "4"])
    '| Reds | | 4 |'
    >>> format_cells(["Reds", "4"], lead=False, trail=False)
    'Reds | 4'
    """
    inner = "|".join([f" {cell} " if cell else " " for cell in cells])
    if not lead:
        inner = inner.lstrip()
    if not trail and cells and cells[-1]:
        inner = inner.rstrip()
    else:
        trail = True
    return ("|" if lead else "") + inner + ("|" if trail else "")


def write_markdown(table: Table) -> list[str]:
    """Write a table as canonical GFM lines: header, delimiter, then the other rows."""
    return [format_cells([align_of(c) for c in row.cells] if row.delimiter else row.cells)
            for row in table.rows]


def write_light(table: Table) -> list[str]:
    """Write a table keeping each untouched row's source line and each edited row's outer pipes."""
    return [format_cells(row.cells, row.lead, row.trail) if row.edited else row.source for row in table.rows]


def write_sentences(table: Table) -> list[str]:
    """Write each data row as one sentence, "Header: value; Header: value.", one paragraph each.

    >>> t = Table((Row(("Tactic", "Description"), 1, ""), Row(("---", "---"), 2, "", delimiter=True),
    ...            Row(("Talks", "Direct talks"), 3, "")))
    >>> write_sentences(t)
    ['Tactic: Talks; Description: Direct talks.']
    """
    rows = table.data_rows()
    if not rows:
        return []
    header, body = (rows[0], rows[1:]) if len(rows) > 1 else (Row((), 0, ""), rows)
    sentences: list[str] = []
    for row in body:
        pairs = []
        for index, cell in enumerate(row.cells):
            if not cell:
                continue
            label = header.cells[index] if index < len(header.cells) else ""
            value = unpipe(cell)
            pairs.append(f"{unpipe(label)}: {value}" if label else value)
        if not pairs:
            continue
        sentence = "; ".join(pairs)
        if not SENTENCE_END.search(sentence):
            sentence += "."
        sentences.append(sentence)
    return sentences


def unpipe(cell: str) -> str:
    """Write a cell's pipes (escaped or in code spans) as a broken bar for the sentence form.

    A sentence holding "|" would be read as a table row again by the next run.

    >>> unpipe("`a\\|b`")
    '`a¦b`'
    """
    return cell.replace("\\|", "\u00a6").replace("|", "\u00a6")


def count_words(text: str) -> int:
    """Count the words of a text (letters and digits, with inner apostrophes and hyphens)."""
    return len(WORD.findall(text))


def is_prose(text: str, min_words: int, min_chars: int) -> bool:
    """True when a cell reads as running text: enough words, and long or sentence-shaped.

    >>> is_prose("Key elements shaping the outcome include the following:", 6, 60)
    True
    >>> is_prose("Diminished hostilities", 6, 60)
    False
    """
    if count_words(text) < min_words:
        return False
    return len(text) >= min_chars or bool(SENTENCE_END.search(text) or INNER_SENTENCE_END.search(text))
