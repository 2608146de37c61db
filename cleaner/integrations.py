"""Cleaner as a step in other people's pipelines: Hugging Face `datasets` and anything batch-shaped.

Each function takes a batch as a dict of columns (lists) and gives one back, with the
text column cleaned and cleaner's metadata in one more column. The Cleaner is built
once per process and configuration and then reused, so a function called for every
batch pays for loading rules only once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from cleaner.config import Config
from cleaner.formats import arrow_meta
from cleaner.pipeline import Cleaner, clean_record


@lru_cache(maxsize=4)
def cached_cleaner(config: Config | None) -> Cleaner:
    """The Cleaner for a configuration, built once per process."""
    return Cleaner(config)


def clean_rows_for_arrow(rows: Sequence[Mapping[str, Any]], cleaner: Cleaner, text_key: str,
                         meta_key: str) -> list[dict[str, Any]]:
    """Clean rows and give every one the same metadata keys (null where absent), as columnar formats need."""
    out = []
    for row in rows:
        cleaned, result, _problem = clean_record(cleaner, row, text_key, meta_key)
        cleaned[meta_key] = arrow_meta(cleaned.get(meta_key)) if result is not None else None
        out.append(cleaned)
    return out


def clean_hf_batch(batch: Mapping[str, Sequence[Any]], config: Config | None = None, text_key: str = "text",
                   meta_key: str = "cleaner") -> dict[str, list[Any]]:
    """Clean a batch of a Hugging Face dataset: dict of columns in, dict of columns out.

    For `datasets.Dataset.map(clean_hf_batch, batched=True, fn_kwargs={"config": Config(...)})`.
    A row whose text is missing or not a string is left as it was, with null metadata.

    >>> out = clean_hf_batch({"id": [1, 2], "text": ["x\\u00a0y", None]}, Config(language_backend="off"))
    >>> out["text"], out["cleaner"][0]["codes"], out["cleaner"][1]
    (['x y\\n', None], ['CN002', 'EM001'], None)
    """
    columns = list(batch)
    size = len(batch[columns[0]]) if columns else 0
    rows = [{column: batch[column][i] for column in columns} for i in range(size)]
    cleaned = clean_rows_for_arrow(rows, cached_cleaner(config), text_key, meta_key)
    names = columns + ([meta_key] if meta_key not in columns else [])
    return {name: [row.get(name) for row in cleaned] for name in names}
