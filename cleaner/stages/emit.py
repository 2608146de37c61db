"""Finish the text: no leading or trailing blank lines, exactly one final newline.

Earlier stages remove lines and may leave a blank line at either end; this stage
trims them. Empty text stays empty.
"""

from __future__ import annotations

from collections.abc import Sequence

from cleaner.config import Config
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, line_change


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the emit stage; EM rules switch its steps on."""
    enabled = {rule.impl: rule for rule in rules if rule.impl}
    final_newline = enabled.get("end_with_one_newline")

    def emit(doc: Document) -> tuple[Document, list[Change]]:
        if final_newline is None:
            return doc, []
        text = doc.text
        body = text.strip("\n")
        if body.strip() == "":
            body = ""
        wanted = body + "\n" if body else ""
        if wanted == text:
            return doc, []
        lead = len(text) - len(text.lstrip("\n"))
        change = line_change(final_newline, 1 if lead else body.count("\n") + 1, text[:lead] if lead else
                             text[len(text.rstrip("\n")):], "\n" if body else "", "replace")
        return doc.with_text(wanted), [change]

    return emit
