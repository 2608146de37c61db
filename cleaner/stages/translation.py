"""Repair machine-translation artifacts that are safe to repair; flag the rest.

This stage applies the simple rule kinds (see cleaner.stages.simple) of its rule file;
code-backed rules name a function of IMPLS in their `impl`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage
from cleaner.stages.simple import SIMPLE_KINDS, SimpleRules

Impl = Callable[[Document, Rule, Config], tuple[Document, list[Change]]]

IMPLS: dict[str, Impl] = {}


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the translation stage from its enabled rules."""
    simple = SimpleRules.compile([r for r in rules if r.kind in SIMPLE_KINDS], config.regex_timeout_seconds)
    coded: list[tuple[Impl, Rule]] = []
    for rule in rules:
        if rule.kind in SIMPLE_KINDS:
            continue
        if rule.kind != "code" or rule.impl not in IMPLS:
            raise RuleError(f"{rule.source}: {rule.code}: the translation stage has no kind {rule.kind!r} "
                            f"with impl {rule.impl!r}")
        coded.append((IMPLS[rule.impl], rule))

    def translation(doc: Document) -> tuple[Document, list[Change]]:
        doc, changes = simple.apply(doc)
        for impl, rule in coded:
            doc, made = impl(doc, rule, config)
            changes.extend(made)
        return doc, changes

    return translation
