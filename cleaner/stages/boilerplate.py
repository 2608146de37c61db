"""Remove web chrome (comment forms, share bars, newsletter prompts, menus, captions) from plain text.

Two families of rules, applied in one pass over the lines of a document:

- *Exact rules* say what a line is: `phrase_line` (the folded line is a known phrase; all
  phrases share one dict lookup), `regex_line` (one alternation per zone for all patterns),
  `strip_prefix` / `strip_suffix` (junk glued to the start or end of a content line; a line
  left empty goes too). A rule may be limited to the `head` or `tail` zone: the lines
  before the article body or among the first `zone_lines`, and the mirror at the end.
- *Heuristic rules* (kind "code") judge a line by its shape and neighbours. Each is a plain
  function in IMPLS that returns the line numbers it would drop. They never drop a line
  that reads as a sentence, except as a later copy of an identical line. Together they may
  remove at most `Config.max_heuristic_removal` of a document's words from the article
  body: above that the removal guard keeps their lines inside the body (those outside it
  still go), adds a warning to `meta["warnings"]` and a "flag" Change.

The article body is found first, as the span of lines that maximizes the words of
sentence-like lines minus a penalty for every short non-sentence line (the text-only form
of Finn et al.'s Body Text Extraction). Heuristics treat lines outside that span as chrome
more readily than lines inside it.
"""

from __future__ import annotations

import codecs
import re
import sys
import time
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, chain, compress, filterfalse, islice
from operator import attrgetter, ne, sub

import regex

try:  # the stdlib parser tells what a branch needs (see screen_branch); without it nothing is screened
    from re import _constants as sre_constants
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover - other Pythons
    sre_parser = sre_constants = None

from cleaner.boilerplate_widths import is_compact, spans
from cleaner.config import Config
from cleaner.errors import RuleError
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage, line_change
from cleaner.stages import timed_out as timed_out_change
from cleaner.stages.canonical import BULLET_LINE
from cleaner.stages.simple import DEFAULT_ZONE_LINES, FOLD, SimpleRules, fold, remove_lines

LINE_KINDS = ("phrase_line", "regex_line", "strip_prefix", "strip_suffix", "cut_section")

