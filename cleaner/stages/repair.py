"""Repair Unicode with ftfy, segment by segment, exactly as `ftfy.fix_text` does.

ftfy fixes text in independent segments (lines, or every `max_decode_length` code
points), and once a segment contains "<" it stops unescaping HTML for the rest of the
text. This stage gives the same result with far less work:

- one C-speed pass lists the characters of a document that are not plain printable
  ASCII (`unusual_characters`); a document without any is returned as it is;
- lines holding only plain ASCII and QUIET characters (curly quotes, dashes, NBSP,
  bullets..., proven at import never to look like mojibake) can only have their quotes
  uncurled and a CRLF end made LF: that is done for all of them at once;
- every other line goes to `fix_and_explain`, ftfy's own per-segment loop rebuilt from
  ftfy's functions, which skips the steps that provably cannot act.

The output is identical to `ftfy.fix_text(text, config)`; tests check that on the
benchmark corpus and on ftfy's own test cases, and check `fix_and_explain` against
ftfy's step for step.

One deliberate exception, for script awareness: in a segment that contains CJK
letters, ftfy's `fix_character_width` is switched off, so full-width CJK punctuation
("，", "？", "（") is never folded to ASCII.
"""

from __future__ import annotations

import re
import re._constants as sre_c
import unicodedata
from collections.abc import Sequence
from itertools import compress, count
from operator import ne
from typing import Any

import ftfy
import regex
from ftfy import FIXERS, ExplanationStep, fix_encoding_and_explain
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.fixes import uncurl_quotes, unescape_html

from cleaner.config import Config
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage

# ftfy fixer name -> the code-backed rule (impl) that reports it and switches it off.
FIXER_IMPLS: dict[str, str] = {
    "fix_encoding": "fix_mojibake",
    "restore_byte_a0": "fix_mojibake",
    "replace_lossy_sequences": "fix_mojibake",
    "decode_inconsistent_utf8": "fix_mojibake",
    "fix_c1_controls": "fix_mojibake",
    "unescape_html": "unescape_html",
    "remove_terminal_escapes": "remove_control_chars",
    "remove_control_chars": "remove_control_chars",
    "fix_latin_ligatures": "fix_width_and_ligatures",
    "fix_character_width": "fix_width_and_ligatures",
    "uncurl_quotes": "uncurl_quotes",
    "fix_line_breaks": "fix_line_breaks",
    "fix_surrogates": "fix_mojibake",
    "normalization": "normalize_nfc",
}

# Characters that can make ftfy change a segment by some path other than
# fix_encoding, unescape_html ("&") and uncurl_quotes: ASCII and C1 controls, CR and the Unicode line
# separators (fix_line_breaks), ESC (remove_terminal_escapes), U+206A-206F, BOM and
# U+FFF9-FFFC (remove_control_chars), Latin ligatures and digraphs
# (fix_latin_ligatures), U+3000 and the half/full-width block (fix_character_width),
# and surrogates (fix_surrogates).
UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3"
    r"\u2028\u2029\u206a-\u206f\u3000\ud800-\udfff\ufb00-\ufb06\ufeff\uff01-\uffef"
    r"\ufff9-\ufffc]"
)
# Where a segment stops being plain printable ASCII without "&": only segments holding
# one of these can be changed by ftfy at all.
INTERESTING = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


Step = tuple[str, str]


def _badness_reach() -> int | None:
    """How far around a non-ASCII character ftfy's badness regex can look, or None if unbounded.

    `is_bad` searches a large alternation over the whole segment, which costs far more
    than the rest of the cheap check on long lines. Every alternative of ftfy 6's
    BADNESS_RE needs at least one non-ASCII character and matches at most a few
    characters, and the only assertion it uses is "^"; so a match can only lie near a
    non-ASCII character. This reads the pattern's structure once, at import, and answers
    None (search whole segments, as ftfy does) if a future ftfy breaks those facts.
    """
    try:
        from re import _constants as sre
        from re import _parser as parser

        parsed = parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)

        def non_ascii_item(op: object, av: object) -> bool:
            if op is sre.LITERAL:
                return bool(int(av) > 0x7F)  # type: ignore[call-overload]
            if op is sre.IN:
                return all(kind is sre.LITERAL and value > 0x7F or kind is sre.RANGE and value[0] > 0x7F
                           for kind, value in av)  # type: ignore[attr-defined]
            return False

        def needs_non_ascii(items: object) -> bool:
            for op, av in items:  # type: ignore[attr-defined]
                if non_ascii_item(op, av):
                    return True
                if op is sre.BRANCH and all(needs_non_ascii(alt) for alt in av[1]):
                    return True
                if op is sre.SUBPATTERN and needs_non_ascii(av[-1]):
                    return True
            return False

        def asserts(items: object) -> bool:
            for op, av in items:  # type: ignore[attr-defined]
                if op in (sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS):
                    return True
                if op is sre.AT and av is not sre.AT_BEGINNING:
                    return True
                if op is sre.BRANCH and any(asserts(alt) for alt in av[1]):
                    return True
                if op is sre.SUBPATTERN and asserts(av[-1]):
                    return True
                if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and asserts(av[2]):
                    return True
            return False

        widest = parsed.getwidth()[1]
        if needs_non_ascii(parsed) and not asserts(parsed) and widest < 100:
            return int(widest)
    except Exception:  # a private module changed shape: fall back to ftfy's own search
        pass
    return None


