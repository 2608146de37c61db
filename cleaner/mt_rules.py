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
the pattern is tried only there instead of scanning the whole document. A pattern with
no such opening is scanned only in windows: around each place where a literal every match
holds ("bottom") occurs, out to the nearest characters no match can hold ("." or ","),
so a document costs a few short scans instead of one per rule.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the stdlib parser, to read patterns
import re._parser as sre_parse
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

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
    # Per pattern: where its matches can be, for patterns without openings (None: scan all).
    windows: tuple[Window | None, ...] = ()
    # Literals one of which every match of every pattern holds, standing where the pattern
    # puts it, at a word's edge or not (() when unknown): a document without one has no match.
    anchors: tuple[WordAnchor, ...] = ()
    # Renderings already made, by pattern, matched text and groups (the case and forms of a
    # rendering depend on nothing else); the corpus repeats its artifacts.
    rendered: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False, repr=False)

    def triggered(self, folded_text: str) -> bool:
        """True when the (casefolded) text holds one of the rule's keywords: worth matching."""
        return not self.keywords or any(keyword in folded_text for keyword in self.keywords)


class Hit(NamedTuple):
    """A span some MT rule wants to change (or flag), with its suggested rendering.

    A named tuple rather than a frozen dataclass: every match of every MT rule makes one,
    and a frozen dataclass takes several times as long to build.
    """

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
        windows=tuple(None if leading_literals(pattern) else match_window(pattern) for pattern in rule.patterns),
        anchors=_rule_anchors(rule.patterns),
    )


def _rule_anchors(patterns: Sequence[regex.Pattern[str]]) -> tuple[WordAnchor, ...]:
    found: set[WordAnchor] = set()
    for pattern in patterns:
        anchors = word_anchors(pattern)
        if not anchors:
            return ()  # this pattern may match without any of them
        found.update(anchors)
    return tuple(sorted(found))


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


@dataclass(frozen=True)
class Window:
    """Where a pattern's matches can lie: around a literal each holds, between characters none holds.

    Every match contains one of `anchors` (casefolded) and none of the characters of the
    `barrier` class, so a match lies inside the barrier-free run around an anchor.
    Lookbehinds see the whole text whatever the scan's start; lookaheads and `\\b`/`$`
    are cut off at the scan's end, so each run is scanned `reach` characters further.
    """

    anchors: tuple[str, ...]
    barrier_after: re.Pattern[str]
    barrier_before: regex.Pattern[str]
    reach: int

    def matches(self, pattern: regex.Pattern[str], text: str, offsets: Mapping[str, Sequence[int]],
                timeout: float | None) -> list[regex.Match[str]]:
        """What `pattern.finditer(text)` finds, from scans of the runs around the anchors only.

        `offsets` maps each anchor to where it occurs in the text, in order.

        Runs are separated by barrier characters no match can cross, so each run's matches
        are found by scanning it alone, and runs without an anchor hold none.
        """
        found = []
        run_end = -1
        # One anchor's offsets come from the scan in order, each once.
        anchors_at = offsets.get(self.anchors[0], ()) if len(self.anchors) == 1 else sorted(
            {i for anchor in self.anchors for i in offsets.get(anchor, ())})
        for anchor_at in anchors_at:
            if anchor_at < run_end:
                continue  # inside the run already scanned
            before = self.barrier_before.search(text, 0, anchor_at)
            run_start = before.end() if before is not None else 0
            after = self.barrier_after.search(text, anchor_at)
            run_end = after.start() if after is not None else len(text)
            for match in pattern.finditer(text, run_start, min(len(text), run_end + self.reach), timeout=timeout):
                if match.start() >= run_end:
                    break
                if match.end() <= run_end:
                    found.append(match)
        return found


