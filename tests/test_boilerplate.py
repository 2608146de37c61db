"""The boilerplate stage on the seeds, and the mechanisms its rules rely on."""

from __future__ import annotations

import pytest

from cleaner import Cleaner, Config
from cleaner.ruleset import RuleSet
from cleaner.stages.boilerplate import join_patterns, scope_flags, strip_marker

from .conftest import FIXTURES

SEEDS = {path.name[:3]: path for path in (FIXTURES / "seeds").glob("*.txt")}

GONE = {
    "000": ["Follow me by clicking on my business card below",
            "To make sure you receive every article, please star the top right corner of the home page!",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *"],
    "001": ["Newsletter", "wave", "Search Anything...!"],
    "003": ["Article –"],
    "004": ["The Russian Army", "U.S. President Trump"],
}

HEADINGS = {
    "001": ["Trump's Harsh Words for Ukraine's Leader", "US and Russia Reopen Talks", "What Trump Might Offer Putin",
            "Is Russia Showing Weakness?", "US-Russia Relations", "The Risk of Future Russian Aggression",
            "What's Next for US-Russia Relations?"],
    "003": ["Background", "The Global Impact", "Reactions from the World Stage", "What Comes Next?"],
    "000": ["Allowing Trump to give the international community, a little accountability."],
}


@pytest.fixture(scope="module")
def cleaned(quiet_cleaner: Cleaner) -> dict[str, str]:
    return {key: quiet_cleaner.clean(path.read_bytes()).text for key, path in SEEDS.items()}


@pytest.mark.parametrize("seed", sorted(GONE))
def test_seed_boilerplate_lines_are_gone(seed: str, cleaned: dict[str, str]) -> None:
    lines = {line.strip() for line in cleaned[seed].split("\n")}
    for junk in GONE[seed]:
        assert junk not in lines


def test_seed_003_label_and_stray_punctuation(cleaned: dict[str, str]) -> None:
    first = cleaned["003"].split("\n")[0]
    assert first.startswith("Analyzing Russia's strategic stance")
    assert first.endswith("power balance.")


def test_seed_004_provenance_footer_is_gone(cleaned: dict[str, str]) -> None:
    assert "Original article:" not in cleaned["004"]
    assert "Statement:" not in cleaned["004"]


@pytest.mark.parametrize("seed", sorted(HEADINGS))
def test_seed_headings_and_short_sentences_stay(seed: str, cleaned: dict[str, str]) -> None:
    lines = {line.strip() for line in cleaned[seed].split("\n")}
    for heading in HEADINGS[seed]:
        assert heading in lines


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_no_content_sentence_of_a_seed_is_lost(seed: str) -> None:
    """Every line the boilerplate stage drops is named in GONE or is a known label or footer."""
    # Only the stages up to boilerplate, so later stages' edits do not blur the comparison.
    without = Cleaner(Config(select=("RP", "CN"), language_backend="off")).clean(SEEDS[seed].read_bytes()).text
    with_bp = Cleaner(Config(select=("RP", "CN", "BP"), language_backend="off")).clean(SEEDS[seed].read_bytes()).text
    kept = with_bp.split("\n")
    lost = [line for line in without.split("\n") if line.strip() and line not in kept]
    allowed = set(GONE.get(seed, ())) | {"Search Anything...!"}
    for line in lost:
        assert line in allowed or line.startswith(("Original article:", "Statement:", "Summary –")), line


def test_every_removed_line_is_a_remove_change(quiet_cleaner: Cleaner) -> None:
    result = quiet_cleaner.clean(SEEDS["000"].read_bytes())
    removed = [c for c in result.changes if c.stage == "boilerplate"]
    assert {c.action for c in removed} == {"remove"}
    assert {c.before for c in removed} >= set(GONE["000"])
    assert all(c.code.startswith("BP") for c in removed)


def test_glued_prefix_is_cut_and_recorded() -> None:
    result = Cleaner(Config(language_backend="off")).clean("Search Anything...!This entrenched posture complicates outreach.")
    assert result.text == "This entrenched posture complicates outreach.\n"
    assert [(c.code, c.action, c.before) for c in result.changes if c.stage == "boilerplate"] == \
        [("BP010", "remove", "Search Anything...!")]


def test_zone_phrase_stays_in_the_middle_of_a_long_article() -> None:
    body = [f"Paragraph number {n} of the article says something of its own." for n in range(20)]
    text = "\n\n".join(body[:10] + ["Newsletter"] + body[10:])
    result = Cleaner(Config(select=("BP022", "BP033"), language_backend="off")).clean(text)
    assert "\nNewsletter\n" in result.text


def test_removal_guard_keeps_lines_and_warns() -> None:
    """A body made mostly of short lines: the menu heuristic would take too much of it."""
    long = " ".join(["A long sentence of the article carries many words of prose."] * 5)
    items = [f"Item {n} of a list nobody introduced" for n in range(6)]
    text = "\n\n".join([long] + items + [long.replace("A long", "Another long")])
    strict = Cleaner(Config(select=("BP013",), language_backend="off", max_heuristic_removal=0.1)).clean(text)
    assert strict.text == text
    assert strict.meta["warnings"] and "heuristic rules would remove" in strict.meta["warnings"][0]
    assert [c.action for c in strict.changes] == ["flag"]
    loose = Cleaner(Config(select=("BP013",), language_backend="off", max_heuristic_removal=1.0)).clean(text)
    assert "Item 3 of a list" not in loose.text
    assert "warnings" not in loose.meta


def test_exact_rules_are_not_held_back_by_the_guard() -> None:
    text = "Leave a Reply\n\nYour email address will not be published."
    result = Cleaner(Config(select=("BP001",), language_backend="off", max_heuristic_removal=0.0)).clean(text)
    assert result.text == ""


def test_patterns_join_into_one_alternation_per_kind() -> None:
    rules = [r for r in RuleSet.load().rules if r.kind == "regex_line" and r.zone == "any"]
    joined = join_patterns(rules)
    assert joined is not None
    pattern, owners = joined
    assert len(owners) == len(rules)
    match = pattern.fullmatch("Original article: https://example.com/a/1")
    assert match is not None
    assert scope_flags("(?i)abc") == "(?i:abc)"
    assert strip_marker("* Facebook") == "Facebook"


def test_sentence_about_chrome_is_not_taken_for_chrome(quiet_cleaner: Cleaner) -> None:
    text = ("The site uses a cookie banner that many readers find annoying, the study said.\n\n"
            "Copyright law changed a great deal after 1998, the judge said.\n\n"
            "By the time the council met, the plan was ready.")
    assert quiet_cleaner.clean(text).text == text + "\n"


def test_dispatch_matches_like_the_whole_alternation() -> None:
    """Picking branches by a line's first characters never changes which rule matches."""
    from cleaner.stages.boilerplate import LINE_KINDS, LineRules

    rules = [r for r in RuleSet.load().rules if r.stage == "boilerplate" and r.kind in LINE_KINDS]
    line_rules = LineRules.compile(rules, 1.0)
    lines = {line.strip() for path in SEEDS.values() for line in path.read_text(encoding="utf-8").split("\n")}
    lines |= {line.strip() for rule in rules for example in rule.examples for line in example.input.split("\n")}
    lines |= {"© 2019 Example Media Inc.", "Tags: budget, roads", "12 Comments", "* Facebook", "By Jane Doe", "x"}
    dispatches = [d for d in (*line_rules.patterns.values(), line_rules.prefix, line_rules.section_patterns) if d]
    checked = 0
    for dispatch in dispatches:
        for line in sorted(lines):
            whole = dispatch.whole.fullmatch(line)
            picked = dispatch.pick(line)
            fast = picked.fullmatch(line) if picked is not None else None
            assert (whole is None) == (fast is None), line
            if whole is not None and fast is not None:
                checked += 1
                assert whole.span() == fast.span(), line
            whole_prefix, picked_prefix = dispatch.whole.match(line), (picked.match(line) if picked else None)
            assert (whole_prefix is None) == (picked_prefix is None), line
    assert checked > 10


def sample_lines() -> set[str]:
    """Lines to compare fast paths on: seeds, rule examples, eval-dev pages when present, odd cases."""
    from .conftest import SHARED

    lines = {line.strip() for path in SEEDS.values() for line in path.read_text(encoding="utf-8").split("\n")}
    lines |= {line.strip() for rule in RuleSet.load().rules for example in rule.examples
              for line in example.input.split("\n")}
    for path in sorted((SHARED / "eval-dev" / "pages").glob("*.txt"))[:20]:
        lines |= {line.strip() for line in path.read_text(encoding="utf-8").split("\n")}
    lines |= {"© 2019 Example Media Inc.", "ALL RIGHTſ RESERVED", "Follow us on Facebook", "x. Read more »",
              "Done.Continue reading", "a... [...]", "- Café naïve words", "Ünïcödé “quoted” line.)\"", ""}
    return lines


def test_screened_dispatch_finds_what_the_whole_alternation_finds() -> None:
    """Screens (length, anchors, a line's end) leave out only branches that cannot match."""
    from cleaner.stages.boilerplate import LINE_KINDS, LineRules, find_suffix

    rules = [r for r in RuleSet.load().rules if r.stage == "boilerplate" and r.kind in LINE_KINDS]
    line_rules = LineRules.compile(rules, 1.0)
    dispatches = [d for d in (*line_rules.patterns.values(), line_rules.section_patterns) if d]
    matched = 0
    assert line_rules.suffix is not None
    for line in sorted(sample_lines()):
        for dispatch in dispatches:
            whole = dispatch.whole.fullmatch(line)
            picked = dispatch.pick(line, whole_line=True)
            fast = picked.fullmatch(line) if picked is not None else None
            assert (whole.span(), whole.lastgroup) == (fast.span(), fast.lastgroup) if whole else fast is None, line
            matched += whole is not None
        start = max(0, len(line) - 160)
        slow = line_rules.suffix.whole.search(line, start)
        expected = slow if slow is not None and slow.end() == len(line) else None
        found = find_suffix(line, line_rules)
        assert (found[0].span() if found else None) == (expected.span() if expected else None), line
    assert matched > 10


def test_case_folding_for_screens_covers_the_regex_module() -> None:
    """Every character that `(?i)` lets stand for an ASCII letter becomes that letter in fold_case."""
    import sys

    import regex

    from cleaner.stages.boilerplate import fold_case

    every = "".join(chr(cp) for cp in range(128, sys.maxunicode + 1) if not 0xD800 <= cp < 0xE000)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for stand_in in set(regex.findall(f"(?i){letter}", every)):
            assert letter in fold_case(stand_in), (letter, stand_in)


def test_screen_reads_width_and_anchors_or_gives_up() -> None:
    from cleaner.stages.boilerplate import UNBOUNDED, screen_branch

    screen = screen_branch(0, r"(?i:(?:[\w.,&' -]{0,80}[.,] )?all rights reserved\.?(?: [^\n]{0,120})?)")
    assert screen.anchors == ("all rights reserved",) and screen.width == 82 + 19 + 1 + 121
    assert screen_branch(0, r"(?:follow|like) us on (?:x|facebook)").anchors == (" us on ",)
    assert screen_branch(0, r"https?://\S+").width == UNBOUNDED
    # Syntax the stdlib reads otherwise than the regex module: no screen at all.
    for pattern in (r"(?:colour){e<=1}", r"[[:alpha:]]+ news", r"\p{L}+ news", r"(?V1)[\w--\d]+ news"):
        assert screen_branch(0, pattern).anchors == () and screen_branch(0, pattern).width == UNBOUNDED


@pytest.mark.parametrize("text", ["Don't stop_me now, 2 times!", "Café naïve — über 3½ words", "", "...",
                                  "ends with a quote.\")", "ends: ", "no end", "Is it?'", "a…", "x.\n"])
def test_word_count_and_terminal_test_agree_with_their_patterns(text: str) -> None:
    from cleaner.stages.boilerplate import TERMINAL, WORD, count_words, is_terminal

    assert count_words(text) == len(WORD.findall(text))
    assert is_terminal(text) == (TERMINAL.search(text) is not None)


def test_word_count_agrees_with_its_pattern_on_every_character() -> None:
    """count_words' marks for non-ASCII characters (surrogates too) count as `\\w+` does, alone and in runs."""
    import sys

    from cleaner.stages.boilerplate import WORD, count_words

    # Every assigned character lies in planes 0-3 and 14 (15 and 16 are private use, no word characters).
    codes = [*range(128, 0x40000), *range(0xE0000, 0xE1000), *range(0xF0000, 0xF0100), sys.maxunicode]
    chars = list(map(chr, codes))
    spaced = " ".join(chars)
    assert count_words(spaced) == len(WORD.findall(spaced))
    chunk = chars[:8192]   # runs of characters, and characters alone among ASCII ones
    for text in ("".join(chunk), "a" + "b-".join(chunk) + "é"):
        assert count_words(text) == len(WORD.findall(text))


def test_a_punctuation_only_first_line_is_no_headline() -> None:
    # "'" and "|" both fold to nothing; that must not make "|" a repeated headline.
    cleaner = Cleaner(Config(language_backend="off"))
    once = cleaner.clean("\u2019\n|\n\u2022 \nword").text
    assert "|" in once
    assert cleaner.clean(once).text == once


def test_fast_fold_and_ascii_key_agree_with_fold() -> None:
    """fold_line() is fold() by other means; ascii_key() is what fold() leaves of ASCII letters and digits."""
    import random

    from cleaner.stages.boilerplate import ascii_alnum, ascii_key, fold_line
    from cleaner.stages.simple import fold

    chance = random.Random(7)
    pool = [chr(c) for c in range(0x20, 0x250)] + list("\t\x0b\x1c\x1f\x85\xa0\u2009\u3000\u200b’“”—…«»ßẞİıſKﬁ") \
        + [chr(chance.randrange(0x250, 0x30000)) for _ in range(500)]
    texts = {"".join(chance.choice(pool) for _ in range(chance.randint(0, 9))) for _ in range(20000)}
    texts |= sample_lines() | {"\x1cRead  MORE\x1c", " a\tb ", "Straße", "İstanbul ﬁle"}
    for text in texts:
        assert fold_line(text) == fold(text), repr(text)
        assert ascii_key(text) == ascii_alnum(fold(text)), repr(text)


def test_every_other_whitespace_is_unprintable() -> None:
    """is_compact() relies on it: a printable line holds no whitespace the regex module knows but the space."""
    import sys

    import regex

    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp < 0xE000)
    assert {c for c in regex.findall(r"\s", every) if c.isprintable()} == {" "}


