"""Language identification behind one small interface, deterministic and bounded in cost.

A detector is a callable `text -> (lang, probability)` that never raises: it answers
"und" with probability 0.0 for text that is too short or has no letters. Detectors
read only a bounded prefix of the text, so their cost does not grow with the document.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import regex

Detector = Callable[[str], tuple[str, float]]

UNDETERMINED = ("und", 0.0)
# Fewer letters than this and every backend guesses; say "und" instead.
MIN_LETTERS = 20
LETTERS = regex.compile(r"\p{L}")


def _enough_letters(text: str) -> bool:
    count = 0
    for _ in LETTERS.finditer(text):
        count += 1
        if count >= MIN_LETTERS:
            return True
    return False


@lru_cache(maxsize=1)
def _langdetect_factory() -> object:
    # langdetect loads ~50 profiles from its package data (no network); do it once per
    # process, with our own factory and a fixed seed so answers are reproducible.
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def detect_langdetect(text: str) -> tuple[str, float]:
    """Identify the language with langdetect (seed 0), the card's named backend."""
    from langdetect.lang_detect_exception import LangDetectException

    if not _enough_letters(text):
        return UNDETERMINED
    detector = _langdetect_factory().create()  # type: ignore[attr-defined]
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UNDETERMINED
    return str(best.lang).split("-")[0], round(float(best.prob), 4)


BACKENDS: dict[str, Detector] = {
    "langdetect": detect_langdetect,
}


def get_detector(name: str, prefix_chars: int) -> Detector | None:
    """Return the detector for a backend name, reading at most `prefix_chars` characters.

    "auto" picks the default backend; "off" returns None (no detection).
    """
    if name == "off":
        return None
    backend = BACKENDS["langdetect" if name == "auto" else name]

    def detect(text: str) -> tuple[str, float]:
        try:
            return backend(text[:prefix_chars])
        except Exception:  # a detector must never fail a document
            return UNDETERMINED

    return detect
