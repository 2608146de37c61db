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

from collections.abc import Mapping, Sequence

import ahocorasick  # type: ignore[import-not-found]  # no type stubs
import regex

from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Action, Change, Document
from cleaner.mt_detectors import (
    DETECTOR_GUARDS,
    DETECTOR_LITERALS,
    DETECTORS,
    GUARD_LITERALS,
    Detector,
    non_ascii_runs,
)
from cleaner.mt_rules import (
    DOTTED_CAPITAL_I,
    GLOSSARY_KIND,
    Glossary,
    Hit,
    compile_glossary,
    find_hits,
    leading_literals,
    load_translation_rules,
    match_window,
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


# Beyond this many runs of non-ASCII characters a text is casefolded in one piece.
MAX_FOLDED_RUNS = 64


def casefold(text: str) -> str:
    """`text.casefold()`, made by lower-casing the ASCII stretches between non-ASCII runs.

    Casefolding maps each character on its own, and the casefold of ASCII text is its
    lower case, which CPython makes from a table; casefolding a text that holds a single
    non-ASCII character reads the Unicode case tables for every character instead.
    """
    runs = non_ascii_runs(text)
    if not runs:
        return text.lower()
    if len(runs) > MAX_FOLDED_RUNS:
        return text.casefold()
    pieces = []
    last = 0
    for start, end in runs:
        pieces.append(text[last:start].lower())
        pieces.append(text[start:end].casefold())
        last = end
    pieces.append(text[last:].lower())
    return "".join(pieces)


# English text's characters, most frequent first (the rest are rarer still).
_COMMON_FIRST = " etiansorlchudgmpfby\nwv,.k-'"


def _rarity(char: str) -> int:
    index = _COMMON_FIRST.find(char)
    return index if index >= 0 else len(_COMMON_FIRST)


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
    provenance = [(p, leading_literals(p), match_window(p)) for p in settings.provenance]
    # One automaton for every literal the stage screens with: glossary keywords, the
    # openings and window anchors of glossary patterns and of provenance lines, and the
    # literals of detectors and of their guards.
    literals = {k for g in glossaries for k in g.keywords} | {
        o for _, rule in detectors for o in DETECTOR_LITERALS.get(rule.impl or "", ())} | {
        o for _, rule in detectors for o in GUARD_LITERALS.get(rule.impl or "", ())} | {
        o for g in glossaries for starts in g.starts for o in starts} | {
        a for g in glossaries for window in g.windows if window is not None for a in window.anchors} | {
        o for _, starts, _ in provenance for o in starts} | {
        a for _, _, window in provenance if window is not None for a in window.anchors} | {
        a.literal for g in glossaries for a in g.anchors}
    automaton = ahocorasick.Automaton()
    # The automaton looks a character up among the first characters of the literals one
    # by one, in the order they were added: common letters first makes the scan faster.
    for literal in sorted(literals, key=lambda literal: [_rarity(c) for c in literal]):
        automaton.add_word(literal, (literal, len(literal) - 1))
    if literals:
        automaton.make_automaton()

    def find_literals(folded: str) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        if literals:
            for end, (literal, back) in automaton.iter(folded):
                starts = found.get(literal)
                if starts is None:
                    found[literal] = [end - back]
                else:
                    starts.append(end - back)
        return found

    def has_provenance(text: str, found: Mapping[str, Sequence[int]],
                       openings: Mapping[str, Sequence[int]] | None) -> bool:
        """True when a provenance line is there; tried only where its literals are."""
        for pattern, starts, window in provenance:
            needs = starts or (window.anchors if window is not None else ())
            if needs and not any(literal in found for literal in needs):
                continue
            if openings is None:
                present = pattern.search(text) is not None
            elif starts:
                present = any(pattern.match(text, i) is not None
                              for i in sorted({i for s in starts for i in openings.get(s, ())}))
            elif window is not None:
                present = bool(window.matches(pattern, text, openings, None))
            else:
                present = pattern.search(text) is not None
            if present:
                return True
        return False

    # A rule that adds nothing to the score and whose flags are dropped below its
    # `flag_min_score` matters only once the score is known to reach that (or to let
    # it apply): it is measured after the others, and only then.
    def deferred(rule: Rule) -> bool:
        return rule_signal(rule) == 0 and float(rule.params.get("flag_min_score", 0)) > 0

    def speaks(rule: Rule, score: float) -> bool:
        if rule.code not in enabled:
            return False
        if score >= float(rule.params.get("flag_min_score", 0)):
            return True
        return config.mt == "fix" and (rule.mode == "auto" or (
            rule.mode == "auto-if-context" and score >= float(rule.params.get("min_score", settings.threshold))))

    # Every MT rule has a slot: glossaries first, then detectors, in rule order, which is
    # the order hits are ranked in. Glossaries run only when one of their keywords is found,
    # and so do detectors that name literals.
    slot_rules = [g.rule for g in glossaries] + [rule for _, rule in detectors]
    slot_deferred = [deferred(rule) for rule in slot_rules]
    signal_of = {rule.code: rule_signal(rule) for rule in slot_rules}
    keyword_slots: dict[str, list[int]] = {}
    for slot, glossary in enumerate(glossaries):
        for keyword in glossary.keywords:
            keyword_slots.setdefault(keyword, []).append(slot)
    always = {slot for slot, glossary in enumerate(glossaries) if not glossary.keywords}
    # Anchors by number (a dict keyed by the dataclass would hash it in Python each time).
    anchor_list = sorted({anchor for glossary in glossaries for anchor in glossary.anchors})
    anchor_number = {anchor: number for number, anchor in enumerate(anchor_list)}
    anchored = {slot: tuple(anchor_number[anchor] for anchor in glossary.anchors)
                for slot, glossary in enumerate(glossaries) if glossary.anchors}
    for slot, (_, rule) in enumerate(detectors, start=len(glossaries)):
        if DETECTOR_LITERALS.get(rule.impl or ""):
            for literal in DETECTOR_LITERALS[rule.impl or ""]:
                keyword_slots.setdefault(literal, []).append(slot)
        else:
            always.add(slot)

    def measure_slot(slot: int, text: str, openings: Mapping[str, Sequence[int]] | None) -> list[Hit]:
        if slot < len(glossaries):
            return find_hits(glossaries[slot], text, timeout, openings)
        detect, rule = detectors[slot - len(glossaries)]
        guard = DETECTOR_GUARDS.get(rule.impl or "")
        if guard is not None and openings is not None and not guard(text, openings):
            return []  # the guard the detector would run, read from the literals' offsets
        return detect(text, rule)

    # Glossary hits rank before detector hits at the same place.
    order = {id(g.rule): 0 for g in glossaries}

    def measure(doc: Document) -> tuple[list[Hit], float, list[str]]:
        text = doc.text
        folded = casefold(text)
        found = find_literals(folded)
        # Offsets in the casefolded copy are the text's own when no character grew.
        openings = found if len(folded) == len(text) else None
        triggered = set(always)
        for literal in found:
            triggered.update(keyword_slots.get(literal, ()))
        # A glossary whose anchors all stand at the wrong place (the "pot" of "spot") cannot
        # match. The one character a case-insensitive match takes for an ASCII letter
        # while its casefold is not that letter is the dotted capital I: no test then.
        if text.isascii() or DOTTED_CAPITAL_I not in text:
            standing: dict[int, bool] = {}  # several rules share an anchor ("pot")
            for slot in [slot for slot in triggered if slot in anchored]:
                for number in anchored[slot]:
                    stands = standing.get(number)
                    if stands is None:
                        anchor = anchor_list[number]
                        starts = found.get(anchor.literal)
                        stands = standing[number] = starts is not None and anchor.stands_in(folded, starts)
                    if stands:
                        break
                else:
                    triggered.discard(slot)
        slots = sorted(triggered)
        per_slot: dict[int, list[Hit]] = {}
        for slot in slots:
            if not slot_deferred[slot]:
                per_slot[slot] = measure_slot(slot, text, openings)
        fired = {hit.rule.code for hits in per_slot.values() for hit in hits}
        signals = sorted(code for code in fired if signal_of[code] > 0)
        score = sum(signal_of[code] for code in signals)
        if doc.meta.get("mt_provenance") or has_provenance(text, found, openings):
            score += settings.provenance_weight
            signals.append("provenance")
        hits: list[Hit] = []
        for slot in slots:
            if slot_deferred[slot]:
                if not speaks(slot_rules[slot], score):
                    continue
                per_slot[slot] = measure_slot(slot, text, openings)
            hits.extend(per_slot[slot])
        return hits, score, signals

    # For each rule that makes hits, read once: whether its hits are applied whatever the
    # score, else the score from which they are (None: never), and the score below which
    # its flags are dropped.
    def edit_gate(rule: Rule) -> tuple[bool, float | None]:
        if config.mt != "fix" or rule.mode not in ("auto", "auto-if-context"):
            return False, None
        if rule.mode == "auto":
            return True, None
        return False, float(rule.params.get("min_score", settings.threshold))

    hit_rules = [g.rule for g in glossaries] + [rule for _, rule in detectors]
    edit_gates = {rule: edit_gate(rule) for rule in hit_rules}
    flag_from = {rule: float(rule.params.get("flag_min_score", 0)) for rule in hit_rules}

    def translation(doc: Document) -> tuple[Document, list[Change]]:
        doc, changes = simple.apply(doc)
        if config.mt == "off" or not enabled:
            return doc, changes
        hits, score, signals = measure(doc)
        text = doc.text
        # Glossary hits before detector hits at the same place, longer before shorter;
        # a hit that overlaps one already taken is dropped (it was the same artifact).
        hits = sorted((h for h in hits if h.rule.code in enabled),
                      key=lambda h: (h.start, order.get(id(h.rule), 1), h.start - h.end))
        pieces: list[str] = []
        last = 0
        taken_end = -1
        edited = False
        # Line and column of each change, counted on from the one before (hits come in order).
        line, line_start, seen = 1, 0, 0
        for start, end, rule, after in hits:
            if start < taken_end:
                continue
            before = text[start:end]
            apply = False
            if after != before:
                applies_always, threshold = edit_gates[rule]
                apply = applies_always or (threshold is not None and score >= threshold)
            if not apply and score < flag_from[rule]:
                continue  # a noisy detector speaks up only where other MT signals are present
            taken_end = end
            line += text.count("\n", seen, start)
            newline = text.rfind("\n", seen, start)
            if newline >= 0:
                line_start = newline + 1
            seen = start
            action: Action
            if apply:
                action = "replace" if after else "remove"
                pieces.append(text[last:start])
                pieces.append(after)
                last = end
                edited = True
            else:
                action = "flag"
            changes.append(Change(rule.code, rule.stage, line, start - line_start + 1, action, before, after,
                                  rule.summary))
        if edited:
            pieces.append(text[last:])
            doc = doc.with_text(tidy("".join(pieces)))
        return doc.with_meta(mt_score=score, mt_signals=signals), changes

    return translation
