"""Bad inputs get a clear answer; pathological rules cannot hang a run (issue 8)."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from cleaner import Cleaner, Config, InputError, RuleError
from cleaner.ruleset import read_rule_file

CLEANER = Cleaner(Config(language_backend="off"))


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data (PNG image), not text"),
    (gzip.compress(b'{"text": "hi"}\n'), "binary data (gzip-compressed data (name it .gz to have it read as compressed JSONL)), not text"),
    (b"\x00\x01\x02\x03 MZ" * 300, "binary data (contains NUL bytes), not text"),
    (bytes(range(1, 32)) * 40, "binary data (mostly control bytes), not text"),
])
def test_binary_input_is_refused_with_its_kind(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        CLEANER.clean(data)
    assert str(caught.value) == reason


@pytest.mark.parametrize(("data", "expected"), [
    (b"", ""),
    (b"caf\xc3\xa9 \xff end", "café ÿ end\n"),
    ("naïve café".encode("latin-1"), "naïve café\n"),
    ("smart “quotes” — dash".encode("cp1252"), 'smart "quotes" — dash\n'),
    ("utf-8 line é\n".encode() + "cp1252 line “é”".encode("cp1252"), 'utf-8 line é\ncp1252 line "é"\n'),
    ("\ufeffBOM text".encode("utf-16"), "BOM text\n"),
    ("no BOM here, plain".encode("utf-16-le"), "no BOM here, plain\n"),
    ("big endian".encode("utf-16-be"), "big endian\n"),
    (b"a stray\x00 NUL in text", "a stray NUL in text\n"),
    (b"One\rTwo\r\nThree\nFour", "One\n\nTwo\n\nThree\n\nFour\n"),
])
def test_text_in_any_usual_encoding_is_cleaned(data: bytes, expected: str) -> None:
    assert CLEANER.clean(data).text == expected


def test_nested_quantifier_rule_is_refused_with_file_and_code(tmp_path: Path) -> None:
    rule_file = tmp_path / "user.toml"
    rule_file.write_text('[[rule]]\ncode = "BP990"\nname = "boilerplate.user_slow"\nsummary = "Slow."\n'
                         'stage = "boilerplate"\nkind = "regex_replace"\npattern = "(a+)+$"\nreplacement = ""\n')
    with pytest.raises(RuleError) as caught:
        read_rule_file(rule_file)
    assert str(caught.value).startswith(f"{rule_file}: BP990: pattern '(a+)+$' nests a quantifier")


def test_pathological_rule_times_out_and_the_document_is_still_cleaned(tmp_path: Path) -> None:
    # An alternation that backtracks exponentially slips past the shape check; the
    # match timeout stops it, the rule is skipped for this document, the rest goes on.
    rule_file = tmp_path / "user.toml"
    rule_file.write_text('[[rule]]\ncode = "BP991"\nname = "boilerplate.user_backtracks"\nsummary = "Slow."\n'
                         'stage = "boilerplate"\nkind = "regex_replace"\npattern = "(a|aa)+$"\nreplacement = ""\n')
    cleaner = Cleaner(Config(rule_files=(str(rule_file),), language_backend="off", regex_timeout_seconds=0.2))
    started = time.monotonic()
    result = cleaner.clean("a" * 5000 + "!\u00a0\r\n")
    assert time.monotonic() - started < 10
    assert result.text == "a" * 5000 + "!\n"
    flags = [c for c in result.changes if c.code == "BP991"]
    assert len(flags) == 1 and flags[0].action == "flag" and flags[0].summary.startswith("Skipped:")
