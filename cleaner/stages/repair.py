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

from collections.abc import Sequence

import ftfy
import regex

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

# A segment made only of these characters can be changed by ftfy only through HTML
# entities ("&"), which the check looks for separately.
PLAIN_SEGMENT = regex.compile(r"[\t\n\x20-\x25\x27-\x7e]*")
CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


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

    def repair(doc: Document) -> tuple[Document, list[Change]]:
        text = doc.text
        fixer_config = base
        out: list[str] = []
        changes: list[Change] = []
        pos = 0
        line = 1
        while pos < len(text):
            textbreak = text.find("\n", pos) + 1 or len(text)
            if textbreak - pos > fixer_config.max_decode_length:
                textbreak = pos + fixer_config.max_decode_length
            segment = text[pos:textbreak]
            pos = textbreak
            if fixer_config.unescape_html == "auto" and "<" in segment:
                fixer_config = fixer_config._replace(unescape_html=False)
            if "&" not in segment and PLAIN_SEGMENT.fullmatch(segment):
                out.append(segment)
                line += 1
                continue
            segment_config = fixer_config
            if segment_config.fix_character_width and CJK.search(segment):
                segment_config = segment_config._replace(fix_character_width=False)
            fixed, explanation = ftfy.fix_and_explain(segment, segment_config)
            out.append(fixed)
            if fixed != segment:
                for impl in _step_impls(explanation or []):
                    rule = enabled[impl]
                    changes.append(Change(rule.code, rule.stage, line, 1, "replace",
                                          segment.rstrip("\r\n"), fixed.rstrip("\n"), rule.summary))
            line += 1
        if not changes:
            return doc, []
        return doc.with_text("".join(out)), changes

    return repair