# The characters a window's barrier may use: ASCII non-letters, which no case-insensitive
# match can reach through a letter of another case.
_BARRIER_CANDIDATES = frozenset(chr(code) for code in range(128) if not chr(code).isalpha())
_CATEGORY_ESCAPES = {
    sre_constants.CATEGORY_DIGIT: r"\d", sre_constants.CATEGORY_NOT_DIGIT: r"\D",
    sre_constants.CATEGORY_SPACE: r"\s", sre_constants.CATEGORY_NOT_SPACE: r"\S",
    sre_constants.CATEGORY_WORD: r"\w", sre_constants.CATEGORY_NOT_WORD: r"\W",
}
# What each class escape matches among the candidates, as `regex` (not the stdlib) sees it.
_CATEGORY_MEMBERS = {
    category: frozenset(c for c in _BARRIER_CANDIDATES if regex.match(escape, c))
    for category, escape in _CATEGORY_ESCAPES.items()
}
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)
# Lookaheads wider than this are treated as unbounded: the pattern is scanned whole.
MAX_REACH = 200
# A match must hold one of these literals; shorter ones occur everywhere.
MIN_ANCHOR = 3


class _Unknown(Exception):
    """A construct the window analysis does not read: scan the whole text."""


def match_window(pattern: regex.Pattern[str]) -> Window | None:
    """Read from the pattern the literals every match holds and the characters none holds.

    None when either is unknown (or the pattern uses syntax only `regex` has).

    >>> w = match_window(regex.compile(r"(?i)(?<![\\w-])(?:is\\s+)?greedy\\s+for\\s+the\\s+small(?![\\w-])"))
    >>> w.anchors, "," in w.barrier_after.pattern, w.reach
    (('greedy',), True, 2)
    """
    if pattern.flags & (regex.FULLCASE | regex.VERSION1):
        return None
    source = pattern.pattern
    for escape in set(regex.findall(r"\\[pP]\{[^}]*\}", source)):
        # A property class stands in as \d when it holds no candidate but digits.
        if not {c for c in _BARRIER_CANDIDATES if regex.match(escape, c)} <= set("0123456789"):
            return None
        source = source.replace(escape, r"\d")
    try:
        tree = sre_parse.parse(source)
        dotall = bool((tree.state.flags | pattern.flags) & re.DOTALL)
        consumed = _consumed(list(tree), dotall)
        reach = _reach(list(tree))
    except (_Unknown, re.error, RecursionError, ValueError, OverflowError):
        return None  # syntax only `regex` knows, or a construct not read here: scan the whole text
    anchors = _anchors(list(tree))
    barrier = sorted(_BARRIER_CANDIDATES - consumed)
    if not anchors or not barrier or reach is None:
        return None
    char_class = "[" + "".join(re.escape(c) for c in barrier) + "]"
    return Window(tuple(sorted(anchors)), re.compile(char_class), regex.compile("(?r)" + char_class), reach)


def _consumed(items: list[Any], dotall: bool) -> set[str]:
    # The barrier candidates some match may contain.
    found: set[str] = set()
    for op, arg in items:
        if op is sre_constants.LITERAL:
            found |= {chr(arg)} & _BARRIER_CANDIDATES
        elif op is sre_constants.NOT_LITERAL:
            found |= _BARRIER_CANDIDATES - {chr(arg)}
        elif op is sre_constants.ANY:
            found |= _BARRIER_CANDIDATES if dotall else _BARRIER_CANDIDATES - {"\n"}
        elif op is sre_constants.IN:
            found |= _class_members(arg)
        elif op is sre_constants.SUBPATTERN:
            found |= _consumed(list(arg[3]), dotall or bool(arg[1] & re.DOTALL))
        elif op is sre_constants.BRANCH:
            for branch in arg[1]:
                found |= _consumed(list(branch), dotall)
        elif op in _REPEATS:
            found |= _consumed(list(arg[2]), dotall)
        elif op is sre_constants.ATOMIC_GROUP:
            found |= _consumed(list(arg), dotall)
        elif op is sre_constants.GROUPREF_EXISTS:
            for branch in arg[1:]:
                if branch is not None:
                    found |= _consumed(list(branch), dotall)
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.GROUPREF):
            continue  # zero width, or a repeat of text a group already consumed
        else:
            raise _Unknown(op)
    return found


