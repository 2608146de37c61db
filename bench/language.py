"""Compare language backends for speed and agreement: the evidence behind language_backend="auto".

Reads the seeds and eval-dev pages and gold bodies from ../shared (English), and
bench/language_samples.tsv (22 languages, written for this benchmark), and asks
every backend about the same prefix the language stage reads (of the raw text, so
the comparison does not depend on the other stages). Prints, per backend: microseconds per call, accuracy against the
expected language, agreement with langdetect, and how often it answered "und". Also
asks about 200-character prefixes, where backends disagree most.

    python bench/language.py [--shared ../shared] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cleaner.config import Config
from cleaner.language import BACKENDS, get_detector

HERE = Path(__file__).resolve().parent


def load_texts(shared: Path) -> list[tuple[str, str, str]]:
    """Return (source, expected language, text) for every text the comparison uses."""
    texts: list[tuple[str, str, str]] = []
    for folder, source in ((shared / "seeds", "seeds"), (shared / "eval-dev" / "pages", "eval-dev pages"),
                           (shared / "eval-dev" / "gold", "eval-dev gold")):
        for path in sorted(folder.glob("*.txt")):
            texts.append((source, "en", path.read_text(encoding="utf-8")))
    for line in (HERE / "language_samples.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            texts.append(("own samples", lang, text))
    return texts


def compare(texts: list[tuple[str, str, str]], prefix: int, repeat: int) -> list[str]:
    """Run every backend over the texts and return Markdown table rows."""
    cleaned = texts
    answers: dict[str, list[str]] = {}
    rows = []
    for name in BACKENDS:
        detect = get_detector(name, prefix)
        assert detect is not None
        detect("warm up the model: load it once before timing")
        start = time.process_time()
        for _ in range(repeat):
            got = [detect(text)[0] for _, _, text in cleaned]
        per_call = (time.process_time() - start) / repeat / len(cleaned)
        answers[name] = got
        by_source: dict[str, list[bool]] = {}
        for (source, lang, _), answer in zip(cleaned, got):
            by_source.setdefault(source, []).append(answer == lang)
        accuracy = " / ".join(f"{sum(v)}/{len(v)}" for v in by_source.values())
        rows.append((name, per_call, accuracy, got.count("und")))
    reference = answers["langdetect"]
    lines = [f"| backend | prefix | µs/call | correct ({' / '.join(dict.fromkeys(s for s, _, _ in texts))}) "
             "| agrees with langdetect | und |", "|---|---|---|---|---|---|"]
    for name, per_call, accuracy, unknown in rows:
        agree = sum(a == b for a, b in zip(answers[name], reference))
        lines.append(f"| {name} | {prefix} | {per_call * 1e6:,.0f} | {accuracy} | {agree}/{len(reference)} | {unknown} |")
    misses = [f"{name}: {lang}->{answer} ({source})" for name in answers
              for (source, lang, _), answer in zip(cleaned, answers[name]) if answer != lang]
    return lines + ([""] + ["misses: " + "; ".join(misses)] if misses else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = load_texts(args.shared)
    for prefix in (Config().language_prefix_chars, 200):
        print("\n".join(compare(texts, prefix, args.repeat)))
        print()


if __name__ == "__main__":
    main()