BADNESS_REACH = _badness_reach()
NON_ASCII = re.compile(r"[^\x00-\x7f]+")


# Non-ASCII characters of ordinary clean English web text: quotes, dashes, ellipsis, NBSP,
# bullets and list markers, guillemets, primes, arrows, check marks, (C) (R) TM and the
# degree sign. When every non-ASCII character of a text is one of these, ftfy's badness
# regex cannot match, so `looks_bad` answers at once. That is proven against the regex
# itself when this module loads (every alternative needs some character outside this
# set); should a future ftfy break it, the set is not used.
BENIGN = (
    "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u00a0\u00b7"
    "\u25aa\u25e6\u25a0\u25a1\u25cf\u25cb\u25c6\u25c7\u25ba\u25b8\u2666\u27a4\u2605\u2606"
    "\u00ab\u00bb\u2039\u203a\u2032\u2033\u2190\u2192\u2191\u2193\u2713\u2714"
    "\u00a9\u00ae\u2122\u00b0"
)


def _item_blocked(op: object, av: Any, allowed: set[str]) -> bool:
    """True when this item can only match characters outside `allowed`."""
    if op is sre_c.LITERAL:
        return chr(av) not in allowed
    if op is sre_c.IN:
        negate = any(o is sre_c.NEGATE for o, _ in av)
        if negate:
            return False
        for o, a in av:
            if o is sre_c.LITERAL and chr(a) in allowed:
                return False
            if o is sre_c.RANGE and any(a[0] <= ord(c) <= a[1] for c in allowed):
                return False
            if o is sre_c.CATEGORY:
                return False
        return True
    return False

def _alternative_blocked(items: Any, allowed: set[str]) -> bool:
    for op, av in items:
        if op in (sre_c.LITERAL, sre_c.IN) and _item_blocked(op, av, allowed):
            return True
        if op is sre_c.SUBPATTERN and _branch_blocked(av[-1], allowed):
            return True
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] >= 1 and _branch_blocked(av[2], allowed):
            return True
    return False

def _branch_blocked(parsed: Any, allowed: set[str]) -> bool:
    items = list(parsed)
    if len(items) == 1 and items[0][0] is sre_c.BRANCH:
        return all(_alternative_blocked(alt, allowed) for alt in items[0][1][1])
    return _alternative_blocked(items, allowed)


def _benign_proven() -> bool:
    try:
        import re._constants  # noqa: F401
        import re._parser as sre_parse
        parsed = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        return _branch_blocked(parsed, {chr(i) for i in range(128)} | set(BENIGN))
    except Exception:  # a private module changed shape: do without the shortcut
        return False


NOT_BENIGN = re.compile(f"[^\\x00-\\x7f{BENIGN}]") if _benign_proven() else None


def looks_bad(segment: str) -> bool:
    """Answer exactly as ftfy's `is_bad`, searching only near non-ASCII characters.

    >>> looks_bad("The caf\u00c3\u00a9 is open."), looks_bad("The caf\u00e9 is open.")
    (True, False)
    """
    if NOT_BENIGN is not None and NOT_BENIGN.search(segment) is None:
        return False
    if BADNESS_REACH is None:
        return is_bad(segment)
    reach = BADNESS_REACH - 1
    window_start, window_end = -1, -1
    for run in NON_ASCII.finditer(segment):
        start, end = max(0, run.start() - reach), run.end() + reach
        if start > window_end:
            # pos/endpos keep "^" meaning the start of the segment, as in is_bad.
            if window_end > 0 and BADNESS_RE.search(segment, window_start, window_end):
                return True
            window_start = start
        window_end = end
    return window_end > 0 and BADNESS_RE.search(segment, window_start, window_end) is not None


