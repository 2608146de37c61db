"""The Ray path gives the same records as the local path, on a small local Ray cluster the test starts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import Cleaner, Config
from cleaner.cli import main
from cleaner.integrations import clean_rows_for_arrow

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'cleaner[ray]'")

RECORDS = [{"id": i, "text": f"Shard text {i}\u00a0here.  \n\n\nLeave a Reply\n", "tag": "t"} for i in range(300)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_engine_ray_gives_the_same_files_as_local_workers(cluster: None, tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    for n in range(2):
        (shards / f"part-{n}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in RECORDS[n * 150:(n + 1) * 150]))
    common = [str(shards), "--glob", "*.jsonl", "--lang-backend", "off"]
    runner = CliRunner()
    local = runner.invoke(main, ["clean", *common, "-o", str(tmp_path / "local"), "-j", "1"])
    assert local.exit_code == 0, local.stderr
    remote = runner.invoke(main, ["clean", *common, "-o", str(tmp_path / "ray"), "--engine", "ray"])
    assert remote.exit_code == 0, remote.stderr
    for n in range(2):
        name = f"part-{n}.jsonl"
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    manifest = json.loads((tmp_path / "ray" / "cleaner-manifest.json").read_text())
    assert manifest["options"]["engine"] == "ray" and manifest["totals"]["documents"] == 300


def test_ray_data_map_batches_gives_the_same_records(cluster: None) -> None:
    from cleaner.ray_engine import clean_ray_batch

    config = Config(language_backend="off")
    ds = ray.data.from_items(RECORDS).map_batches(
        clean_ray_batch, batch_format="pyarrow", batch_size=64, fn_kwargs={"config": config})
    got = sorted(ds.take_all(), key=lambda r: r["id"])
    expected = clean_rows_for_arrow(RECORDS, Cleaner(config), "text", "cleaner")
    assert [r["text"] for r in got] == [r["text"] for r in expected]
    assert [r["cleaner"]["codes"] for r in got] == [r["cleaner"]["codes"] for r in expected]
    assert [r["tag"] for r in got] == ["t"] * 300