def test_line_screens_pass_every_line_a_branch_matches() -> None:
    """Widths (compact or not), anchors, shapes and a backward probe leave out only branches that cannot match."""
    from cleaner.boilerplate_widths import is_compact
    from cleaner.stages.boilerplate import LINE_KINDS, PREFIX_CHARS, LineRules, screen_branch

    rules = [r for r in RuleSet.load().rules if r.stage == "boilerplate" and r.kind in LINE_KINDS]
    line_rules = LineRules.compile(rules, 1.0)
    dispatches = [d for d in (*line_rules.patterns.values(), line_rules.section_patterns) if d]
    lines = sample_lines() | {"- Peter SMITH, Reuters: “The plan is ready and so are we,” he said.",
                              "* Jane DOE (AP) -- 'Twenty characters or more of a quote'"}
    checked = shaped = 0
    for dispatch in dispatches:
        for number, branch in enumerate(dispatch.branches):
            screen = screen_branch(number, branch)
            for line in lines:
                if not dispatch.probes[number].fullmatch(line):
                    continue
                checked += 1
                assert screen.low <= len(line) <= (screen.compact if is_compact(line) else screen.width), line
                if screen.shape is not None:
                    shaped += 1
                    assert screen.shape.search(line), (branch, line)
        for line in lines:
            if dispatch.whole.fullmatch(line):
                assert dispatch.line_screen(line[:PREFIX_CHARS]).passes(line, is_compact(line)), line
    assert checked > 10 and shaped > 0
    assert line_rules.suffix_probe is not None


