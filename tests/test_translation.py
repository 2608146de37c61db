"""The translation stage: MT rule format, modes, the document MT score, flags, seed 000."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, Config
from cleaner.cli import main
from cleaner.model import Document
from cleaner.mt_rules import compile_glossary, match_case, read_score_settings, style_pack_dir
from cleaner.ruleset import RuleSet
from cleaner.stages import translation

from .conftest import FIXTURES

SEED_000 = FIXTURES / "seeds" / "000_9581eac1b7fb9c46.txt"
ALL_MT = RuleSet.load([style_pack_dir()]).by_stage["translation"]
STYLE_CODES = {rule.code for rule in RuleSet.load([style_pack_dir()], bundled=False).rules}


@cache
def only(code: str, mode: str = "fix") -> Cleaner:
    return Cleaner(Config(select=(code,), language_backend="off", mt=mode, mt_style=code in STYLE_CODES))


@lru_cache(maxsize=1)
def seed_result():  # type: ignore[no-untyped-def]
    return Cleaner(Config(language_backend="off")).clean(SEED_000.read_bytes())


FLAG_EXAMPLES = [
    pytest.param(rule.code, example["input"], example["after"], id=f"{rule.code}-{index}")
    for rule in ALL_MT
    for index, example in enumerate(rule.params.get("flag_examples", []))
]


@pytest.mark.parametrize(("code", "text", "after"), FLAG_EXAMPLES)
def test_flag_example_flags_and_leaves_text(code: str, text: str, after: str) -> None:
    result = only(code).clean(text)
    assert result.text == text
    flags = [c for c in result.changes if c.code == code]
    assert flags and all(c.action == "flag" for c in flags)
    assert after in [c.after for c in flags]


STYLE_EXAMPLES = [
    pytest.param(rule.code, example, id=f"{rule.code}-{index}")
    for rule in ALL_MT if rule.code in STYLE_CODES
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("code", "example"), STYLE_EXAMPLES)
def test_style_pack_examples_never_edit(code: str, example) -> None:  # type: ignore[no-untyped-def]
    assert example.input == example.output
    assert only(code).clean(example.input).text == example.input


def test_style_pack_is_opt_in_and_only_flags() -> None:
    text = "The Kiev regime shelled the city."
    assert not any(c.code in STYLE_CODES for c in Cleaner(Config(language_backend="off")).clean(text).changes)
    styled = Cleaner(Config(language_backend="off", mt_style=True)).clean(text)
    assert styled.text.rstrip("\n") == text
    assert [c.code for c in styled.changes if c.code in STYLE_CODES] == ["MT802"]
    assert all(rule.mode == "flag" for rule in ALL_MT if rule.code in STYLE_CODES)


def test_every_mt_rule_has_evidence_and_a_legitimate_use_that_stays() -> None:
    for rule in ALL_MT:
        assert rule.evidence, f"{rule.code} needs evidence (a URL or 'project sample')"
        assert any(not example.changes for example in rule.examples), f"{rule.code} needs an example that stays"


def test_glossary_keywords_let_every_changing_example_through() -> None:
    for rule in ALL_MT:
        if rule.kind != "glossary":
            continue
        glossary = compile_glossary(rule)
        for example in rule.examples:
            if example.changes:
                assert glossary.triggered(example.input.casefold()), f"{rule.code}: keywords {glossary.keywords}"
        for example in rule.params.get("flag_examples", []):
            assert glossary.triggered(example["input"].casefold()), f"{rule.code}: keywords {glossary.keywords}"


def test_seed_000_done_when() -> None:
    result = seed_result()
    text = result.text
    assert "Udonian" not in text
    assert text.count("the four eastern Ukrainian oblasts") >= 4
    assert "repeatedly flip-flopping" in text
    assert "repeated flip-flops" in text
    assert "repeatedly flip-flopped" in text
    assert "jumping across the board" not in text and "horizontal jumps" not in text
    assert text.startswith("Trump jumps back to sanctioning Russia")
    slap = [c for c in result.changes if "slap itself in the face" in c.before]
    assert slap and slap[0].code.startswith("MT") and slap[0].action == "flag"
    assert result.meta["mt_score"] >= read_score_settings(sorted(Path(RuleSet.load().rules[0].source).parent
                                                                 .glob("translation*.toml"))).threshold


def test_seed_000_flag_is_visible_in_explain_json() -> None:
    out = CliRunner().invoke(main, ["explain", "--json", "--lang-backend", "off", str(SEED_000)])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert any(r["code"] == "MT011" and r["action"] == "flag" and r["after"] == "contradict itself"
               for r in records)


def test_seed_000_is_idempotent() -> None:
    once = seed_result().text
    assert Cleaner(Config(language_backend="off")).clean(once).text == once


def test_athletics_report_keeps_horizontal_jumps() -> None:
    text = ("Mihambo won the long jump and Pichardo the triple jump. Both horizontal jumps were decided "
            "in the last round, and the horizontal jumps coach said the wind helped.")
    result = Cleaner(Config(language_backend="off")).clean(text)
    assert result.text.rstrip("\n") == text
    assert result.meta["mt_score"] < 3
    assert [c.action for c in result.changes if c.stage == "translation"] == ["flag", "flag"]


def test_native_idioms_stay() -> None:
    text = ("The ruling was a slap in the face for farmers. She handed me her business card in Harbin. "
            "Prices jumped across the board and jobs grew more and more.")
    result = Cleaner(Config(language_backend="off")).clean(text)
    assert result.text.rstrip("\n") == text
    assert not [c for c in result.changes if c.stage == "translation"]


def test_mode_flag_turns_every_edit_into_a_flag() -> None:
    original = SEED_000.read_bytes()
    fixed = Cleaner(Config(language_backend="off")).clean(original)
    flagged = Cleaner(Config(language_backend="off", mt="flag")).clean(original)
    assert "Udonian" in flagged.text
    mt_flags = [c for c in flagged.changes if c.stage == "translation"]
    assert mt_flags and all(c.action == "flag" for c in mt_flags)
    assert {c.code for c in mt_flags} >= {c.code for c in fixed.changes if c.stage == "translation"}
    assert any(c.code == "MT001" and c.after == "eastern Ukrainian" for c in mt_flags)


def test_mode_off_does_nothing() -> None:
    result = Cleaner(Config(language_backend="off", mt="off")).clean(SEED_000.read_bytes())
    assert "Udonian" in result.text
    assert not [c for c in result.changes if c.stage == "translation"]
    assert "mt_score" not in result.meta


def test_score_counts_every_rule_even_unselected() -> None:
    # The score is the document's; --select only decides which rules may edit.
    text = "Pujing met Bayden. Trump's repeated horizontal jumps cost him."
    result = only("MT010").clean(text)
    assert result.text == "Pujing met Bayden. Trump's repeated flip-flops cost him."
    assert {"MT004", "MT006"} <= set(result.meta["mt_signals"])


def test_provenance_in_meta_or_text_raises_the_score() -> None:
    stage = translation.build([r for r in ALL_MT if r.code == "MT010"], Config())
    plain = Document("Trump's repeated horizontal jumps cost him.")
    doc, changes = stage(plain)
    assert doc.text == plain.text and [c.action for c in changes] == ["flag"]
    doc, changes = stage(plain.with_meta(mt_provenance=True))
    assert doc.text == "Trump's repeated flip-flops cost him." and doc.meta["mt_signals"] == ["provenance"]
    footer = Document(plain.text + "\n\nFollow me by clicking on my business card below")
    doc, _ = stage(footer)
    assert doc.text.startswith("Trump's repeated flip-flops")


def test_forms_keep_the_case_of_each_group() -> None:
    stage = translation.build([r for r in ALL_MT if r.code == "MT010"], Config())
    meta = {"mt_provenance": True}
    for before, after in [
        ("Repeated horizontal jumps hurt him.", "Repeated flip-flops hurt him."),
        ("He kept REPEATEDLY JUMPING ACROSS THE BOARD.", "He kept REPEATEDLY FLIP-FLOPPING."),
        ("Horizontal jumping is his style.", "Flip-flopping is his style."),
    ]:
        assert stage(Document(before, meta))[0].text == after


def test_match_case_shapes() -> None:
    assert match_case("UDONIAN", "eastern Ukrainian") == "EASTERN UKRAINIAN"
    assert match_case("Jumps", "flip-flops") == "Flip-flops"
    assert match_case("jumps", "flip-flops") == "flip-flops"


def test_user_pack_can_change_the_threshold(tmp_path: Path) -> None:
    pack = tmp_path / "translation_strict.toml"
    pack.write_text("[mt_score]\nthreshold = 99\n", encoding="utf-8")
    text = "Pujing met Bayden. Trump's repeated horizontal jumps cost him."
    result = Cleaner(Config(language_backend="off", rule_files=(str(pack),))).clean(text)
    assert "horizontal jumps" in result.text and "Putin met Biden" in result.text


def test_markup_debris_removal_keeps_text_canonical() -> None:
    result = Cleaner(Config(language_backend="off")).clean("First line.\n\n< / p >\n\nSecond < / P > line.\n")
    assert result.text == "First line.\n\nSecond line.\n"


def test_cjk_guard_holds_every_cjk_letter() -> None:
    """The cheap guard of the leaked-CJK detector never skips a Han, kana or Hangul letter."""
    import regex

    from cleaner.mt_detectors import may_hold_cjk

    cjk = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
    missed = [hex(c) for c in range(0x80, 0x110000)
              if not 0xD800 <= c <= 0xDFFF and cjk.match(chr(c)) and not may_hold_cjk("x" + chr(c))]
    assert missed == []


def test_glossary_anchors_stand_in_every_changing_example() -> None:
    """Every match holds one of its rule's anchors with the word edges the rule claims for it."""
    from cleaner.mt_rules import find_hits
    from cleaner.stages import offsets

    for rule in ALL_MT:
        if rule.kind != "glossary":
            continue
        glossary = compile_glossary(rule)
        if not glossary.anchors:
            continue
        inputs = [e.input for e in rule.examples] + [e["input"] for e in rule.params.get("flag_examples", [])]
        for text in inputs:
            for hit in find_hits(glossary, text, 1.0):
                span = text[max(0, hit.start - 1):hit.end + 1].casefold()
                assert any(a.stands_in(span, offsets(span, a.literal)) for a in glossary.anchors), (
                    f"{rule.code}: {glossary.anchors} in {span!r}")


