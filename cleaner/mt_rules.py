"""Glossary rules for machine-translation artifacts: matching, inflection, case, scoring.

A glossary rule (kind "glossary" in rules/translation_*.toml) is a pattern, a replacement
template and, optionally:

- `forms`: for a named group, a table from each inflection the group can match to its
  rendering, so one rule covers jump/jumps/jumped/jumping -> flip-flop/flip-flops/
  flip-flopped/flip-flopping. The template names the group (`\\g<verb>`) and gets the
  form, in the case the text had.
- `case`: "preserve" (default: ALL CAPS stays all caps, a capital first letter stays
  capital) or "fixed" (emit the replacement as written, for names like "Nord Stream").
  Either way a replacement that starts a sentence starts with a capital.
- `near` / `unless`: patterns that must / must not occur in the same paragraph, so
  "North Stream" is only Nord Stream beside "pipeline" or "gas". A paragraph that fails
  them is a legitimate use: no edit, no flag, no score.
- `signal`: what a hit adds to the document's MT score (default by mode: auto 2,
  flag 1, auto-if-context 0, since a gated rule must not vouch for itself).
- `min_score`: a per-rule gate for auto-if-context rules (default: the pack threshold).

Each rule runs only on documents that contain one of its keywords (the literal words
of its pattern, or a `keywords` list): one Aho-Corasick pass over a casefolded copy of the
document finds every rule's keywords at once, so a document with none of the trigger
words costs no regex scan. The same pass finds where a match can start: when every match
of a pattern opens with one of a few literal words ("horizontal", "great", "Sino-US"),
the pattern is tried only there instead of scanning the whole document.
"""

from __future__ import annotations

import re._constants as sre_constants  # type: ignore[import-not-found]  # the stdlib parser, to read patterns
import re._parser as sre_parse  # type: ignore[import-not-found]
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from cleaner.errors import RuleError
from cleaner.ruleset import Rule, RuleSet, bundled_rules_dir, compile_pattern

GLOSSARY_KIND = "glossary"
DEFAULT_SIGNAL = {"auto": 2.0, "flag": 1.0, "auto-if-context": 0.0}
# A leading global flag group, which cannot stand inside an alternation; it is turned
# into a scoped group, (?i)x -> (?i:x).
NOT_LITERAL = regex.compile(
    r"\\[pPN]\{[^}]*\}|\\g<[^>]*>|\\.|\(\?P?<(?![=!])[^>]*>|\[(?:\\.|[^\]])*\]|\(\?[a-zA-Z]+[:)]"
)
# Words this frequent (wordfreq Zipf) occur in every document: useless as triggers.
COMMON_ZIPF = 5.0
LITERAL_WORD = regex.compile(r"[A-Za-z]{3,}")
TEMPLATE_REF = regex.compile(r"\\g<(\w+)>|\\(\d+)")
SENTENCE_END = regex.compile(r"(?:[.!?:]\s+|\n)[\"'(\[]*$")
SPACES = regex.compile(r"\s+")
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class ScoreSettings:
    """The document MT score's threshold and the provenance lines that raise it."""

    threshold: float = 3.0
    provenance: tuple[regex.Pattern[str], ...] = ()
    provenance_weight: float = 3.0


@dataclass(frozen=True)
class Glossary:
    """One glossary rule, ready to match."""

    rule: Rule
    forms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    near: regex.Pattern[str] | None = None
    unless: regex.Pattern[str] | None = None
    keywords: tuple[str, ...] = ()
    # Per pattern: casefolded literals one of which opens every match, or () if unknown.
    starts: tuple[tuple[str, ...], ...] = ()

    def triggered(self, folded_text: str) -> bool:
        """True when the (casefolded) text holds one of the rule's keywords: worth matching."""
        return not self.keywords or any(keyword in folded_text for keyword in self.keywords)


@dataclass(frozen=True)
class Hit:
    """A span some MT rule wants to change (or flag), with its suggested rendering."""

    start: int
    end: int
    rule: Rule
    after: str


