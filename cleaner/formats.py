"""Read and write the formats pipelines use: text files, JSON Lines (plain, gzip, zstd), Parquet.

Readers stream: they hand out records in bounded chunks, so memory does not grow with
the size of a file. Writers write into a temporary file beside the target and rename it
into place only when the last record is in (see `batch.AtomicFile`), so a crash never
leaves half a file under its final name. Compressed output is reproducible byte for
byte: gzip without a timestamp or name, zstd single-threaded at a fixed level.

Parquet needs the optional extra `cleaner[parquet]` (pyarrow); zstd needs zstandard.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from cleaner.errors import InputError
from cleaner.model import Result

FORMATS = ("text", "jsonl", "parquet")
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Level 3 is zstd's own default: fast, and fixed so that -j 1 and -j N, and runs on
# different days, give the same bytes.
ZSTD_LEVEL = 3
# A chunk is the unit of work a worker gets: big enough that sending it costs little
# next to cleaning it, small enough that a few in flight per worker stay a few MB.
CHUNK_RECORDS = 256
CHUNK_BYTES = 1 << 20

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".jsonl.zst", ".ndjson.zst",
                  ".jsonl.zstd", ".json.gz", ".json.zst")
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".txt", ".text", ".md")


def format_of(path: Path | str, given: str = "auto") -> str:
    """Name the format of a file from `--format` or, when that is "auto", its extension.

    Unknown extensions are text, the format cleaner has always read.

    >>> format_of("shard-0001.jsonl.zst"), format_of("page.html"), format_of("x.dat", "jsonl")
    ('jsonl', 'text', 'jsonl')
    """
    if given != "auto":
        return given
    name = str(path).lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "text"


def is_known_data_name(path: Path | str) -> bool:
    """True when a name's extension says it is a file (not a folder) cleaner writes."""
    return str(path).lower().endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES + TEXT_SUFFIXES)


def compression_of(path: Path | str) -> str:
    """Name the compression an output gets from its extension: gzip, zstd or none."""
    name = str(path).lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith((".zst", ".zstd")):
        return "zstd"
    return "none"


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError:
        raise InputError("zstd files need the zstandard package: pip install zstandard") from None
    return zstandard


def open_binary_input(raw: IO[bytes]) -> IO[bytes]:
    """Wrap a raw byte stream so that gzip or zstd data (found by its magic bytes) reads decompressed.

    Sniffing the bytes rather than trusting the name also reads a gzip file that lost
    its extension, and stdin.
    """
    buffered: Any = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    head = buffered.peek(4)[:4]
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    if head.startswith(ZSTD_MAGIC):
        reader = _zstandard().ZstdDecompressor().stream_reader(buffered, read_across_frames=True)
        return io.BufferedReader(reader, buffer_size=1 << 16)
    stream: IO[bytes] = buffered
    return stream


def iter_line_chunks(stream: IO[bytes], max_records: int = CHUNK_RECORDS, max_bytes: int = CHUNK_BYTES,
                     max_line_bytes: int = 0) -> Iterator[tuple[int, list[bytes | int]]]:
    """Yield (number of the first line, lines) in chunks, every line of the stream exactly once.

    Lines keep their bytes exactly (blank and broken ones too), so a record that cannot
    be cleaned can be passed through unchanged. A line longer than `max_line_bytes`
    (0: no limit) is never held in memory: it is read past in bounded pieces and stands
    in the chunk as its length, an int, for the worker to report.
    """
    chunk: list[bytes | int] = []
    size = 0
    first = 1
    number = 0
    for number, line in enumerate(read_lines(stream, max_line_bytes), start=1):
        chunk.append(line)
        size += len(line) if isinstance(line, bytes) else 0
        if len(chunk) >= max_records or size >= max_bytes:
            yield first, chunk
            chunk, size, first = [], 0, number + 1
    if chunk:
        yield first, chunk


def read_lines(stream: IO[bytes], limit: int = 0) -> Iterator[bytes | int]:
    """Yield each line of a stream, or the length (without its newline) of one over `limit` bytes."""
    if not limit:
        yield from stream
        return
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or (len(line) == limit + 1 and line.endswith(b"\n")):
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            if not line:
                break
            length += len(line)
        yield length - (1 if line.endswith(b"\n") else 0)


def open_binary_output(raw: IO[bytes], compression: str) -> IO[bytes]:
    """Wrap a raw output stream in a reproducible compressor (or none)."""
    if compression == "gzip":
        # mtime=0 and no file name: the same records always give the same bytes.
        return gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="")  # type: ignore[return-value]
    if compression == "zstd":
        compressor = _zstandard().ZstdCompressor(level=ZSTD_LEVEL, threads=0)
        return compressor.stream_writer(raw, closefd=False)  # type: ignore[no-any-return]
    return raw


