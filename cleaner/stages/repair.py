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
import re._constants as sre_c
import unicodedata
from collections.abc import Sequence
from typing import Any

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
# The same badness pattern over a whole document: with MULTILINE, "^" matches at every
# line start, which is where each of ftfy's segments starts (for lines shorter than
# max_decode_length). A match across a line end only sends the document to the
# segment-by-segment path, so the whole-document answer is never wrongly "not bad".
BADNESS_LINES_RE = re.compile(BADNESS_RE.pattern, BADNESS_RE.flags | re.MULTILINE)
UNSAFE_BUT_CR = re.compile(UNSAFE.pattern.replace("\\x0b-\\x1f", "\\x0b\\x0c\\x0e-\\x1f"))
# Lines the whole-document path reports: those holding a curly quote or a CR.
QUOTE_OR_CR = re.compile(r"[\r\u02bc\u2018-\u201f]")

# Non-ASCII characters of ordinary clean English text: quotes, dashes, ellipsis, bullets,
# NBSP. When every non-ASCII character of a text is one of these, ftfy's badness regex
# cannot match, so `looks_bad` answers at once. That is proven against the regex itself
# when this module loads (every alternative needs some character outside this set);
# should a future ftfy break it, the set is not used.
BENIGN = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u00a0\u00b7"


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


def looks_bad(segment: str, badness: re.Pattern[str] = BADNESS_RE) -> bool:
    """Answer exactly as ftfy's `is_bad`, searching only near non-ASCII characters.

    >>> looks_bad("The caf\u00c3\u00a9 is open."), looks_bad("The caf\u00e9 is open.")
    (True, False)
    """
    if NOT_BENIGN is not None and NOT_BENIGN.search(segment) is None:
        return False
    if BADNESS_REACH is None:
        return is_bad(segment) if badness is BADNESS_RE else badness.search(segment) is not None
    reach = BADNESS_REACH - 1
    window_start, window_end = -1, -1
    for run in NON_ASCII.finditer(segment):
        start, end = max(0, run.start() - reach), run.end() + reach
        if start > window_end:
            # pos/endpos keep "^" meaning the start of the segment, as in is_bad.
            if window_end > 0 and badness.search(segment, window_start, window_end):
                return True
            window_start = start
        window_end = end
    return window_end > 0 and badness.search(segment, window_start, window_end) is not None




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


def repair_document_cheaply(text: str, limit: int) -> str | None:
    """Return what ftfy makes of a whole document when only quotes and CRLF can change.

    The document-wide form of `repair_cheaply`, for the common case: no "&", no
    character from UNSAFE but the CR of a CRLF, NFC, and not `is_bad` in any line,
    before and after uncurling (checked with BADNESS_LINES_RE). Then every segment
    takes the cheap path, and the whole text can be fixed in two substitutions.
    Anything else answers None and the document goes segment by segment.
    """
    if "&" in text or len(text) >= limit or text.count("\r") != text.count("\r\n"):
        return None
    if UNSAFE_BUT_CR.search(text) or not unicodedata.is_normalized("NFC", text):
        return None
    if looks_bad(text, BADNESS_LINES_RE):
        return None
    fixed = uncurl_quotes(text).replace("\r\n", "\n")
    if fixed != text and not fixed.isascii() and (
            looks_bad(fixed, BADNESS_LINES_RE) or not unicodedata.is_normalized("NFC", fixed)):
        return None
    return fixed


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

    def _line_changes(text: str, fixed: str) -> list[Change]:
        # One Change per rule and changed line, as the segment path reports them. Lines
        # correspond one to one; in `fixed` a line starts earlier by the CRs removed before it.
        changes: list[Change] = []
        end = 0
        number, counted, crs = 1, 0, 0
        for hit in QUOTE_OR_CR.finditer(text):
            if hit.start() < end:
                continue
            start = text.rfind("\n", 0, hit.start()) + 1
            end = text.find("\n", start) + 1 or len(text)
            number += text.count("\n", counted, start)
            crs += text.count("\r", counted, start)
            counted = start
            segment = text[start:end]
            crlf = segment.endswith("\r\n")
            before = segment[:-2] if crlf else segment.rstrip("\n")
            after = fixed[start - crs:start - crs + len(before)]
            if after != before and quote_rule is not None:
                changes.append(Change(quote_rule.code, quote_rule.stage, number, 1, "replace", before, after,
                                      quote_rule.summary))
            if crlf and break_rule is not None:
                changes.append(Change(break_rule.code, break_rule.stage, number, 1, "replace", before, after,
                                      break_rule.summary))
        return changes

    uncurling = bool(settings["uncurl_quotes"])
    breaking = bool(settings["fix_line_breaks"])
    limit = base.max_decode_length

    def repair_once(text: str) -> tuple[str, list[Change], bool]:
        # One pass, as ftfy.fix_text makes it. Visit only the segments (ftfy's: lines, cut
        # every max_decode_length characters) that hold an INTERESTING character; all
        # others are plain ASCII ftfy returns as is. The flag says whether ftfy itself
        # changed a segment (only then can a second pass change anything).
        found = INTERESTING.search(text)
        if found is None:
            return text, [], False
        if uncurling and breaking and base.unescape_html:
            whole = repair_document_cheaply(text, limit)
            if whole is not None:
                return (whole, _line_changes(text, whole), False) if whole != text else (text, [], False)
        # ftfy switches unescape_html off from the first segment that holds "<" onwards.
        first_lt = text.find("<") if base.unescape_html == "auto" else -1
        out: list[str] = []
        changes: list[Change] = []
        ftfy_changed = False
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
                ftfy_changed = ftfy_changed or fixed != segment
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
            return text, [], False
        out.append(text[done:])
        return "".join(out), changes, ftfy_changed

    def repair(doc: Document) -> tuple[Document, list[Change]]:
        # ftfy is idempotent on nearly all text (all of its own test cases and the whole
        # benchmark corpus), but not on all: some layered mojibake decodes one layer per
        # pass, and a CR that becomes LF splits a segment anew. Where ftfy changed
        # something, pass again (at most three more times), so cleaning is idempotent;
        # everywhere else one pass is ftfy.fix_text exactly.
        text, changes, again = repair_once(doc.text)
        for _ in range(3):
            if not again:
                break
            text, more, again = repair_once(text)
            changes.extend(more)
        return (doc.with_text(text), changes) if changes else (doc, [])

    return repair
