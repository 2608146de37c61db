"""Find the blocks of a text that may be tables, and read them as rows.

Three shapes are found: pipe tables (consecutive lines with a "|", which canonicalize
keeps together), box-drawing and ASCII grid tables (rows and border lines, which
canonicalize separates by blank lines because they hold no "|"), and column-aligned
tables as HTML-to-text renderers write them (cells separated by tabs or 2+ spaces, also
one blank line apart after canonicalize).

Finding is cheap and loose; deciding is strict. A pipe block is a table only with a
delimiter row, or with at least two rows that agree on a length of two or more cells (or
all carry outer pipes): a lone line of prose with a pipe ("the vote was 52 | 48") or a
one-line navigation bar ("Home | News | Sport") stays text. An aligned block is a table
only when its columns start (or end) at the same offset on every row, which sentences
that happen to hold a double space do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

import regex

from cleaner.tables_grid import Row, content_length, parse_row

BOX_VERTICALS = "│┃║"
BOX_BORDER = regex.compile(r"^[\s┌┐└┘├┤┬┴┼─━┏┓┗┛┣┫┳┻╋═╔╗╚╝╠╣╦╩╬╒╕╘╛╞╡╤╧╪╓╖╙╜╟╢╥╨╫│┃║]*[─━═][\s┌┐└┘├┤┬┴┼─━┏┓┗┛┣┫┳┻╋═╔╗╚╝╠╣╦╩╬╒╕╘╛╞╡╤╧╪╓╖╙╜╟╢╥╨╫│┃║]*$")
# Every box-drawing line holds one of these: a vertical, a horizontal or the "+" of a grid.
BOX_SIGNS = BOX_VERTICALS + "─━═+"
ASCII_BORDER = regex.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
COLUMN_GAP = regex.compile(r"\t+| {2,}")
SENTENCE_BREAK = regex.compile(r"[.!?][\"')\]]*$")
LIST_START = regex.compile(r"^\s*(?:[-*+•] |\d{1,3}[.)] )")
# How far a row left open ("| a | b" with no closing pipe) may reach for the rest of its cell.
WRAP_LOOKAHEAD = 6


@dataclass(frozen=True)
class Block:
    """Lines [start, end) of a text that may hold a table; kind is "pipe" or "aligned"."""

    start: int
    end: int
    kind: str


def is_border(line: str) -> bool:
    """True for a border line of a box-drawing or ASCII grid table."""
    return bool(BOX_BORDER.match(line) or ASCII_BORDER.match(line))


def _is_open_row(line: str) -> bool:
    text = line.strip()
    return text.startswith("|") and not text.endswith("|") and text.count("|") >= 2


def find_blocks(lines: Sequence[str], boxes: bool, aligned: bool, wrapped: bool,
                max_cell_chars: int = 60) -> list[Block]:
    """Return the candidate table blocks of a text's lines, in order.

    `boxes`, `aligned` and `wrapped` switch on the box/grid shapes, column-aligned
    blocks, and rows whose last cell wraps onto the following lines.
    """
    if boxes and not _may_hold_boxes(lines):
        # No box character and no "+": no line is boxy or a border, so the box shapes
        # cannot change a block and the per-line box tests can be skipped.
        boxes = False

    def is_boxy(line: str) -> bool:
        return boxes and (any(v in line for v in BOX_VERTICALS) or is_border(line))

    def is_row(line: str) -> bool:
        return "|" in line or is_boxy(line)

    def bridges(above: str, below: str) -> bool:
        # canonicalize puts a blank line between box lines and between a grid's "+---+"
        # borders and its rows; a box line and a plain pipe row are two blocks.
        if not (is_boxy(above) and is_boxy(below)):
            return is_row(above) and is_row(below) and \
                bool(ASCII_BORDER.match(above) or ASCII_BORDER.match(below))
        return True

    blocks: list[Block] = []
    count = len(lines)
    # Without boxes a block starts on a line with a pipe, a tab or a double space: visit
    # only those (the others would only move the scan on by one line).
    starts = range(count) if boxes else \
        [k for k, line in enumerate(lines) if "|" in line or (aligned and ("\t" in line or "  " in line))]
    i = 0
    for start in starts:
        if start < i:
            continue
        i = start
        if is_row(lines[i]):
            j = i + 1
            while j < count:
                if is_row(lines[j]):
                    j += 1
                    continue
                if not lines[j].strip() and j + 1 < count and bridges(lines[j - 1], lines[j + 1]):
                    j += 1
                    continue
                if wrapped and _is_open_row(lines[j - 1]):
                    end = _wrap_end(lines, j)
                    if end is not None:
                        j = end
                        continue
                break
            if aligned and all(is_border(line) or not line.strip() for line in lines[i:j]):
                # Bare borders above a column-aligned block belong to it.
                k = j + 1 if j < count and not lines[j].strip() else j
                below = _aligned_block(lines, k, max_cell_chars) if k < count else None
                if below is not None:
                    framed = Block(i, _absorb_borders(lines, below.end), "aligned")
                    blocks.append(framed)
                    i = framed.end
                    continue
            piped = _trim_lone_border(lines, Block(i, j, "pipe")) if boxes else Block(i, j, "pipe")
            if piped is not None:
                blocks.append(piped)
            i = j
            continue
        if aligned and ("\t" in lines[i] or "  " in lines[i].strip()):
            found = _aligned_block(lines, i, max_cell_chars)
            if found is not None:
                end = _absorb_borders(lines, found.end) if boxes else found.end
                blocks.append(Block(found.start, end, "aligned"))
                i = end
                continue
        i += 1
    return blocks


def _may_hold_boxes(lines: Sequence[str]) -> bool:
    # A box line holds a vertical; a border holds "+" or a horizontal (see BOX_BORDER).
    text = "\n".join(lines)
    return any(char in text for char in BOX_SIGNS)


def _absorb_borders(lines: Sequence[str], end: int) -> int:
    # Border lines (one blank line apart) right under a column-aligned block frame it.
    while True:
        k = end + 1 if end < len(lines) and not lines[end].strip() else end
        if k < len(lines) and is_border(lines[k]):
            end = k + 1
            continue
        return end


def _trim_lone_border(lines: Sequence[str], block: Block) -> Block | None:
    # One border line at the edge of a block without box verticals is a rule line beside a
    # table, not part of it: a grid or box table has borders above and below its rows.
    body = range(block.start, block.end)
    borders = [k for k in body if is_border(lines[k])]
    if len(borders) != 1 or any(v in lines[k] for k in body for v in BOX_VERTICALS):
        return block
    filled = [k for k in body if lines[k].strip()]
    if borders[0] == filled[-1] and len(filled) > 1:
        return Block(block.start, filled[-2] + 1, block.kind)
    if borders[0] == filled[0] and len(filled) > 1:
        return Block(filled[1], block.end, block.kind)
    return None if len(filled) == 1 else block


def _wrap_end(lines: Sequence[str], j: int) -> int | None:
    # The rest of an open row: lines without a pipe (blank ones too, canonicalize puts
    # them around a pipe-less line) up to a line that closes the row with a pipe.
    for k in range(j, min(len(lines), j + WRAP_LOOKAHEAD)):
        text = lines[k].strip()
        if "|" in text:
            return k + 1 if not text.startswith("|") and text.endswith("|") else None
    return None


def split_aligned(line: str) -> list[tuple[int, int, str]]:
    """Split a line on tabs and runs of 2+ spaces: (start, end, cell) for each cell."""
    cells = []
    position = 0
    for gap in COLUMN_GAP.finditer(line):
        if gap.start() > position and line[position:gap.start()].strip():
            cells.append((position, gap.start(), line[position:gap.start()]))
        position = gap.end()
    if line[position:].strip():
        cells.append((position, len(line), line[position:]))
    return [(start + len(text) - len(text.lstrip()), end, text.strip()) for start, end, text in cells]


def _has_gap(line: str) -> bool:
    # Two cells need a tab or a run of spaces between them (see split_aligned).
    return "\t" in line or "  " in line.strip()


def _aligned_block(lines: Sequence[str], i: int, max_cell_chars: int) -> Block | None:
    # The cheap test first: a block needs a second row, and that row needs a gap.
    j = i + 1
    if j >= len(lines) or not _has_gap(lines[j + 1 if not lines[j].strip() and j + 1 < len(lines) else j]):
        return None

    def cells_of(line: str) -> list[tuple[int, int, str]] | None:
        if "|" in line or LIST_START.match(line) or not line.strip():
            return None
        cells = split_aligned(line)
        if len(cells) < 2 or any(len(text) > max_cell_chars for _, _, text in cells):
            return None
        return cells

    first = cells_of(lines[i])
    if first is None:
        return None
    rows = [(i, first)]
    j = i + 1
    while j < len(lines):
        k = j + 1 if not lines[j].strip() and j + 1 < len(lines) else j
        cells = cells_of(lines[k])
        if cells is None or len(cells) != len(first):
            break
        rows.append((k, cells))
        j = k + 1
    tabbed = all("\t" in lines[k] for k, _ in rows)
    # Two padded lines can line up by chance; three rarely do. Rows that all break after a
    # sentence ("He left.  Then…") are prose typed with double spaces.
    if len(rows) < (2 if tabbed else 3):
        return None
    if all(any(SENTENCE_BREAK.search(text) for _, _, text in cells[:-1]) for _, cells in rows):
        return None
    if not tabbed:
        for column in range(1, len(first)):
            starts = {cells[column][0] for _, cells in rows}
            ends = {cells[column][1] for _, cells in rows}
            if len(starts) > 1 and len(ends) > 1:
                return None
    return Block(i, rows[-1][0] + 1, "aligned")


def read_box_rows(lines: Sequence[str], start: int) -> list[Row]:
    """Read box-drawing or grid lines as pipe rows; the first inner border becomes the delimiter."""
    rows: list[Row] = []
    delimiter_done = False
    for offset, line in enumerate(lines):
        number = start + offset + 1
        if not line.strip():
            continue
        if is_border(line):
            if len(rows) == 1 and not delimiter_done:
                rows.append(Row(cells=("---",) * len(rows[0].cells), line=number, source=line, lead=True, trail=True,
                                delimiter=True, edited=True))
                delimiter_done = True
            continue
        text = line
        for vertical in BOX_VERTICALS:
            text = text.replace(vertical, "|")
        row = parse_row(text, number)
        rows.append(Row(cells=row.cells, line=number, source=line, lead=True, trail=True,
                        delimiter=row.delimiter, edited=True))
    return rows


def read_aligned_rows(lines: Sequence[str], start: int) -> list[Row]:
    """Read the non-blank lines of a column-aligned block as rows."""
    return [Row(cells=tuple(text for _, _, text in split_aligned(line)), line=start + offset + 1,
                source=line, lead=True, trail=True, edited=True)
            for offset, line in enumerate(lines) if line.strip() and not is_border(line)]


def looks_like_table(rows: Sequence[Row]) -> bool:
    """Decide whether rows read from a pipe block are a table rather than text with pipes.

    >>> looks_like_table([parse_row("Home | News | Sport", 1)])
    False
    >>> looks_like_table([parse_row("a | b", 1), parse_row("c | d", 2)])
    True
    """
    piped = [row for row in rows if "|" in row.source or row.edited]
    if len(piped) < 2 or all(row.delimiter for row in piped):
        return False
    if any(row.delimiter for row in rows):
        return True
    lengths = Counter(content_length(row) for row in piped)
    if any(length >= 2 and seen >= 2 for length, seen in lengths.items()):
        return True
    filled = [row for row in piped if content_length(row)]
    return len(filled) >= 2 and all(row.lead and row.trail for row in piped)


def split_back_to_back(rows: Sequence[Row]) -> list[list[Row]]:
    """Cut a block where a new header row (a row right above a delimiter) starts a second table."""
    starts = [0]
    for index in range(2, len(rows)):
        if rows[index].delimiter and not rows[index - 1].delimiter and index - 1 > starts[-1]:
            starts.append(index - 1)
    starts.append(len(rows))
    return [list(rows[a:b]) for a, b in pairwise(starts) if b > a]


def block_rows(lines: Sequence[str], block: Block, convert: Collection[str]) -> tuple[list[Row], bool]:
    """Read a block's rows; say whether a box/grid or aligned layout was converted."""
    body = lines[block.start:block.end]
    if block.kind == "aligned":
        return read_aligned_rows(body, block.start), True
    if "boxes" in convert and _may_hold_boxes(body) and any(is_border(line) or any(v in line for v in BOX_VERTICALS) for line in body):
        return read_box_rows(body, block.start), True
    rows = [parse_row(line, block.start + offset + 1) for offset, line in enumerate(body) if line.strip()]
    return rows, False
