"""Run cleaner on Ray: the engine datatrove, NeMo Curator and Data-Juicer run on.

Two ways in (both need the extra `cleaner[ray]`):

- `cleaner clean shards/ -o out/ --engine ray [--address auto|HOST:PORT]`: the batch
  reads and writes files here, and Ray workers anywhere on the cluster clean the
  chunks. Outputs, manifest and `--resume` are the same as with local workers, byte
  for byte, because a chunk's result does not depend on who cleaned it.
- `clean_ray_batch` in your own `ray.data` pipeline:
  `ds.map_batches(clean_ray_batch, batch_format="pyarrow", fn_kwargs={"config": Config()})`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cleaner.config import Config
from cleaner.errors import CleanerError
from cleaner.formats import meta_arrow_type
from cleaner.integrations import cached_cleaner, clean_rows_for_arrow
from cleaner.workers import Outcome, WorkerState, WorkSettings, make_state, run_task


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise CleanerError("--engine ray needs Ray: pip install 'cleaner[ray]'") from None
    return ray


def clean_ray_batch(batch: Any, config: Config | None = None, text_key: str = "text",
                    meta_key: str = "cleaner") -> Any:
    """Clean one `ray.data` batch (a pyarrow Table): the text column cleaned, metadata in one more column.

    Use with `batch_format="pyarrow"`. Every other column passes through with its
    type; the metadata column has one fixed type, so batches and shards concatenate.
    Each Ray worker process builds its Cleaner once per configuration.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    rows = clean_rows_for_arrow(batch.to_pylist(), cached_cleaner(config), text_key, meta_key)
    schema = batch.schema
    if meta_key in schema.names:
        schema = schema.remove(schema.get_field_index(meta_key))
    schema = schema.append(pa.field(meta_key, meta_arrow_type()))
    return pa.Table.from_pylist(rows, schema=schema)


@lru_cache(maxsize=4)
def _state(settings: WorkSettings) -> WorkerState:
    return make_state(settings)


def _run_on_ray(settings: WorkSettings, kind: str, args: tuple[Any, ...]) -> Outcome:
    return run_task(_state(settings), kind, args)


class _RayFuture:
    def __init__(self, ray: Any, ref: Any) -> None:
        self.ray, self.ref = ray, ref

    def result(self) -> Outcome:
        return self.ray.get(self.ref)  # type: ignore[no-any-return]


class RayEngine:
    """Send units of work to Ray tasks; start a local Ray when none is running and no address is given."""

    writes_files = False  # a task may run on another node: outputs come back and are written here
    bundle = 1

    def __init__(self, settings: WorkSettings, address: str | None) -> None:
        self.ray = _ray()
        self.started = False
        if not self.ray.is_initialized():
            try:
                self.ray.init(address=address, include_dashboard=False, logging_level="WARNING",
                              log_to_driver=False)
            except Exception as exc:  # no cluster at that address, and the like
                raise CleanerError(f"cannot start or reach Ray (address {address or 'local'}): {exc}") from None
            self.started = True
        self.settings = self.ray.put(settings)
        self.task = self.ray.remote(_run_on_ray)
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.window = 2 * cpus + 2

    def submit(self, kind: str, args: tuple[Any, ...]) -> _RayFuture:
        return _RayFuture(self.ray, self.task.remote(self.settings, kind, args))

    def close(self, cancel: bool = False) -> None:
        if self.started:
            self.ray.shutdown()