def test_word_anchors_need_their_edges() -> None:
    import regex

    from cleaner.mt_rules import word_anchors

    (pot,) = word_anchors(regex.compile(r"(?i)(?<![\w-])back[\s-]pot(?:\s+(?:person|man))?(?![\w-])"))
    assert (pot.literal, pot.alone_before, pot.alone_after) == ("pot", True, True)
    assert not pot.stands_in("a spot of potential", [3, 10])
    assert pot.stands_in("the back pot.", [9])
    # A case-sensitive look-behind does not keep out capitals: no edge is claimed there.
    (word,) = word_anchors(regex.compile(r"(?<![a-z])qingde\s"))
    assert not word.alone_before and word.alone_after
    # Nothing certain about a class the analysis cannot read.
    assert word_anchors(regex.compile(r"(?<![\w-])\p{L}+")) == ()


def test_caseless_ascii_letters_and_casefold_edges() -> None:
    """What the anchor edges rest on, over every code point.

    A case-insensitive `regex` match takes only ASCII letters and the few characters in
    CASELESS_EXTRA for an ASCII letter; a character whose casefold begins or ends with an
    ASCII letter or digit is a word character, so a pattern demanding a non-word neighbour
    never has one there.
    """
    import regex

    from cleaner.mt_rules import ASCII_ALNUM, CASELESS_EXTRA

    caseless = regex.compile(r"(?i)[a-z0-9]")
    word = regex.compile(r"\w")
    extra = set(CASELESS_EXTRA.values())
    for code in range(0x80, 0x110000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if caseless.match(char):
            assert char in extra, hex(code)
        folded = char.casefold()
        if folded[0] in ASCII_ALNUM or folded[-1] in ASCII_ALNUM:
            assert word.match(char), hex(code)
    for letter, char in CASELESS_EXTRA.items():
        assert regex.match(f"(?i){letter}", char)


def test_ascii_mid_sentence_capital_finds_what_the_unicode_pattern_finds() -> None:
    import random
    import re

    import regex

    from cleaner.mt_detectors import ASCII_MID_SENTENCE_CAPITAL, ASCII_SPACE, MID_SENTENCE_CAPITAL

    assert re.compile(ASCII_SPACE + "+").fullmatch("".join(c for c in map(chr, range(128)) if regex.match(r"\s", c)))
    assert not any(regex.match(r"\s", chr(c)) and not re.match(ASCII_SPACE, chr(c)) for c in range(128))
    pieces = ["Abcd", "Xyzzyq", "abc", " ", "  ", "   ", "    ", ",", ";", "\n", "\t", "\x0b", "\x1c", "-", "'",
              "_", "1", "Q", "Abcdefghijklmnopqrs", "x"]
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        assert ASCII_MID_SENTENCE_CAPITAL.findall(text) == MID_SENTENCE_CAPITAL.findall(text), repr(text)


def test_mid_sentence_capitals_finds_what_the_unicode_pattern_finds() -> None:
    """ASCII-class scan plus Unicode scans around non-ASCII letters and spaces: the same words."""
    import random

    from cleaner.mt_detectors import MID_SENTENCE_CAPITAL, mid_sentence_capitals

    pieces = ["Abcd", "Xyzzyq", "abc", " ", "   ", "    ", ",", ";", "\n", "\t", "\x1c", "-", "'", "_", "1",
              "Abcdefghijklmnopqrs", "x", "é", "É", "Éabc", "abcé", "\xa0", "\u2003", "—", "’", "ª", "Ωμεγα",
              "\u0301", "٣", "²", "Udonian", "lorem ipsum dolor "]
    rng = random.Random(5)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        assert mid_sentence_capitals(text) == set(MID_SENTENCE_CAPITAL.findall(text)), repr(text)


def test_casefold_by_runs_is_casefold() -> None:
    import random

    from cleaner.stages.translation import casefold

    chars = ["a", "B", "é", "ß", "ﬁ", "Σ", "\u0130", "x", " ", "—", "\u212a", "Ω", "ς", "Z"]
    rng = random.Random(1)
    for _ in range(20000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 20)))
        assert casefold(text) == text.casefold(), repr(text)
