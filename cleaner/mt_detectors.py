"""Generic machine-translation detectors: code-backed rules that reach past the glossary.

Each detector is a plain function `(text, rule) -> list[Hit]`, registered by name in
DETECTORS; the rule that names it (`impl`) carries its mode, score signal and any word
lists in rules/translation_generic.toml. A Hit whose `after` equals the matched text has
no safe rendering and is only ever flagged.

Most of these shapes also occur, rarely, in native English scraped from the web, so
they flag by default or repair only inside documents the MT score already marks as
translated (mode auto-if-context).

Every detector runs on every document (the MT score needs them all), so each first asks
a cheap question its artifact cannot escape (a literal, a character, a regex led by a
literal) and returns early when the answer is no; the guards only ever skip work, never
change what is found.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import regex

from cleaner.mt_rules import Hit
from cleaner.ruleset import Rule

Detector = Callable[[str, Rule], list[Hit]]


@lru_cache(maxsize=1 << 16)
def zipf_en(word: str) -> float:
    """English word frequency on the Zipf scale (0 = unknown, 7 = "the"), from wordfreq.

    wordfreq ships its data inside the package, so this works offline; the import is
    deferred so that documents without a candidate word never load it.
    """
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=256)
def _words(rule: Rule, key: str) -> frozenset[str]:
    value: Any = rule.params.get(key, [])
    return frozenset(str(item).casefold() for item in value)


# Where the non-ASCII characters of a text are: the stage and several detectors ask about
# the same text, so the answer for the last text asked about is kept (a str never changes,
# and the reference kept makes `is` a safe test). Encoding to ASCII finds the runs in C:
# the error handler hears of each run and puts a "?" for each of its characters.
_RUN_NOTES = threading.local()
_NOTE_RUNS = "cleaner.note-non-ascii-runs"
_last_encoding: tuple[str, tuple[tuple[int, int], ...], bytes] = ("", (), b"")


def _note_run(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    _RUN_NOTES.runs.append((error.start, error.end))
    return "?" * (error.end - error.start), error.end


codecs.register_error(_NOTE_RUNS, _note_run)


def _ascii_encoding(text: str) -> tuple[tuple[tuple[int, int], ...], bytes]:
    global _last_encoding
    last_text, runs, encoded = _last_encoding
    if last_text is text:
        return runs, encoded
    noted: list[tuple[int, int]] = []
    _RUN_NOTES.runs = noted
    encoded = text.encode("ascii", _NOTE_RUNS)
    runs = tuple(noted)
    _last_encoding = (text, runs, encoded)
    return runs, encoded


def non_ascii_runs(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) offsets of the text's runs of non-ASCII characters, in order."""
    return () if text.isascii() else _ascii_encoding(text)[0]


def ascii_marked(text: str) -> bytes:
    """The text in ASCII, with a "?" for each character beyond (`text.encode("ascii", "replace")`)."""
    return text.encode("ascii") if text.isascii() else _ascii_encoding(text)[1]


# Capitalized word after a lower-case word or a comma: a name in the middle of a sentence.
MID_SENTENCE_CAPITAL = regex.compile(r"(?<=[\p{Ll},;]\s{1,3})\p{Lu}\p{Ll}{3,15}(?![\w'’-])")
# The same with ASCII classes, which `regex` tests several times faster than Unicode
# properties: it finds what the pattern above finds where every letter and space it looks
# at is ASCII. The look-behind goes after the first four letters, so a short capitalized
# word ("The", "He") fails before it is read; `ASCII_SPACE` is `regex`'s \s in ASCII.
ASCII_SPACE = r"[\t\n\x0b\x0c\r ]"
ASCII_MID_SENTENCE_CAPITAL = regex.compile(
    rf"[A-Z][a-z]{{3}}(?<=[a-z,;]{ASCII_SPACE}{{1,3}}....)[a-z]{{0,12}}(?![\w'’-])"
)
# A match starts at most this far after a character its look-behind reads, and ends
# at most this far after one it holds.
_LOOK_BEHIND_REACH = 4
_WORD_REACH = 16
# Up to this many non-ASCII characters (or runs of them) are looked at one by one;
# beyond, one scan of the whole text is cheaper.
_FEW_NON_ASCII = 64


