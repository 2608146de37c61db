"""Settings: one frozen value with a default for every field, loadable from TOML."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError

CHOICES: dict[str, tuple[str, ...]] = {
    "quotes": ("straighten", "keep"),
    "tables": ("markdown", "text", "keep"),
    "mt": ("fix", "flag", "off"),
    "language_backend": ("auto", "langdetect", "py3langid", "pycld2", "off"),
}


@dataclass(frozen=True)
class Config:
    """Everything that changes how text is cleaned; override only what you need.

    >>> Config(quotes="keep").quotes
    'keep'
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rule_files: tuple[str, ...] = ()
    quotes: str = "straighten"
    tables: str = "markdown"
    mt: str = "fix"
    # Opt-in style pack (rules/style/): flags political naming and framing ("Kiev
    # regime", "Artemovsk") without ever rewriting it.
    mt_style: bool = False
    language_backend: str = "auto"
    # Characters of cleaned text the language detector reads: enough for a stable
    # answer, bounded so its cost does not grow with the document.
    language_prefix_chars: int = 1000
    # Share of a document's words the heuristic boilerplate rules may remove before the
    # removal guard keeps those lines and warns instead (exact-phrase rules are exempt).
    max_heuristic_removal: float = 0.4
    keep_removed: bool = False
    regex_timeout_seconds: float = 1.0
    # Largest document (a text file, or one JSONL record's line) a batch takes, in bytes;
    # 0 means no limit. 64 MiB is far above any real web page and keeps one document's
    # working copies (bytes, text, stage outputs) well inside a worker's memory.
    max_doc_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for key, allowed in CHOICES.items():
            if getattr(self, key) not in allowed:
                raise ConfigError(f"{key} must be one of {', '.join(allowed)}, not {getattr(self, key)!r}")
        if not 0.0 <= self.max_heuristic_removal <= 1.0:
            raise ConfigError("max_heuristic_removal must be between 0 and 1")
        if self.language_prefix_chars < 1:
            raise ConfigError("language_prefix_chars must be positive")
        if not isinstance(self.max_doc_bytes, int) or self.max_doc_bytes < 0:
            raise ConfigError("max_doc_bytes must be a whole number of bytes, 0 for no limit")

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some fields changed (None values are ignored)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        """Return the effective settings as plain data, for manifests and reports."""
        return dataclasses.asdict(self)


def load_config(path: Path) -> Config:
    """Read settings from a TOML file: top-level keys or a [cleaner] table.

    Unknown keys are an error, so a typo does not silently change nothing.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    data = data.get("cleaner", data)
    known = {f.name for f in dataclasses.fields(Config)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key in ("select", "ignore", "rule_files"):
        if key in data:
            value = data[key]
            data[key] = tuple([value] if isinstance(value, str) else value)
    if "rule_files" in data:
        data["rule_files"] = tuple(str((path.parent / p).resolve()) for p in data["rule_files"])
    try:
        return Config(**data)
    except TypeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
