"""The repair stage gives exactly ftfy.fix_text's output, only faster.

Checked on ftfy's own test cases (fixtures/ftfy, Apache-2.0, see its README), on a
sample of the benchmark corpus made at test time by ../shared/bench/gen_corpus.py, and
on generated text built from the characters the cheap check has to get right. The
one documented exception: in a segment with CJK letters the stage keeps full-width
punctuation (fix_character_width off); every case that differs must be such a case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.config import Config
from cleaner.model import Document
from cleaner.pipeline import STAGES
from cleaner.ruleset import RuleSet
from cleaner.stages import repair

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "fixtures" / "ftfy" / "test_cases.json").read_text(encoding="utf-8"))
GEN_CORPUS = ROOT.parent / "shared" / "bench" / "gen_corpus.py"


def build_repair(config: Config | None = None) -> repair.Stage:
    config = config or Config()
    rules = RuleSet.load([]).selected(config.select, config.ignore)
    assert dict(STAGES)["repair"] is repair.build
    return repair.build(rules.by_stage["repair"], config)


REPAIR = build_repair()


def run(text: str) -> str:
    return REPAIR(Document(text=text, meta={}))[0].text


def has_cjk_and_width(text: str) -> bool:
    return bool(repair.CJK.search(text)) and any(ch == "\u3000" or "\uff01" <= ch <= "\uffef" for ch in text)


def test_ftfy_cases_are_all_here() -> None:
    assert len(CASES) >= 150
    assert all({"label", "original", "fixed"} <= set(case) for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_repair_equals_ftfy_on_its_own_cases(case: dict[str, str]) -> None:
    expected = ftfy.fix_text(case["original"])
    if has_cjk_and_width(case["original"]):
        pytest.skip("CJK with full-width forms: the stage keeps them (documented exception)")
    assert run(case["original"]) == expected


def test_only_cjk_cases_may_differ() -> None:
    differing = [case["label"] for case in CASES if run(case["original"]) != ftfy.fix_text(case["original"])]
    cjk = [case["label"] for case in CASES if has_cjk_and_width(case["original"])]
    # ftfy 6.3.1's cases: none mixes CJK letters with full-width forms, so none differs.
    assert set(differing) <= set(cjk)
    assert differing == [], differing


def test_cjk_exception_keeps_full_width_punctuation() -> None:
    text = "你好，世界？（测试）\n"
    assert run(text) == text
    assert ftfy.fix_text(text) != text  # ftfy alone folds them: this is the exception


@pytest.fixture(scope="module")
def corpus_sample(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if not GEN_CORPUS.exists():
        pytest.skip("../shared/bench/gen_corpus.py is absent")
    out = tmp_path_factory.mktemp("corpus") / "sample.jsonl"
    subprocess.run([sys.executable, str(GEN_CORPUS), "--out", str(out), "--mb", "1"],
                   check=True, capture_output=True)
    return [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]


def test_repair_equals_ftfy_on_a_corpus_sample(corpus_sample: list[str]) -> None:
    assert len(corpus_sample) > 50
    differing = [i for i, text in enumerate(corpus_sample) if run(text) != ftfy.fix_text(text)]
    assert differing == []
    assert sum(run(text) != text for text in corpus_sample) > 10  # the sample has things to repair


# Characters the cheap check must get right: plain ASCII, "&" and "<" (unescape_html's
# state), CR, curly quotes, accented letters and the pieces mojibake is made of,
# NBSP, C1 controls, ligatures, full-width forms and a combining accent.
PIECES = st.sampled_from([
    "a", "e", " ", "\n", "\r\n", "\r", "&amp;", "&", "<", ";", "'", "\u2019", "\u201c", "\u201d",
    "\u2018", "\u02bc", "\u00e9", "\u00c3", "\u00a9", "\u00a0", "\u00e2", "\u20ac", "\u2122",
    "\u0153", "\u00c2", "\u2014", "\u2026", "\u0085", "\u0090", "\ufb01", "\uff01", "\u0301", "\u25aa", "\u00bb", "\u00b0", "\u00c2\u00bb",
    "\u00e2\u20ac\u2122", "caf\u00c3\u00a9", "\u0420\u0459", "\u00f0\u0178\u02dc\u20ac", "\t",
    "\u2022", "\u00b7", "\u2013", "&lt;", "&#10;", "\u2028", "\ud83d", "\u3000", "\u4e2d",
])


def fix_text_settled(text: str) -> str:
    """ftfy.fix_text, applied again while it still changes its own output (at most 4 passes)."""
    for _ in range(4):
        fixed = ftfy.fix_text(text)
        if fixed == text:
            break
        text = fixed
    return text


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_repair_equals_ftfy_on_generated_text(text: str) -> None:
    # Equal to ftfy.fix_text wherever ftfy is idempotent; where a second pass of ftfy
    # changes its own output, the stage takes that pass too (see repair.settle).
    if has_cjk_and_width(text):
        return
    assert run(text) == fix_text_settled(text)


def test_repair_settles_where_ftfy_is_not_idempotent() -> None:
    text = "\u00a0\u00e2\u20ac\u2122\r\u00e9"  # the CR becomes LF and splits a segment anew
    assert ftfy.fix_text(ftfy.fix_text(text)) != ftfy.fix_text(text)
    assert run(text) == fix_text_settled(text)
    assert run(run(text)) == run(text)


def test_ftfy_is_idempotent_on_its_own_cases_and_the_corpus(corpus_sample: list[str]) -> None:
    # Where this holds, "equal to fix_text" and "settled" are the same promise.
    for text in [case["original"] for case in CASES] + corpus_sample:
        fixed = ftfy.fix_text(text)
        assert ftfy.fix_text(fixed) == fixed


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=20).map("".join), st.booleans())
def test_fast_fix_and_explain_is_ftfys(segment: str, unescaping: bool) -> None:
    # The stage's own fix_and_explain skips fixers that cannot act; text and
    # explanation must still be ftfy's, step for step.
    config = ftfy.TextFixerConfig(unescape_html="auto" if unescaping else False)
    assert repair.fix_and_explain(segment, config) == tuple(ftfy.fix_and_explain(segment, config))


def test_badness_search_is_windowed_and_exact() -> None:
    assert repair.BADNESS_REACH is not None  # ftfy's pattern still has the bounded shape
    for text in ["x" * 50 + "caf\u00c3\u00a9" + "y" * 50, "\u00c3 " + "z" * 30, "plain " * 20 + "\u00e9",
                 "\u00c2 " * 3, "abc\u00c3\n", "\u00e2\u20ac\u2122" + "q" * 40]:
        assert repair.looks_bad(text) == ftfy.badness.is_bad(text), text


def test_changes_are_reported_per_fix_family() -> None:
    doc = Document(text="It\u2019s caf\u00c3\u00a9 &amp; more\r\nplain line\r\n", meta={})
    _, changes = REPAIR(doc)
    codes = {rule.impl: rule.code for rule in RuleSet.load([]).by_stage["repair"]}
    got = {(change.code, change.line) for change in changes}
    assert (codes["fix_mojibake"], 1) in got
    assert (codes["unescape_html"], 1) in got
    assert (codes["uncurl_quotes"], 1) in got
    assert (codes["fix_line_breaks"], 2) in got
    # A line changed only by the cheap path reports its families too.
    _, cheap = REPAIR(Document(text="ok\n\u201cquoted\u201d\r\n", meta={}))
    assert [(c.code, c.line) for c in cheap] == [(codes["uncurl_quotes"], 2), (codes["fix_line_breaks"], 2)]


def test_quotes_keep_leaves_curly_quotes() -> None:
    keep = build_repair(Config(quotes="keep"))
    text = "\u201cquoted\u201d caf\u00e9\n"
    assert keep(Document(text=text, meta={}))[0].text == text


def repair_by_segments_only(monkeypatch: pytest.MonkeyPatch) -> repair.Stage:
    # Without the document-wide character list, every segment holding anything but
    # plain ASCII goes to fix_segment: the slow, general walk.
    stage = build_repair()
    monkeypatch.setattr(repair, "unusual_characters", lambda text: None)
    return stage


def test_quiet_lines_report_what_the_segment_path_reports(
        corpus_sample: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [REPAIR(Document(text=text, meta={})) for text in corpus_sample]
    slow_stage = repair_by_segments_only(monkeypatch)
    slow = [slow_stage(Document(text=text, meta={})) for text in corpus_sample]
    assert [(doc.text, changes) for doc, changes in fast] == [(doc.text, changes) for doc, changes in slow]


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_quiet_lines_match_the_segment_path_on_generated_text(text: str) -> None:
    fast = REPAIR(Document(text=text, meta={}))
    with pytest.MonkeyPatch.context() as monkeypatch:
        slow = repair_by_segments_only(monkeypatch)(Document(text=text, meta={}))
    assert (fast[0].text, fast[1]) == (slow[0].text, slow[1])


def test_benign_characters_cannot_look_bad() -> None:
    assert repair.NOT_BENIGN is not None  # proven against ftfy's badness regex at import
    assert repair.QUIET == frozenset(repair.BENIGN)  # and NFC-safe: lines of them skip ftfy
    benign = "It\u2019s \u201cquoted\u201d \u2014 and\u00a0so \u2026 \u2022 \u00b7 \u2018x\u2019 \u2013 y"
    assert not ftfy.badness.is_bad(benign)
    assert not repair.looks_bad(benign)
