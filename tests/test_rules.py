"""Every example of every rule, and the rule files' own consistency."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from cleaner import Cleaner, Config, RuleError
from cleaner.ruleset import STAGE_PREFIXES, RuleSet, read_rule_file

RULES = RuleSet.load()


@lru_cache(maxsize=None)
def cleaner_for(code: str) -> Cleaner:
    return Cleaner(Config(select=(code,), language_backend="off"))


EXAMPLES = [
    pytest.param(rule.code, example, id=f"{rule.code}-{index}")
    for rule in RULES.rules
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("code", "example"), EXAMPLES)
def test_rule_example(code: str, example) -> None:  # type: ignore[no-untyped-def]
    result = cleaner_for(code).clean(example.input)
    assert result.text == example.output
    if example.changes:
        assert any(change.code == code for change in result.changes)


def test_every_rule_has_both_kinds_of_example() -> None:
    for rule in RULES.rules:
        kinds = {example.changes for example in rule.examples}
        if rule.mode == "flag" and rule.params.get("flag_examples"):
            kinds.add(True)  # a flag-only rule never edits; tests/test_translation.py runs its flag_examples
        assert kinds == {True, False}, f"{rule.code} needs an example it changes and one it leaves alone"


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES.rules]
    names = [rule.name for rule in RULES.rules]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    for rule in RULES.rules:
        assert rule.code.startswith(STAGE_PREFIXES[rule.stage])
        assert rule.summary and rule.summary[0].isupper()


def test_rule_file_error_names_file_and_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\ncode = "BP901"\nname = "boilerplate.x"\nsummary = "S."\n'
                   'stage = "boilerplate"\nkind = "regex_line"\npattern = "(unclosed"\n')
    with pytest.raises(RuleError, match=r"bad\.toml: BP901: pattern '\(unclosed' does not compile"):
        read_rule_file(bad)


def test_catastrophic_pattern_is_refused_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "slow.toml"
    bad.write_text('[[rule]]\ncode = "BP902"\nname = "boilerplate.slow"\nsummary = "S."\n'
                   'stage = "boilerplate"\nkind = "regex_line"\npattern = "(a+)+$"\n')
    with pytest.raises(RuleError, match=r"slow\.toml: BP902: .*nests a quantifier"):
        read_rule_file(bad)


def test_user_rule_may_not_reuse_a_bundled_code(tmp_path: Path) -> None:
    clash = tmp_path / "clash.toml"
    clash.write_text('[[rule]]\ncode = "BP001"\nname = "boilerplate.mine"\nsummary = "S."\n'
                     'stage = "boilerplate"\nkind = "phrase_line"\nphrases = ["x"]\n')
    with pytest.raises(RuleError, match=r"clash\.toml: BP001: code already used"):
        RuleSet.load([clash])


def test_user_phrase_rule_needs_no_python(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('[[rule]]\ncode = "BP900"\nname = "boilerplate.my_site"\nsummary = "Dropped my banner."\n'
                    'stage = "boilerplate"\nkind = "phrase_line"\nphrases = ["Buy our mug!"]\n')
    cleaner = Cleaner(Config(rule_files=(str(mine),), language_backend="off"))
    result = cleaner.clean("Real text here.\n\nBUY OUR MUG\n")
    assert result.text == "Real text here.\n"
    assert [c.code for c in result.changes if c.action == "remove"] == ["BP900"]


def test_selection_by_prefix_and_name() -> None:
    assert {r.stage for r in RULES.selected(("BP",)).rules} == {"boilerplate"}
    ignored = RULES.selected(ignore=("canonical.quotes",))
    assert "CN004" not in {r.code for r in ignored.rules}
    with pytest.raises(RuleError, match="matches no rule"):
        RULES.selected(("ZZ9",))
