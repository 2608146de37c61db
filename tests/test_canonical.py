"""Canonical text: what the issue asks of encodings, spaces, quotes, lists and blocks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, Config, clean_text
from cleaner.stages.canonical import HAS_CONTROL, holds_control

from .conftest import FIXTURES


def test_mojibake_entities_and_crlf_are_repaired() -> None:
    assert clean_text("caf\u00c3\u00a9\r\n") == "café\n"
    assert clean_text("\u00e2\u20ac\u0153hello\u00e2\u20ac\u009d said Tom &amp; Jerry\r\n") == '"hello" said Tom & Jerry\n'


def test_seed_001_bullets_become_a_tight_list_and_nbsp_line_goes(quiet_cleaner: Cleaner) -> None:
    text = quiet_cleaner.clean((FIXTURES / "seeds" / "001_13b0ada248a51723.txt").read_bytes()).text
    assert "•" not in text and "\u00a0" not in text
    assert ("- Reducing US military aid to Ukraine\n- Blocking Ukraine's NATO membership\n"
            "- Encouraging Ukraine to cede territory to Russia\n- Withdrawing US troops from Eastern Europe\n") in text
    assert "\n\n\n" not in text


@pytest.mark.parametrize(("raw", "encoding", "expected"), [
    ("café".encode("utf-8"), "utf-8", "café\n"),
    (b"\xef\xbb\xbfcaf\xc3\xa9", "utf-8", "café\n"),
    ("café".encode("utf-16"), "utf-16-le", "café\n"),
    ("café au lait, déjà vu".encode("utf-16-le"), "utf-16-le", "café au lait, déjà vu\n"),
    ("café “quoted”".encode("cp1252"), "cp1252", 'café "quoted"\n'),
    ("naïve".encode("latin-1"), "cp1252", "naïve\n"),
])
def test_bytes_are_decoded(raw: bytes, encoding: str, expected: str, quiet_cleaner: Cleaner) -> None:
    result = quiet_cleaner.clean(raw)
    assert result.text == expected
    assert result.meta["encoding"] == encoding


def test_quotes_can_be_kept() -> None:
    kept = Cleaner(Config(quotes="keep", language_backend="off")).clean("It\u2019s \u201cfine\u201d")
    assert kept.text == "It\u2019s \u201cfine\u201d\n"


def test_cjk_punctuation_and_letters_are_never_folded(quiet_cleaner: Cleaner) -> None:
    text = "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u3000\uff08\u6d4b\u8bd5\uff09 \u041f\u0440\u0438\u0432\u0435\u0442"
    assert quiet_cleaner.clean(text).text == text + "\n"


def test_output_has_one_final_newline_and_no_edge_blank_lines(quiet_cleaner: Cleaner) -> None:
    assert quiet_cleaner.clean("\n\n  \nBody.\n\n\n").text == "Body.\n"
    assert quiet_cleaner.clean("").text == ""
    assert quiet_cleaner.clean(" \n\u00a0\n").text == ""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(
    st.characters(exclude_categories=()),
    # Controls and surrogates, and their near misses in UTF-8 (C2 A0, C2 BF, ED 95 9C).
    st.sampled_from("\x00\x07\t\n\x0b\x1f\x7f\x80\x85\x9f\ud800\udc00\udfff\u00a0\u00bf\ud55c"))))
def test_the_utf8_control_guard_agrees_with_the_class_search(text: str) -> None:
    # drop_stray_controls skips a text when holds_control says no; it must say what
    # HAS_CONTROL (the plain definition) says, surrogates and C1 controls included.
    assert holds_control(text) == (HAS_CONTROL.search(text) is not None)


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\ud800", "\udfff"])
def test_the_utf8_control_guard_finds_each_kind(char: str) -> None:
    assert holds_control(f"caf\u00e9 {char} \ud55c")
    assert not holds_control("caf\u00e9 \t\n \u00a0 \u00ad \ud55c \U0001f600")