def test_required_run_reads_case_sensitive_rows_only() -> None:
    from re import _parser

    from cleaner.stages.boilerplate import required_run, screen_branch

    def run(pattern: str) -> str | None:
        found = required_run(_parser.parse(pattern), False)
        return "".join(found) if found else None

    assert run(r"[-*] \S+ [A-Z][A-Z.]+:") == r"\ [A-Z][A-Z\.]"
    assert run(r"(?i:ab+c)") is None and run(r"(?i:ab)(?-i:cd)") == "cd"
    assert run(r"x?yz") == "yz" and run(r"[^a]bc") == "bc"
    assert screen_branch(0, r"(?i:abc)").shape is None
    assert screen_branch(0, r"By [A-Z]\w+").shape is not None


def test_compact_widths_bound_whitespace_runs() -> None:
    from re import _parser

    from cleaner.boilerplate_widths import UNBOUNDED, is_compact, spans

    assert spans(_parser.parse(r"Follow us\s*:\s*[^\n]{1,80}")) == (11, UNBOUNDED, 92)
    assert spans(_parser.parse(r"a\S+")) == (2, UNBOUNDED, UNBOUNDED)
    assert spans(_parser.parse(r"(?=x)a(?:b|cd)? *")) == (1, UNBOUNDED, 4)
    assert is_compact("one two") and not is_compact("one  two") and not is_compact("one\u00a0two")


def test_a_line_rule_that_times_out_is_flagged_once_and_the_page_is_cleaned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import time

    rule_file = tmp_path / "slow.toml"
    rule_file.write_text('[[rule]]\ncode = "BP992"\nname = "boilerplate.user_slow_line"\nsummary = "Slow."\n'
                         'stage = "boilerplate"\nkind = "regex_line"\npattern = "(a|aa)+$|drop me"\n')
    cleaner = Cleaner(Config(rule_files=(str(rule_file),), language_backend="off", regex_timeout_seconds=0.2))
    page = "keep\n\ndrop me\n\n" + "a" * 5000 + "!\n\nlast\n"
    started = time.monotonic()
    result = cleaner.clean(page)
    assert time.monotonic() - started < 10
    assert result.text == "keep\n\n" + "a" * 5000 + "!\n\nlast\n"
    assert [(c.code, c.action) for c in result.changes if c.code == "BP992"] == [("BP992", "flag"), ("BP992", "remove")]
    # The same line again (remembered text) is run again and flagged again, as the first time.
    again = cleaner.clean(page)
    assert [(c.code, c.action) for c in again.changes if c.code == "BP992"] == [("BP992", "flag"), ("BP992", "remove")]