def _class_members(items: list[Any]) -> set[str]:
    negated = bool(items) and items[0][0] is sre_constants.NEGATE
    members: set[str] = set()
    for op, arg in items[1:] if negated else items:
        if op is sre_constants.LITERAL:
            members |= {chr(arg)} & _BARRIER_CANDIDATES
        elif op is sre_constants.RANGE:
            members |= {c for c in _BARRIER_CANDIDATES if arg[0] <= ord(c) <= arg[1]}
        elif op is sre_constants.CATEGORY and arg in _CATEGORY_MEMBERS:
            members |= _CATEGORY_MEMBERS[arg]
        else:
            raise _Unknown(op)
    return set(_BARRIER_CANDIDATES - members) if negated else members


def _reach(items: list[Any]) -> int | None:
    # How far past the current position the zero-width tests look; None when unbounded.
    reach = 0
    for op, arg in items:
        inner: int | None = 0
        if op is sre_constants.AT:
            inner = 2  # \b, $ and \Z read the next character or two
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            direction, sub = arg
            inner = _reach(list(sub))
            if inner is not None and direction == 1:
                width = sub.getwidth()[1]
                inner = None if width > MAX_REACH else inner + width + 1
        elif op is sre_constants.SUBPATTERN:
            inner = _reach(list(arg[3]))
        elif op is sre_constants.BRANCH:
            reaches = [_reach(list(branch)) for branch in arg[1]]
            inner = None if None in reaches else max(reaches, default=0)  # type: ignore[type-var]
        elif op in _REPEATS:
            inner = _reach(list(arg[2]))
        elif op is sre_constants.ATOMIC_GROUP:
            inner = _reach(list(arg))
        elif op is sre_constants.GROUPREF_EXISTS:
            reaches = [_reach(list(branch)) for branch in arg[1:] if branch is not None]
            inner = None if None in reaches else max(reaches, default=0)  # type: ignore[type-var]
        if inner is None:
            return None
        reach = max(reach, inner)
    return reach


def _anchors(items: list[Any]) -> frozenset[str] | None:
    # Casefolded literals one of which every match of the sequence holds, the rarest such
    # set the sequence offers; None if there is none.
    from cleaner.mt_detectors import zipf_en

    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items + [(None, None)]:
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            options.append(frozenset({"".join(run).casefold()}))
            run = []
        option: frozenset[str] | None = None
        if op is sre_constants.SUBPATTERN:
            option = _anchors(list(arg[3]))
        elif op is sre_constants.BRANCH:
            branches = [_anchors(list(branch)) for branch in arg[1]]
            option = None if None in branches else frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in _REPEATS and arg[0] >= 1:
            option = _anchors(list(arg[2]))
        elif op is sre_constants.ATOMIC_GROUP:
            option = _anchors(list(arg))
        if option:
            options.append(option)
    usable = [option for option in options if all(len(literal) >= MIN_ANCHOR for literal in option)]
    if not usable:
        return None
    return min(usable, key=lambda option: (max(zipf_en(literal) for literal in option), len(option)))


ASCII_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# The only characters beyond ASCII that a case-insensitive `regex` pattern matches to an
# ASCII letter (checked over all code points by a test); their casefolds, but that of the
# dotted capital I ("i" and a combining dot), are the letter itself.
CASELESS_EXTRA = {"i": "\u0130", "k": "\u212a", "s": "\u017f"}
DOTTED_CAPITAL_I = "\u0130"


@dataclass(frozen=True, order=True)
class WordAnchor:
    """A casefolded literal a match holds, and whether no ASCII letter or digit is beside it there.

    `alone_before` / `alone_after`: the pattern puts a space, a hyphen or another
    non-alphanumeric character (or a `(?<![\\w-])`-style assertion) right before / after
    the literal, so the occurrence of "pot" in "spot" or "potential" cannot be the one.
    """

    literal: str
    alone_before: bool
    alone_after: bool

    def stands_in(self, folded: str, starts: Sequence[int]) -> bool:
        """True when one of the literal's occurrences (start offsets in `folded`) has the edges it needs."""
        before, after, size = self.alone_before, self.alone_after, len(self.literal)
        for start in starts:
            if before and start and folded[start - 1] in ASCII_ALNUM:
                continue
            if after and folded[start + size:start + size + 1] in ASCII_ALNUM:
                continue
            return True
        return False


