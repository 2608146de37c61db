"""Repair machine-translation artifacts that are safe to repair; flag the rest.

The stage works in two passes over the document. First it measures: every MT rule
(glossary entries from rules/translation_*.toml and the generic detectors of
cleaner.mt_detectors) looks for its artifact, and the rules that find one add their
`signal` to the document's MT score, as does a provenance line of a republished
Chinese self-media article (toutiao, WeChat) if one is still there or an earlier stage
recorded `mt_provenance` in the metadata. Then it acts, per hit and per rule mode:

- `auto`: applied (with `--mt fix`, the default);
- `auto-if-context`: applied when the score reaches the rule's `min_score` (the
  `[mt_score] threshold` unless the rule sets its own), flagged otherwise;
- `flag`: never applied; a Change with action "flag" carries the suggested rendering.

A rule with `flag_min_score` flags only in documents scoring at least that much, so
detectors that also fire on native text (rare names, stray spaces) stay quiet there.

`--mt flag` turns every edit into a flag, `--mt off` switches the stage off. The
score goes into `meta["mt_score"]`, and the codes that raised it into
`meta["mt_signals"]`. Native English scores 0 or 1, so gated rules stay flags there:
the athletics report keeps its "horizontal jumps".
"""

from __future__ import annotations

from collections.abc import Sequence

import ahocorasick  # type: ignore[import-not-found]  # no type stubs
import regex

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Action, Change, Document, position
from cleaner.mt_detectors import DETECTORS, Detector
from cleaner.mt_rules import (
    GLOSSARY_KIND,
    Glossary,
    Hit,
    compile_glossary,
    find_hits,
    leading_literals,
    load_translation_rules,
    rule_signal,
)
from cleaner.ruleset import Rule
from cleaner.stages import Stage
from cleaner.stages.simple import SIMPLE_KINDS, SimpleRules

# Blank runs and trailing spaces an edit can leave behind (a removed "< / p >" line);
# the text entering this stage is canonical and must leave it canonical.
TRAILING_SPACE = regex.compile(r"[ \t]+(?=\n|$)")
BLANK_RUN = regex.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Drop the trailing spaces and blank runs an edit left; scan only when there are any."""
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        text = TRAILING_SPACE.sub("", text)
    if "\n\n\n" in text:
        text = BLANK_RUN.sub("\n\n", text)
    return text.lstrip("\n")


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the translation stage from its enabled rules (all MT rules still score)."""
    simple = SimpleRules.compile([r for r in rules if r.kind in SIMPLE_KINDS], config.regex_timeout_seconds)
    every_rule, settings = load_translation_rules(config.rule_files, config.mt_style)
    enabled = {rule.code for rule in rules}
    glossaries: list[Glossary] = []
    detectors: list[tuple[Detector, Rule]] = []
    for rule in (*every_rule, *(r for r in rules if r.code not in {e.code for e in every_rule})):
        if rule.kind in SIMPLE_KINDS:
            continue
        if rule.kind == GLOSSARY_KIND:
            glossaries.append(compile_glossary(rule))
        elif rule.kind == "code" and rule.impl in DETECTORS:
            detectors.append((DETECTORS[rule.impl], rule))
        else:
            raise RuleError(f"{rule.source}: {rule.code}: the translation stage has no kind {rule.kind!r}"
                            f"{f' with impl {rule.impl!r}' if rule.impl else ''}; kinds are glossary, "
                            f"code (impl one of {', '.join(DETECTORS)}) and {', '.join(SIMPLE_KINDS)}")
    timeout = config.regex_timeout_seconds
    provenance = [(p, leading_literals(p)) for p in settings.provenance]
    # One automaton for every literal the stage screens with: glossary keywords, the
    # openings and window anchors of glossary patterns, the openings of provenance lines.
    literals = {k for g in glossaries for k in g.keywords} | {
        o for g in glossaries for starts in g.starts for o in starts} | {
        a for g in glossaries for window in g.windows if window is not None for a in window.anchors} | {
        o for _, starts in provenance for o in starts}
    automaton = ahocorasick.Automaton()
    for literal in literals:
        automaton.add_word(literal, literal)
    if literals:
        automaton.make_automaton()

    def find_literals(folded: str) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        if literals:
            for end, literal in automaton.iter(folded):
                found.setdefault(literal, []).append(end - len(literal) + 1)
        return found

    def measure(doc: Document) -> tuple[list[Hit], float, list[str]]:
        text = doc.text
        hits: list[Hit] = []
        folded = text.casefold()
        found = find_literals(folded)
        # Offsets in the casefolded copy are the text's own when no character grew.
        openings = found if len(folded) == len(text) else None
        for glossary in glossaries:
            if not glossary.keywords or any(keyword in found for keyword in glossary.keywords):
                hits.extend(find_hits(glossary, text, timeout, openings))
        for detect, rule in detectors:
            hits.extend(detect(text, rule))
        fired = {hit.rule.code: hit.rule for hit in hits}
        signals = sorted(code for code, rule in fired.items() if rule_signal(rule) > 0)
        score = sum(rule_signal(fired[code]) for code in signals)
        if doc.meta.get("mt_provenance") or any(
                p.search(text) for p, starts in provenance if not starts or any(s in found for s in starts)):
            score += settings.provenance_weight
            signals.append("provenance")
        return hits, score, signals

    def applies(hit: Hit, text: str, score: float) -> bool:
        rule = hit.rule
        if config.mt != "fix" or hit.after == text[hit.start:hit.end]:
            return False
        if rule.mode == "auto":
            return True
        if rule.mode == "auto-if-context":
            return score >= float(rule.params.get("min_score", settings.threshold))
        return False

    def translation(doc: Document) -> tuple[Document, list[Change]]:
        doc, changes = simple.apply(doc)
        if config.mt == "off" or not enabled:
            return doc, changes
        hits, score, signals = measure(doc)
        text = doc.text
        # Glossary hits before detector hits at the same place, longer before shorter;
        # a hit that overlaps one already taken is dropped (it was the same artifact).
        order = {id(g.rule): 0 for g in glossaries}
        hits = sorted((h for h in hits if h.rule.code in enabled),
                      key=lambda h: (h.start, order.get(id(h.rule), 1), h.start - h.end))
        pieces: list[str] = []
        last = 0
        taken_end = -1
        edited = False
        for hit in hits:
            if hit.start < taken_end:
                continue
            apply = applies(hit, text, score)
            if not apply and score < float(hit.rule.params.get("flag_min_score", 0)):
                continue  # a noisy detector speaks up only where other MT signals are present
            taken_end = hit.end
            before = text[hit.start:hit.end]
            line, col = position(text, hit.start)
            action: Action
            if apply:
                action = "replace" if hit.after else "remove"
                pieces.append(text[last:hit.start])
                pieces.append(hit.after)
                last = hit.end
                edited = True
            else:
                action = "flag"
            changes.append(Change(hit.rule.code, hit.rule.stage, line, col, action, before, hit.after,
                                  hit.rule.summary))
        if edited:
            pieces.append(text[last:])
            doc = doc.with_text(tidy("".join(pieces)))
        return doc.with_meta(mt_score=score, mt_signals=signals), changes

    return translation
