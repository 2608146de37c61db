"""Bad inputs get a clear answer; pathological rules cannot hang a run (issue 8)."""

from __future__ import annotations

import gzip
import json
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, Config, InputError, RuleError
from cleaner.cli import main
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


# --- no hanging rules, at every place a rule pattern is matched ------------------------

def user_rule(tmp_path: Path, code: str, stage: str, kind: str, pattern: str, extra: str = "") -> Path:
    """Write a one-rule user rule file and return its path."""
    rule_file = tmp_path / f"{code.lower()}.toml"
    rule_file.write_text(f'[[rule]]\ncode = "{code}"\nname = "{stage}.user_{code.lower()}"\nsummary = "User rule."\n'
                         f'stage = "{stage}"\nkind = "{kind}"\npattern = {json.dumps(pattern)}\n{extra}')
    return rule_file


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_nested_quantifier_rule_is_refused_by_the_cli_with_exit_2(tmp_path: Path) -> None:
    rule_file = user_rule(tmp_path, "BP990", "boilerplate", "regex_replace", "(a+)+$", 'replacement = ""\n')
    result = run("clean", "--rules", str(rule_file), input="a" * 50 + "!")
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: {rule_file}: BP990: pattern '(a+)+$' nests a quantifier inside a quantified "
                             "group (like (a+)+), which can take exponential time; rewrite it without the nesting\n")
    assert result.stdout == ""


def test_nested_quantifier_in_a_glossary_context_pattern_is_refused(tmp_path: Path) -> None:
    rule_file = user_rule(tmp_path, "MT990", "translation", "glossary", r"\bfoo\b",
                          'replacement = "bar"\nnear = "(x+)+y"\n')
    with pytest.raises(RuleError) as caught:
        Cleaner(Config(rule_files=(str(rule_file),), language_backend="off"))
    assert str(caught.value).startswith(f"{rule_file}: MT990: pattern '(x+)+y' nests a quantifier")


@pytest.mark.parametrize("kind", ["regex_line", "regex_replace"])
def test_exponential_alternation_is_skipped_with_a_flag_and_the_rest_is_cleaned(tmp_path: Path, kind: str) -> None:
    # (a|aa)+$ slips past the shape check; against "a"*N + "!" it backtracks in 2^N.
    rule_file = user_rule(tmp_path, "TB990", "tables", kind, "(a|aa)+$", 'replacement = ""\n' * (kind == "regex_replace"))
    cleaner = Cleaner(Config(rule_files=(str(rule_file),), language_backend="off", regex_timeout_seconds=0.2))
    page = "\n\n".join(["Caf\u00c3\u00a9 &amp; bar  "] + ["a" * 5000 + "!"] * 40 + ["the end\u00a0here"])
    started = time.monotonic()
    result = cleaner.clean(page)
    assert time.monotonic() - started < 15  # 40 lines share one 0.2 s budget; unbounded this never ends
    assert result.text == "\n\n".join(["Café & bar"] + ["a" * 5000 + "!"] * 40 + ["the end here"]) + "\n"
    flags = [c for c in result.changes if c.code == "TB990"]
    assert [(c.action, c.line) for c in flags] == [("flag", 1)]
    assert flags[0].summary.startswith("Skipped: the rule's pattern ran longer than 0.2s on this document")


def test_a_rule_that_times_out_keeps_the_lines_it_matched_before(tmp_path: Path) -> None:
    rule_file = user_rule(tmp_path, "TB991", "tables", "regex_line", "(a|aa)+$|drop me")
    cleaner = Cleaner(Config(rule_files=(str(rule_file),), language_backend="off", regex_timeout_seconds=0.2))
    result = cleaner.clean("keep\n\ndrop me\n\n" + "a" * 5000 + "!\n\nlast\n")
    assert result.text == "keep\n\n" + "a" * 5000 + "!\n\nlast\n"
    assert [(c.code, c.action) for c in result.changes if c.code == "TB991"] == [("TB991", "flag"), ("TB991", "remove")]


