"""The library API: build once, reuse, pickle, share between threads."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

from cleaner import Cleaner, Config, Result, clean_text

from .conftest import FIXTURES

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


def test_clean_text_returns_clean_text() -> None:
    assert clean_text("Caf\u00c3\u00a9 &amp; bar\r\n") == "Café & bar\n"


def test_clean_returns_text_changes_and_meta() -> None:
    result = Cleaner().clean("It\u2019s  fine.\u00a0\n\n\n")
    assert isinstance(result, Result)
    assert result.text == "It's  fine.\n"
    assert {change.code for change in result.changes} >= {"RP005", "CN002", "CN006"}
    assert result.meta["changes"] == len(result.changes)
    assert result.meta["codes"] == sorted({change.code for change in result.changes})


def test_a_cleaner_survives_pickling_with_its_config() -> None:
    cleaner = Cleaner(Config(quotes="keep", ignore=("CN002",), language_backend="off"))
    copy = pickle.loads(pickle.dumps(cleaner))
    assert copy.config == cleaner.config
    text = "\u201cx\u201d\u00a0y"
    assert copy.clean(text) == cleaner.clean(text)


def test_one_cleaner_serves_many_threads_with_the_same_answers() -> None:
    cleaner = Cleaner()
    texts = [seed.read_bytes() for seed in SEEDS] * 8
    alone = [cleaner.clean(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(cleaner.clean, texts))
    assert together == alone
