"""Coverage-guided fuzzing of the whole pipeline with atheris.

Every input, as bytes and as text, must be cleaned without an unexpected exception
(an InputError for binary data is an expected answer), give canonical output, and be
idempotent. CI runs a short fixed number of iterations (tests/test_fuzz.py); a longer
run is:

    python fuzz/fuzz_clean.py -runs=2000000 -max_len=4096 fuzz/corpus

(make fuzz/corpus first and put a few sample articles in it to start from).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import regex

    from cleaner import Cleaner, Config, InputError

CLEANER = Cleaner(Config(language_backend="off"))
FORBIDDEN = regex.compile(r"[^\P{Cc}\n\t]|[\u200b\ufeff]")


def check(text: str) -> None:
    """Fail loudly when an output breaks a promise of canonical, idempotent text."""
    if FORBIDDEN.search(text) or "\r" in text or regex.search(r"(?m)[ \t]$", text):
        raise AssertionError(f"not canonical: {text!r}")
    if text and (not text.endswith("\n") or text.endswith("\n\n") or text.startswith("\n")):
        raise AssertionError(f"bad edges: {text!r}")


def test_one_input(data: bytes) -> None:
    """Clean the input as bytes, then as the text those bytes spell."""
    try:
        result = CLEANER.clean(data)
    except InputError:
        return
    check(result.text)
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    cleaned = CLEANER.clean(text).text
    check(cleaned)


def main() -> None:
    """Run atheris over test_one_input with the command-line options it is given."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