@lru_cache(maxsize=4096)
def _letter_or_space(char: str) -> bool:
    return regex.match(r"[\p{Lu}\p{Ll}\s]", char) is not None


def mid_sentence_capitals(text: str) -> set[str]:
    """The words MID_SENTENCE_CAPITAL finds in the text, found with ASCII classes where they do.

    Every match of the ASCII pattern is a match of the Unicode one (its classes are subsets
    and the look-ahead is the same); a match it misses reads a non-ASCII capital, lower-case
    letter or space, so the Unicode pattern is run only around those.
    """
    # Held, the GIL is not taken back for every match findall adds to its list.
    words = set(ASCII_MID_SENTENCE_CAPITAL.findall(text, concurrent=False))
    runs = non_ascii_runs(text)
    if not runs:
        return words
    if sum(end - start for start, end in runs) > _FEW_NON_ASCII:
        return set(MID_SENTENCE_CAPITAL.findall(text))
    scan_start = scan_end = -1
    for start, end in runs:
        for index in range(start, end):
            if not _letter_or_space(text[index]):
                continue
            low, high = max(0, index - _WORD_REACH + 1), min(len(text), index + _LOOK_BEHIND_REACH + _WORD_REACH + 1)
            if low <= scan_end:
                scan_end = high  # one scan covers this character and the ones before
                continue
            if scan_end >= 0:
                words.update(_matches_within(text, scan_start, scan_end))
            scan_start, scan_end = low, high
    if scan_end >= 0:
        words.update(_matches_within(text, scan_start, scan_end))
    return words


def _matches_within(text: str, start: int, end: int) -> list[str]:
    # Matches of a scan of text[start:end] (its look-behind sees the text before `start`);
    # one that reaches `end` may have been cut short there, and any match that holds a
    # character the scan is for ends before it.
    return [match.group() for match in MID_SENTENCE_CAPITAL.finditer(text, start, end)
            if match.end() < end or end == len(text)]


def flag_transliterations(text: str, rule: Rule) -> list[Hit]:
    """Flag capitalized mid-sentence words no English lexicon knows ("Udonian", "Halkov").

    Back-transliterated names are invented words, so the lexicon never saw them; real
    but rare names (a local councillor) are unknown too, which is why this only flags
    and counts at most once towards the MT score; each word is flagged once per document.
    Words followed by another capitalized word are skipped: multi-word names are usually
    real names.
    """
    # Only the first match of a word counts (later ones are "seen"), and only words the
    # lexicon does not know can be flagged: find those among the distinct words first.
    words = mid_sentence_capitals(text)
    classified, unknown_words = _word_verdicts(rule)
    new = words - classified
    if new:
        max_zipf = float(rule.params.get("max_zipf", 0.0))
        known = _words(rule, "known")
        for word in new:
            folded = word.casefold()
            if folded not in known and zipf_en(folded) <= max_zipf:
                unknown_words.add(word)
        classified |= new  # after its verdict is in `unknown_words`, for other threads
    unknown = words & unknown_words
    hits = []
    for word in unknown:
        # The word's first match: its first occurrence that the pattern matches as a whole
        # word there (a match is a capital and lower-case letters, so none overlaps another).
        index = text.find(word)
        while index >= 0:
            match = MID_SENTENCE_CAPITAL.match(text, index)
            if match is not None and match.end() == index + len(word):
                following = text[match.end():match.end() + 2]
                if not (following[:1] == " " and following[1:2].isupper()):
                    hits.append(Hit(match.start(), match.end(), rule, word))
                break
            index = text.find(word, index + 1)
    hits.sort(key=lambda hit: hit.start)
    return hits


