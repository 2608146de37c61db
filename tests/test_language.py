"""Language detection: deterministic answers, "und" when there is too little to go on, never an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.config import Config
from cleaner.language import BACKENDS, UNDETERMINED, get_detector
from cleaner.model import Document
from cleaner.stages import language

# Sentences written for this test (no outside source).
SAMPLES = {
    "en": "The council said on Tuesday that the neighbourhood library will stay open on Sundays all summer.",
    "fr": "La mairie a annoncé mardi que la bibliothèque du quartier restera ouverte le dimanche tout l'été.",
    "de": "Die Stadtverwaltung hat am Dienstag angekündigt, dass die Bibliothek den ganzen Sommer geöffnet bleibt.",
    "es": "El ayuntamiento anunció el martes que la biblioteca del barrio permanecerá abierta todo el verano.",
    "ru": "Городская администрация во вторник объявила, что районная библиотека будет открыта всё лето.",
    "zh": "市政府周二宣布，社区图书馆整个夏天周日也将照常开放。居民可以借阅图书，并使用配有空调的阅览室。",
    "ar": "أعلنت البلدية يوم الثلاثاء أن مكتبة الحي ستبقى مفتوحة أيام الأحد طوال فصل الصيف.",
}
BACKEND_NAMES = sorted(BACKENDS)


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_known_languages(backend: str, lang: str) -> None:
    detect = get_detector(backend, Config().language_prefix_chars)
    assert detect is not None
    answer, prob = detect(SAMPLES[lang])
    assert answer == lang
    assert 0.0 < prob <= 1.0
    assert detect(SAMPLES[lang]) == (answer, prob)  # deterministic, call after call


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@pytest.mark.parametrize("text", ["", "Hi there", "12 345 678 -- 90 %", "\n\n\t ", "!!!???...", "ok ok"])
def test_too_little_text_is_undetermined(backend: str, text: str) -> None:
    detect = get_detector(backend, Config().language_prefix_chars)
    assert detect is not None
    assert detect(text) == UNDETERMINED


def test_auto_is_the_fast_backend_and_off_is_none() -> None:
    assert get_detector("off", Config().language_prefix_chars) is None
    auto, cld2 = get_detector("auto", 2000), get_detector("pycld2", Config().language_prefix_chars)
    assert auto is not None and cld2 is not None
    assert all(auto(text) == cld2(text) for text in SAMPLES.values())


def test_only_the_prefix_is_read() -> None:
    detect = get_detector("auto", 200)
    assert detect is not None
    assert detect(SAMPLES["fr"] * 3 + " " + SAMPLES["ru"] * 20)[0] == "fr"


@pytest.mark.parametrize("backend", BACKEND_NAMES)
@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_never_raises(backend: str, text: str) -> None:
    detect = get_detector(backend, Config().language_prefix_chars)
    assert detect is not None
    lang, prob = detect(text)
    assert isinstance(lang, str) and lang
    assert 0.0 <= prob <= 1.0


@pytest.mark.parametrize("text", ["\ud800" * 40 + SAMPLES["en"], "\x00\x01\x85" * 30 + SAMPLES["de"]])
def test_controls_and_surrogates_do_not_break_cld2(text: str) -> None:
    detect = get_detector("pycld2", Config().language_prefix_chars)
    assert detect is not None
    assert detect(text)[0] in ("en", "de")


def test_stage_annotates_and_never_edits() -> None:
    stage = language.build([], Config())
    doc, changes = stage(Document(text=SAMPLES["de"] + "\n", meta={}))
    assert (doc.meta["lang"], doc.text, changes) == ("de", SAMPLES["de"] + "\n", [])
    assert stage(Document(text="Hi\n", meta={}))[0].meta["lang"] == "und"
    assert language.build([], Config(language_backend="off"))(Document(text="Hi", meta={}))[0].meta == {}
