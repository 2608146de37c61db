"""Formats: JSONL plain/gzip/zstd round trips, reproducible compression, Parquet, the dataset batch API."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, Config
from cleaner.cli import main
from cleaner.formats import compression_of, format_of
from cleaner.integrations import clean_hf_batch

RECORDS = [{"id": i, "text": f"Caf\u00c3\u00a9 {i}  \r\n\r\n\r\nLeave a Reply\r\nbody.", "score": i / 2}
           for i in range(25)]
CONFIG = Config(language_backend="off")


def run(*args: str, input: bytes | str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def jsonl(records: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def expected_lines() -> list[dict[str, object]]:
    return list(Cleaner(CONFIG).clean_records(RECORDS))


def test_format_and_compression_come_from_the_name() -> None:
    assert [format_of(n) for n in ("a.jsonl", "a.JSONL.GZ", "a.jsonl.zst", "a.parquet", "a.txt", "a")] == \
        ["jsonl", "jsonl", "jsonl", "parquet", "text", "text"]
    assert [compression_of(n) for n in ("a.jsonl", "a.jsonl.gz", "a.jsonl.zst")] == ["none", "gzip", "zstd"]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_round_trip_in_every_compression(tmp_path: Path, suffix: str) -> None:
    zstandard = pytest.importorskip("zstandard")
    raw = jsonl(RECORDS)
    packed = {".jsonl": raw, ".jsonl.gz": gzip.compress(raw),
              ".jsonl.zst": zstandard.ZstdCompressor().compress(raw)}[suffix]
    source = tmp_path / f"in{suffix}"
    source.write_bytes(packed)
    target = tmp_path / f"out{suffix}"
    result = run("clean", str(source), "-o", str(target), "--lang-backend", "off", "-j", "1")
    assert result.exit_code == 0, result.stderr
    data = target.read_bytes()
    if suffix == ".jsonl.gz":
        assert data[:2] == b"\x1f\x8b"
        data = gzip.decompress(data)
    elif suffix == ".jsonl.zst":
        assert data[:4] == b"\x28\xb5\x2f\xfd"
        data = zstandard.ZstdDecompressor().stream_reader(data).read()
    assert [json.loads(line) for line in data.splitlines()] == expected_lines()
    # Reproducible: the same input gives the same compressed bytes.
    again = tmp_path / f"again{suffix}"
    run("clean", str(source), "-o", str(again), "--lang-backend", "off", "-j", "2")
    assert again.read_bytes() == target.read_bytes()


def test_gzip_without_its_extension_is_read_by_its_magic_bytes(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    source.write_bytes(gzip.compress(jsonl(RECORDS[:3])))
    result = run("clean", str(source), "--format", "jsonl", "--lang-backend", "off", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected_lines()[:3]


def test_converts_gzip_to_zstd_by_output_name(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(gzip.compress(jsonl(RECORDS)))
    result = run("clean", str(source), "-o", str(tmp_path / "out.jsonl.zst"), "--lang-backend", "off", "-j", "1")
    assert result.exit_code == 0, result.stderr
    data = zstandard.ZstdDecompressor().stream_reader((tmp_path / "out.jsonl.zst").read_bytes()).read()
    assert [json.loads(line) for line in data.splitlines()] == expected_lines()


def test_parquet_round_trip_keeps_columns_and_types(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [*RECORDS, {"id": 99, "text": None, "score": 0.0}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    result = run("clean", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.parquet"),
                 "--lang-backend", "off", "-j", "2")
    assert result.exit_code == 2
    assert result.stderr == f"cleaner: {tmp_path / 'in.parquet'}:26: 'text' is NoneType, not a string\n"
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == ["id", "text", "score", "cleaner"]
    assert table.schema.field("id").type == pa.int64()
    out = table.to_pylist()
    expected = expected_lines()
    assert [r["text"] for r in out] == [r["text"] for r in expected] + [None]
    assert [r["cleaner"]["codes"] for r in out[:-1]] == [r["cleaner"]["codes"] for r in expected]
    assert out[-1]["cleaner"] is None


def test_hf_batch_function_is_dict_of_lists_in_and_out() -> None:
    batch = {"id": [r["id"] for r in RECORDS], "text": [r["text"] for r in RECORDS]}
    out = clean_hf_batch(batch, CONFIG)
    assert list(out) == ["id", "text", "cleaner"]
    assert out["id"] == batch["id"]
    assert out["text"] == [r["text"] for r in expected_lines()]
    assert all(set(meta) == {"lang", "lang_prob", "mt_score", "changes", "flags", "codes", "warnings", "removed"}
               for meta in out["cleaner"])