# Words already looked up, per rule: all of them, and those the lexicon does not know.
# The sets only grow (a word joins `classified` after its verdict is in), and are
# replaced, never emptied, when they get large, so threads sharing them stay right.
MAX_VERDICTS = 200_000
_VERDICTS: dict[Rule, tuple[set[str], set[str]]] = {}


def _word_verdicts(rule: Rule) -> tuple[set[str], set[str]]:
    verdicts = _VERDICTS.get(rule)
    if verdicts is None or len(verdicts[0]) > MAX_VERDICTS:
        if len(_VERDICTS) > 64:
            _VERDICTS.clear()
        verdicts = _VERDICTS[rule] = (set(), set())
    return verdicts


# " and " with the same word (3 to 40 letters, whole) before it and opening what follows:
# led by the literal, so `regex` scans for it fast, then reads back and ahead in C.
DOUBLED = regex.compile(r"(?<=(?<![\w-])(\p{L}{3,40})) and (?=\1)")


def fix_reduplication(text: str, rule: Rule) -> list[Hit]:
    """Collapse "bullied and bullied" (a Chinese doubled verb) to "bullied".

    Native English doubles comparatives and a few adverbs and nouns for effect ("more
    and more", "again and again", "bigger and bigger", "years and years"); those are
    kept by the rule's `keep` list and by skipping -er comparatives and plurals.
    """
    keep = _words(rule, "keep")
    hits = []
    for match in DOUBLED.finditer(text):
        word = match.group(1)
        right_end = match.end() + len(word)
        folded = word.casefold()
        following = text[right_end:right_end + 1]
        if (not (following.isalnum() or following in ("-", "_"))
                and folded not in keep and not folded.endswith(("er", "s"))):
            hits.append(Hit(match.start(1), right_end, rule, word))
    return hits


FIRST_TIME_CALQUE = regex.compile(
    r"(?i)(?<![\w-])(?:is|was)(?:\s+not|n't)\s+the\s+first\s+time\s+(?:for\s+\p{L}+(?:\s+\p{L}+)?\s+)?to\s+\p{L}+"
)
FIRST_TIME = regex.compile(r"(?i)first\s+time")  # inside every match; led by a literal, so fast


def flag_first_time_calque(text: str, rule: Rule) -> list[Hit]:
    """Flag "X is not the first time to Y" (不是第一次), which needs a human rewrite.

    The subject of the Chinese sentence is the actor, not the occasion; the English
    wants "It is not the first time X has Y-ed", and the verb form cannot be guessed.
    """
    if FIRST_TIME.search(text) is None:
        return []
    return [Hit(m.start(), m.end(), rule, m.group()) for m in FIRST_TIME_CALQUE.finditer(text)]


def may_say_first_time_at(text: str, offsets: Mapping[str, Sequence[int]]) -> bool:
    """False only when FIRST_TIME cannot match, read from where "first" stands in the text.

    `offsets` are those of a casefolded copy as long as the text: no character grew, so
    the text holds no dotted capital I, the one character a case-insensitive "i" takes
    whose casefold is not "i"; every other letter of a match casefolds to its own.
    """
    return "first" in offsets


WAN = regex.compile(
    r"(?<![\w.,])(?P<n>\d+(?:\.\d+)?)\s+(?:(?P<ten>Ten\s+thousand)|(?P<more>More\s+than\s+10000))(?![\w-])"
)


def format_count(value: float) -> str:
    """Write a count the way English news does.

    >>> format_count(500000), format_count(4000000), format_count(1500000)
    ('500,000', '4 million', '1.5 million')
    """
    if value >= 1_000_000 and value % 100_000 == 0:
        millions = value / 1_000_000
        return f"{millions:g} million"
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def fix_wan_numerals(text: str, rule: Rule) -> list[Hit]:
    """Turn "50 Ten thousand" (50万) into "500,000" and "400 More than 10000" into "more than 4 million".

    万 is ten thousand; MT writes the unit as words after the digits, with a capital
    letter in mid-sentence that native text does not have.
    """
    if "thousand" not in text and "10000" not in text:
        return []
    hits = []
    for match in WAN.finditer(text):
        value = float(match.group("n")) * 10_000
        rendered = format_count(value)
        hits.append(Hit(match.start(), match.end(), rule,
                        rendered if match.group("ten") else f"more than {rendered}"))
    return hits


