"""The order of stages, and the Cleaner that runs them.

The canonical order is the literal tuple STAGES, read top to bottom. A Cleaner builds
every stage once (rules loaded, patterns compiled, detectors prepared) and is then
reused for any number of documents, from any number of threads. It pickles as its
configuration and rebuilds itself on the other side, so it can be shipped to worker
processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cleaner.config import Config
from cleaner.errors import InputError
from cleaner.formats import record_meta
from cleaner.model import Change, Document, Result
from cleaner.mt_rules import style_pack_dir
from cleaner.ruleset import RuleSet
from cleaner.stages import Stage, boilerplate, canonical, decode, emit, language, repair, tables, translation

Builder = Callable[..., Stage]

STAGES: tuple[tuple[str, Builder], ...] = (
    ("decode", decode.build),
    ("repair", repair.build),
    ("canonicalize", canonical.build),
    ("boilerplate", boilerplate.build),
    ("tables", tables.build),
    ("translation", translation.build),
    ("language", language.build),
    ("emit", emit.build),
)


class Cleaner:
    """Clean documents with one configuration; build once, use many times.

    >>> Cleaner().clean("Caf\\u00c3\\u00a9 &amp; bar\\r\\n").text
    'Café & bar\\n'
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        extra = [Path(p) for p in self.config.rule_files]
        if self.config.mt_style:
            extra.append(style_pack_dir())
        rules = RuleSet.load(extra)
        self.rules = rules.selected(self.config.select, self.config.ignore)
        self._stages: tuple[tuple[str, Stage], ...] = tuple(
            (name, build(self.rules.by_stage[name], self.config)) for name, build in STAGES
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def clean(self, text: str | bytes, meta: Mapping[str, Any] | None = None) -> Result:
        """Clean one document given as text or as bytes (bytes are decoded first).

        Raises InputError for a document over `config.max_doc_bytes` (UTF-8 bytes; 0: no
        limit), before any work is done on it.
        """
        limit = self.config.max_doc_bytes
        if limit and len(text) * (1 if isinstance(text, bytes) else 4) > limit:
            size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
            if size > limit:
                raise InputError(f"document is {size} bytes, over max_doc_bytes {limit}; "
                                 "raise it (--max-doc-bytes, 0 for no limit) or split the document")
        doc = Document(text="", meta=dict(meta or {}), raw=text) if isinstance(text, bytes) \
            else Document(text=text, meta=dict(meta or {}))
        changes: list[Change] = []
        for _name, stage in self._stages:
            doc, made = stage(doc)
            changes.extend(made)
        meta_out = dict(doc.meta)
        meta_out["changes"] = sum(1 for c in changes if c.action != "flag")
        meta_out["flags"] = sum(1 for c in changes if c.action == "flag")
        meta_out["codes"] = sorted({c.code for c in changes})
        return Result(text=doc.text, changes=tuple(changes), meta=meta_out)

    def clean_many(self, texts: Iterable[str]) -> Iterator[Result]:
        """Clean documents one after another, lazily."""
        for text in texts:
            yield self.clean(text)

    def clean_records(self, records: Iterable[Mapping[str, Any]], text_key: str = "text",
                      meta_key: str = "cleaner") -> Iterator[dict[str, Any]]:
        """Clean the text field of each record, lazily; every other field passes through.

        Cleaner's metadata (language, counts, codes; removed lines with keep_removed) goes
        under `meta_key`. A record without a string under `text_key` comes back as it was.

        >>> records = [{"id": 1, "text": "x\\u00a0y"}]
        >>> next(Cleaner(Config(language_backend="off")).clean_records(records))["text"]
        'x y\\n'
        """
        for record in records:
            yield clean_record(self, record, text_key, meta_key)[0]

    def stage_names(self) -> Sequence[str]:
        """The stages this cleaner runs, in order."""
        return [name for name, _ in self._stages]


def clean_record(cleaner: Cleaner, record: Mapping[str, Any], text_key: str,
                 meta_key: str) -> tuple[dict[str, Any], Result | None, str | None]:
    """Clean one record; return it, the Result, and why it was passed through (or None)."""
    if text_key not in record:
        return dict(record), None, f"no {text_key!r} field"
    text = record[text_key]
    if not isinstance(text, str):
        return dict(record), None, f"{text_key!r} is {type(text).__name__}, not a string"
    result = cleaner.clean(text)
    out = {**record, text_key: result.text, meta_key: record_meta(result, cleaner.config.keep_removed)}
    return out, result, None


_DEFAULT: Cleaner | None = None


def clean_text(text: str) -> str:
    """Clean one text with the default settings and return the clean text.

    >>> clean_text("  \\u2022 one\\n\\n  \\u2022 two\\n")
    '- one\\n- two\\n'
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Cleaner()
    return _DEFAULT.clean(text).text
