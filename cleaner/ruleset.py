"""Load rule files (TOML data) once, check them, compile their patterns, select among them.

A rule is data: a stable code, a dotted name, a summary, the stage and kind that apply
it, its patterns or the name of the code-backed function (`impl`) that implements it,
and examples of text it must change and text it must leave alone. Nothing in a rule
file is ever executed; patterns are compiled with the `regex` module and refused when
their shape can backtrack catastrophically.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from cleaner.errors import RuleError

STAGE_PREFIXES: Mapping[str, str] = {
    "decode": "DC",
    "repair": "RP",
    "canonicalize": "CN",
    "boilerplate": "BP",
    "tables": "TB",
    "translation": "MT",
    "language": "LG",
    "emit": "EM",
}

CODE_SHAPE = regex.compile(r"^[A-Z]{2}\d{3}$")
NAME_SHAPE = regex.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

# Fields every rule file understands; anything else is kept in Rule.params for the
# stage that applies the rule's kind.
COMMON_FIELDS = frozenset(
    {
        "code", "name", "summary", "stage", "kind", "explanation", "languages",
        "pattern", "patterns", "impl", "options", "phrases", "examples", "mode",
        "zone", "replacement", "evidence",
    }
)

# Quantified groups whose body is itself quantified, e.g. (a+)+ or (\w*)*: the classic
# exponential-backtracking shape. Matching runs under a timeout as well; this catches
# the worst shape before a single document is read.
NESTED_QUANTIFIER = regex.compile(
    r"\((?:\?:)?(?:[^()\\]|\\.)*(?<!\\)[+*](?:\?)?\)[+*{]"
)

MODES = ("auto", "auto-if-context", "flag")
ZONES = ("any", "head", "tail")


def bundled_rules_dir() -> Path:
    """Return the folder that holds the bundled rule files.

    An installed wheel carries them as cleaner/rules; a source checkout keeps them
    at the top of the repository, beside the package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise RuleError(
        f"no rule files found in {here / 'rules'} or {here.parent / 'rules'}; "
        "reinstall cleaner (pip install .) so its rules/ folder ships with it"
    )


@dataclass(frozen=True, slots=True)
class Example:
    """A rule example: what goes in and what must come out (equal when it must stay)."""

    input: str
    output: str

    @property
    def changes(self) -> bool:
        """True when the rule must change this input."""
        return self.input != self.output


@dataclass(frozen=True, eq=False)
class Rule:
    """One rule, as read from a rule file and compiled.

    Rules compare and hash by identity: a rule set holds each code once, so a rule can
    key a dict or a set.
    """

    code: str
    name: str
    summary: str
    stage: str
    kind: str
    source: str
    explanation: str = ""
    languages: tuple[str, ...] = ()
    patterns: tuple[regex.Pattern[str], ...] = ()
    phrases: tuple[str, ...] = ()
    replacement: str | None = None
    impl: str | None = None
    mode: str = "auto"
    zone: str = "any"
    options: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()

    def option(self, key: str, default: Any) -> Any:
        """Return an option of this rule, or the default when the file does not set it."""
        return self.options.get(key, default)

    def applies_to(self, lang: str | None) -> bool:
        """True when the rule is meant for text in this language (or any language)."""
        return not self.languages or lang is None or lang in self.languages or lang == "und"


def _fail(source: str, code: str, message: str) -> RuleError:
    return RuleError(f"{source}: {code or '<no code>'}: {message}")


def compile_pattern(pattern: str, source: str, code: str) -> regex.Pattern[str]:
    """Compile one rule pattern, refusing shapes that can backtrack catastrophically."""
    if NESTED_QUANTIFIER.search(pattern):
        raise _fail(
            source, code,
            f"pattern {pattern!r} nests a quantifier inside a quantified group "
            "(like (a+)+), which can take exponential time; rewrite it without the nesting",
        )
    try:
        return regex.compile(pattern, regex.VERSION1 if "(?V1)" in pattern else 0)
    except regex.error as exc:
        raise _fail(source, code, f"pattern {pattern!r} does not compile: {exc}") from None


