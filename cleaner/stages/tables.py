"""Repair broken pipe tables instead of deleting them; split glued headings.

Each TB rule switches on one repair, a plain function named like its `impl`:

- block readers (in READERS) find the box-drawing / grid and column-aligned shapes and
  read them as pipe rows;
- table repairs (in REPAIRS) take the parts of one block (tables, and paragraphs already
  moved out of them) and return new parts plus the Changes they made, in the fixed order
  of REPAIR_ORDER; each works alone, so any one rule can be selected by itself;
- `write_tables` writes every table as canonical GFM, or as one sentence per row when
  `config.tables == "text"`; without it edited rows keep the look of their source line;
- `split_glued_headings` (in TEXT_FIXES) works on every line outside a table.

With `config.tables == "keep"` tables are left exactly as they came; the glued-heading
split still runs, on lines without a pipe, because a heading glued to its paragraph is a
text defect, not a table one. A text with no "|", no tab, no double space and no box
character costs one scan per check and nothing else: this stage runs over whole corpora.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Action, Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, line_change
from cleaner.stages.simple import SIMPLE_KINDS, SimpleRules
from cleaner.tables_blocks import (
    BOX_VERTICALS,
    Block,
    block_rows,
    find_blocks,
    looks_like_table,
    split_back_to_back,
)
from cleaner.tables_grid import (
    Part,
    Prose,
    Row,
    Table,
    align_of,
    column_count,
    content_length,
    escape_pipes,
    format_cells,
    is_prose,
    parse_row,
    write_light,
    write_markdown,
    write_sentences,
)
from cleaner.tables_headings import HeadingWords, split_line

Repair = Callable[[list[Part], Rule], tuple[list[Part], list[Change]]]
TextFix = Callable[[str, Rule], tuple[str, list[Change]]]

STAGE = "tables"


def as_paragraphs(sources: Sequence[str]) -> str:
    """Join the lines of rows that are not a table the way canonicalize would leave them.

    Lines that both hold a pipe stay together; any other pair gets a blank line, so the
    next run finds the text exactly as this one wrote it.

    >>> as_paragraphs(["a | b", "c | d", "prose"])
    'a | b\\nc | d\\n\\nprose'
    """
    text = sources[0] if sources else ""
    for previous, line in zip(sources, sources[1:]):
        text += ("\n" if "|" in previous and "|" in line else "\n\n") + line
    return text


def _change(rule: Rule, line: int, before: str, after: str, action: Action = "replace",
            summary: str | None = None) -> Change:
    return Change(rule.code, STAGE, line, 1, action, before, after, summary or rule.summary)


def _map_tables(parts: list[Part], fix: Callable[[Table], tuple[Table, list[Change]]]) -> tuple[list[Part], list[Change]]:
    out: list[Part] = []
    changes: list[Change] = []
    for part in parts:
        if isinstance(part, Table):
            part, made = fix(part)
            changes.extend(made)
        out.append(part)
    return out, changes


def _edit_rows(table: Table, rule: Rule, edit: Callable[[Row, int], Sequence[str]]) -> tuple[Table, list[Change]]:
    # Apply a cell edit to every non-delimiter row; one Change per row it alters.
    n = column_count(table)
    rows: list[Row] = []
    changes: list[Change] = []
    for row in table.rows:
        if row.delimiter:
            rows.append(row)
            continue
        cells = edit(row, n)
        new = row if cells is row.cells else row.with_cells(cells)  # edits return the same cells when idle
        if new is not row:
            changes.append(_change(rule, row.line, format_cells(row.cells, row.lead, row.trail) if row.edited
                                   else row.source,
                                   format_cells(new.cells, row.lead, row.trail)))
        rows.append(new)
    if not changes:
        return table, changes  # the same rows: keep the table (and what it has worked out)
    return Table(tuple(rows)), changes


# --- table repairs -----------------------------------------------------------------------


def merge_wrapped_cells(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Join a row whose last cell wrapped onto the next lines back into one row.

    Only rows that open with a pipe and do not close with one are joined, and only with
    the following lines that do not open with one, up to the line that closes the row:
    in a table with outer pipes that is the one reading that makes every row whole.
    """
    def fix(table: Table) -> tuple[Table, list[Change]]:
        rows: list[Row] = []
        changes: list[Change] = []
        pending = list(table.rows)
        while pending:
            row = pending.pop(0)
            if row.lead and not row.trail and pending and not pending[0].lead:
                sources = [row.source]
                while pending and not pending[0].lead:
                    sources.append(pending.pop(0).source)
                    if sources[-1].rstrip().endswith("|"):
                        break
                merged = " ".join(s.strip() for s in sources)
                new = parse_row(merged, row.line)
                new = Row(new.cells, row.line, merged, new.lead, new.trail, new.delimiter, edited=True)
                changes.append(_change(rule, row.line, "\n".join(sources), merged))
                row = new
            rows.append(row)
        return Table(tuple(rows)), changes

    return _map_tables(parts, fix)