def test_a_timed_out_rule_through_the_cli_is_a_flag_not_an_error(tmp_path: Path) -> None:
    rule_file = user_rule(tmp_path, "TB992", "tables", "regex_line", "(a|aa)+$")
    config = tmp_path / "cleaner.toml"
    config.write_text("regex_timeout_seconds = 0.2\n")
    source = tmp_path / "page.txt"
    source.write_text("a" * 5000 + "!\n")
    result = run("explain", "--config", str(config), "--rules", str(rule_file), "--lang-backend", "off", str(source))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{source}:1:1 TB992 flag: Skipped: the rule's pattern ran longer than 0.2s")


def test_boilerplate_line_rule_that_times_out_is_skipped(tmp_path: Path) -> None:
    rule_file = user_rule(tmp_path, "BP993", "boilerplate", "regex_line", "(a|aa)+$")
    cleaner = Cleaner(Config(rule_files=(str(rule_file),), language_backend="off", regex_timeout_seconds=0.2))
    result = cleaner.clean("a" * 5000 + "!\n")
    assert [c.action for c in result.changes if c.code == "BP993"] == ["flag"]


def test_a_rule_that_cannot_be_skipped_fails_its_document_clearly_and_the_batch_goes_on(tmp_path: Path) -> None:
    # Where a stage cannot skip a timed-out rule yet (boilerplate glued-prefix rules), the
    # worker names the document and the reason instead of letting TimeoutError escape.
    rule_file = user_rule(tmp_path, "BP994", "boilerplate", "strip_prefix", "(a|aa)+b")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.txt").write_text("a" * 5000 + "!\n")
    (folder / "good.txt").write_text("fine\u00a0text\n")
    config = tmp_path / "cleaner.toml"
    config.write_text("regex_timeout_seconds = 0.2\n")
    result = run("clean", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "--lang-backend", "off",
                 "--config", str(config), "--rules", str(rule_file))
    assert (tmp_path / "out" / "good.txt").read_text() == "fine text\n"
    assert not (tmp_path / "out" / "bad.txt").exists()
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: {folder / 'bad.txt'}: a rule's pattern ran longer than regex_timeout_seconds "
                             "(0.2s) where it cannot be skipped; the document was not cleaned (fix or --ignore the rule)\n")


# --- time bounded per KB ------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["word ", "\u00a0", "|", " | ", "\n", "\n\n", "- ", "\u2022 ", "Share ", "a",
                                 "aaaa", "!", "\r\n", "\u201c", "Caf\u00c3\u00a9 ", "&amp;", "\t", "   ", ":"]),
                max_size=60).map("".join).flatmap(lambda piece: st.integers(1, 400).map(lambda n: piece * n)))
def test_time_is_bounded_per_kilobyte(text: str) -> None:
    # A safety net against super-linear paths (repeated pieces are what triggers them),
    # not a benchmark: generous enough for a loaded two-core machine.
    kilobytes = len(text.encode("utf-8", "surrogatepass")) / 1024
    started = time.monotonic()
    CLEANER.clean(text)
    assert time.monotonic() - started < 1.0 + 0.2 * kilobytes


# --- size and shape -------------------------------------------------------------------------

class Overtime(Exception):
    """Raised by the alarm when a size test runs past its bound."""