# List markers a plain-text renderer puts before menu and list items ("* ", "o " for nested
# items in inscriptis, "- " after canonicalization); rules see the line without them.
MARKER = regex.compile(r"^(?:[-*•·▪►»+]|o(?= \S)|\d{1,2}[.)](?= \S))\s+")
MARKER_STARTS = frozenset("-*•·▪►»+o0123456789")     # the first characters MARKER can match
TERMINAL = regex.compile(r"[.!?…:;][\"')\]]*$")
TERMINAL_CHARS = (".", "!", "?", "…", ":", ";")     # TERMINAL, as str tests: see is_terminal()
TERMINAL_CLOSERS = "\"')]"
WORD = regex.compile(r"\w+")
# WORD on ASCII text, as a byte table: word characters become "a", the rest " ", and the words
# are the " a" pairs after a leading space. Ten times cheaper than findall on a paragraph.
ASCII_WORDS = bytes(97 if chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") else 32 for b in range(256))
# ASCII_WORDS, with the control characters (those str.isprintable() refuses) as NUL.
ASCII_SHAPE = bytes(0 if code < 32 or code == 127 else ASCII_WORDS[code] for code in range(256))
# Upper-case ASCII letters to lower case, as str.casefold() makes them.
ASCII_LOWER = bytes(range(256)).lower()
# Characters that the regex module's case-insensitive matching takes for an ASCII letter
# though str.lower() does not make them one (checked over all of Unicode in the tests).
CASE_STRAYS = {"ſ": "s", "ı": "i"}
UNBOUNDED = sys.maxsize
MAX_STACKED_LABELS = 5
# A section heading or footer marker is a short line; longer lines are never looked up as one.
MAX_HEADING_WORDS = 40
# How many opening characters of a line pick the pattern branches tried on it (Dispatch).
PREFIX_CHARS = 3
# Glued suffix labels are looked for in this many closing characters of a line.
SUFFIX_WINDOW = 160
GLOBAL_FLAGS = regex.compile(r"^\(\?([a-zA-Z]+)\)")

# Shape thresholds shared by every heuristic; a rule's options may override them.
# Calibrated on eval-dev: rerun bench/quality.py after changing them.
SHAPE_DEFAULTS: Mapping[str, float] = {
    "sentence_words": 4,      # a line with terminal punctuation and this many words is a sentence
    "long_words": 25,         # any line this long counts as prose, punctuation or not
    "short_words": 24,        # a non-sentence line up to this long is "short" (menu, teaser, caption)
    "short_penalty": 4,       # body search: what a short line costs, in words
}


# fold() on ASCII text without the regex module: the ASCII characters FOLD matches become spaces,
# and runs of spaces close up as split() closes them. The information separators \x1c-\x1f are
# the only ASCII characters str.strip() takes for spaces that FOLD leaves alone.
# Done on bytes, whose translate and split are plain table lookups; the table also lower-cases.
# Only printable lines take this path, which leaves out the separators (and tabs, rare in a line).
FOLD_ASCII = bytes(32 if FOLD.fullmatch(chr(code)) else ord(chr(code).lower()) for code in range(256))


class FoldTable(dict[int, str]):
    """str.translate's table for fold(): a character FOLD matches becomes a space, others stay.

    Each character is looked up in FOLD the first time it is met, then remembered.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = " " if FOLD.fullmatch(char) else char
        return self[code]


FOLD_TABLE = FoldTable()


def fold_line(line: str) -> str:
    """fold(), five to ten times faster on printable lines (most lines) and remembered for the others.

    On a printable line the only whitespace is the space, which FOLD matches, so after the
    table has made spaces of what FOLD matches, split() and join() close up the runs as
    FOLD.sub() and strip() do. casefold() makes no whitespace.
    """
    if line.isprintable():
        if line.isascii():
            return b" ".join(line.encode("ascii").translate(FOLD_ASCII).split()).decode("ascii")
        return " ".join(line.casefold().translate(FOLD_TABLE).split())
    return fold_other(line)


# The bytes that are not ASCII letters or digits, to delete.
NOT_ASCII_ALNUM = bytes(code for code in range(256) if not (code < 128 and chr(code).isalnum()))


def ascii_key(line: str) -> bytes:
    """The ASCII letters and digits of the case-folded line: lines that fold alike have the same key.

    fold() only turns characters that are no letter or digit into spaces, so the ASCII
    letters and digits of casefold() all stay, in order: ascii_key(line) is
    ascii_alnum(fold(line)). Five times cheaper than fold().

    >>> ascii_key("Read  MORE, 2 times!") == ascii_key("read more 2 times") == ascii_alnum("read more 2 times")
    True
    """
    return ascii_alnum(line.casefold())


def ascii_alnum(text: str) -> bytes:
    """The ASCII letters and digits of the text, in order."""
    return text.encode("ascii", "ignore").translate(None, NOT_ASCII_ALNUM)


@lru_cache(maxsize=1 << 14)
def fold_other(line: str) -> str:
    """fold(), remembered: a line is looked up in several phrase tables, and chrome lines recur."""
    return fold(line)


def strip_marker(line: str) -> str:
    """Return the line without a leading list marker.

    >>> strip_marker("o Privacy Notice")
    'Privacy Notice'
    """
    # Most lines open with a letter that no marker starts with: no regex call for them.
    if not line or line[0] not in MARKER_STARTS:
        return line
    return str(MARKER.sub("", line, count=1))


def count_words(text: str) -> int:
    """The number of `\\w+` words in the text (WORD), by a byte table when the text is ASCII.

    >>> count_words("Don't stop_me now, 2 times!")
    6
    """
    if text.isascii():
        return (" " + text).encode("ascii").translate(ASCII_WORDS).count(b" a")
    # Other characters become "a" or " " as they are word characters or not (WORD_MARKS),
    # run by run, while the encoder copies the ASCII ones: `\w+` counts runs of word
    # characters, which the marks keep. Four times cheaper than findall on a paragraph.
    return (" " + text).encode("ascii", "cleaner-word-marks").translate(ASCII_WORDS).count(b" a")


class WordMarks(dict[str, str]):
    """"a" for a character WORD takes as a word character, " " for another; worked out once for each."""

    def __missing__(self, char: str) -> str:
        mark = self[char] = "a" if WORD.fullmatch(char) else " "
        return mark


WORD_MARKS = WordMarks()


def mark_words(error: UnicodeError) -> tuple[str, int]:
    """The encoding error handler of count_words: a run of non-ASCII characters as their word marks."""
    assert isinstance(error, UnicodeEncodeError)
    return "".join(map(WORD_MARKS.__getitem__, error.object[error.start:error.end])), error.end


codecs.register_error("cleaner-word-marks", mark_words)


def is_terminal(text: str) -> bool:
    """True when the text ends in sentence punctuation, closing quotes or brackets aside (TERMINAL).

    The closers and the punctuation share no character, so the only place TERMINAL can match
    is just before the closing run; a search would try every position of a long paragraph.
    """
    text = text.removesuffix("\n")  # `$` also matches before a final newline
    return text.rstrip(TERMINAL_CLOSERS).endswith(TERMINAL_CHARS)


def fold_case(text: str) -> str:
    """Lower-case text so that an ASCII literal a case-insensitive pattern matches is in it as lower case.

    Not remembered: each line is folded once for all the screens it meets (LineScreen,
    keep_branches), and most lines are met once.
    """
    low = text.lower()
    if not low.isascii():
        for stray, letter in CASE_STRAYS.items():
            if stray in low:
                low = low.replace(stray, letter)
    return low


@dataclass
class Page:
    """One document split into lines, with the shape of each line and the article body span.

    The per-line facts are lists indexed by line number, blank lines included (they count
    no words and are neither sentences nor short), so that a page pass can read them
    with plain indexing or hand them whole to C (sum, map, zip).
    """

    lines: list[str]
    content: list[int]                 # indexes of non-blank lines, in order
    words: list[int]
    sentence: list[bool]
    short: list[bool]
    body: tuple[int, int] | None       # first and last line index of the body, if any
    dropped: dict[int, Rule] = field(default_factory=dict)
    shaped: list[bool] = field(default_factory=list)        # `short` by shape alone, before lists
    texts: list[str] = field(default_factory=list)          # each line without the spaces around it
    facts: list[LineFacts] = field(default_factory=list)    # what each line's text says (BLANK if none)
    plain: bool = False                                     # no line has spaces around it

    def folded(self, index: int) -> str:
        """fold_line() of a content line's bare text, made once however many rules ask."""
        return self.facts[index].folded

    def as_stripped(self, index: int) -> bool:
        """True when the line as it stands is its stripped text, so its facts describe it."""
        return self.plain or len(self.lines[index]) == len(self.texts[index])

    def raw_bare(self, index: int) -> str:
        """strip_marker(line) of the line as it stands, spaces around it and all.

        A marker is only stripped from the line's first character, so a line with spaces
        around it may lose another marker than its stripped text.
        """
        return self.facts[index].bare if self.as_stripped(index) else strip_marker(self.lines[index])

    def ascii_key(self, index: int) -> bytes:
        """ascii_key(raw_bare()) of a line: equal for lines whose folded_raw() is equal."""
        return self.facts[index].quick if self.as_stripped(index) else ascii_key(strip_marker(self.lines[index]))

    def folded_raw(self, index: int) -> str:
        """fold_line(strip_marker(line)) of the line as it stands (see raw_bare)."""
        return self.facts[index].folded if self.as_stripped(index) else fold_line(strip_marker(self.lines[index]))

    def in_body(self, index: int) -> bool:
        """True when the line lies inside the article body span."""
        return self.body is not None and self.body[0] <= index <= self.body[1]

    @cached_property
    def intros(self) -> list[int]:
        """The lines that may introduce a list (LineFacts.intro), in order."""
        return list(compress(range(len(self.facts)), map(INTRO, self.facts)))

    @cached_property
    def rank(self) -> dict[int, int]:
        """Each content line's place in `content` (which never changes once read)."""
        return {index: place for place, index in enumerate(self.content)}

    def neighbour(self, index: int, step: int) -> int | None:
        """The nearest content line before (-1) or after (+1) a line that is still kept."""
        position = self.rank[index] + step
        while 0 <= position < len(self.content):
            candidate = self.content[position]
            if candidate not in self.dropped:
                return candidate
            position += step
        return None


# For each zone: the rule whose phrase a line is, the rule whose pattern matches it, the rules timed out.
Verdicts = tuple[tuple[Rule | None, Rule | None, frozenset[Rule]], ...]


class LineFacts:
    """What the stage reads from one line's text (stripped), kept for the next line with that text.

    Menus, footers and share bars recur from page to page of a site, so a line's shape, its
    folded form and the exact rules it matches are worked out once per distinct text. All
    of it depends on the text alone, never on where the line stands.
    """

    __slots__ = (
        "bare",
        "compact",
        "fold",
        "intro",
        "marked",
        "quick",
        "screened",
        "section",
        "sentence",
        "short",
        "verdicts",
        "words",
    )

    def __init__(self, text: str, shape: Mapping[str, float] = SHAPE_DEFAULTS) -> None:
        bare = self.bare = strip_marker(text)
        marked = self.marked = len(bare) != len(text)   # MARKER matched: a list item
        self.intro = text.endswith(":") and not marked   # may introduce a list
        if bare.isascii():
            # Most lines are ASCII: their bytes give the words, the key and whether they are
            # printable, with one encoding and two table lookups over them.
            encoded = bare.encode("ascii")
            marks = encoded.translate(ASCII_SHAPE)
            printable = b"\0" not in marks
            # Without control characters the marks are count_words()'s: words start at " a".
            count = marks.count(b" a") + marks.startswith(b"a") if printable else count_words(bare)
            self.quick = encoded.translate(ASCII_LOWER, NOT_ASCII_ALNUM)   # ascii_key(bare)
            # An unmarked line is its bare text; a marker's spaces may not be compact.
            self.compact = printable and "  " not in text if not marked else is_compact(text)
        else:
            count = count_words(bare)
            self.quick = ascii_key(bare)
            self.compact = is_compact(text)
        self.words = count
        self.sentence = (count >= shape["sentence_words"] and is_terminal(bare)) or count >= shape["long_words"]
        # A line ending in ":" introduces what follows ("Key points:"), so it is never menu chrome.
        # Table rows belong to the tables stage; they are neither prose nor chrome here.
        self.short = not self.sentence and count <= shape["short_words"] and not bare.endswith(":") \
            and "|" not in bare
        self.fold: str | None = None
        self.screened: bool | None = None                  # LineRules.may_match
        self.verdicts: Verdicts | None = None               # LineRules.line_verdicts
        self.section: Rule | None | bool = False           # LineRules.match_section; False: not yet

    @property
    def folded(self) -> str:
        """fold_line() of the bare text."""
        if self.fold is None:
            self.fold = fold_line(self.bare)
        return self.fold



# The facts of a blank line: no words, no sentence, not short, nothing to match.
BLANK = LineFacts("")
BLANK.screened = False
BLANK.section = None


class LineMemo(dict[str, LineFacts]):
    """LineFacts by text; past LIMIT texts the older half is forgotten (the chrome of the sites at hand stays).

    Only lines of up to LONGEST characters are kept (chrome is short, and long paragraphs
    seldom recur), so the memo holds a few megabytes at most. With a `screen`
    (LineRules.screen_text) each new text is screened at once, so that a page's lines
    that may match an exact rule are picked out by one list comprehension. The `shape`
    thresholds say which lines are sentences and which are short.

    Being a dict that works out what it lacks (__missing__), it is looked up in C: a page's
    facts are one map() over its stripped lines. The empty text (a blank line) is BLANK.
    """

    LIMIT = 1 << 14
    LONGEST = 1000

    def __init__(self, screen: Callable[[str, LineFacts], bool] | None = None,
                 shape: Mapping[str, float] = SHAPE_DEFAULTS) -> None:
        super().__init__()
        self.screen = screen
        self.shape = shape
        self[""] = BLANK

    def facts(self, text: str) -> LineFacts:
        """The facts of a stripped line (BLANK for a blank one)."""
        return self[text]

    def __missing__(self, text: str) -> LineFacts:
        found = LineFacts(text, self.shape)
        if self.screen is not None:
            found.screened = self.screen(text, found)
        if len(text) <= self.LONGEST:
            if len(self) >= self.LIMIT:
                # Dicts keep the order texts came in; pop() as another thread may be forgetting too.
                for old in list(islice(self, 1, self.LIMIT // 2)):   # the first is "", BLANK's
                    self.pop(old, None)
                self[""] = BLANK
            self[text] = found
        return found


def read_page(lines: list[str], shape: Mapping[str, float], memo: LineMemo | None = None) -> Page:
    """Measure every line (the shape of each text is read once, see LineFacts)."""
    memo = LineMemo(None, shape) if memo is None or memo.shape != shape else memo
    texts = list(map(str.strip, lines))
    content = list(compress(range(len(texts)), texts))
    facts = list(map(memo.__getitem__, texts))
    shaped = list(map(IS_SHORT, facts))
    return Page(lines, content, list(map(WORDS, facts)), list(map(IS_SENTENCE, facts)), shaped.copy(), None,
                shaped=shaped, texts=texts, facts=facts, plain=texts == lines)


WORDS, IS_SENTENCE, IS_SHORT = attrgetter("words"), attrgetter("sentence"), attrgetter("short")


def find_structure(page: Page, shape: Mapping[str, float], dropped: Mapping[int, Rule] | None = None) -> None:
    """Mark introduced lists and find the body, once exact rules have dropped their lines.

    `dropped` stands for the page's dropped lines when given (those it had at some earlier point).
    """
    dropped = page.dropped if dropped is None else dropped
    mark_introduced_lists(page, dropped)
    page.body = find_body([i for i in page.content if i not in dropped] if dropped else page.content,
                          page.words, page.sentence, page.short, shape)


def mark_introduced_lists(page: Page, dropped: Mapping[int, Rule] | None = None) -> None:
    """Clear the short mark of list items that a line ending in ":" introduces.

    "Key points:" followed by short items is a real list of the article, not a menu.
    The list runs on while lines are list items or short; the first other line ends it.
    The marks are recomputed from the shape on every call, so a list whose introducing line
    an exact rule has since dropped ("* Edition:" over a menu) is short again. A list item
    ending in ":" is a menu group label, not an introduction.
    """
    short = page.short
    short[:] = page.shaped
    # A line that introduces a list is neither short nor a list item, so no list swallows it:
    # each list runs from such a line to the first line that is neither, or is dropped.
    content, facts = page.content, page.facts
    dropped = page.dropped if dropped is None else dropped
    for index in page.intros:
        if index in dropped:
            continue
        position = page.rank[index] + 1
        while position < len(content):
            item = content[position]
            if item in dropped or not (short[item] or facts[item].marked):
                break
            short[item] = False
            position += 1


INTRO = attrgetter("intro")


def find_body(content: Sequence[int], words: Sequence[int], sentence: Sequence[bool],
              short: Sequence[bool], shape: Mapping[str, float]) -> tuple[int, int] | None:
    """Return the span of lines with the most sentence words net of short-line penalties.

    A maximum-subarray scan (Kadane): sentences add their words, short lines subtract a
    fixed penalty, other lines count zero. Weak where related-article teasers written in
    sentences follow the article: the span then runs on into them.
    """
    penalty = -shape["short_penalty"]
    scores = [float(words[index]) if sentence[index] else (penalty if short[index] else 0.0) for index in content]
    # The running sum at each line: a run that has fallen to zero or below starts afresh.
    running = list(accumulate(scores, restart_sum))
    best = max(running, default=0.0)
    if best <= 0:
        return None
    end = running.index(best)   # the first line where the best sum is reached, as the scan keeps it
    start = end
    while start > 0 and running[start - 1] > 0:
        start -= 1
    return content[start], content[end]


def restart_sum(running: float, score: float) -> float:
    """The next running sum of Kadane's scan: a sum at zero or below is dropped first."""
    return (running if running > 0 else 0.0) + score


class KeyScreen(dict[str, bool]):
    """A test of a text's first or last characters, worked out once for each and then looked up.

    Being a dict, it is looked up in C, in a list comprehension over all the lines of a page.
    """

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, key: str) -> bool:
        found = self[key] = self.test(key)
        return found


@dataclass(frozen=True)
class LineRules:
    """The exact line rules of the stage, compiled into one lookup per kind and zone."""

    phrases: Mapping[str, Mapping[str, Rule]]            # zone -> folded phrase -> rule
    patterns: Mapping[str, Dispatch | None]               # zone -> regex_line rules
    prefix: Dispatch | None
    suffix: Dispatch | None                                # searched, one branch per rule
    sections: Mapping[str, Rule]                           # folded heading -> cut_section rule
    section_patterns: Dispatch | None
    timeout: float
    longest_phrase: int                                    # in characters, before folding
    # The suffix branches matched backwards from the end of a line: is there any match ending there?
    suffix_end: regex.Pattern[str] | None = None
    # The suffix branches matched backwards and partially: can a match end with these characters?
    suffix_probe: regex.Pattern[str] | None = None
    # Every phrase of every zone, to rule out a line with one lookup (see may_match).
    all_phrases: frozenset[str] = frozenset()
    # The ascii_alnum() of every phrase and section heading: a line whose ascii_key() is
    # not among them folds into none of them, and need not be folded.
    phrase_keys: frozenset[bytes] = frozenset()
    section_keys: frozenset[bytes] = frozenset()
    # The regex_line screens of all zones together, by a line's first PREFIX_CHARS characters.
    line_screens: dict[object, LineScreen] = field(default_factory=dict)

    @classmethod
    def compile(cls, rules: Sequence[Rule], timeout: float) -> LineRules:
        """Index phrases by zone and join each kind's patterns into one alternation."""
        phrases: dict[str, dict[str, Rule]] = {"any": {}, "head": {}, "tail": {}}
        for rule in rules:
            if rule.kind == "phrase_line":
                for phrase in rule.phrases:
                    phrases[rule.zone].setdefault(fold(phrase), rule)
        patterns = {zone: Dispatch.build([r for r in rules if r.kind == "regex_line" and r.zone == zone])
                    for zone in ("any", "head", "tail")}
        prefix = Dispatch.build([r for r in rules if r.kind == "strip_prefix"], literal_end=r"\s*")
        suffix = Dispatch.build([r for r in rules if r.kind == "strip_suffix"], literal_start=r"\s*", split=False)
        cuts = [r for r in rules if r.kind == "cut_section"]
        sections = {fold(phrase): rule for rule in reversed(cuts) for phrase in rule.phrases}
        section_patterns = Dispatch.build([r for r in cuts if r.patterns])
        longest = max((len(key) for zone in phrases.values() for key in zone), default=0)
        longest = max(longest, *(len(key) for key in sections)) if sections else longest
        # In reverse mode the regex module tries the end of the line first, and the search
        # fails at once on a line whose last characters no branch can end with.
        suffix_end = regex.compile("(?r)(?:" + "|".join(suffix.branches) + r")\Z") if suffix else None
        probe = regex.compile("(?r)(?:" + "|".join(suffix.branches) + ")") \
            if suffix and all(map(reads_backwards, suffix.branches)) else None
        all_phrases = frozenset(key for zone in phrases.values() for key in zone)
        return cls(phrases, patterns, prefix, suffix, sections, section_patterns, timeout, longest, suffix_end,
                   probe, all_phrases, frozenset(map(ascii_alnum, all_phrases)), frozenset(map(ascii_alnum, sections)))

    def may_end_in_suffix(self, text: str) -> bool:
        """False when no glued suffix can end this text, as its last PREFIX_CHARS characters show."""
        return self.may_end_with_suffix[text[-PREFIX_CHARS:]]

    def ending_may_be_suffix(self, ending: str) -> bool:
        """False when no glued suffix can end a text that ends with these characters.

        A match that ends the text either holds those characters at its end or lies within
        them; matched backwards from the text's end, the branches then reach the start of
        the characters (a partial match) or match.
        """
        return self.suffix_probe is None or self.suffix_probe.match(ending, partial=True) is not None

    def opening_may_be_prefix(self, opening: str) -> bool:
        """False when no glued prefix can open a text that opens with these characters (as pick() finds)."""
        return self.prefix is not None and bool(self.prefix.prefix_group(opening).screens)

    @cached_property
    def may_open_with_prefix(self) -> KeyScreen:
        """opening_may_be_prefix() by a text's first PREFIX_CHARS characters, each worked out once."""
        return KeyScreen(self.opening_may_be_prefix)

    @cached_property
    def may_end_with_suffix(self) -> KeyScreen:
        """ending_may_be_suffix() by a text's last PREFIX_CHARS characters, each worked out once."""
        return KeyScreen(self.ending_may_be_suffix)

    def may_match(self, page: Page, index: int) -> bool:
        """False when no exact line rule of any zone can match a line of the page; True when one might.

        A test that rules out most lines at the cost of a lookup or two, before
        match_page_line decides: the folded line is no phrase, and no regex_line branch of
        any zone passes its screen (length, anchors) on the line or on the line without its
        list marker.
        """
        facts = page.facts[index]
        if facts.screened is None:
            facts.screened = self.screen_text(page.texts[index], facts)
        return facts.screened

    def screen_text(self, text: str, facts: LineFacts) -> bool:
        """may_match() of a line's text, worked out."""
        bare = facts.bare
        if len(bare) <= 2 * self.longest_phrase + 40 and facts.quick in self.phrase_keys \
                and facts.folded in self.all_phrases:
            return True
        compact = facts.compact
        if self.line_screen(text[:PREFIX_CHARS]).passes(text, compact):
            return True
        return bare != text and self.line_screen(bare[:PREFIX_CHARS]).passes(bare, compact)

    def line_screen(self, key: str) -> LineScreen:
        """The screen of every zone's regex_line branches that a line opening with `key` may match."""
        screen = self.line_screens.get(key)
        if screen is None:
            dispatches = [joined for joined in self.patterns.values() if joined is not None]
            screen = self.line_screens[key] = joined_screen([d.prefix_group(key) for d in dispatches],
                                                            self.line_screens)
        return screen

    def lookup_phrase(self, table: Mapping[str, Rule], bare: str, folded: str | None = None) -> Rule | None:
        """The rule whose phrase the folded line is; lines far longer than any phrase are not folded.

        Folding only shortens a line by its runs of spaces and punctuation, so a line more
        than twice as long as the longest phrase (and 40 characters more) cannot fold into one.
        `folded` is fold_line(bare) when the caller has it already.
        """
        if len(bare) > 2 * self.longest_phrase + 40:
            return None
        return table.get(fold_line(bare) if folded is None else folded)

    def match_section(self, text: str, page: Page | None = None, index: int = -1) -> Rule | None:
        """The cut_section rule whose heading this line is, if any (line `index` of `page`, if given)."""
        if page is None:
            return self.find_section(text, strip_marker(text), None)
        facts = page.facts[index]
        if facts.section is False:
            facts.section = self.find_section(text, facts.bare, facts)
        return facts.section  # type: ignore[return-value]

    def find_section(self, text: str, bare: str, facts: LineFacts | None) -> Rule | None:
        """match_section() of a line's text, worked out."""
        if facts is not None and len(bare) <= 2 * self.longest_phrase + 40:
            rule = self.sections.get(facts.folded) if facts.quick in self.section_keys else None
        else:
            rule = self.lookup_phrase(self.sections, bare)
        if rule is not None or self.section_patterns is None:
            return rule
        # A line's text compact, its bare text is too; otherwise the wider screen is the safe one.
        compact = facts.compact if facts is not None else is_compact(bare)
        if not self.section_patterns.line_screen(bare[:PREFIX_CHARS]).passes(bare, compact):
            return None
        pattern = self.section_patterns.pick(bare, whole_line=True)
        match = pattern.fullmatch(bare, timeout=self.timeout) if pattern is not None else None
        return owner(match, self.section_patterns.rules) if match is not None else None

    def slow_rules(self, rules: Sequence[Rule], text: str) -> list[Rule]:
        """The rules whose own patterns run past the timeout on this text."""
        return [rule for rule in rules if _times_out(rule, text, self.timeout)]

    def match_page_line(self, page: Page, index: int, in_zone: Callable[[Rule], bool],
                        timed_out: set[Rule]) -> Rule | None:
        """The exact rule that says this page line is boilerplate in its zone, if any.

        Read from what the line's text was found to match once (line_verdicts). Rules whose
        patterns ran past the timeout on it are added to `timed_out` (the caller skips them
        with a flag), and the line counts as matched by none of them.
        """
        if not self.may_match(page, index):
            return None
        return self.match_screened(page, index, in_zone, timed_out)

    def match_screened(self, page: Page, index: int, in_zone: Callable[[Rule], bool],
                       timed_out: set[Rule]) -> Rule | None:
        """match_page_line() of a line that may_match()."""
        text, facts = page.texts[index], page.facts[index]
        verdicts = facts.verdicts
        if verdicts is None:
            verdicts = self.line_verdicts(text, facts)
            if not any(slow for _, _, slow in verdicts):
                facts.verdicts = verdicts   # a timeout is not remembered: the next such line runs again
        # The order of the zones: each zone's phrase, then its patterns (which may have timed out).
        for phrase, matched, slow in verdicts:
            if phrase is not None and in_zone(phrase):
                return phrase
            timed_out.update(slow)
            if matched is not None and in_zone(matched):
                return matched
        return None

    def line_verdicts(self, text: str, facts: LineFacts) -> Verdicts:
        """For each zone (any, head, tail): the rule whose phrase the line is, the rule whose
        pattern matches it, and the rules whose patterns ran past the timeout on it.

        match_screened() takes the first rule whose zone holds the line; all are found here,
        wherever the line stands, so that a line of the same text elsewhere needs none.
        """
        bare = facts.bare
        verdicts: list[tuple[Rule | None, Rule | None, frozenset[Rule]]] = []
        for zone in ("any", "head", "tail"):
            phrase = self.lookup_phrase(self.phrases[zone], bare, facts.folded)
            joined = self.patterns[zone]
            if joined is None:
                verdicts.append((phrase, None, frozenset()))
                continue
            match = None
            slow: frozenset[Rule] = frozenset()
            for candidate in ((text, bare) if bare != text else (text,)):
                if not joined.line_screen(candidate[:PREFIX_CHARS]).passes(candidate, facts.compact):
                    continue
                pattern = joined.pick(candidate, whole_line=True)
                if pattern is not None:
                    try:
                        match = pattern.fullmatch(candidate, timeout=self.timeout)
                    except TimeoutError:
                        slow = frozenset(self.slow_rules(joined.rules, candidate))
                        match = None
                        break
                    if match is not None:
                        break
            verdicts.append((phrase, owner(match, joined.rules) if match is not None else None, slow))
        return tuple(verdicts)


def _times_out(rule: Rule, text: str, timeout: float) -> bool:
    for pattern in rule.patterns:
        try:
            pattern.fullmatch(text, timeout=timeout)
        except TimeoutError:
            return True
    return False


def join_patterns(rules: Sequence[Rule], literal_start: str = "", literal_end: str = "") -> \
        tuple[regex.Pattern[str], tuple[Rule, ...]] | None:
    """Join the patterns and phrases of rules into one alternation with a named group per rule.

    A leading global flag group such as `(?i)` becomes a scoped one, so each rule keeps its
    own flags inside the alternation. Phrases are matched literally, ignoring case.
    """
    if not rules:
        return None
    return compile_branches(rule_branches(rules, literal_start, literal_end), rules), tuple(rules)


def rule_branches(rules: Sequence[Rule], literal_start: str = "", literal_end: str = "",
                  split: bool = False) -> list[str]:
    """Alternation branches named `r<number>` after the rule's place in `rules`.

    One branch per rule, or with `split` one per pattern or phrase (`r<number>x<part>`), so
    a Dispatch can leave out the parts a line cannot match.
    """
    branches = []
    for number, rule in enumerate(rules):
        parts = [scope_flags(p.pattern) for p in rule.patterns]
        if rule.kind != "cut_section":
            parts += [r"(?i:" + regex.escape(phrase) + ")" for phrase in rule.phrases]
        if not parts:
            raise RuleError(f"{rule.source}: {rule.code}: a {rule.kind} rule needs phrases or patterns")
        if split:
            branches += [f"(?P<r{number}x{k}>{literal_start}{part}{literal_end})" for k, part in enumerate(parts)]
        else:
            branches.append(f"(?P<r{number}>{literal_start}(?:{'|'.join(parts)}){literal_end})")
    return branches


def compile_branches(branches: Sequence[str], rules: Sequence[Rule]) -> regex.Pattern[str]:
    """Compile branches into one alternation, saying which rule file to fix when they do not join."""
    try:
        return regex.compile("|".join(branches))
    except regex.error as exc:
        raise RuleError(f"{rules[0].source}: the {rules[0].kind} patterns do not join: {exc}") from None


@dataclass
class Dispatch:
    """A joined alternation that tries, for each line, only the branches its first characters allow.

    One alternation of a hundred and more branches costs tens of microseconds a line however
    short the line, since every branch is tried in turn. Most branches can start with only a
    few characters, so each line's opening `PREFIX_CHARS` characters pick the branches that
    could still match (the regex module's partial matching answers that exactly), and those
    are joined once and cached. The result equals the whole alternation's; only faster.
    """

    rules: tuple[Rule, ...]
    branches: tuple[str, ...]
    probes: tuple[regex.Pattern[str], ...]
    whole: regex.Pattern[str]
    screens: tuple[Screen, ...]
    by_prefix: dict[str, Group] = field(default_factory=dict)
    by_screens: dict[tuple[Screen, ...], Group] = field(default_factory=dict)
    by_branches: dict[tuple[int, ...], FirstOf | regex.Pattern[str]] = field(default_factory=dict)
    by_joined: dict[tuple[int, ...], regex.Pattern[str]] = field(default_factory=dict)
    line_screens: dict[object, LineScreen] = field(default_factory=dict)

    @classmethod
    def build(cls, rules: Sequence[Rule], literal_start: str = "", literal_end: str = "",
              split: bool = True) -> Dispatch | None:
        """Compile the rules' branches, alone (to probe) and joined; None when there are no rules."""
        if not rules:
            return None
        branches = rule_branches(rules, literal_start, literal_end, split=split)
        whole = compile_branches(branches, rules)
        probes = tuple(regex.compile(branch) for branch in branches)
        screens = tuple(screen_branch(number, branch) for number, branch in enumerate(branches))
        return cls(tuple(rules), tuple(branches), probes, whole, screens)

    def pick(self, text: str, whole_line: bool = False) -> regex.Pattern[str] | FirstOf | None:
        """The branches that could match at the start of `text`, to be tried in order, or None.

        With `whole_line` the match must also span the text (fullmatch), so branches that
        cannot match a text this long are left out too. Branches whose anchors are all
        missing from the text are left out, and when none is left there is nothing to try.
        The answer's match() and fullmatch() find what the alternation's would (see FirstOf).
        """
        kept = keep_branches(self.prefix_group(text[:PREFIX_CHARS]), text, whole_line)
        if len(kept) <= 1:
            return self.probes[kept[0]] if kept else None
        found = self.by_branches.get(kept)
        if found is None:
            found = self.by_branches[kept] = FirstOf(tuple(self.probes[number] for number in kept))
        elif isinstance(found, FirstOf):
            found.uses += 1
            if found.uses >= JOIN_AFTER:   # a common set of branches: one call of their alternation is cheaper
                found = self.by_branches[kept] = self.joined(kept)
        return found

    def prefix_group(self, key: str) -> Group:
        """The screens of the branches that could match a text opening with `key`, found once per key.

        A branch that no text opening with the key's first character can match cannot match
        one opening with the key: the group of that character, found first, leaves it out.
        """
        group = self.by_prefix.get(key)
        if group is None:
            screens = self.screens if len(key) <= 1 else self.prefix_group(key[0]).screens
            group = self.group(tuple(screen for screen in screens
                                     if self.probes[screen.number].match(key, partial=True) is not None))
            self.by_prefix[key] = group
        return group

    def line_screen(self, key: str) -> LineScreen:
        """The screen of the branches that a whole line opening with `key` may match."""
        screen = self.line_screens.get(key)
        if screen is None:
            screen = self.line_screens[key] = joined_screen([self.prefix_group(key)], self.line_screens)
        return screen

    def pick_anywhere(self, text: str) -> regex.Pattern[str] | None:
        """The alternation of the branches that could match somewhere in `text` (for search)."""
        return self.join(keep_branches(self.group(self.screens), text, False))

    def group(self, screens: tuple[Screen, ...]) -> Group:
        """The screens of some branches as one Group, made once per set of branches."""
        found = self.by_screens.get(screens)
        if found is None:
            width = max((screen.width for screen in screens), default=0)
            free = tuple(screen for screen in screens if screen.finder is None and screen.shape is None)
            found = self.by_screens[screens] = Group(screens, free, width)
        return found

    def join(self, kept: tuple[int, ...]) -> regex.Pattern[str] | None:
        """The alternation of the kept branches (for search), compiled once; None when none is kept."""
        if not kept:
            return None
        return self.joined(kept)

    def joined(self, kept: tuple[int, ...]) -> regex.Pattern[str]:
        """The alternation of some branches (at least one), compiled once."""
        pattern = self.by_joined.get(kept)
        if pattern is None:
            # Each branch keeps its group name r<number>, so owner() still finds its rule.
            # Branches left out cannot match here, so the alternation finds what the whole one would.
            # One branch alone is its probe, compiled from the same text already.
            pattern = self.probes[kept[0]] if len(kept) == 1 else regex.compile("|".join(self.branches[i] for i in kept))
            self.by_joined[kept] = pattern
        return pattern


# How many times a set of branches is tried one by one before their alternation is compiled.
JOIN_AFTER = 16


class FirstOf:
    """Some branches of an alternation, tried one by one in order: the first to match is what the alternation matches.

    A match (or fullmatch) of `A|B` at a position is A's when A can match there, else B's:
    the regex module backtracks through A before it tries B. Trying the branches' own
    compiled patterns in turn finds the same match without compiling their alternation,
    which costs milliseconds for each set of branches a line leaves (Dispatch.pick compiles
    it once a set has come up JOIN_AFTER times). The timeout bounds the whole try, as it
    bounded the alternation's one call.
    """

    __slots__ = ("probes", "uses")

    def __init__(self, probes: tuple[regex.Pattern[str], ...]) -> None:
        self.probes = probes
        self.uses = 0

    def match(self, text: str, timeout: float | None = None) -> regex.Match[str] | None:
        """The alternation's match() at the start of the text."""
        return self.first(False, text, timeout)

    def fullmatch(self, text: str, timeout: float | None = None) -> regex.Match[str] | None:
        """The alternation's fullmatch() of the text."""
        return self.first(True, text, timeout)

    def first(self, whole: bool, text: str, timeout: float | None) -> regex.Match[str] | None:
        """The first branch's match (fullmatch if `whole`), trying each with what is left of the timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for probe in self.probes:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError("regex timed out")
            found = probe.fullmatch(text, timeout=left) if whole else probe.match(text, timeout=left)
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Screen:
    """What a text needs before a branch can match in it: a length and one of some literals."""

    number: int                     # the branch's place in its Dispatch
    width: int                      # the longest text the branch can match (UNBOUNDED if none)
    anchors: tuple[str, ...]        # lower-case literals, one of which is in every match; () if unknown
    # The anchors as one stdlib pattern: a search finds one if any is there, in one C loop.
    finder: re.Pattern[str] | None = None
    low: int = 0                    # the shortest text the branch can match
    compact: int = UNBOUNDED        # the longest on a compact line (see boilerplate_widths)
    # Characters every match holds in a row, as a case-sensitive stdlib pattern (required_run).
    shape: re.Pattern[str] | None = None
    # The anchors that hold no other anchor, to look for one by one with `in` (see needles_of);
    # None when there are too many and the finder is cheaper.
    needles: tuple[str, ...] | None = None

    def holds_anchor(self, folded: str) -> bool:
        """True when the text (fold_case() of a line) holds one of the anchors, or there are none."""
        if self.needles is not None:
            return any_in(self.needles, folded)
        return self.finder is None or self.finder.search(folded) is not None


# Up to this many anchors, `anchor in text` for each costs less than one search of their trie:
# on a prose line a stdlib search of an alternation tests every position (2-7 µs), a
# substring test is a fast C scan (0.1-0.2 µs a needle).
MAX_NEEDLES = 24


def needles_of(anchors: Sequence[str]) -> tuple[str, ...] | None:
    """The anchors without those that hold another (a text holding one holds the other); None if too many.

    >>> needles_of(("afp", "afp via getty images", "alamy"))
    ('afp', 'alamy')
    """
    needles: list[str] = []
    # Shortest first: an anchor that holds a dropped one holds what that one holds, a kept one.
    for anchor in sorted(set(anchors), key=len):
        if not any(needle in anchor for needle in needles):
            needles.append(anchor)
    return tuple(needles) if len(needles) <= MAX_NEEDLES else None


def any_in(needles: Sequence[str], text: str) -> bool:
    """True when one of the needles is in the text."""
    for needle in needles:
        if needle in text:
            return True
    return False


def joined_screen(groups: Sequence[Group], made: dict[object, LineScreen]) -> LineScreen:
    """LineScreen.join(groups), made once for each set of groups (which their Dispatch keeps alive)."""
    same = tuple(map(id, groups))
    screen = made.get(same)
    if screen is None:
        screen = made[same] = LineScreen.join(groups)
    return screen


@dataclass(frozen=True)
class LineScreen:
    """Which branches of some Groups a whole line of a given length may match, and one test of their anchors.

    A branch can match a whole line only if the line is as long as the branch's shortest
    match and no longer than its longest (on a compact line, usually a bound where it is
    unbounded elsewhere), and holds one of its anchors. The lengths at which the set of
    such branches changes cut the line lengths into spans; each span has one Check.
    """

    cuts: tuple[tuple[int, ...], tuple[int, ...]]                 # span limits: any line, compact line
    checks: tuple[tuple[Check | None, ...], tuple[Check | None, ...]]

    @classmethod
    def join(cls, groups: Sequence[Group]) -> LineScreen:
        """One screen that every line passes on which a branch of any of the groups could match."""
        screens = [screen for group in groups for screen in group.screens]
        cuts, checks = [], []
        for compact in (False, True):
            spans = [(s.low, s.compact if compact else s.width, s) for s in screens]
            limits = sorted({low for low, _, _ in spans} | {high + 1 for _, high, _ in spans if high < UNBOUNDED})
            # Span i holds the lengths from limits[i - 1] (0 for the first) up to limits[i].
            sizes = [0, *limits]
            cuts.append(tuple(limits))
            checks.append(tuple(Check.of([s for low, high, s in spans if low <= size <= high]) for size in sizes))
        return cls((cuts[0], cuts[1]), (checks[0], checks[1]))

    def passes(self, text: str, compact: bool) -> bool:
        """False when no branch of the groups can match the whole text (`compact`: is_compact(text))."""
        check = self.checks[compact][bisect_right(self.cuts[compact], len(text))]
        if check is None:
            return False
        if check.free:
            return True
        folded = fold_case(text)
        for needle in check.needles:
            if needle in folded:
                return True
        for screen in check.tests:
            if screen.holds_anchor(folded) and (screen.shape is None or screen.shape.search(text)):
                return True
        return False


@dataclass(frozen=True)
class Check:
    """Branches that a line of some length may match: some without a screen, or a test for each one's."""

    free: bool                                # a branch without anchors or shape may match: the line passes
    # The needles of the branches screened by anchors alone, together: a line holding any passes.
    needles: tuple[str, ...]
    # The other branches' screens (a shape, or too many anchors for needles), one test each.
    tests: tuple[Screen, ...]

    @classmethod
    def of(cls, screens: Sequence[Screen]) -> Check | None:
        """The check for these branches; None when there are none."""
        if not screens:
            return None
        if any(screen.finder is None and screen.shape is None for screen in screens):
            return cls(True, (), ())
        needles = joined_needles(frozenset(needle for screen in screens if screen.shape is None
                                           for needle in screen.needles or ()))
        others = {(screen.finder, screen.shape, screen.needles): screen for screen in screens
                  if screen.shape is not None or screen.needles is None}
        return cls(False, needles, tuple(others.values()))


@lru_cache(maxsize=1 << 10)
def joined_needles(needles: frozenset[str]) -> tuple[str, ...]:
    """The needles of some branches together, in a fixed order, made once for each set (Checks share sets).

    Each branch's needles hold none of its others; that one branch's needle holds another's
    is rare, and testing for it would cost more while building than it saves.
    """
    return tuple(sorted(needles))


@dataclass(frozen=True)
class Group:
    """The screens of the branches a Dispatch may try on a line."""

    screens: tuple[Screen, ...]
    free: tuple[Screen, ...]              # the screens without anchors
    width: int                            # the longest text any of the branches can match


def keep_branches(group: Group, text: str, whole_line: bool) -> tuple[int, ...]:
    """The numbers of the branches whose screen the text passes.

    Most prose lines fail every screen, so the regex machinery never sees them: a dict
    lookup, a length test and a stdlib search or two stand in for a fullmatch of a hundred
    branches that may each scan a wildcard before failing. (Lines reach this far only
    when a LineScreen has passed them, so no search for all anchors at once comes first.)
    """
    size = len(text)
    if whole_line and size > group.width:
        return ()
    folded = fold_case(text)
    kept: list[int] = []
    for screen in group.screens:
        if whole_line and screen.width < size:
            continue
        if not screen.holds_anchor(folded):
            continue
        if screen.shape is not None and screen.shape.search(text) is None:
            continue
        kept.append(screen.number)
    return tuple(kept)


def trie_pattern(words: set[str]) -> str:
    """A stdlib pattern that finds any of the words, shaped as a trie so a search tests each position once.

    A flat alternation of a few hundred literals tries every one at every position.

    >>> trie_pattern({"more", "mar", "dec"})
    '(?:dec|m(?:ar|ore))'
    """
    if "" in words:
        return ""   # the empty word is in every text
    heads: dict[str, set[str]] = {}
    for word in words:
        heads.setdefault(word[0], set()).add(word[1:])
    parts = []
    for head in sorted(heads):
        tails = heads[head]
        if "" in tails:
            parts.append(re.escape(head))   # a shorter word is found wherever a longer one is
        else:
            rest = trie_pattern(tails)
            parts.append(re.escape(head) + rest if len(tails) > 1 else re.escape(head) + re.escape(tails.pop()))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def screen_branch(number: int, branch: str) -> Screen:
    """Read from a branch the longest text it matches and literals that every match holds.

    The stdlib parser reads the pattern (the regex module has no public parse tree); the
    literals are the longest run of plain ASCII characters the branch cannot do without,
    or one run from each side of a required alternation. Anything the parser does not know
    as the regex module does gives no screen: syntax it rejects, and `{` that is not a
    counted repeat (fuzzy matching in the regex module, a literal to the stdlib).
    """
    unscreened = Screen(number, UNBOUNDED, ())
    if sre_parser is None or FUZZY_OR_LITERAL_BRACE.search(branch):
        return unscreened
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # "possible nested set": a POSIX class or set operation
            parsed = sre_parser.parse(branch)
        _, high = parsed.getwidth()
    except Exception:  # noqa: BLE001 - any parser complaint means: do not screen this branch
        return unscreened
    width = UNBOUNDED if high >= sre_constants.MAXREPEAT - 1 else int(high)
    anchors = tuple(sorted(required_literals(parsed) or ()))
    finder = re.compile(trie_pattern(set(anchors))) if anchors else None
    low, _, compact = spans(parsed)
    run = required_run(parsed, False)
    shape = re.compile("".join(run)) if run is not None and len(run) >= MIN_SHAPE else None
    return Screen(number, width, anchors, finder, low, min(compact, width), shape,
                  needles_of(anchors) if anchors else None)


# A shape of fewer characters than this rules out too few lines to be worth a search.
MIN_SHAPE = 2


def required_run(items: object, ignore_case: bool) -> list[str] | None:
    """The longest row of single characters every match of a parsed sequence holds, as stdlib pattern pieces.

    Only literal characters and sets of characters and ranges count, and only where case
    matters: there the stdlib and the regex module match the same characters. A repeat of
    one such character (`[A-Z]+`) ends a row with its first copy and opens one with its last.
    `[-*] \\S+ [A-Z][A-Z.]+:` gives ` [A-Z][A-Z.]`, the longest row.
    """
    c = sre_constants
    best: list[str] | None = None
    run: list[str] = []

    def offer(candidate: list[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or len(candidate) > len(best)):
            best = list(candidate)

    for op, av in items:  # type: ignore[attr-defined]
        piece = None if ignore_case else one_character(op, av)
        if piece is not None:
            run.append(piece)
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = list(av[2])
            piece = None if ignore_case or len(inner) != 1 else one_character(*inner[0])
            if piece is not None:
                offer(run + [piece])      # the first copy ends this row
                run = [piece]             # the last copy opens the next
                continue
            offer(run)
            run = []
            offer(required_run(av[2], ignore_case))
            continue
        offer(run)
        run = []
        if op is c.SUBPATTERN:
            _, add, remove, inner = av
            flags = (ignore_case or bool(add & c.SRE_FLAG_IGNORECASE)) and not remove & c.SRE_FLAG_IGNORECASE
            offer(required_run(inner, flags))
        elif op is c.ATOMIC_GROUP:
            offer(required_run(av, ignore_case))
    offer(run)
    return best


def one_character(op: object, av: object) -> str | None:
    """A stdlib pattern piece for a parsed item that is one literal character or a plain set; else None."""
    c = sre_constants
    if op is c.LITERAL:
        return re.escape(chr(av))  # type: ignore[arg-type]
    if op is c.IN and av:
        parts = []
        for kind, value in av:  # type: ignore[attr-defined]
            if kind is c.LITERAL:
                parts.append(re.escape(chr(value)))
            elif kind is c.RANGE:
                parts.append(re.escape(chr(value[0])) + "-" + re.escape(chr(value[1])))
            else:  # negation, categories: left to the regex module
                return None
        return "[" + "".join(parts) + "]"
    return None


def reads_backwards(branch: str) -> bool:
    """True when a branch matches the same texts backwards (`(?r)`) as forwards.

    Atomic groups and possessive repeats give up backtracking in the direction they are
    read, and references need their group matched first; a branch with any of them, or
    one the stdlib parser cannot read, is not probed backwards.
    """
    if sre_parser is None or FUZZY_OR_LITERAL_BRACE.search(branch):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = sre_parser.parse(branch)
    except Exception:  # noqa: BLE001 - any parser complaint means: do not probe this branch
        return False
    c = sre_constants
    one_way = {c.ATOMIC_GROUP, c.POSSESSIVE_REPEAT, c.GROUPREF, c.GROUPREF_EXISTS}

    def plain(items: object) -> bool:
        for op, av in items:  # type: ignore[attr-defined]
            if op in one_way:
                return False
            if op is c.SUBPATTERN and not plain(av[3]):
                return False
            if op is c.BRANCH and not all(plain(part) for part in av[1]):
                return False
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and not plain(av[2]):
                return False
            if op in (c.ASSERT, c.ASSERT_NOT) and not plain(av[1]):
                return False
        return True

    return plain(parsed)


# A `{` that does not open a counted repeat: the regex module may read it as fuzzy matching.
FUZZY_OR_LITERAL_BRACE = regex.compile(r"(?<!\\)\{(?!\d*,?\d*\})")


def required_literals(items: object) -> set[str] | None:
    """Lower-case ASCII strings one of which every match of a parsed sequence contains, or None.

    Of the candidates the sequence offers (runs of literal characters, required groups,
    alternations whose every branch has candidates) the one whose shortest string is the
    longest is kept, as it rejects most lines.
    """
    best: set[str] | None = None
    run: list[str] = []

    def offer(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    c = sre_constants
    for op, av in items:  # type: ignore[attr-defined]
        if op is c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        offer({"".join(run)} if run else None)
        run = []
        if op is c.SUBPATTERN:
            offer(required_literals(av[3]))
        elif op is c.ATOMIC_GROUP:
            offer(required_literals(av))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            offer(required_literals(av[2]))
        elif op is c.BRANCH:
            alternatives = [required_literals(branch) for branch in av[1]]
            if all(alternatives):
                offer(set().union(*alternatives))  # type: ignore[arg-type]
    offer({"".join(run)} if run else None)
    return best


def scope_flags(pattern: str) -> str:
    """Turn a leading `(?i)` into `(?i:...)` so the flag stays with its own branch.

    >>> scope_flags("(?i)share this")
    '(?i:share this)'
    """
    match = GLOBAL_FLAGS.match(pattern)
    if match is None:
        return f"(?:{pattern})"
    return f"(?{match.group(1)}:{pattern[match.end():]})"


def owner(match: regex.Match[str], rules: Sequence[Rule]) -> Rule:
    """The rule whose named group matched."""
    name = match.lastgroup
    if name is not None and name.startswith("r"):
        number = name[1:].partition("x")[0]
        if number.isdigit():
            return rules[int(number)]
    for name, value in match.groupdict().items():
        if value is not None and name.startswith("r") and name[1:].partition("x")[0].isdigit():
            return rules[int(name[1:].partition("x")[0])]
    raise AssertionError("a joined pattern matched without a rule group")


# --- heuristics -------------------------------------------------------------------------
# Each returns the indexes of lines it would drop; the stage applies the removal guard.

Heuristic = Callable[[Page, Rule, Mapping[str, float]], list[int]]


def drop_menu_runs(page: Page, rule: Rule, shape: Mapping[str, float]) -> list[int]:
    """Drop runs of short non-sentence lines: menus, link lists, tag clouds, footers.

    Outside the article body a run of `min_run_outside` such lines goes; inside it a run
    must be `min_run_inside` long and must not follow a line ending in ":" (which
    introduces a real list). A lone short line is a heading and stays. Weak on articles
    made of short list items with no introducing line.
    """
    outside = int(rule.option("min_run_outside", 2))
    inside = int(rule.option("min_run_inside", 4))
    drops: list[int] = []
    content, dropped, rank = page.content, page.dropped, page.rank
    # A run is a row of content lines each short or dropped: a byte per line, and one C scan
    # finds the rows long enough to go (a shorter row goes neither inside the body nor out).
    in_run = bytearray(map(page.short.__getitem__, content))
    for index in dropped:
        if index in rank:
            in_run[rank[index]] = 1
    first, last = page.body if page.body is not None else (1, 0)   # no body: no line is in it
    for found in run_finder(max(1, min(inside, outside))).finditer(in_run):
        run = content[found.start():found.end()]
        fresh = [i for i in run if i not in dropped]
        if not fresh:
            continue
        if any(first <= i <= last for i in fresh):
            before = found.start() - 1
            intro = page.lines[content[before]].rstrip().endswith(":") if before >= 0 else False
            if len(run) >= inside and not intro:
                drops.extend(fresh)
        elif len(run) >= outside:
            drops.extend(fresh)
    return drops + absorb_teasers(page, set(drops), int(rule.option("max_teaser_words", 40)))


@lru_cache(maxsize=16)
def run_finder(shortest: int) -> re.Pattern[bytes]:
    """A pattern that finds each row of at least `shortest` one-bytes, whole."""
    return re.compile(b"\x01{%d,}" % shortest)


def absorb_teasers(page: Page, menu: set[int], max_words: int) -> list[int]:
    """The sentences sandwiched between two menu-run lines: teaser blurbs of link lists.

    A list of related stories alternates headline, one-sentence blurb and time stamp; the
    headlines and stamps go as menu runs and the blurb between them goes too (jusText's
    context revision). Only a sentence of at most `max_words` words whose nearest lines on
    both sides were dropped by this rule is taken; a paragraph next to a heading stays.
    """
    if not menu:
        return []
    content, rank, dropped, sentence, words = page.content, page.rank, page.dropped, page.sentence, page.words
    # Only a line just after a menu line can lie between two: look there, not at every line.
    after_menu = sorted(rank[index] + 1 for index in menu)
    taken: list[int] = []
    for position in after_menu:
        if position + 1 >= len(content) or content[position + 1] not in menu:
            continue
        index = content[position]
        if index in menu or index in dropped or not sentence[index] or words[index] > max_words:
            continue
        taken.append(index)
    return taken


def drop_caption_lines(page: Page, rule: Rule, shape: Mapping[str, float]) -> list[int]:
    """Drop an image caption left between two paragraphs of the body.

    A caption is a short line without terminal punctuation whose next paragraph carries on
    from the previous one: it opens with a connective ("Therefore,", "In summary,") or in
    lower case. A heading introduces what follows, so "Background" before "The timeline…"
    stays. Weak: a caption followed by a paragraph that starts afresh is kept.
    """
    connectives = casefolded_connectives(rule)
    max_words = int(rule.option("max_words", 8))
    drops: list[int] = []
    short, words, dropped = page.short, page.words, page.dropped
    for index in [i for i in page.content if short[i] and words[i] <= max_words and i not in dropped]:
        text = page.texts[index]
        if text.endswith(("?", ":")) or page.facts[index].marked:
            continue
        before, after = page.neighbour(index, -1), page.neighbour(index, 1)
        if before is None or after is None or not (page.sentence[before] and page.sentence[after]):
            continue
        following = page.texts[after]
        folded = following.casefold()
        if following[:1].islower() or folded.startswith(connectives):
            drops.append(index)
    return drops


@lru_cache(maxsize=16)
def casefolded_connectives(rule: Rule) -> tuple[str, ...]:
    """The connectives of a caption rule, case-folded (once per rule, not per page)."""
    return tuple(c.casefold() for c in rule.params.get("connectives", ()))


def drop_repeated_lines(page: Page, rule: Rule, shape: Mapping[str, float]) -> list[int]:
    """Drop later copies of a line already seen in the document.

    Pages repeat captions, teasers and banners; the first copy stays so nothing said only
    once is lost. Lines shorter than `min_words` are left alone (a repeated "Yes." is prose).
    """
    min_words = int(rule.option("min_words", 4))
    counted = [i for i in page.content if page.words[i] >= min_words]
    # Lines that fold alike have the same ascii_key: a line whose key no other line has is
    # neither a copy nor copied, and need not be folded.
    lines, texts, facts = page.lines, page.texts, page.facts
    keys = [facts[i].quick for i in counted] if page.plain else \
        [facts[i].quick if len(lines[i]) == len(texts[i]) else ascii_key(strip_marker(lines[i])) for i in counted]
    shared = {key for key, count in Counter(keys).items() if count > 1}
    seen: set[str] = set()
    drops: list[int] = []
    for index in [i for i, quick in zip(counted, keys) if quick in shared] if shared else ():
        key = page.folded_raw(index)
        if key in seen:
            if index not in page.dropped:
                drops.append(index)
        else:
            seen.add(key)
    return drops


def drop_repeated_headline(page: Page, rule: Rule, shape: Mapping[str, float]) -> list[int]:
    """Drop the headline where it comes back as a paragraph of its own further down.

    The first content line is taken as the headline when it is not a sentence; its later
    copies are image slots or page furniture that repeat the title.
    """
    if not page.content:
        return []
    first = page.content[0]
    if page.sentence[first]:
        return []
    key = page.folded_raw(first)
    if not key:  # a first line of only punctuation is no headline (and would equal every such line)
        return []
    # Folding never lengthens a line, so only lines at least as long as the folded headline are folded.
    quick, lines, dropped = page.ascii_key(first), page.lines, page.dropped
    shortest, longest = len(key), 2 * len(lines[first]) + 40
    if page.plain:   # each line's facts describe it as it stands
        facts = page.facts
        return [i for i in page.content[1:] if i not in dropped and shortest <= len(lines[i]) <= longest
                and facts[i].quick == quick and facts[i].folded == key]
    return [i for i in page.content[1:] if i not in dropped and shortest <= len(lines[i]) <= longest
            and page.ascii_key(i) == quick and page.folded_raw(i) == key]


IMPLS: dict[str, Heuristic] = {
    "drop_menu_runs": drop_menu_runs,
    "drop_caption_lines": drop_caption_lines,
    "drop_repeated_lines": drop_repeated_lines,
    "drop_repeated_headline": drop_repeated_headline,
}


# --- the stage --------------------------------------------------------------------------


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the boilerplate stage from its enabled rules."""
    timeout = config.regex_timeout_seconds
    replace_rules = SimpleRules.compile([r for r in rules if r.kind == "regex_replace"], timeout)
    line_kinds = [r for r in rules if r.kind in LINE_KINDS]
    line_rules = LineRules.compile(line_kinds, timeout)
    heuristics: list[tuple[Heuristic, Rule]] = []
    for rule in rules:
        if rule.kind in LINE_KINDS or rule.kind == "regex_replace":
            continue
        if rule.kind != "code" or rule.impl not in IMPLS:
            raise RuleError(f"{rule.source}: {rule.code}: the boilerplate stage has no kind {rule.kind!r} "
                            f"with impl {rule.impl!r}")
        heuristics.append((IMPLS[rule.impl], rule))
    shape = dict(SHAPE_DEFAULTS)
    for _, rule in heuristics:
        shape.update({k: float(v) for k, v in rule.options.items() if k in SHAPE_DEFAULTS})
    # The LineFacts of the lines this stage has read, screened for its exact rules.
    memo = LineMemo(line_rules.screen_text, shape)

    def boilerplate(doc: Document) -> tuple[Document, list[Change]]:
        doc, changes = replace_rules.apply(doc)
        if not (line_kinds or heuristics) or not doc.text.strip():
            return doc, changes
        text, made, warnings = clean_lines(doc.text, line_rules, heuristics, shape, config,
                                           doc.meta.get("lang"), memo)
        changes.extend(made)
        if warnings:
            doc = doc.with_meta(warnings=[*doc.meta.get("warnings", ()), *warnings])
        return (doc.with_text(text) if text != doc.text else doc), changes

    return boilerplate


def clean_lines(text: str, line_rules: LineRules, heuristics: Sequence[tuple[Heuristic, Rule]],
                shape: Mapping[str, float], config: Config, lang: str | None, memo: LineMemo | None = None) \
        -> tuple[str, list[Change], list[str]]:
    """Apply exact rules, then heuristics under the removal guard; return text, changes, warnings."""
    lines = text.split("\n")
    changes: list[Change] = []
    stripped = strip_affixes(lines, line_rules, lang, changes)
    page = read_page(lines, shape, LineMemo(line_rules.screen_text, shape) if memo is None else memo)
    page.dropped.update(stripped)
    # The body as the exact rules find it is needed only when a head or tail rule matches a line
    # past the zone's first lines (seldom): it is found then, from the lines dropped before them.
    found = False

    def body_before() -> tuple[int, int] | None:
        nonlocal found
        if not found:
            find_structure(page, shape, stripped)
            found = True
        return page.body

    in_zone = zone_finder(page, body_before)
    timed_out: set[Rule] = set()
    # Only the line being matched is dropped in this loop, so who is dropped is known before it.
    facts, dropped = page.facts, page.dropped
    # The memo screened each text as it met it (a memo without a screen leaves None: screen now).
    screened = [i for i in page.content if (facts[i].screened if facts[i].screened is not None
                                            else line_rules.may_match(page, i)) and i not in dropped]
    before = len(dropped)
    for index in screened:
        rule = line_rules.match_screened(page, index, zone_test(in_zone, index), timed_out)
        if rule is None or not rule.applies_to(lang):
            continue
        if rule.mode == "flag":
            changes.append(line_change(rule, index + 1, lines[index], "", "flag"))
            continue
        page.dropped[index] = rule
    changes.extend(timed_out_change(rule, line_rules.timeout) for rule in sorted(timed_out, key=lambda r: r.code))
    if len(dropped) != before or not found:   # otherwise the lists and the body are what they were
        find_structure(page, shape)
        found = True
    cut_sections(page, line_rules, in_zone, lang)
    proposed: dict[int, Rule] = {}
    for heuristic, rule in heuristics:
        for index in heuristic(page, rule, shape):
            proposed.setdefault(index, rule)
    warnings: list[str] = []
    if proposed:
        share = guarded_share(page, proposed)
        if share > config.max_heuristic_removal:
            # Only what the guard counts is held back: menus and footers outside the body still go.
            held = {i: r for i, r in proposed.items() if page.body is None or page.in_body(i)}
            page.dropped.update({i: r for i, r in proposed.items() if i not in held})
            message = (f"boilerplate: heuristic rules would remove {share:.0%} of the words "
                       f"(limit {config.max_heuristic_removal:.0%}); kept {len(held)} lines")
            warnings.append(message)
            for rule in dict.fromkeys(held.values()):
                first = min(i for i, r in held.items() if r is rule)
                changes.append(line_change(rule, first + 1, lines[first], lines[first], "flag", message))
        else:
            page.dropped.update(proposed)
    for index in sorted(page.dropped):
        if index not in stripped:
            changes.append(line_change(page.dropped[index], index + 1, lines[index], "", "remove"))
    changes.sort(key=LINE_AND_COLUMN)
    if not page.dropped and lines == text.split("\n"):
        return text, changes, warnings
    return join_kept(page), changes, warnings


def join_kept(page: Page) -> str:
    """remove_lines() of the page's dropped lines, from what the page knows of its lines.

    Two kept lines stand a blank line apart when any line between them is blank, that is
    when more lines lie between them than content lines: one C loop for each step, not a
    Python loop over every line. A dropped line that is blank (never, but for a prefix
    rule that cuts spaces alone) leaves this to remove_lines().
    """
    lines, content, rank, dropped = page.lines, page.content, page.rank, page.dropped
    if not all(map(rank.__contains__, dropped)):
        return remove_lines(lines, dropped.keys())
    kept = list(filterfalse(dropped.__contains__, content))
    if not kept:
        return ""
    places = list(map(rank.__getitem__, kept))
    apart = map(ne, map(sub, kept[1:], kept), map(sub, places[1:], places))
    text = "".join(chain.from_iterable(zip(map(SEPARATORS.__getitem__, apart), map(lines.__getitem__, kept[1:]))))
    return lines[kept[0]] + text + ("\n" if lines[-1] == "" else "")


SEPARATORS = ("\n", "\n\n")   # between two kept lines: none blank between them, some


LINE_AND_COLUMN = attrgetter("line", "col")


def cut_sections(page: Page, line_rules: LineRules, in_zone: Callable[[Rule, int], bool],
                 lang: str | None) -> None:
    """Drop a comment thread, related-stories block or page footer: its heading and every line after it.

    The heading must come after the start of the article body and after `min_words_before`
    words of sentences, so a "Comments" link in the top bar cuts nothing. A rule may also ask
    that `min_share_before` of the page's sentence words lie before the heading: the strong
    end-of-article markers (tags, "Filed under", copyright, sign-in boxes) cut only once most
    of the article is behind them, so a share bar at the top or a "Related" box in the middle
    never takes the article with it. With `anchor_dropped` a line that an exact rule has
    already dropped (a copyright line) still anchors the cut. The lines after the heading go
    whatever their shape: the rule is written for these sections, whose comments and
    teasers read as prose. Weak where a page puts such a section in the middle of the
    article: the article's end goes with it.
    """
    if not (line_rules.sections or line_rules.section_patterns) or page.body is None:
        return
    content, words, sentence, dropped = page.content, page.words, page.sentence, page.dropped
    start = page.body[0]
    facts = page.facts
    # A text already found to be no heading (section None) is passed over without a call.
    first = bisect_right(content, start)
    headings = [(position, index) for position, index in enumerate(content[first:], first)
                if words[index] <= MAX_HEADING_WORDS and facts[index].section is not None]
    prose: set[int] | None = None
    total = 1
    for position, index in headings:
        rule = line_rules.match_section(page.texts[index], page, index)
        if rule is None or not rule.applies_to(lang) or not in_zone(rule, index):
            continue
        if index in dropped and not rule.option("anchor_dropped", False):
            continue
        # What lies before the heading (and the heading itself) is counted only for a heading.
        if prose is None:
            prose = prose_lines(page)
            total = sum(words[i] for i in prose) or 1
        upto = content[:position + 1]
        seen_words = sum(words[i] for i in upto if sentence[i] and i not in dropped)
        seen_prose = sum(words[i] for i in upto if i in prose)
        if seen_words < int(rule.option("min_words_before", 100)) \
                or seen_prose < float(rule.option("min_share_before", 0.0)) * total:
            continue
        for later in content[position:]:
            dropped.setdefault(later, rule)
        return


def prose_lines(page: Page, alone_words: int = 100) -> set[int]:
    """The kept sentences that stand in running prose: next to another sentence, or long.

    Teaser blurbs of story lists sit alone between a headline and a time stamp; article
    paragraphs follow one another. Counting only running prose keeps a long list of
    teasers from outweighing the article when the share of the page before a marker is
    measured.
    """
    content, sentence, dropped, words = page.content, page.sentence, page.dropped, page.words
    running = [sentence[i] and i not in dropped for i in content]
    last = len(content) - 1
    prose: set[int] = set()
    for position in compress(range(len(content)), running):
        # A dropped time stamp or headline still parts two blurbs, so neighbours are taken
        # among all lines, dropped or not.
        index = content[position]
        if words[index] >= alone_words or (position > 0 and running[position - 1]) \
                or (position < last and running[position + 1]):
            prose.add(index)
    return prose


def guarded_share(page: Page, proposed: Mapping[int, Rule]) -> float:
    """The share of the document's words that the heuristics would take from the article body.

    Menus and footers outside the body are what the heuristics are for, so only removals
    inside the body count; when no body is found every removal counts. A page of chrome
    around a short article can lose far more than the limit without any warning.
    """
    words = page.words
    total = sum(words) or 1
    if page.body is None:
        return sum(map(words.__getitem__, proposed)) / total
    first, last = page.body
    return sum(words[i] for i in proposed if first <= i <= last) / total


def strip_affixes(lines: list[str], line_rules: LineRules, lang: str | None,
                  changes: list[Change]) -> dict[int, Rule]:
    """Cut glued prefixes and suffixes off lines in place; return lines left empty, by rule.

    Labels can come stacked ("Summary – Summary –"); each is cut in turn, so a second
    run finds nothing left to cut.
    """
    emptied: dict[int, Rule] = {}
    for at_start in (True, False):
        if (line_rules.prefix if at_start else line_rules.suffix) is None:
            continue
        # Most lines open and end so that no label can be cut: a lookup by their first or
        # last characters leaves them out before any regex runs (see KeyScreen).
        if at_start:
            opens = line_rules.may_open_with_prefix
            candidates = [i for i, line in enumerate(lines) if line and opens[line[:PREFIX_CHARS]]]
        else:
            ends = line_rules.may_end_with_suffix
            candidates = [i for i, line in enumerate(lines) if line and ends[line[-PREFIX_CHARS:]]]
        for index in candidates:
            line = lines[index]
            if index in emptied:
                continue
            rest, offset, cut_by = line, 0, None
            for _ in range(MAX_STACKED_LABELS):
                found = find_prefix(rest, line_rules) if at_start else find_suffix(rest, line_rules)
                if found is None:
                    break
                match, rule = found
                if not rule.applies_to(lang) or rule.mode == "flag":
                    break
                cut_by = rule
                changes.append(Change(rule.code, rule.stage, index + 1, offset + match.start() + 1, "remove",
                                      match.group(), "", rule.summary))
                if at_start:
                    stripped = rest[match.end():].lstrip()
                    offset += len(rest) - len(stripped)
                    # A bullet the label hid now opens the line: write it as canonicalization
                    # would have ("- "), so a second run changes nothing.
                    rest = BULLET_LINE.sub("- ", stripped, count=1)
                else:
                    rest = rest[:match.start()].rstrip()
                rest = fix_dangling(rest, rule)
                if not rest:
                    break
            if cut_by is None:
                continue
            if not rest.strip():
                emptied[index] = cut_by
                continue
            lines[index] = rest
    return emptied


def find_prefix(text: str, line_rules: LineRules) -> tuple[regex.Match[str], Rule] | None:
    """The glued label at the start of a line, with the rule that names it."""
    assert line_rules.prefix is not None
    if not line_rules.may_open_with_prefix[text[:PREFIX_CHARS]]:
        return None  # what pick() finds too, without its screens
    pattern = line_rules.prefix.pick(text)
    match = pattern.match(text, timeout=line_rules.timeout) if pattern is not None else None
    return (match, owner(match, line_rules.prefix.rules)) if match is not None else None


def find_suffix(text: str, line_rules: LineRules) -> tuple[regex.Match[str], Rule] | None:
    """The glued label at the end of a line, looked for in its last SUFFIX_WINDOW characters.

    Labels are short; searching a long paragraph from its start for one costs time in
    proportion to the paragraph. The match is found in a window of the line's end, on
    the whole line's positions, so what is reported and cut is the same.
    """
    assert line_rules.suffix is not None and line_rules.suffix_end is not None
    if not line_rules.may_end_in_suffix(text):
        return None
    # Only a match that ends the line is cut; when none can, the window need not be searched.
    if line_rules.suffix_end.search(text, timeout=line_rules.timeout) is None:
        return None
    start = max(0, len(text) - SUFFIX_WINDOW)
    # Lookbehinds may look before the window but give no anchors, so the window is what to screen.
    pattern = line_rules.suffix.pick_anywhere(text[start:])
    match = pattern.search(text, start, timeout=line_rules.timeout) if pattern is not None else None
    if match is None or match.end() != len(text):
        return None
    return match, owner(match, line_rules.suffix.rules)


def fix_dangling(rest: str, rule: Rule) -> str:
    """Mend the punctuation a cut label leaves behind (".," at the end becomes ".")."""
    for junk, mended in rule.params.get("mend_endings", {}).items():
        if rest.endswith(junk):
            return rest[: -len(junk)] + str(mended)
    return rest


def zone_test(in_zone: Callable[[Rule, int], bool], index: int) -> Callable[[Rule], bool]:
    """Fix the line of a zone test, for rule lookups that ask about one line."""
    return lambda rule: in_zone(rule, index)


def zone_finder(page: Page, body_of: Callable[[], tuple[int, int] | None] | None = None) \
        -> Callable[[Rule, int], bool]:
    """Return a test: does a line lie in the zone a rule is limited to?

    The head is the first `zone_lines` content lines (an option of the rule, default
    DEFAULT_ZONE_LINES) plus every line before the article body; the tail mirrors it.
    The body is the page's as it stands when asked, or what `body_of` says then.
    """
    rank = page.rank
    count = len(page.content)

    def in_zone(rule: Rule, index: int) -> bool:
        if rule.zone == "any":
            return True
        zone_lines = int(rule.option("zone_lines", DEFAULT_ZONE_LINES))
        if rule.zone == "head":
            if rank[index] < zone_lines:
                return True
            body = page.body if body_of is None else body_of()
            return body is not None and index < body[0]
        if rank[index] >= count - zone_lines:
            return True
        body = page.body if body_of is None else body_of()
        return body is not None and index > body[1]

    return in_zone