def drop_trailing_cells(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Drop runs of empty cells past the table's true width (`| ||||||||`); keep empty data cells."""
    def edit(row: Row, n: int) -> Sequence[str]:
        if len(row.cells) <= n:
            return row.cells  # no cell past the table's width
        return row.cells[:max(n, content_length(row))]

    return _map_tables(parts, lambda table: _edit_rows(table, rule, edit))


def strip_cell_debris(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Strip unmatched braces (and the rule's other debris pairs) from the edges of cells.

    A brace is debris only when the cell has more closing than opening ones (or the
    reverse), so "{name}" in a template column stays.
    """
    pairs = [(str(p)[0], str(p)[1]) for p in rule.params.get("pairs", ["{}"]) if len(str(p)) == 2]
    debris = "".join(opening + closing for opening, closing in pairs)

    def edit(row: Row, n: int) -> Sequence[str]:
        # Most rows hold no debris character at all: nothing to strip.
        joined = "".join(row.cells)
        if not any(char in joined for char in debris):
            return row.cells
        return [clean(c) for c in row.cells]

    def clean(cell: str) -> str:
        changed = True
        while changed:
            changed = False
            for opening, closing in pairs:
                if cell.endswith(closing) and cell.count(closing) > cell.count(opening):
                    cell, changed = cell[:-1].rstrip(), True
                if cell.startswith(opening) and cell.count(opening) > cell.count(closing):
                    cell, changed = cell[1:].lstrip(), True
        return cell

    return _map_tables(parts, lambda table: _edit_rows(table, rule, edit))


def _move_out(parts: list[Part], rule: Rule, cut: Callable[[Row, int], tuple[list[str], str] | None],
              summary: str) -> tuple[list[Part], list[Change]]:
    # Walk the rows after each header; where `cut` finds prose, end the table there, put the
    # prose in its own paragraph, and read the rows below as a new table with its own header.
    out: list[Part] = []
    changes: list[Change] = []
    queue = list(parts)
    while queue:
        part = queue.pop(0)
        if not isinstance(part, Table):
            out.append(part)
            continue
        n = column_count(part)
        seen_header = False
        for index, row in enumerate(part.rows):
            if row.delimiter:
                continue
            if not seen_header:
                seen_header = True
                continue
            found = cut(row, n)
            if found is None:
                continue
            kept_cells, prose = found
            above = list(part.rows[:index])
            if kept_cells:
                above.append(row.with_cells(kept_cells))
            below = list(part.rows[index + 1:])
            out.append(Table(tuple(above)))
            out.append(Prose(prose, row.line))
            after = format_cells(kept_cells, row.lead, row.trail) + "\n\n" + prose if kept_cells else prose
            changes.append(_change(rule, row.line, row.source, after, summary=summary))
            if below and looks_like_table(below):
                queue.insert(0, Table(tuple(below)))
            elif below:
                queue.insert(0, Prose(as_paragraphs([r.source for r in below]), below[0].line))
            break
        else:
            out.append(part)
    return out, changes


def move_leaked_prose(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Move prose that leaked into a row past its last column out into its own paragraph.

    The rows below it become a new table whose first row is its header: in the page the
    paragraph stood between two tables. A surplus cell counts as prose with at least
    `min_words` words and either `min_chars` characters or sentence punctuation; shorter
    surplus cells are left to `fit_ragged_rows`.
    """
    min_words = int(rule.option("min_words", 6))
    min_chars = int(rule.option("min_chars", 60))

    def cut(row: Row, n: int) -> tuple[list[str], str] | None:
        surplus = [cell for cell in row.cells[n:] if cell]
        # Prose holding a pipe (in a code span) would be read back into the table next run.
        if not surplus or not is_prose(surplus[0], min_words, min_chars) or any("|" in c for c in surplus):
            return None
        return list(row.cells[:n]), " ".join(surplus)

    return _move_out(parts, rule, cut, rule.summary)


def move_glued_paragraphs(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Give a paragraph glued into a table (a row that is one sentence) its own block.

    Only in tables of two or more columns, and only a row whose single filled cell is the
    first and reads as a sentence; a short label row ("| Europe |") stays in the table.
    """
    min_words = int(rule.option("min_words", 8))

    def cut(row: Row, n: int) -> tuple[list[str], str] | None:
        filled = [cell for cell in row.cells if cell]
        if n < 2 or len(filled) != 1 or not row.cells[0] or "|" in filled[0] \
                or not is_prose(filled[0], min_words, 10**6):
            return None
        return [], filled[0]

    return _move_out(parts, rule, cut, rule.summary)


def fit_ragged_rows(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Give every row the table's true number of cells: pad short rows, fold surplus into the last cell.

    Folded cells are joined with an escaped pipe, so their text is kept and still shows
    where the source had a cell boundary.
    """
    def edit(row: Row, n: int) -> Sequence[str]:
        if len(row.cells) == n:
            return row.cells  # already the table's width
        cells = list(row.cells[:max(n, content_length(row))])
        if len(cells) > n:
            cells = cells[:n - 1] + [" \\| ".join(cell for cell in cells[n - 1:] if cell)]
        return cells + [""] * (n - len(cells))

    return _map_tables(parts, lambda table: _edit_rows(table, rule, edit))


def escape_cell_pipes(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Escape a literal pipe inside a cell (in a code span) as `\\|`, as GFM requires."""
    def edit(row: Row, n: int) -> Sequence[str]:
        if not any("|" in cell for cell in row.cells):
            return row.cells  # the usual row: no pipe inside a cell
        return [escape_pipes(c) for c in row.cells]

    return _map_tables(parts, lambda table: _edit_rows(table, rule, edit))


def rebuild_delimiter(parts: list[Part], rule: Rule) -> tuple[list[Part], list[Change]]:
    """Put exactly one delimiter row, as wide as the table, right under the header.

    A missing one is inserted, one of the wrong width is rebuilt (keeping the alignment
    of the columns it had), and delimiter rows anywhere else are dropped.
    """
    def fix(table: Table) -> tuple[Table, list[Change]]:
        n = column_count(table)
        changes: list[Change] = []
        rows = list(table.rows)
        header_index = next((i for i, row in enumerate(rows) if not row.delimiter), None)
        if header_index is None:
            return table, []
        header = rows[header_index]
        for row in rows[:header_index]:
            changes.append(_change(rule, row.line, row.source, "", "remove",
                                   "Dropped a delimiter row above the table's header."))
        below = rows[header_index + 1] if header_index + 1 < len(rows) else None
        if below is not None and below.delimiter:
            aligns = [align_of(cell) for cell in below.cells[:n] if cell]
            aligns += ["---"] * (n - len(aligns))
            delimiter = below.with_cells(aligns) if len(below.cells) != n else below
            if delimiter is not below:
                changes.append(_change(rule, below.line, below.source, format_cells(aligns, below.lead, below.trail),
                                       summary=f"Rebuilt the delimiter row for {n} column(s)."))
            rest = rows[header_index + 2:]
        else:
            delimiter = Row(("---",) * n, header.line, "", header.lead, header.trail, delimiter=True, edited=True)
            changes.append(_change(rule, header.line + 1, "", format_cells(delimiter.cells), "insert",
                                   "Inserted the missing delimiter row under the header."))
            rest = rows[header_index + 1:]
        kept = []
        for row in rest:
            if row.delimiter:
                changes.append(_change(rule, row.line, row.source, "", "remove",
                                       "Dropped an extra delimiter row inside the table."))
            else:
                kept.append(row)
        if not changes:
            return table, []
        return Table((header, delimiter, *kept)), changes

    return _map_tables(parts, fix)


REPAIRS: dict[str, Repair] = {
    "merge_wrapped_cells": merge_wrapped_cells,
    "drop_trailing_cells": drop_trailing_cells,
    "strip_cell_debris": strip_cell_debris,
    "move_leaked_prose": move_leaked_prose,
    "move_glued_paragraphs": move_glued_paragraphs,
    "fit_ragged_rows": fit_ragged_rows,
    "escape_cell_pipes": escape_cell_pipes,
    "rebuild_delimiter": rebuild_delimiter,
}
# The order repairs run in: cells are whole and trimmed before widths are judged, prose is
# out before rows are fitted, and the delimiter is rebuilt for the final width.
REPAIR_ORDER = tuple(REPAIRS)

# Block readers: the impl names that switch on finding the non-pipe shapes.
READERS = ("convert_box_tables", "convert_aligned_columns")


# --- glued headings ----------------------------------------------------------------------


def split_glued_headings(text: str, rule: Rule) -> tuple[str, list[Change]]:
    """Put a Title Case heading glued to its paragraph on its own line, then a blank line.

    Lines holding a pipe are table rows and are skipped; see cleaner.tables_headings for
    the signals that must all agree before a split.
    """
    words = heading_words(rule)
    candidates = glue_lines(text, words.openers)
    if not candidates:
        return text, []
    lines = text.split("\n")
    split: dict[int, list[str]] = {}
    for index in candidates:
        line = lines[index]
        if "|" in line or not line.strip():
            continue
        pieces = split_line(line, words)
        if len(pieces) > 1:
            split[index + 1] = pieces
    if not split:
        return text, []
    changes: list[Change] = []
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        parts = split.get(number)
        if parts is None:
            out.append(line)
            continue
        after = "\n\n".join(parts)
        changes.append(line_change(rule, number, line, after, "replace"))
        if out and out[-1].strip():
            out.append("")
        out.append(after)
        if number < len(lines) and lines[number].strip():
            out.append("")
    return "\n".join(out), changes


def glue_lines(text: str, openers: frozenset[str]) -> Sequence[int]:
    """The 0-based numbers of the lines where an opener ("The", "In", ...) follows a lower-case letter.

    A split needs a glued word whose second half is an opener: most documents have none,
    and finding the candidates is far cheaper than reading every line. Non-ASCII
    characters count as lower-case letters here, and an opener counts when no ASCII
    lower-case letter follows it, so no line that could be split is missed. Openers that
    do not start with an ASCII capital get no cheap guard: then every line is a candidate.

    The search runs on the UTF-8 bytes mapped to three marks (see _glue_guard), where one
    two-byte str.find jumps from candidate to candidate; a regular expression would stop
    at every capital letter of the text.

    >>> glue_lines("Rising TensionsThe deal\\nIn Moscow\\ncaf\\u00e9The end", frozenset({"The", "In"}))
    [0, 2]
    """
    guard = _glue_guard(openers)
    if guard is None:
        return range(text.count("\n") + 1)
    marks_of, opener = guard
    data = text.encode("utf-8", "surrogatepass")
    marks = data.translate(marks_of)
    numbers: list[int] = []
    line, counted = 0, 0
    found = marks.find(b"aT")
    while found >= 0:
        start = found + 1
        if opener.match(data, start) is not None:
            line += data.count(b"\n", counted, start)
            counted = start
            if not numbers or numbers[-1] != line:
                numbers.append(line)
        found = marks.find(b"aT", start)
    return numbers


@lru_cache(maxsize=16)
def _glue_guard(openers: frozenset[str]) -> tuple[bytes, re.Pattern[bytes]] | None:
    # (a byte map for bytes.translate, the openers as a pattern over UTF-8 bytes). The map
    # writes "a" for a lower-case ASCII letter and for every byte of a non-ASCII character
    # (so the byte before an ASCII capital is "a" just when glue_lines' rule says so), "T"
    # for an opener's first letter, and " " for the rest.
    capitals = {opener[:1] for opener in openers}
    if not all(len(c) == 1 and "A" <= c <= "Z" for c in capitals):
        return None
    marks = bytearray(b" " * 256)
    marks[ord("a"):ord("z") + 1] = b"a" * 26
    marks[0x80:] = b"a" * 0x80
    for capital in capitals:
        marks[ord(capital)] = ord("T")
    names = b"|".join(re.escape(opener.encode()) for opener in sorted(openers, key=lambda o: (-len(o), o)))
    return bytes(marks), re.compile(b"(?:" + names + b")(?![a-z])" if names else b"(?!)")


@lru_cache(maxsize=64)
def heading_words(rule: Rule) -> HeadingWords:
    """Read the glued-heading word lists from the rule's parameters."""
    params: dict[str, Any] = dict(rule.params)
    return HeadingWords(
        openers=frozenset(str(w) for w in params.get("openers", [])),
        minor=frozenset(str(w).lower() for w in params.get("minor_words", [])),
        keep=frozenset(str(w).casefold() for w in params.get("keep", [])),
        min_heading_words=int(rule.option("min_heading_words", 3)),
        max_heading_words=int(rule.option("max_heading_words", 25)),
        min_sentence_words=int(rule.option("min_sentence_words", 5)),
    )


TEXT_FIXES: dict[str, TextFix] = {"split_glued_headings": split_glued_headings}


# --- the stage ---------------------------------------------------------------------------


def worth_a_look(text: str, boxes: bool, aligned: bool) -> bool:
    """The cheap guard: could this text hold a table of a shape we repair at all?"""
    if "|" in text:
        return True
    if aligned and ("\t" in text or "  " in text):
        return True
    return boxes and any(v in text for v in BOX_VERTICALS)


def _write(parts: list[Part], config: Config, rule: Rule | None) -> tuple[list[str], list[Change]]:
    lines: list[str] = []
    changes: list[Change] = []
    for part in parts:
        if lines:
            lines.append("")
        if isinstance(part, Prose):
            lines.append(part.text)
            continue
        light = write_light(part)
        if rule is None:
            lines.extend(light)
            continue
        final = write_sentences(part) if config.tables == "text" else write_markdown(part)
        if config.tables == "text":
            final = "\n\n".join(final).split("\n") if final else []
        if final != light:
            summary = "Wrote a table as one sentence per row." if config.tables == "text" else rule.summary
            changes.append(_change(rule, part.line, "\n".join(light), "\n".join(final), summary=summary))
        lines.extend(final)
        if not final and lines and lines[-1] == "":
            lines.pop()
    return lines, changes


def repair_block(lines: Sequence[str], block: Block, enabled: dict[str, Rule],
                 config: Config) -> tuple[list[str], list[Change]] | None:
    """Repair one candidate block; None when it is not a table."""
    if block.kind == "pipe" and sum(1 for line in lines[block.start:block.end] if line.strip()) < 2:
        return None  # one line gives one row at most, and a table needs two (looks_like_table)
    readers = {"boxes"} if "convert_box_tables" in enabled else set()
    rows, converted = block_rows(lines, block, readers)
    if not rows or not looks_like_table(rows):
        return None
    changes: list[Change] = []
    if converted:
        rule = enabled["convert_aligned_columns" if block.kind == "aligned" else "convert_box_tables"]
        changes.append(_change(rule, block.start + 1, "\n".join(lines[block.start:block.end]),
                               "\n".join(format_cells(r.cells) for r in rows)))
    parts: list[Part] = []
    glued = enabled.get("move_glued_paragraphs")
    delimiter_rule = enabled.get("rebuild_delimiter")
    groups = split_back_to_back(rows) if delimiter_rule is not None else [list(rows)]
    for group in groups[1:]:
        if converted or looks_like_table(group):
            changes.append(_change(delimiter_rule, group[0].line, "", "\n", "insert",  # type: ignore[arg-type]
                                   "Started a new table at a second header row (blank line between tables)."))
    for group in groups:
        if converted or looks_like_table(group) or glued is None:
            parts.append(Table(tuple(group)))
        else:
            # Rows above the first header that are not a table: a paragraph glued on top.
            text = as_paragraphs([row.source for row in group])
            parts.append(Prose(text, group[0].line))
            changes.append(_change(glued, group[0].line, text, text + "\n", "insert"))
    for name in REPAIR_ORDER:
        if name in enabled:
            parts, made = REPAIRS[name](parts, enabled[name])
            changes.extend(made)
    parts = [p for p in parts if not (isinstance(p, Table) and not p.rows)]
    written, made = _write(parts, config, enabled.get("write_tables"))
    changes.extend(made)
    return written, changes


def _pipe_neighbour(lines: Sequence[str], block: Block) -> bool:
    before = lines[block.start - 2] if block.start >= 2 and not lines[block.start - 1].strip() else \
        lines[block.start - 1] if block.start >= 1 else ""
    after = lines[block.end + 1] if block.end + 1 < len(lines) and not lines[block.end].strip() else \
        lines[block.end] if block.end < len(lines) else ""
    return "|" in before or "|" in after


def repair_tables(text: str, enabled: dict[str, Rule], config: Config) -> tuple[str, list[Change]]:
    """Find every table block of a text and write it back repaired."""
    lines = text.split("\n")
    blocks = find_blocks(lines, boxes="convert_box_tables" in enabled,
                         aligned="convert_aligned_columns" in enabled,
                         wrapped="merge_wrapped_cells" in enabled,
                         max_cell_chars=int(enabled["convert_aligned_columns"].option("max_cell_chars", 60))
                         if "convert_aligned_columns" in enabled else 60)
    out: list[str] = []
    changes: list[Change] = []
    position = 0
    glued = enabled.get("move_glued_paragraphs")
    for block in blocks:
        if config.tables != "text" and _pipe_neighbour(lines, block) \
                and not any("|" in line for line in lines[block.start:block.end]):
            # canonicalize would join the converted table to that line on the next run.
            continue
        repaired = repair_block(lines, block, enabled, config)
        if repaired is None:
            continue
        written, made = repaired
        if written == list(lines[block.start:block.end]):
            continue
        changes.extend(made)
        out.extend(lines[position:block.start])
        if glued is not None and out and out[-1].strip():
            out.append("")
            changes.append(_change(glued, block.start + 1, "", "\n", "insert",
                                   "Inserted a blank line between a table and the paragraph above it."))
        out.extend(written)
        if glued is not None and block.end < len(lines) and lines[block.end].strip():
            out.append("")
            changes.append(_change(glued, block.end + 1, "", "\n", "insert",
                                   "Inserted a blank line between a table and the paragraph under it."))
        position = block.end
    if not changes:
        return text, []
    out.extend(lines[position:])
    # A table with nothing to say in sentence form leaves nothing: keep one blank line there.
    out = [line for i, line in enumerate(out) if line.strip() or (i and out[i - 1].strip())]
    return "\n".join(out), changes


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the tables stage from its enabled rules."""
    simple = SimpleRules.compile([r for r in rules if r.kind in SIMPLE_KINDS], config.regex_timeout_seconds)
    enabled: dict[str, Rule] = {}
    text_fixes: list[tuple[TextFix, Rule]] = []
    known = (*REPAIRS, *READERS, "write_tables")
    for rule in rules:
        if rule.kind in SIMPLE_KINDS:
            continue
        if rule.kind == "code" and rule.impl in TEXT_FIXES:
            text_fixes.append((TEXT_FIXES[rule.impl], rule))
        elif rule.kind == "code" and rule.impl in known:
            enabled[rule.impl] = rule
        else:
            raise RuleError(f"{rule.source}: {rule.code}: the tables stage has no kind {rule.kind!r} "
                            f"with impl {rule.impl!r}; known impls: {', '.join((*known, *TEXT_FIXES))}")
    repair = bool(enabled) and config.tables != "keep"
    boxes, aligned = "convert_box_tables" in enabled, "convert_aligned_columns" in enabled

    def tables(doc: Document) -> tuple[Document, list[Change]]:
        doc, changes = simple.apply(doc)
        text = doc.text
        if repair and worth_a_look(text, boxes, aligned):
            text, made = repair_tables(text, enabled, config)
            changes.extend(made)
        for fix, rule in text_fixes:
            text, made = fix(text, rule)
            changes.extend(made)
        return (doc.with_text(text) if text != doc.text else doc), changes

    return tables
