"""Finish the text: blocks laid out canonically, exactly one final newline.

The boilerplate, tables and translation stages remove and move lines after the
canonicalize stage has laid out the blocks; a removed line can leave two blocks that
canonical text would join (two table rows) or separate. This stage lays the blocks out
once more with the canonicalize stage's own `separate_blocks` (EM002), so the output is
what cleaning it again would give, then trims blank lines at either end and ends the
text with one newline (EM001). Empty text stays empty.
"""

from __future__ import annotations

from collections.abc import Sequence

from cleaner.config import Config
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, line_change
from cleaner.stages.canonical import separate_blocks


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the emit stage; EM rules switch its steps on."""
    enabled = {rule.impl: rule for rule in rules if rule.impl}
    final_newline = enabled.get("end_with_one_newline")
    layout = enabled.get("settle_layout")

    def emit(doc: Document) -> tuple[Document, list[Change]]:
        settled: list[Change] = []
        if layout is not None:
            text, settled = separate_blocks(doc.text, layout)
            if settled:
                doc = doc.with_text(text)
        if final_newline is None:
            return doc, settled
        text = doc.text
        body = text.strip("\n")
        if body.strip() == "":
            body = ""
        wanted = body + "\n" if body else ""
        if wanted == text:
            return doc, settled
        lead = len(text) - len(text.lstrip("\n"))
        change = line_change(final_newline, 1 if lead else body.count("\n") + 1, text[:lead] if lead else
                             text[len(text.rstrip("\n")):], "\n" if body else "", "replace")
        return doc.with_text(wanted), [*settled, change]

    return emit