def _as_strings(value: Any, source: str, code: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _fail(source, code, f"'{key}' must be a string or a list of strings")


def parse_rule(raw: Mapping[str, Any], source: str) -> Rule:
    """Check one rule table from a rule file and build the Rule."""
    code = raw.get("code", "")
    if not isinstance(code, str) or not CODE_SHAPE.match(code):
        raise _fail(source, str(code), "'code' must be two capital letters and three digits, like BP012")
    for key in ("name", "summary", "stage", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(source, code, f"'{key}' is required and must be a non-empty string")
    stage = raw["stage"]
    if stage not in STAGE_PREFIXES:
        raise _fail(source, code, f"unknown stage {stage!r}; stages are {', '.join(STAGE_PREFIXES)}")
    if not code.startswith(STAGE_PREFIXES[stage]):
        raise _fail(source, code, f"a {stage} rule's code starts with {STAGE_PREFIXES[stage]}")
    if not NAME_SHAPE.match(raw["name"]):
        raise _fail(source, code, f"'name' {raw['name']!r} must be dotted lower case, like boilerplate.comment_form")
    mode = raw.get("mode", "auto")
    if mode not in MODES:
        raise _fail(source, code, f"'mode' must be one of {', '.join(MODES)}")
    zone = raw.get("zone", "any")
    if zone not in ZONES:
        raise _fail(source, code, f"'zone' must be one of {', '.join(ZONES)}")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise _fail(source, code, "'options' must be a table")
    patterns = _as_strings(raw.get("pattern"), source, code, "pattern") + _as_strings(
        raw.get("patterns"), source, code, "patterns"
    )
    replacement = raw.get("replacement")
    if replacement is not None and not isinstance(replacement, str):
        raise _fail(source, code, "'replacement' must be a string")
    impl = raw.get("impl")
    if impl is not None and not isinstance(impl, str):
        raise _fail(source, code, "'impl' must be a function name")
    examples = []
    for item in raw.get("examples", []):
        if not isinstance(item, dict) or not isinstance(item.get("input"), str):
            raise _fail(source, code, "each example needs an 'input' string")
        output = item.get("output", item["input"])
        if not isinstance(output, str):
            raise _fail(source, code, "an example's 'output' must be a string")
        examples.append(Example(item["input"], output))
    return Rule(
        code=code,
        name=raw["name"],
        summary=raw["summary"].strip(),
        stage=stage,
        kind=raw["kind"],
        source=source,
        explanation=str(raw.get("explanation", "")).strip(),
        languages=_as_strings(raw.get("languages"), source, code, "languages"),
        patterns=tuple(compile_pattern(p, source, code) for p in patterns),
        phrases=_as_strings(raw.get("phrases"), source, code, "phrases"),
        replacement=replacement,
        impl=impl,
        mode=mode,
        zone=zone,
        options=options,
        params={k: v for k, v in raw.items() if k not in COMMON_FIELDS},
        evidence=_as_strings(raw.get("evidence"), source, code, "evidence"),
        examples=tuple(examples),
    )


def read_rule_file(path: Path) -> list[Rule]:
    """Read one rule file; every problem is reported with the file (and the code)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise RuleError(f"{path}: rules are written as [[rule]] tables")
    return [parse_rule(table, str(path)) for table in tables]


@dataclass(frozen=True)
class RuleSet:
    """An ordered set of rules with unique codes and names."""

    rules: tuple[Rule, ...]
    fingerprint: str

    @classmethod
    def load(cls, extra: Iterable[Path] = (), bundled: bool = True) -> RuleSet:
        """Load the bundled rules and any user rule files or folders, in a stable order.

        User rules are checked like bundled ones: a code or name used twice is an error.
        """
        files: list[Path] = []
        for path in [*([bundled_rules_dir()] if bundled else []), *extra]:
            files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
        rules: list[Rule] = []
        digest = hashlib.sha256()
        for file in files:
            rules.extend(read_rule_file(file))
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
        seen_codes: dict[str, str] = {}
        seen_names: dict[str, str] = {}
        for rule in rules:
            if rule.code in seen_codes:
                raise _fail(rule.source, rule.code, f"code already used in {seen_codes[rule.code]}")
            if rule.name in seen_names:
                raise _fail(rule.source, rule.code, f"name {rule.name!r} already used by {seen_names[rule.name]}")
            seen_codes[rule.code] = rule.source
            seen_names[rule.name] = rule.code
        return cls(tuple(rules), digest.hexdigest()[:16])

    def selected(self, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> RuleSet:
        """Keep the rules matched by `select` (all when empty) and not by `ignore`.

        Each entry is a code ("BP012"), a code prefix ("BP", "MT0") or a dotted name
        or name prefix ("boilerplate", "boilerplate.comment_form"), as in flake8 and ruff.
        """
        for entry in (*select, *ignore):
            if not any(_matches(rule, entry) for rule in self.rules):
                raise RuleError(f"--select/--ignore: {entry!r} matches no rule; `cleaner rules` lists them")
        kept = tuple(
            rule for rule in self.rules
            if (not select or any(_matches(rule, entry) for entry in select))
            and not any(_matches(rule, entry) for entry in ignore)
        )
        return RuleSet(kept, self.fingerprint)

    @cached_property
    def by_stage(self) -> Mapping[str, tuple[Rule, ...]]:
        """The rules of each stage, in file order."""
        grouped: dict[str, list[Rule]] = {stage: [] for stage in STAGE_PREFIXES}
        for rule in self.rules:
            grouped[rule.stage].append(rule)
        return {stage: tuple(rules) for stage, rules in grouped.items()}

    def get(self, code: str) -> Rule | None:
        """Return the rule with this code (or dotted name), if any."""
        for rule in self.rules:
            if rule.code == code.upper() or rule.name == code:
                return rule
        return None


def _matches(rule: Rule, entry: str) -> bool:
    entry = entry.strip()
    if not entry:
        return False
    if entry.isupper() or entry[:2].isupper():
        return rule.code.startswith(entry.upper())
    return rule.name == entry or rule.name.startswith(entry + ".")