YI = regex.compile(r"(?<=[\p{Ll},]\s)(?P<n>\d+(?:\.\d+)?)\s+Billion(?![\w-])")


def flag_yi_billion(text: str, rule: Rule) -> list[Hit]:
    """Flag "3.2 Billion" with a capital B mid-sentence: 亿 is 100 million, not a billion.

    Real billions are common, so this never edits; the suggestion is the 亿 reading.
    """
    if "Billion" not in text:
        return []
    hits = []
    for match in YI.finditer(text):
        rendered = format_count(float(match.group("n")) * 100_000_000)
        hits.append(Hit(match.start(), match.end(), rule, f"{rendered} (if 亿) or {match.group('n')} billion"))
    return hits


CJK_RUN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+")
# Every Han, kana or Hangul letter lies in U+1100-U+1FFF, U+2E80-U+2FFF or U+3000 and up
# (checked over all code points by a test). In UTF-8 those open with the byte E1, E3-F4,
# or E2 followed by BA-BF: bytes.translate marks them ("X", "Y" then "Z") far faster than
# a character class search over the text.
_CJK_BYTES = bytes(
    ord("X") if b == 0xE1 or 0xE3 <= b <= 0xF4 else ord("Y") if b == 0xE2 else ord("Z") if 0xBA <= b <= 0xBF
    else ord(".") for b in range(256)
)


def may_hold_cjk(text: str) -> bool:
    """False only when the text cannot hold a Han, kana or Hangul letter."""
    if text.isascii():
        return False
    runs = non_ascii_runs(text)
    if len(runs) > _FEW_NON_ASCII:
        marked = text.encode("utf-8", "surrogatepass").translate(_CJK_BYTES)
        return b"X" in marked or b"YZ" in marked
    # The same test on the few non-ASCII characters: a letter of those scripts is in
    # U+1000-U+1FFF or at U+2E80 and up (what the UTF-8 bytes above mark).
    for start, end in runs:
        run = text[start:end]
        highest = max(run)
        if highest >= "\u2e80" or (highest >= "\u1000" and any("\u1000" <= char <= "\u1fff" for char in run)):
            return True
    return False


GLOSS_AFTER = regex.compile(r"\s*[(（](?P<gloss>[\p{Latin}][\p{Latin}\s'-]{1,60})[)）]")
LATIN = regex.compile(r"\p{Latin}")


def fix_leaked_cjk(text: str, rule: Rule) -> list[Hit]:
    """Flag CJK text left inside English prose; keep the English gloss when MT gave one.

    "conduct a突击行动 (raiding operation)" becomes "conduct a raiding operation". A CJK
    gloss after an English term, "guanxi (关系)", is deliberate and left alone, as are
    lines that are mostly CJK (not English prose at all).
    """
    if not may_hold_cjk(text):
        return []
    hits = []
    for match in CJK_RUN.finditer(text):
        start, end = match.span()
        before = text[start - 1:start] if start else ""
        if before in "(（\"“'‘「《【":
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if len(LATIN.findall(line)) < 3 * sum(len(run) for run in CJK_RUN.findall(line)):
            continue
        gloss = GLOSS_AFTER.match(text, end)
        if gloss is None:
            hits.append(Hit(start, end, rule, match.group()))
            continue
        space = " " if before.isalpha() else ""
        hits.append(Hit(start, gloss.end(), rule, space + gloss.group("gloss").strip()))
    return hits