def record_meta(result: Result, keep_removed: bool) -> dict[str, Any]:
    """The metadata cleaner attaches to a record, under one key: language, counts, codes.

    The keys are fixed (mt_score and warnings only when a stage set them), so that
    columnar formats get one schema.
    """
    meta = result.meta
    out: dict[str, Any] = {"lang": meta.get("lang"), "lang_prob": meta.get("lang_prob")}
    if meta.get("mt_score") is not None:
        out["mt_score"] = meta["mt_score"]
    out["changes"] = meta.get("changes", 0)
    out["flags"] = meta.get("flags", 0)
    out["codes"] = list(meta.get("codes", ()))
    if meta.get("warnings"):
        out["warnings"] = [str(w) for w in meta["warnings"]]
    if keep_removed:
        out["removed"] = removed_lines(result)
    return out


def removed_lines(result: Result) -> list[dict[str, Any]]:
    """Every line (or span) of text a rule removed: where, which rule, and the text.

    Removed whitespace (trailing spaces, extra blank lines) is not listed: it is never
    a false positive worth reading.
    """
    return [{"line": c.line, "code": c.code, "text": c.before}
            for c in result.changes if c.action == "remove" and c.before.strip()]


def dump_record(record: Mapping[str, Any]) -> bytes:
    """Serialize one record as a JSON line, keeping its key order.

    Text stays readable UTF-8; a record holding a lone surrogate (legal in JSON escapes,
    not in UTF-8) is written with ASCII escapes instead, so it round-trips exactly.
    """
    line = json.dumps(record, ensure_ascii=False)
    try:
        return line.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True).encode("ascii") + b"\n"


def parse_line(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Parse one JSONL line into a record, or say in a few words why it is not one."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start + 1})"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return None, f"not a JSON object but {type(record).__name__}"
    return record, None


# --- Parquet (optional: cleaner[parquet]) -------------------------------------------------

def _pyarrow() -> Any:
    try:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        raise InputError("Parquet needs pyarrow: pip install 'cleaner[parquet]'") from None
    return pyarrow


def meta_arrow_type() -> Any:
    """The Arrow type of cleaner's metadata column: the same for every batch, so shards concatenate."""
    pa = _pyarrow()
    return pa.struct([
        ("lang", pa.string()), ("lang_prob", pa.float64()), ("mt_score", pa.float64()),
        ("changes", pa.int64()), ("flags", pa.int64()), ("codes", pa.list_(pa.string())),
        ("warnings", pa.list_(pa.string())),
        ("removed", pa.list_(pa.struct([("line", pa.int64()), ("code", pa.string()), ("text", pa.string())]))),
    ])


def arrow_meta(meta: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Fit a metadata dict to `meta_arrow_type` (absent keys become nulls)."""
    if meta is None:
        return None
    return {key: meta.get(key) for key in
            ("lang", "lang_prob", "mt_score", "changes", "flags", "codes", "warnings", "removed")}


def iter_parquet_chunks(path: Path, max_records: int = CHUNK_RECORDS) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield (number of the first row, rows as dicts) from a Parquet file, batch by batch."""
    pa = _pyarrow()
    handle = pa.parquet.ParquetFile(path)
    first = 1
    for batch in handle.iter_batches(batch_size=max_records):
        rows = batch.to_pylist()
        yield first, rows
        first += len(rows)


def parquet_output_schema(path: Path, meta_key: str) -> Any:
    """The schema of the cleaned Parquet file: the input's, plus (or with) the metadata column."""
    pa = _pyarrow()
    schema = pa.parquet.read_schema(path)
    if meta_key in schema.names:
        schema = schema.remove(schema.get_field_index(meta_key))
    return schema.append(pa.field(meta_key, meta_arrow_type()))


def open_parquet_writer(raw: IO[bytes], schema: Any) -> Any:
    """A Parquet writer over an open binary file."""
    return _pyarrow().parquet.ParquetWriter(raw, schema)


def write_parquet_rows(writer: Any, rows: Sequence[dict[str, Any]], schema: Any, meta_key: str) -> None:
    """Append rows (with their metadata dicts) to a Parquet writer, as one row group."""
    pa = _pyarrow()
    fitted = [{**row, meta_key: arrow_meta(row.get(meta_key))} for row in rows]
    writer.write_table(pa.Table.from_pylist(fitted, schema=schema))