def clean_within(seconds: int, data: str | bytes) -> str:
    """Clean with the default test cleaner, raising Overtime past `seconds` (so a slow path fails fast)."""
    def overtime(signum: int, frame: object) -> None:
        raise Overtime
    previous = signal.signal(signal.SIGALRM, overtime)
    signal.alarm(seconds)
    try:
        return CLEANER.clean(data).text
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_five_megabyte_single_line_is_cleaned() -> None:
    line = ("lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 90_000)[:5_000_000] + "  \r\n"
    text = clean_within(60, line.encode("utf-8"))  # about 3 s when linear
    assert text == line.rstrip() + "\n"


def test_a_five_megabyte_single_line_with_a_change_every_line_width_is_cleaned() -> None:
    line = ("Caf\u00c3\u00a9 lorem ipsum dolor sit amet, consectetur adipiscing elit\u00a0 " * 80_000)[:5_000_000]
    text = clean_within(30, line.encode("utf-8"))  # about 5 s when linear
    assert text.startswith("Café lorem ipsum dolor sit amet, consectetur adipiscing elit ")
    assert "\n" not in text[:-1] and "\u00c3" not in text


def test_two_hundred_thousand_short_lines_are_cleaned_in_bounded_time() -> None:
    text = "".join(f"Line {i} of a long list\u00a0here.\n" for i in range(200_000))
    cleaned = clean_within(60, text)  # about ten seconds when linear; quadratic is many minutes
    lines = cleaned.split("\n\n")  # each sentence line is its own paragraph in canonical text
    assert len(lines) == 200_000 and lines[-1] == "Line 199999 of a long list here.\n" and "\u00a0" not in cleaned


# --- the bad-input table of the README, row by row, through the command line ---------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
BAD_TEXT_INPUTS = [
    # (file name, bytes, cleaned output or None when refused, reason on stderr)
    ("image.txt", PNG, None, "binary data (PNG image), not text"),
    ("page.txt", gzip.compress(b"some text\n"), None,
     "binary data (gzip-compressed data (name it .gz to have it read as compressed JSONL)), not text"),
    ("notes.txt", b"\x28\xb5\x2f\xfd\x20\x0bY\x00\x00some text", None,
     "binary data (zstd-compressed data (name it .zst to have it read as compressed JSONL)), not text"),
    ("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", None, "binary data (JPEG image), not text"),
    ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", None, "binary data (PDF document), not text"),
    ("nuls.txt", b"\x00\x01\x02\x03 MZ" * 300, None, "binary data (contains NUL bytes), not text"),
    ("controls.txt", bytes(range(1, 32)) * 40, None, "binary data (mostly control bytes), not text"),
    ("invalid-utf8.txt", b"caf\xc3\xa9 \xff end", "café ÿ end\n", None),
    ("cp1252.txt", "smart “quotes” — naïve".encode("cp1252"), 'smart "quotes" — naïve\n', None),
    ("latin1.txt", "déjà vu".encode("latin-1"), "déjà vu\n", None),
    ("utf16-bom.txt", "UTF-16 text “here”".encode("utf-16"), 'UTF-16 text "here"\n', None),
    ("utf16le.txt", "no byte-order mark".encode("utf-16-le"), "no byte-order mark\n", None),
    ("utf16be.txt", "big endian".encode("utf-16-be"), "big endian\n", None),
    ("utf32-bom.txt", "UTF-32 here".encode("utf-32"), "UTF-32 here\n", None),
    ("empty.txt", b"", "", None),
    ("stray-nul.txt", b"a stray\x00 NUL in text", "a stray NUL in text\n", None),
    ("line-ends.txt", b"One\rTwo\r\nThree\nFour", "One\n\nTwo\n\nThree\n\nFour\n", None),
]


@pytest.mark.parametrize(("name", "data", "expected", "reason"), BAD_TEXT_INPUTS, ids=[r[0] for r in BAD_TEXT_INPUTS])
def test_bad_text_input_table(tmp_path: Path, name: str, data: bytes, expected: str | None, reason: str | None) -> None:
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    result = run("clean", str(source), "-o", str(out), "-j", "1", "--lang-backend", "off")
    if expected is None:
        assert (result.exit_code, result.stderr) == (2, f"cleaner: {source}: {reason}\n")
        assert not (out / name).exists()
    else:
        assert (result.exit_code, result.stderr) == (0, "")
        assert (out / name).read_bytes() == expected.encode("utf-8")
    assert source.read_bytes() == data
    single = run("clean", str(source), "--lang-backend", "off")  # one file to stdout: the same answer
    if expected is None:
        assert (single.exit_code, single.stderr, single.stdout) == (2, f"cleaner: {source}: {reason}\n", "")
    else:
        assert (single.exit_code, single.stdout_bytes) == (0, expected.encode("utf-8"))


BAD_RECORDS = [
    # (line as written, reason on stderr)
    (b"{not json", "not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
    (b'{"body": "no text here"}', "no 'text' field"),
    (b'{"text": 42}', "'text' is int, not a string"),
    (b'{"text": null}', "'text' is NoneType, not a string"),
    (b'["a", "list"]', "not a JSON object but list"),
    (b'{"text": "caf\xe9"}', "not valid UTF-8 (byte 14)"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_RECORDS, ids=[r[1].split(" (")[0] for r in BAD_RECORDS])
def test_bad_record_table(tmp_path: Path, line: bytes, reason: str) -> None:
    source = tmp_path / "shard.jsonl"
    data = b'{"text": "first\\u00a0one"}\n' + line + b'\n{"text": "last  "}\n'
    source.write_bytes(data)
    target = tmp_path / "out.jsonl"
    result = run("clean", str(source), "-o", str(target), "-j", "1", "--lang-backend", "off")
    assert (result.exit_code, result.stderr) == (2, f"cleaner: {source}:2: {reason}\n")
    lines = target.read_bytes().split(b"\n")
    assert lines[1] == line  # passed through byte for byte, in its place
    assert [json.loads(lines[i])["text"] for i in (0, 2)] == ["first one\n", "last\n"]
    assert source.read_bytes() == data


def test_gzip_jsonl_without_its_extension_is_read_as_compressed(tmp_path: Path) -> None:
    source = tmp_path / "shard.jsonl"  # gzip data, named as plain JSONL
    source.write_bytes(gzip.compress(b'{"text": "a\\u00a0b"}\n'))
    result = run("clean", str(source), "-j", "1", "--lang-backend", "off")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["text"] == "a b\n"


def test_corrupt_compressed_jsonl_fails_that_file_only(tmp_path: Path) -> None:
    broken, good = tmp_path / "broken.jsonl.gz", tmp_path / "good.jsonl"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    good.write_bytes(b'{"text": "ok"}\n')
    result = run("clean", str(broken), str(good), "-o", str(tmp_path / "out"), "-j", "1", "--lang-backend", "off")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cleaner: {broken}: cannot read: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out" / "broken.jsonl.gz").exists()
    assert json.loads((tmp_path / "out" / "good.jsonl").read_text())["text"] == "ok\n"


def test_a_folder_mixing_good_and_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    files = {name: data for name, data, _, _ in BAD_TEXT_INPUTS}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "sub" / "records.jsonl").write_bytes(b'{"text": "x\\u00a0y"}\n{"text": 1}\n')
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    result = run("clean", str(folder), "-o", str(out), "-j", "2", "--glob", "*.txt", "--glob", "*.jsonl",
                 "--lang-backend", "off")
    assert result.exit_code == 2
    refused = [(name, reason) for name, _, expected, reason in BAD_TEXT_INPUTS if expected is None]
    assert sorted(result.stderr.splitlines()) == sorted(
        [f"cleaner: {folder / name}: {reason}" for name, reason in refused]
        + [f"cleaner: {folder / 'sub' / 'records.jsonl'}:2: 'text' is int, not a string"])
    for name, _, expected, _ in BAD_TEXT_INPUTS:
        assert (out / name).exists() == (expected is not None)
        if expected is not None:
            assert (out / name).read_text(encoding="utf-8") == expected
    assert (out / "sub" / "records.jsonl").exists()
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before  # inputs byte-identical
    assert not list(out.rglob("*.tmp"))


# --- --max-doc-bytes ------------------------------------------------------------------------

def test_text_file_over_max_doc_bytes_is_refused_and_the_rest_goes_on(tmp_path: Path) -> None:
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_bytes(b"y" * 300)
    small.write_bytes(b"fine")
    result = run("clean", str(big), str(small), "-o", str(tmp_path / "out"), "-j", "1", "--max-doc-bytes", "100")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {big}: document is 300 bytes, over --max-doc-bytes 100; raise it or split the file\n"
    assert not (tmp_path / "out" / "big.txt").exists() and (tmp_path / "out" / "small.txt").read_text() == "fine\n"
    alone = run("clean", str(big), "--max-doc-bytes", "100")
    assert (alone.exit_code, alone.stdout) == (2, "")
    assert alone.stderr == f"cleaner: {big}: document is 300 bytes, over --max-doc-bytes 100; raise it or split the file\n"
    unlimited = run("clean", str(big), "--max-doc-bytes", "0", "--lang-backend", "off")
    assert (unlimited.exit_code, unlimited.stdout) == (0, "y" * 300 + "\n")


def test_stdin_over_max_doc_bytes_is_refused() -> None:
    result = run("clean", "--max-doc-bytes", "3", input="abcdef")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "cleaner: <stdin>: document is more than 3 bytes, over --max-doc-bytes 3; raise it or split the input\n"
    assert run("clean", "--max-doc-bytes", "3", "--lang-backend", "off", input="abc").stdout == "abc\n"


def test_explain_over_max_doc_bytes_is_refused(tmp_path: Path) -> None:
    big, config = tmp_path / "big.txt", tmp_path / "cleaner.toml"
    big.write_bytes(b"y" * 300)
    config.write_text("[cleaner]\nmax_doc_bytes = 100\nlanguage_backend = \"off\"\n")
    result = run("explain", str(big), "--config", str(config))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"cleaner: {big}: document is 300 bytes, over --max-doc-bytes 100; raise it or split the input\n"
    piped = run("explain", "--config", str(config), input="y" * 101)
    assert piped.stderr == "cleaner: -: document is more than 100 bytes, over --max-doc-bytes 100; raise it or split the input\n"
    assert run("explain", "--config", str(config), input="y" * 100).exit_code == 0
    assert run("explain", str(big), "--config", str(config), "--max-doc-bytes", "300").exit_code == 0


@pytest.mark.parametrize("document", ["\u00e9" * 60, b"y" * 101])
def test_library_refuses_a_document_over_max_doc_bytes(document: str | bytes) -> None:
    with pytest.raises(InputError, match=r"^document is 1[02][01] bytes, over max_doc_bytes 100; raise it"):
        Cleaner(Config(max_doc_bytes=100)).clean(document)
    assert Cleaner(Config(max_doc_bytes=120, language_backend="off")).clean("\u00e9" * 60).text == "\u00e9" * 60 + "\n"


def test_jsonl_record_over_max_doc_bytes_is_left_out_and_named(tmp_path: Path) -> None:
    source = tmp_path / "shard.jsonl"
    big = b'{"text": "' + b"x" * 300 + b'"}'
    source.write_bytes(b'{"text": "a"}\n' + big + b'\n{"text": "' + b"z" * 86 + b'"}\n{"text": "b"}')
    target = tmp_path / "out.jsonl"
    result = run("clean", str(source), "-o", str(target), "-j", "1", "--max-doc-bytes", "100", "--lang-backend", "off")
    assert result.exit_code == 2
    assert result.stderr == (f"cleaner: {source}:2: record is 312 bytes, over --max-doc-bytes 100; "
                             "left out of the output (raise the limit to clean it)\n")
    texts = [json.loads(line)["text"] for line in target.read_text().splitlines()]
    assert texts == ["a\n", "z" * 86 + "\n", "b\n"]  # a 100-byte record is within the limit


def test_max_doc_bytes_from_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "cleaner.toml"
    config.write_text("[cleaner]\nmax_doc_bytes = 10\n")
    big = tmp_path / "big.txt"
    big.write_bytes(b"0123456789ab")
    result = run("clean", "--config", str(config), str(big))
    assert result.stderr == f"cleaner: {big}: document is 12 bytes, over --max-doc-bytes 10; raise it or split the file\n"
    config.write_text("max_doc_bytes = -1\n")
    result = run("clean", "--config", str(config), str(big))
    assert (result.exit_code, result.stderr) == (
        2, f"cleaner: {config}: max_doc_bytes must be a whole number of bytes, 0 for no limit\n")
    assert Config().max_doc_bytes == 64 * 1024 * 1024


def test_two_hundred_thousand_short_menu_like_lines_are_cleaned_in_bounded_time() -> None:
    text = "".join(f"Line {i} of a long list\u00a0here.\n" if i % 3 else f"Item {i}  \n" for i in range(200_000))
    cleaned = clean_within(60, text)  # about ten seconds when linear; quadratic is many minutes
    assert "\u00a0" not in cleaned and "Line 199999 of a long list here.\n" in cleaned