def style_pack_dir() -> Path:
    """Return the folder of the opt-in style pack (political naming and framing)."""
    return bundled_rules_dir() / "style"


def rule_signal(rule: Rule) -> float:
    """What one rule adds to the MT score when it finds something."""
    value = rule.params.get("signal")
    return float(value) if isinstance(value, (int, float)) else DEFAULT_SIGNAL[rule.mode]


def compile_glossary(rule: Rule) -> Glossary:
    """Check a glossary rule's extra fields and compile them."""
    if not rule.patterns:
        raise RuleError(f"{rule.source}: {rule.code}: a glossary rule needs a pattern")
    forms = rule.params.get("forms", {})
    if not isinstance(forms, dict) or not all(
        isinstance(table, dict) and all(isinstance(v, str) for v in table.values())
        for table in forms.values()
    ):
        raise RuleError(f"{rule.source}: {rule.code}: 'forms' maps a group name to a table of strings")
    folded = {group: {fold_form(k): v for k, v in table.items()} for group, table in forms.items()}
    named = {name for pattern in rule.patterns for name in pattern.groupindex}
    missing = set(folded) - named
    if missing:
        raise RuleError(f"{rule.source}: {rule.code}: 'forms' names groups no pattern has: "
                        f"{', '.join(sorted(missing))}")
    keywords = rule.params.get("keywords")
    if keywords is not None and not (isinstance(keywords, list) and all(isinstance(k, str) for k in keywords)):
        raise RuleError(f"{rule.source}: {rule.code}: 'keywords' must be a list of strings")
    return Glossary(
        rule=rule,
        forms=folded,
        near=_optional_pattern(rule, "near"),
        unless=_optional_pattern(rule, "unless"),
        keywords=tuple(k.casefold() for k in keywords) if keywords else derive_keywords(rule.patterns),
        starts=tuple(leading_literals(pattern) for pattern in rule.patterns),
    )


def _optional_pattern(rule: Rule, key: str) -> regex.Pattern[str] | None:
    value = rule.params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RuleError(f"{rule.source}: {rule.code}: '{key}' must be a pattern string")
    # Checked like the rule's own patterns: a nested quantifier is refused at load.
    return compile_pattern(value, rule.source, rule.code)


def fold_form(text: str) -> str:
    """Fold a matched inflection for lookup in a forms table: case and spacing do not count."""
    folded: str = SPACES.sub(" ", text.strip().casefold())
    return folded


def derive_keywords(patterns: Sequence[regex.Pattern[str]]) -> tuple[str, ...]:
    """Pick the literal words of a rule's patterns: a match contains at least one of them.

    Escapes, property classes, character sets and group names are not literals. Any
    literal can be the one a match holds (it may sit in one branch of an alternation),
    so when one of them is a very common word ("the", "said") no cheap test is sound and
    the rule gets no keywords (it always runs) unless it lists `keywords` itself: words
    of which every match must hold at least one.

    >>> derive_keywords([regex.compile(r"(?i)(?<![\\w-])(?P<adv>repeated(?:ly)?\\s+)?horizontal\\s+jumps")])
    ('horizontal', 'jumps', 'repeated')
    """
    from cleaner.mt_detectors import zipf_en

    words: set[str] = set()
    for pattern in patterns:
        source = NOT_LITERAL.sub(" ", pattern.pattern)
        words.update(word.casefold() for word in LITERAL_WORD.findall(source))
    if any(zipf_en(word) >= COMMON_ZIPF for word in words):
        return ()  # a common word may be the only one a match holds: run the rule always
    return tuple(sorted(words))


# More literal openings than this per pattern are not worth trying one by one, nor are
# words as frequent as "the", "has" or "with" (wordfreq Zipf): a scan is cheaper then.
MAX_OPENINGS = 64
OPENING_ZIPF = 6.0
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}


