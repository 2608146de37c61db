"""Turn bytes into text: BOMs first, then strict UTF-8, then a documented fallback.

Order of guesses, most certain first:
1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides;
2. UTF-16 without a BOM, when NUL bytes sit in every other position of ASCII text;
3. strict UTF-8;
4. otherwise line by line: each line that is valid UTF-8 is read as UTF-8, and each
   other line as cp1252 (Windows Latin-1, which is what "latin-1" web text nearly
   always is), with the five bytes cp1252 leaves undefined read as latin-1 so nothing
   is lost. A file that mixes encodings line by line (a UTF-8 page with a pasted
   Windows-1252 footer) thus comes out right instead of as U+FFFD or mojibake.

Binary data (known file signatures, or more than a trace of NUL bytes in text that is
not UTF-16) is refused with an InputError that says what it looks like, rather than
cleaned into garbage. A stray NUL or two in real text is a control character that the
repair stage removes.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

from cleaner.config import Config
from cleaner.errors import InputError
from cleaner.model import Change, Document
from cleaner.ruleset import Rule
from cleaner.stages import Stage

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x1f\x8b", "gzip-compressed data (name it .gz to have it read as compressed JSONL)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (name it .zst to have it read as compressed JSONL)"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"%PDF-", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x7fELF", "ELF executable"),
    (b"PAR1", "Parquet file (use --format parquet)"),
)


# Bytes that text is made of; the rest (C0 controls other than tab, line ends, form
# feed and escape) are rare in text and common in binary formats.
TEXT_BYTES = bytes([9, 10, 12, 13, 27, *range(32, 256)])


def _undefined_as_latin1(error: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined; read those as latin-1 (C1 controls,
    # which the repair stage removes) instead of failing the whole document.
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("cleaner-latin1", _undefined_as_latin1)


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.1 * half:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls < 0.1 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes to text and name the encoding used.

    >>> decode_bytes("café".encode("utf-8"))
    ('café', 'utf-8')
    >>> decode_bytes("café".encode("cp1252"))
    ('café', 'cp1252')
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                                 f"(byte {exc.start + len(bom)})") from None
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"binary data ({what}), not text")
    guessed = _looks_utf16(data)
    if guessed:
        try:
            return data.decode(guessed), guessed
        except UnicodeDecodeError:
            pass
    sample = data[:8192]
    if sample.count(0) > max(2, len(sample) // 100):
        raise InputError("binary data (contains NUL bytes), not text")
    if len(sample.translate(None, TEXT_BYTES)) > len(sample) // 10:
        raise InputError("binary data (mostly control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded: list[str] = []
    encodings: set[str] = set()
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
            if not line.isascii():
                encodings.add("utf-8")
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="cleaner-latin1"))
            encodings.add("cp1252")
    return "\n".join(decoded), "+".join(sorted(encodings, reverse=True))


def build(rules: Sequence[Rule], config: Config) -> Stage:
    """Build the decode stage (it has no rules: decoding interprets, it does not edit)."""

    def decode(doc: Document) -> tuple[Document, list[Change]]:
        if doc.raw is None:
            return doc, []
        text, encoding = decode_bytes(doc.raw)
        return doc.with_text(text).with_meta(encoding=encoding), []

    return decode
