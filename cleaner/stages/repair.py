"""Repair Unicode with ftfy, segment by segment, exactly as `ftfy.fix_text` does.

ftfy fixes text in independent segments (lines, or every `max_decode_length` code
points), and once a segment contains "<" it stops unescaping HTML for the rest of the
text. This stage walks the same segments with the same state, and hands a segment to
ftfy only when a cheap check says ftfy could change it: most lines of web text are
plain ASCII that ftfy returns untouched. The output is identical to
`ftfy.fix_text(text, config)`; tests check that on the benchmark corpus and on ftfy's
own test cases.

One deliberate exception, for script awareness: in a segment that contains CJK
letters, ftfy's `fix_character_width` is switched off, so full-width CJK punctuation
("，", "？", "（") is never folded to ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import ftfy
import regex
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.fixes import uncurl_quotes

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
        from re import _constants as sre  # type: ignore[attr-defined]
        from re import _parser as parser  # type: ignore[attr-defined]

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


def looks_bad(segment: str) -> bool:
    """Answer exactly as ftfy's `is_bad`, searching only near non-ASCII characters.

    >>> looks_bad("The caf\u00c3\u00a9 is open."), looks_bad("The caf\u00e9 is open.")
    (True, False)
    """
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




def repair_cheaply(segment: str, unescaping: bool, uncurling: bool,
                   breaking: bool) -> tuple[str, list[Step]] | None:
    """Return what ftfy would make of a segment, and its steps, when that is certain without ftfy.

    ftfy's fix_and_explain runs unescape_html, fix_encoding, eight fixers and NFC in a
    loop until nothing changes. For a segment with no "&" (or with unescaping off),
    nothing from UNSAFE, in NFC, and that `is_bad` does not flag, every step is a no-op
    except uncurl_quotes: fix_encoding returns text that is not `is_bad` untouched, and
    each other fixer only touches characters listed in UNSAFE. The second round sees
    the uncurled text, so it must pass `is_bad` and NFC too; then ftfy stops. A CRLF
    line end is the one UNSAFE character allowed: fix_encoding sees it in the first
    round (so `is_bad` is asked with the CR), fix_line_breaks then makes it LF.
    Anything else answers None and goes to ftfy itself, so a wrong None here only
    costs time, never identity.

    >>> repair_cheaply("A \u201cfine\u201d caf\u00e9\\r\\n", True, True, True)
    ('A "fine" café\\n', [('apply', 'uncurl_quotes'), ('apply', 'fix_line_breaks')])
    >>> repair_cheaply("caf\u00c3\u00a9\\n", True, True, True) is None
    True
    """
    if unescaping and "&" in segment:
        return None
    steps: list[Step] = []
    crlf = breaking and segment.endswith("\r\n") and segment.count("\r") == 1
    if crlf:
        if looks_bad(segment):
            return None
        segment = segment[:-2] + "\n"
    if UNSAFE.search(segment) or not unicodedata.is_normalized("NFC", segment) or looks_bad(segment):
        return None
    if uncurling:
        fixed = uncurl_quotes(segment)
        if fixed != segment:
            if not fixed.isascii() and (looks_bad(fixed) or not unicodedata.is_normalized("NFC", fixed)):
                return None
            steps.append(("apply", "uncurl_quotes"))
            segment = fixed
    if crlf:
        steps.append(("apply", "fix_line_breaks"))
    return segment, steps


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

    uncurling = bool(settings["uncurl_quotes"])
    breaking = bool(settings["fix_line_breaks"])
    limit = base.max_decode_length

    def repair(doc: Document) -> tuple[Document, list[Change]]:
        # Visit only the segments (ftfy's: lines, cut every max_decode_length characters)
        # that hold an INTERESTING character; all others are plain ASCII ftfy returns as is.
        text = doc.text
        found = INTERESTING.search(text)
        if found is None:
            return doc, []
        # ftfy switches unescape_html off from the first segment that holds "<" onwards.
        first_lt = text.find("<") if base.unescape_html == "auto" else -1
        out: list[str] = []
        changes: list[Change] = []
        done = 0  # text[:done] is already in `out`
        line, counted = 1, 0
        while found is not None:
            line_start = text.rfind("\n", 0, found.start()) + 1
            start = line_start + (found.start() - line_start) // limit * limit
            end = min(text.find("\n", start) + 1 or len(text), start + limit)
            segment = text[start:end]
            unescaping = base.unescape_html == "auto" and (first_lt < 0 or first_lt >= end)
            cheap = repair_cheaply(segment, unescaping, uncurling, breaking)
            if cheap is None:
                config = base if unescaping else base._replace(unescape_html=False)
                if config.fix_character_width and CJK.search(segment):
                    config = config._replace(fix_character_width=False)
                fixed, steps = ftfy.fix_and_explain(segment, config)
                explanation: Sequence[tuple[str, str]] = steps or ()
            else:
                fixed, explanation = cheap
            if fixed != segment:
                line += text.count("\n", counted, start)
                counted = start
                out.append(text[done:start])
                out.append(fixed)
                done = end
                for impl in _step_impls(explanation):
                    rule = enabled[impl]
                    changes.append(Change(rule.code, rule.stage, line, 1, "replace",
                                          segment.rstrip("\r\n"), fixed.rstrip("\n"), rule.summary))
            found = INTERESTING.search(text, end)
        if done == 0:
            return doc, []
        out.append(text[done:])
        return doc.with_text("".join(out)), changes

    return repair