def leading_literals(pattern: regex.Pattern[str]) -> tuple[str, ...]:
    """The casefolded literals one of which opens every match of the pattern; () if unknown.

    Read from the stdlib parser's tree (Unicode property classes, which it does not know,
    are stood in for by another class, never a literal). Openings of fewer than three
    characters, non-ASCII ones and common words ("the") would be tried too often, so a
    pattern with one gets none and is scanned whole.

    >>> leading_literals(regex.compile(r"(?i)(?<![\\w-])(?:repeated\\s+)?horizontal\\s+jumps"))
    ('horizontal', 'repeated')
    """
    from cleaner.mt_detectors import zipf_en

    if pattern.flags & (regex.FULLCASE | regex.VERSION1):
        return ()
    source = regex.sub(r"\\[pP]\{[^}]*\}", r"\\d", pattern.pattern)
    try:
        tree = sre_parse.parse(source)
    except Exception:  # syntax only `regex` knows: scan the whole text
        return ()
    openings, _ = _openings(list(tree), 0)
    if not openings or any(len(o) < 3 or not o.isascii() for o in openings):
        return ()
    folded = {o.casefold() for o in openings}
    if any(zipf_en(o) >= OPENING_ZIPF for o in folded):
        return ()
    return tuple(sorted(folded))


def _openings(items: list[Any], i: int) -> tuple[set[str], bool]:
    # (strings, exact): every match of items[i:] starts with one of the strings; exact when
    # the match is always one of them whole (the sequence is literal throughout).
    current = {""}
    while i < len(items):
        op, arg = items[i]
        if op in _ZERO_WIDTH:
            i += 1
            continue
        if op is sre_constants.LITERAL:
            current = {c + chr(arg) for c in current}
            i += 1
            continue
        if op is sre_constants.SUBPATTERN or op is sre_constants.BRANCH:
            if op is sre_constants.SUBPATTERN:
                if arg[1] or arg[2]:  # scoped flags
                    return current, False
                branches = [list(arg[3])]
            else:
                branches = [list(b) for b in arg[1]]
            found: set[str] = set()
            exact = True
            for branch in branches:
                strings, whole = _openings(branch, 0)
                found |= strings
                exact = exact and whole
            current = {c + s for c in current for s in found}
            if len(current) > MAX_OPENINGS:
                return {""}, False
            if not exact:
                return current, False
            i += 1
            continue
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = arg
            strings, whole = _openings(list(sub), 0)
            if low == 0 and high == 1:
                if whole:
                    current = {c + s for c in current for s in strings | {""}}
                    if len(current) > MAX_OPENINGS:
                        return {""}, False
                    i += 1
                    continue
                rest, _ = _openings(items, i + 1)
                return {c + s for c in current for s in strings | rest}, False
            if low >= 1:
                return {c + s for c in current for s in strings}, False
        return current, False
    return current, True