SPACED_TAG = regex.compile(
    r"(?i)[ \t]*<\s*/?\s*(?:p|span|div|br|strong|em|b|i|a|h[1-6]|li|ul)\s*/?\s*>"
)
SPACED_ENTITY = regex.compile(r"(?i)&\s+(?P<name>quot|amp|nbsp|lt|gt|apos|#39);")
ENTITY_TEXT = {"quot": '"', "amp": "&", "nbsp": " ", "lt": "<", "gt": ">", "apos": "'", "#39": "'"}


def fix_markup_debris(text: str, rule: Rule) -> list[Hit]:
    """Remove HTML tags that MT spaced out ("< / P >") and decode spaced entities ("& quot;").

    An intact tag or entity is someone's code sample and is left alone: only the
    spaced-out forms, which no browser or author writes, are debris.
    """
    if "<" not in text and "&" not in text:
        return []
    hits = []
    for match in SPACED_TAG.finditer(text):
        tag = match.group().strip()
        if " " in tag or "\t" in tag:
            hits.append(Hit(match.start(), match.end(), rule, ""))
    for match in SPACED_ENTITY.finditer(text):
        hits.append(Hit(match.start(), match.end(), rule, ENTITY_TEXT[match.group("name").casefold()]))
    return hits


SPACE_BEFORE = regex.compile(
    r"(?<=\p{L})(?:\s+(?P<poss>'s)(?![\w-])|[ ]+(?P<punct>[,;])(?=\s|$)|[ ]+-(?P<hyphen>\p{Ll}{2,})(?![\w-]))"
)


def fix_space_before_punct(text: str, rule: Rule) -> list[Hit]:
    """Close the gap MT leaves before punctuation: "Biden 's", "Ukraine ,", "short -lived".

    Scrapers leave some of these in native text too (inline markup turned into a
    space), so this repairs only inside documents the MT score marks as translated.
    """
    if not _may_space_before(text):
        return []
    hits = []
    for match in SPACE_BEFORE.finditer(text):
        if match.group("poss"):
            after = "'s"
        elif match.group("punct"):
            after = match.group("punct")
        else:
            after = "-" + match.group("hyphen")
        hits.append(Hit(match.start(), match.end(), rule, after))
    return hits


# A space and a hyphen before a lower-case letter (any non-ASCII letter may be one);
# whitespace before "'s", found from the literal "'s" (a class first would be slow).
SPACE_HYPHEN = re.compile(" -[a-z\x80-\U0010ffff]")
SPACE_POSSESSIVE = re.compile(r"'s(?<=\s's)")


def _may_space_before(text: str) -> bool:
    # A match holds " ,", " ;", " -" + lower-case letter, or whitespace + "'s". The stdlib's
    # \s (str.isspace) holds every character `regex`'s does, so nothing is missed.
    return (" ," in text or " ;" in text or SPACE_HYPHEN.search(text) is not None
            or SPACE_POSSESSIVE.search(text) is not None)


def may_space_before_at(text: str, offsets: Mapping[str, Sequence[int]]) -> bool:
    """`_may_space_before(text)`, read from where " ,", " ;", " -" and "'s" stand in the text.

    `offsets` maps each of those literals to every place it occurs (offsets of a casefolded
    copy as long as the text, in which these characters are themselves): the stage has them
    from its one scan, so it needs none of the four scans the guard makes.
    """
    if " ," in offsets or " ;" in offsets:
        return True
    if any(SPACE_HYPHEN.match(text, start) for start in offsets.get(" -", ())):
        return True
    return any(start and text[start - 1].isspace() and text.startswith("'s", start)
               for start in offsets.get("'s", ()))


def fix_missing_sentence_space(text: str, rule: Rule) -> list[Hit]:
    """Put back the space a lost full-width 。 took with it: "Ukraine.In particular".

    Only before a closed list of sentence openers (TOML `openers`), so domain names
    and abbreviations ("example.com", "U.S.") are never split.
    """
    openers = _openers(rule)
    if not openers:
        return []
    pattern = _openers_pattern(openers)
    if _openers_guard(openers).search(text) is None:
        return []
    return [Hit(m.start(), m.end(), rule, ". ") for m in pattern.finditer(text)]