def word_anchors(pattern: regex.Pattern[str]) -> tuple[WordAnchor, ...]:
    """Literals one of which every match holds, with the word edges the pattern gives them; () if unknown.

    Read from the stdlib parser's tree like `match_window` (a property class stands in as
    `\\d`, which only ever makes an edge less certain). The set chosen is the one whose
    literals, edges counted, are rarest in English.

    >>> word_anchors(regex.compile(r"(?i)(?<![\\w-])(?:throw|blame)\\s+the\\s+pot(?![\\w-])"))
    (WordAnchor(literal='pot', alone_before=True, alone_after=True),)
    """
    if pattern.flags & (regex.FULLCASE | regex.VERSION1):
        return ()
    source = regex.sub(r"\\[pP]\{[^}]*\}", r"\\d", pattern.pattern)
    try:
        tree = sre_parse.parse(source)
        options = _word_anchor_options(list(tree), [], [])
    except (_Unknown, re.error, RecursionError, ValueError, OverflowError):
        return ()
    best = _best_option(options)
    return tuple(sorted(best)) if best else ()


def _best_option(options: list[frozenset[WordAnchor]]) -> frozenset[WordAnchor] | None:
    # Literals shorter than three characters occur everywhere. A literal that may stand
    # inside a word ("pot" in "spot") is found far more often than its word is, so the
    # option with the fewest open edges wins, then the one whose words are rarest.
    from cleaner.mt_detectors import zipf_en

    usable = [option for option in options if all(len(a.literal) >= MIN_ANCHOR for a in option)]
    if not usable:
        return None
    return min(usable, key=lambda option: (
        max(2 - a.alone_before - a.alone_after for a in option),
        max(zipf_en(a.literal) for a in option), len(option), sorted(option)))


def _word_anchor_options(items: list[Any], before: list[Any], after: list[Any]) -> list[frozenset[WordAnchor]]:
    # The sets of anchors one of which every match of `items` holds (each set is one
    # option); `before` / `after` are what the pattern matches around `items`.
    options: list[frozenset[WordAnchor]] = []
    run_start = None
    for index, (op, arg) in enumerate(items + [(None, None)]):
        if op is sre_constants.LITERAL:
            if run_start is None:
                run_start = index
            continue
        if run_start is not None:
            literal = "".join(chr(code) for _, code in items[run_start:index]).casefold()
            options.append(frozenset({WordAnchor(
                literal,
                _alone(list(reversed(before + items[:run_start])), backwards=True),
                _alone(items[index:] + after, backwards=False),
            )}))
            run_start = None
        outer_before, outer_after = before + items[:index], items[index + 1:] + after
        if op is sre_constants.SUBPATTERN and not (arg[1] or arg[2]):
            options.extend(_word_anchor_options(list(arg[3]), outer_before, outer_after))
        elif op is sre_constants.BRANCH:
            per_branch = [_best_option(_word_anchor_options(list(branch), outer_before, outer_after))
                          for branch in arg[1]]
            if all(per_branch):
                options.append(frozenset().union(*per_branch))  # type: ignore[arg-type]
    return options


def _alone(items: list[Any], backwards: bool) -> bool:
    # True when the character `items` match next (`items` nearest first; going backwards
    # from a literal or forwards from it) is never an ASCII letter or digit, or there is none
    # and an assertion says so. The end of `items` means anything may be there.
    for index, (op, arg) in enumerate(items):
        rest = items[index + 1:]
        if op is sre_constants.LITERAL:
            char = chr(arg)
            return char.isascii() and char not in ASCII_ALNUM
        if op is sre_constants.IN:
            return not _alnum_members(arg, caseless=True)
        if op in _REPEATS:
            low, _, sub = arg
            inner = list(reversed(list(sub))) if backwards else list(sub)
            if low >= 1:
                return _alone(inner, backwards)
            return _alone(inner + rest, backwards) and _alone(rest, backwards)
        if op is sre_constants.SUBPATTERN:
            inner = list(reversed(list(arg[3]))) if backwards else list(arg[3])
            return _alone(inner + rest, backwards)
        if op is sre_constants.BRANCH:
            return all(_alone((list(reversed(list(b))) if backwards else list(b)) + rest, backwards)
                       for b in arg[1])
        if op is sre_constants.ASSERT_NOT and (arg[0] < 0) == backwards:
            sub = list(arg[1])
            if len(sub) == 1 and sub[0][0] is sre_constants.IN and _alnum_members(sub[0][1], caseless=False) == ASCII_ALNUM:
                return True
            continue
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT):
            continue  # zero width: what is there is decided further on
        return False
    return False


