"""Annotate the document with its language; the text is never changed here."""

from __future__ import annotations

from collections.abc import Sequence

from cleaner.config import Config
from cleaner.language import get_detector
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the language stage for the configured backend."""
    detector = get_detector(config.language_backend, config.language_prefix_chars)

    def language(doc: Document) -> tuple[Document, list[Change]]:
        if detector is None:
            return doc, []
        lang, prob = detector(doc.text)
        return doc.with_meta(lang=lang, lang_prob=prob), []

    return language