@lru_cache(maxsize=256)
def _openers(rule: Rule) -> str:
    return "|".join(regex.escape(str(word)) for word in rule.params.get("openers", []))


@lru_cache(maxsize=8)
def _openers_pattern(openers: str) -> regex.Pattern[str]:
    return regex.compile(rf"(?<=\p{{Ll}}{{3}})\.(?=(?:{openers})\s)")


@lru_cache(maxsize=8)
def _openers_guard(openers: str) -> re.Pattern[str]:
    # The pattern without its look-behind, led by a literal "." and run by the stdlib, which
    # scans several times faster; its \s (str.isspace) holds every character `regex`'s does.
    return re.compile(rf"\.(?=(?:{openers})\s)")


ALLCAPS_AFTER_ARTICLE = regex.compile(r"(?<=(?<![\w-])(?:the|a|an|of|that)\s)\p{Lu}{8,}(?![\w-])")


def fix_random_allcaps(text: str, rule: Rule) -> list[Hit]:
    """Lower-case a common word MT put in capitals mid-sentence ("the PARTICIPATION of").

    Acronyms are short or unknown to the lexicon; an eight-letter-plus word that the
    lexicon knows well in lower case is not an acronym.
    """
    min_zipf = float(rule.params.get("min_zipf", 3.0))
    if not _may_hold_capitals(text):
        return []
    hits = []
    for match in ALLCAPS_AFTER_ARTICLE.finditer(text):
        word = match.group()
        if zipf_en(word.casefold()) >= min_zipf:
            hits.append(Hit(match.start(), match.end(), rule, word.casefold()))
    return hits


# ASCII capitals and "?" (which stands for every non-ASCII character, a capital or not) -> "U".
_CAPITAL_BYTES = bytes(ord("U") if 65 <= b <= 90 or b == ord("?") else ord(".") for b in range(256))


def _may_hold_capitals(text: str) -> bool:
    # Eight capitals in a row make eight "U" bytes in a row.
    return b"UUUUUUUU" in ascii_marked(text).translate(_CAPITAL_BYTES)


# For some detectors, casefolded literals one of which the casefolded text holds whenever
# the detector finds anything: the stage finds them in its one scan over the document and
# calls the detector only then, which saves the detector's own guard scans.
DETECTOR_LITERALS: dict[str, tuple[str, ...]] = {
    "fix_wan_numerals": ("thousand", "10000"),
    "flag_yi_billion": ("billion",),
    "fix_markup_debris": ("<", "&"),
    "fix_space_before_punct": (" ,", " ;", " -", "'s"),
}

# For some detectors, casefolded literals their guard below reads the offsets of: the stage
# finds them in its one scan too, but they do not decide alone whether the detector runs.
GUARD_LITERALS: dict[str, tuple[str, ...]] = {
    "flag_first_time_calque": ("first",),
}

# For some detectors, the same test read from the offsets of their DETECTOR_LITERALS or
# GUARD_LITERALS (when the stage has offsets that are the text's own): False when the
# detector finds nothing.
DETECTOR_GUARDS: dict[str, Callable[[str, Mapping[str, Sequence[int]]], bool]] = {
    "fix_space_before_punct": may_space_before_at,
    "flag_first_time_calque": may_say_first_time_at,
}

DETECTORS: dict[str, Detector] = {
    "flag_transliterations": flag_transliterations,
    "fix_reduplication": fix_reduplication,
    "flag_first_time_calque": flag_first_time_calque,
    "fix_wan_numerals": fix_wan_numerals,
    "flag_yi_billion": flag_yi_billion,
    "fix_leaked_cjk": fix_leaked_cjk,
    "fix_markup_debris": fix_markup_debris,
    "fix_space_before_punct": fix_space_before_punct,
    "fix_missing_sentence_space": fix_missing_sentence_space,
    "fix_random_allcaps": fix_random_allcaps,
}