def _alnum_members(items: list[Any], caseless: bool) -> frozenset[str]:
    # The ASCII letters and digits a character class matches: all it may match (whatever
    # the case flags) when `caseless`, only those it surely matches otherwise.
    if items and items[0][0] is sre_constants.NEGATE:
        # A negated class surely matches what its positive part cannot, and so on.
        return ASCII_ALNUM - _alnum_members(items[1:], not caseless)
    members: set[str] = set()
    for op, arg in items:
        if op is sre_constants.LITERAL or op is sre_constants.RANGE:
            low, high = (arg, arg) if op is sre_constants.LITERAL else arg
            for char in ASCII_ALNUM:
                variants = {char, char.swapcase(), CASELESS_EXTRA.get(char.lower(), char)} if caseless else {char}
                if any(low <= ord(v) <= high for v in variants):
                    members.add(char)
        elif op is sre_constants.CATEGORY and arg in _ALNUM_CATEGORIES:
            members |= _ALNUM_CATEGORIES[arg]
        elif caseless:
            return ASCII_ALNUM  # not read here: it may match any
        else:
            return frozenset()  # not read here: it surely matches none
    return frozenset(members)


_ALNUM_CATEGORIES = {
    category: frozenset(c for c in ASCII_ALNUM if regex.match(escape, c))
    for category, escape in _CATEGORY_ESCAPES.items()
}


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
    key = (match.re, match.group(), match.groups())
    after = glossary.rendered.get(key)
    if after is None:
        after = _render_match(glossary, match)
        if len(glossary.rendered) >= MAX_RENDERED:
            glossary.rendered.clear()
        glossary.rendered[key] = after
    if after[:1].islower() and starts_sentence(text, match.start()):
        after = after[:1].upper() + after[1:]
    return after


# Renderings a glossary remembers, at most.
MAX_RENDERED = 4096


def _render_match(glossary: Glossary, match: regex.Match[str]) -> str:
    # The template with the match's groups, forms and case (not yet a sentence's capital).
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

    # Every group reference starts with a backslash: most templates have none.
    after: str = TEMPLATE_REF.sub(group_value, template) if "\\" in template else template
    if rule.params.get("case", "preserve") == "preserve" and not glossary.forms:
        after = match_case(match.group(), after)
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

    `openings` maps casefolded literals to where they occur in the text, in order (when
    casefolding kept every offset): a pattern whose matches all open with such a literal is tried only
    there, in order, from the end of the last match on, which finds what finditer finds;
    a pattern with a window is scanned only in the runs around its anchors.
    """
    hits = []
    rule, near, unless = glossary.rule, glossary.near, glossary.unless
    count = len(rule.patterns)
    for pattern, starts, window in zip(rule.patterns, glossary.starts or [()] * count,
                                       glossary.windows or [None] * count):
        matches: Iterable[regex.Match[str]]
        if starts and openings is not None:
            # One literal's offsets come from the scan in order, each once.
            offsets = openings.get(starts[0], ()) if len(starts) == 1 else sorted(
                {i for s in starts for i in openings.get(s, ())})
            matches = _matches_at(pattern, text, offsets, timeout)
        elif window is not None and openings is not None:
            matches = window.matches(pattern, text, openings, timeout)
        else:
            matches = pattern.finditer(text, timeout=timeout)
        for match in matches:
            start, end = match.span()
            if near is not None or unless is not None:
                paragraph = paragraph_of(text, start, end)
                if near is not None and not near.search(paragraph, timeout=timeout):
                    continue
                if unless is not None and unless.search(paragraph, timeout=timeout):
                    continue
            hits.append(Hit(start, end, rule, render(glossary, match, text)))
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
