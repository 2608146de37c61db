"""Split a Title Case heading that a scraper glued to the paragraph under it.

"…Over Moscow Amid Rising TensionsThe prospect of Donald Trump…" lost the line break
between a heading and its paragraph. The split is made only when every signal agrees:
the left part starts a line (or follows a finished sentence) and reads as a Title Case
heading of a few words; the glued word's left half is a real word of three letters or
more; the right half is a common sentence opener ("The", "This", "In", …) followed by a
sentence that ends in punctuation; and the glued word is not a known inner-capital name
(iPhone, McDonald, JavaScript, LinkedIn…, listed in the rule). Weak spot: a brand name
missing from that list whose second half is an opener ("PlugIn for…") can still be split.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import islice

import regex

# A word whose lower-case letter is directly followed by an upper-case word: the glue point
# lies between the two groups.
GLUED = regex.compile(r"\b(\p{Lu}[\p{L}'’]*?\p{Ll})(\p{Lu}\p{Ll}*)(\p{L}*)\b")
HEADING_START = regex.compile(r"(?:^|(?<=[.!?][\"')\]]?\s))(?=\p{Lu}|\d)")
SENTENCE_END = regex.compile(r"[.!?:;][\"')\]]*\s*$")
INNER_STOP = regex.compile(r"[.!?]\s")
TOKEN = regex.compile(r"\S+")


@dataclass(frozen=True)
class HeadingWords:
    """The word lists the rule file gives: openers, small title words, and names to keep."""

    openers: frozenset[str]
    minor: frozenset[str]
    keep: frozenset[str]
    min_heading_words: int = 3
    max_heading_words: int = 25
    min_sentence_words: int = 5


def _is_title_case(words: list[str], minor: Collection[str]) -> bool:
    for word in words:
        core = word.strip("\"'()[]:,;-–—")
        if not core:
            continue
        if core[0].isupper() or core[0].isdigit() or core.lower() in minor:
            continue
        return False
    return True


def find_glue(line: str, words: HeadingWords) -> int | None:
    """Return the offset where a glued heading ends and its paragraph starts, if any.

    >>> w = HeadingWords(frozenset({"The"}), frozenset({"of", "over"}), frozenset({"linkedin"}))
    >>> line = "The Scope of Influence Over Moscow Amid Rising TensionsThe prospect of a deal is slim."
    >>> line[find_glue(line, w):][:12]
    'The prospect'
    >>> find_glue("Follow Our Team On LinkedIn for the latest news today.", w) is None
    True
    """
    for match in GLUED.finditer(line):
        left_half, opener, rest = match.group(1), match.group(2), match.group(3)
        if rest or opener not in words.openers or len(left_half) < 3:
            continue
        if (left_half + opener).casefold() in words.keep:
            continue
        cut = int(match.start(2))
        starts = [m.start() for m in HEADING_START.finditer(line, 0, match.start())]
        if not starts:
            continue
        heading = line[starts[-1]:cut]
        heading_words = TOKEN.findall(heading)
        if not words.min_heading_words <= len(heading_words) <= words.max_heading_words:
            continue
        if INNER_STOP.search(heading) or not _is_title_case(heading_words, words.minor):
            continue
        sentence = line[cut:]
        # Only the first few words are looked at: enough to count to the minimum, and 1-3.
        sentence_words = [m.group() for m in islice(TOKEN.finditer(sentence), max(words.min_sentence_words, 4))]
        if len(sentence_words) < words.min_sentence_words or not SENTENCE_END.search(sentence):
            continue
        if not any(w[:1].islower() for w in sentence_words[1:4]):
            continue
        return cut
    return None


def split_line(line: str, words: HeadingWords) -> list[str]:
    """Split one line at every glued heading: [text before, heading, paragraph] as separate blocks."""
    cut = find_glue(line, words)
    if cut is None:
        return [line]
    head, tail = line[:cut], line[cut:]
    start = [m.start() for m in HEADING_START.finditer(head)][-1]
    pieces = [head[:start].rstrip(), head[start:].strip()] if start else [head.strip()]
    return [p for p in pieces if p] + split_line(tail, words)