# ftfy's fixers after fix_encoding, in the order fix_and_explain applies them.
FIXER_ORDER = ("fix_c1_controls", "fix_latin_ligatures", "fix_character_width", "uncurl_quotes",
               "fix_line_breaks", "fix_surrogates", "remove_terminal_escapes", "remove_control_chars")
# Steps that cannot make a second pass of fix_text differ from the first, unless they put
# a line break inside a segment (see `fix_segment`).
SETTLED_STEPS = frozenset({("apply", "unescape_html"), ("apply", "uncurl_quotes"),
                           ("apply", "fix_line_breaks")})


def fix_and_explain(text: str, config: ftfy.TextFixerConfig,
                    keep_cjk_width: bool = False) -> tuple[str, list[ExplanationStep]]:
    """Return `ftfy.fix_and_explain(text, config)`, skipping the fixers that cannot act.

    The same loop as ftfy's (unescape, fix_encoding, eight fixers, normalization, until
    a round changes nothing), made with ftfy's own functions, but each step runs only
    when it could change the text: unescape_html needs a "&"; fix_encoding returns text
    that is ASCII or not `is_bad` untouched; and every fixer but uncurl_quotes only
    touches characters of UNSAFE (of which a CRLF line end concerns fix_line_breaks
    alone). With `keep_cjk_width`, the script-aware exception: fix_character_width is
    off when the text holds CJK letters.

    >>> fix_and_explain("caf\u00c3\u00a9 &amp; \u201cmore\u201d", ftfy.TextFixerConfig())[0]
    'café & "more"'
    """
    if config.unescape_html == "auto" and "<" in text:
        config = config._replace(unescape_html=False)
    original = text
    steps: list[ExplanationStep] = []
    while True:
        before = text
        if config.unescape_html and "&" in text:
            fixed = unescape_html(text)
            if fixed != text:
                steps.append(ExplanationStep("apply", "unescape_html"))
                text = fixed
        if config.fix_encoding and not text.isascii() and looks_bad(text):
            text, encoding_steps = fix_encoding_and_explain(text, config)
            steps.extend(encoding_steps or ())
        unsafe = UNSAFE.search(text)
        # A CR that only ends a CRLF line end is common; fix_line_breaks is the one fixer
        # it concerns, so it need not send the text through all eight.
        crlf_end = (unsafe is not None and config.fix_line_breaks and unsafe.start() == len(text) - 2
                    and text.endswith("\r\n"))
        if unsafe is not None and not crlf_end:
            if keep_cjk_width and config.fix_character_width and CJK.search(original):
                config = config._replace(fix_character_width=False)
            keep_cjk_width = False
            for name in FIXER_ORDER:
                if getattr(config, name):
                    fixed = FIXERS[name](text)
                    if fixed != text:
                        steps.append(ExplanationStep("apply", name))
                        text = fixed
        else:
            if config.uncurl_quotes:
                fixed = uncurl_quotes(text)
                if fixed != text:
                    steps.append(ExplanationStep("apply", "uncurl_quotes"))
                    text = fixed
            if crlf_end:
                steps.append(ExplanationStep("apply", "fix_line_breaks"))
                text = text[:-2] + "\n"
        if config.normalization is not None and not unicodedata.is_normalized(config.normalization, text):
            fixed = unicodedata.normalize(config.normalization, text)
            if fixed != text:
                steps.append(ExplanationStep("normalize", config.normalization))
                text = fixed
        if text == before:
            return text, steps


# Bytes of plain printable ASCII without "&", plus tab and LF: no fixer of ftfy acts on
# them. Deleting them from a document's UTF-8 leaves (valid UTF-8 for) the rest.
PLAIN_BYTES = bytes([0x09, 0x0A, *range(0x20, 0x26), *range(0x27, 0x7F)])