def match_case(matched: str, replacement: str) -> str:
    """Give a replacement the case shape of the text it replaces.

    >>> match_case("JUMPS", "flip-flops"), match_case("Jumps", "flip-flops"), match_case("jumps", "x")
    ('FLIP-FLOPS', 'Flip-flops', 'x')
    """
    letters = [c for c in matched if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if letters and letters[0].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def render(glossary: Glossary, match: regex.Match[str], text: str) -> str:
    """Expand the rule's template for one match, with forms and case applied."""
    rule = glossary.rule
    template = rule.replacement or ""

    def group_value(ref: regex.Match[str]) -> str:
        key: str | int = ref.group(1) or int(ref.group(2))
        try:
            value = match.group(key) or ""
        except IndexError:  # a group only some of the rule's patterns have
            value = ""
        table = glossary.forms.get(key) if isinstance(key, str) else None
        if table is not None and value:
            form = table.get(fold_form(value))
            if form is None:
                raise RuleError(f"{rule.source}: {rule.code}: no form for {value!r} in forms.{key}")
            return match_case(value, form)
        return value

    after: str = TEMPLATE_REF.sub(group_value, template)
    if rule.params.get("case", "preserve") == "preserve" and not glossary.forms:
        after = match_case(match.group(), after)
    if after[:1].islower() and starts_sentence(text, match.start()):
        after = after[:1].upper() + after[1:]
    return after


def starts_sentence(text: str, offset: int) -> bool:
    """True when `offset` opens a sentence (looking back a few characters only)."""
    prefix = text[max(0, offset - 8):offset]
    if offset <= 8 and not prefix.strip("\"'([ "):
        return True
    return SENTENCE_END.search(prefix) is not None


def paragraph_of(text: str, start: int, end: int) -> str:
    """Return the paragraph (text between blank lines) around a span."""
    left = text.rfind(PARAGRAPH_BREAK, 0, start)
    right = text.find(PARAGRAPH_BREAK, end)
    return text[left + 2 if left >= 0 else 0: right if right >= 0 else len(text)]


def find_hits(glossary: Glossary, text: str, timeout: float,
              openings: Mapping[str, Sequence[int]] | None = None) -> list[Hit]:
    """Every match of one glossary rule that its paragraph context allows.

    `openings` maps casefolded literals to where they occur in the text (when casefolding
    kept every offset): a pattern whose matches all open with such a literal is tried only
    there, in order, from the end of the last match on, which finds what finditer finds.
    """
    hits = []
    for pattern, starts in zip(glossary.rule.patterns, glossary.starts or [()] * len(glossary.rule.patterns)):
        matches: Iterable[regex.Match[str]]
        if starts and openings is not None:
            matches = _matches_at(pattern, text, sorted({i for s in starts for i in openings.get(s, ())}), timeout)
        else:
            matches = pattern.finditer(text, timeout=timeout)
        for match in matches:
            if glossary.near is not None or glossary.unless is not None:
                paragraph = paragraph_of(text, match.start(), match.end())
                if glossary.near is not None and not glossary.near.search(paragraph, timeout=timeout):
                    continue
                if glossary.unless is not None and glossary.unless.search(paragraph, timeout=timeout):
                    continue
            hits.append(Hit(match.start(), match.end(), glossary.rule, render(glossary, match, text)))
    return hits


def _matches_at(pattern: regex.Pattern[str], text: str, offsets: Sequence[int],
                timeout: float) -> list[regex.Match[str]]:
    matches = []
    end = 0
    for offset in offsets:
        if offset < end:
            continue
        match = pattern.match(text, offset, timeout=timeout)
        if match is not None:
            matches.append(match)
            end = match.end()
    return matches


@lru_cache(maxsize=16)
def load_translation_rules(extra: tuple[str, ...], style: bool) -> tuple[tuple[Rule, ...], ScoreSettings]:
    """Load every translation rule (selected or not) and the score settings, once.

    The MT score is a property of the document, so it is measured with every MT rule
    whatever `--select`/`--ignore` say; selection only decides which rules may edit.
    """
    paths = [Path(p) for p in extra] + ([style_pack_dir()] if style else [])
    rules = RuleSet.load(paths).by_stage["translation"]
    files = sorted(bundled_rules_dir().glob("translation*.toml")) + [
        p for path in paths for p in (sorted(path.glob("*.toml")) if path.is_dir() else [path])
    ]
    return rules, read_score_settings(files)


def read_score_settings(files: Iterable[Path]) -> ScoreSettings:
    """Merge the `[mt_score]` tables of the given rule files (later files win)."""
    merged: dict[str, Any] = {}
    for path in files:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("mt_score")
        if isinstance(table, dict):
            merged.update(table)
    try:
        return ScoreSettings(
            threshold=float(merged.get("threshold", ScoreSettings.threshold)),
            provenance=tuple(regex.compile(p) for p in merged.get("provenance", [])),
            provenance_weight=float(merged.get("provenance_weight", ScoreSettings.provenance_weight)),
        )
    except (TypeError, ValueError, regex.error) as exc:
        raise RuleError(f"[mt_score] settings are not valid: {exc}") from None