def unusual_characters(text: str) -> str | None:
    """The characters of `text` that are not plain printable ASCII, in order (None: surrogates).

    One encode and one bytes.translate run at C speed over the whole document; the
    answer is usually a few hundred characters, against which set tests are cheap.

    >>> unusual_characters("It\u2019s 5 & 6\\r\\n")
    '\u2019&\\r'
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: let the segment-by-segment path see them
        return None
    return data.translate(None, PLAIN_BYTES).decode("utf-8")


def _quote_map() -> dict[str, str]:
    # The benign curly quotes and what uncurl_quotes makes of them, checked against ftfy.
    quotes = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
    probe = "".join(quotes) + BENIGN
    if uncurl_quotes(probe) != probe.translate({ord(quote): plain for quote, plain in quotes.items()}):
        return {}
    return quotes


QUOTES = _quote_map()


def _nfc_beside_each_other(chars: str) -> bool:
    # Each character is a starter (combining class 0) and none composes with the one
    # before it (ASCII or from the set), so text made of them is NFC in any order.
    alphabet = [chr(i) for i in range(128)] + list(chars)
    return all(unicodedata.combining(char) == 0 for char in chars) and all(
        unicodedata.is_normalized("NFC", first + char) for char in chars for first in alphabet)


# Characters a line may hold and still need nothing of ftfy but uncurl_quotes (and
# fix_line_breaks for a CRLF end): not UNSAFE, not "&", cannot make `is_bad` true
# (proven at import, see NOT_BENIGN), and NFC beside each other and ASCII. Lines
# holding only plain ASCII and these are fixed for the whole document at once.
QUIET = (frozenset(BENIGN) if NOT_BENIGN is not None and QUOTES and _nfc_beside_each_other(BENIGN)
         and not UNSAFE.search(BENIGN) else frozenset())


def _step_impls(explanation: Sequence[tuple[str, str]]) -> list[str]:
    impls: list[str] = []
    for kind, name in explanation:
        impl = "fix_mojibake" if kind in ("encode", "decode", "transcode") else FIXER_IMPLS.get(name)
        if kind == "normalize":
            impl = "normalize_nfc"
        if impl and impl not in impls:
            impls.append(impl)
    return impls


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the repair stage from the RP rules that are switched on."""
    enabled = {rule.impl: rule for rule in rules if rule.impl}
    settings: dict[str, object] = {
        fixer: impl in enabled for fixer, impl in FIXER_IMPLS.items() if fixer != "normalization"
    }
    if config.quotes == "keep":
        settings["uncurl_quotes"] = False
    if settings["unescape_html"]:
        settings["unescape_html"] = "auto"
    base = ftfy.TextFixerConfig(
        normalization="NFC" if "normalize_nfc" in enabled else None, explain=True, **settings  # type: ignore[arg-type]
    )
    if not enabled:
        return lambda doc: (doc, [])

    quote_rule, break_rule = enabled.get("uncurl_quotes"), enabled.get("fix_line_breaks")
    without_unescape = base._replace(unescape_html=False)
    uncurling = bool(settings["uncurl_quotes"])
    breaking = bool(settings["fix_line_breaks"])
    limit = base.max_decode_length

    def fix_segment(segment: str, line: int, unescaping: bool, cut: bool,
                    changes: list[Change]) -> tuple[str, bool]:
        # One of ftfy's segments, fixed as fix_text fixes it; reports a Change per fix
        # family. The flag says a second pass could change the result: only when the
        # segment changed by more than unescaping, uncurling and a CRLF end, or got a
        # line break inside (which makes new segments), or was cut at `limit` (where
        # new lengths move the cuts). Any other result is a fixed point of ftfy.
        fixed, steps = fix_and_explain(segment, base if unescaping else without_unescape, keep_cjk_width=True)
        if fixed == segment:
            return fixed, False
        for impl in _step_impls(steps):
            rule = enabled[impl]
            changes.append(Change(rule.code, rule.stage, line, 1, "replace",
                                  segment.rstrip("\r\n"), fixed.rstrip("\n"), rule.summary))
        again = cut or "\n" in fixed[:-1] or not SETTLED_STEPS.issuperset(steps)
        return fixed, again

    def fix_quiet(text: str, line: int, quotes: Sequence[str], crlf: bool, changes: list[Change]) -> str:
        # Whole lines that hold only plain ASCII and QUIET characters (and a CRLF end):
        # ftfy would uncurl their quotes and make CRLF LF, nothing else. Done for all of
        # them at once; then one Change per rule and changed line, as fix_segment
        # reports them (lines correspond one to one).
        fixed = text
        for quote in quotes:
            fixed = fixed.replace(quote, QUOTES[quote])
        if crlf:
            fixed = fixed.replace("\r\n", "\n")
        if fixed == text:
            return text
        befores, afters = text.split("\n"), fixed.split("\n")
        # The changed lines, picked at C speed (a CRLF document changes every line).
        for number, before, after in compress(zip(count(line), befores, afters), map(ne, befores, afters)):
            if before.endswith("\r"):
                before = before[:-1]
                if before != after and quote_rule is not None:
                    changes.append(Change(quote_rule.code, quote_rule.stage, number, 1, "replace",
                                          before, after, quote_rule.summary))
                if break_rule is not None:
                    changes.append(Change(break_rule.code, break_rule.stage, number, 1, "replace",
                                          before, after, break_rule.summary))
            elif quote_rule is not None:
                changes.append(Change(quote_rule.code, quote_rule.stage, number, 1, "replace",
                                      before, after, quote_rule.summary))
        return fixed

    def noisy_lines(text: str, unusual: str) -> list[int] | None:
        # The starts of the lines that need fix_segment: those holding a character that
        # is neither plain ASCII nor QUIET. None when there is none.
        quiet = QUIET
        if "\r" in unusual and breaking and text.count("\r") == text.count("\r\n"):
            quiet = quiet | {"\r"}
        noisy = set(unusual).difference(quiet)
        if not noisy:
            return None
        starts: set[int] = set()
        for char in noisy:
            found = text.find(char)
            while found >= 0:
                start = text.rfind("\n", 0, found) + 1
                starts.add(start)
                found = text.find("\n", found)
                if found < 0:
                    break
                found = text.find(char, found)
        return sorted(starts)

    def repair_once(text: str) -> tuple[str, list[Change], bool]:
        # One pass, as ftfy.fix_text makes it. The flag says whether a further pass
        # could change the text (see fix_segment).
        unusual = unusual_characters(text) if len(text) < limit else None
        if unusual == "":
            return text, [], False
        if unusual is None:
            return repair_by_segments(text)
        quotes = [quote for quote in QUOTES if quote in unusual] if uncurling else []
        crlf = breaking and "\r\n" in text
        changes: list[Change] = []
        starts = noisy_lines(text, unusual)
        if starts is None:
            fixed = fix_quiet(text, 1, quotes, crlf, changes)
            return fixed, changes, False
        # ftfy switches unescape_html off from the first segment that holds "<" onwards.
        first_lt = text.find("<") if base.unescape_html == "auto" else -1
        out: list[str] = []
        again = False
        done, line = 0, 1  # text[:done] is fixed into `out`; `line` is the number of the line at `done`
        for start in starts:
            if start > done:
                quiet = text[done:start]
                out.append(fix_quiet(quiet, line, quotes, crlf, changes))
                line += quiet.count("\n")
            end = text.find("\n", start) + 1 or len(text)
            unescaping = bool(base.unescape_html) and (first_lt < 0 or first_lt >= end)
            fixed, changed = fix_segment(text[start:end], line, unescaping, False, changes)
            out.append(fixed)
            again = again or changed
            line += 1
            done = end
        if done < len(text):
            out.append(fix_quiet(text[done:], line, quotes, crlf, changes))
        return "".join(out), changes, again

    def repair_by_segments(text: str) -> tuple[str, list[Change], bool]:
        # The general walk, for documents of `limit` characters or more (lines may be cut)
        # and text with surrogates: every segment (ftfy's: lines, cut every `limit`
        # characters) holding a character other than plain ASCII goes to fix_segment.
        first_lt = text.find("<") if base.unescape_html == "auto" else -1
        out: list[str] = []
        changes: list[Change] = []
        again = False
        done, line, counted = 0, 1, 0
        found = INTERESTING.search(text)
        while found is not None:
            line_start = text.rfind("\n", 0, found.start()) + 1
            start = line_start + (found.start() - line_start) // limit * limit
            end = min(text.find("\n", start) + 1 or len(text), start + limit)
            line += text.count("\n", counted, start)
            counted = start
            unescaping = bool(base.unescape_html) and (first_lt < 0 or first_lt >= end)
            segment = text[start:end]
            cut = end - start == limit and not segment.endswith("\n")
            fixed, changed = fix_segment(segment, line, unescaping, cut, changes)
            if fixed != segment:
                out.append(text[done:start])
                out.append(fixed)
                done = end
            again = again or changed
            found = INTERESTING.search(text, end)
        if done == 0:
            return text, changes, again
        out.append(text[done:])
        return "".join(out), changes, again

    def repair(doc: Document) -> tuple[Document, list[Change]]:
        # ftfy is idempotent on nearly all text (all of its own test cases and the whole
        # benchmark corpus), but not on all: some layered mojibake decodes one layer per
        # pass, and a CR that becomes LF splits a segment anew. Where a second pass could
        # change something, pass again (at most three more times), so cleaning is
        # idempotent; everywhere else one pass is ftfy.fix_text exactly.
        text, changes, again = repair_once(doc.text)
        for _ in range(3):
            if not again:
                break
            text, more, again = repair_once(text)
            changes.extend(more)
        return (doc.with_text(text), changes) if changes else (doc, [])

    return repair
