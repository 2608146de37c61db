"""Walk inputs, map them to outputs, and write outputs so that nothing is ever half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BatchOptions:
    """Where cleaned files go and which files of a folder are taken."""

    outdir: Path | None = None
    pattern: str = "*.txt"
    in_place: bool = False


def write_atomic(target: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `target`, flush it, then rename it into place.

    A reader (or a crash) sees either the old file or the complete new one, never a
    half-written file under the final name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def iter_text_inputs(inputs: Sequence[Path], options: BatchOptions) -> Iterator[tuple[Path, Path | None, str | None]]:
    """Yield (source, target, error) for every input file, in a stable sorted order.

    Folders are walked recursively for files matching the pattern; the target mirrors
    the path relative to the folder given. A target that would land outside the output
    folder, or on an input, is an error for that file only.
    """
    for given in inputs:
        if given.is_dir():
            files = sorted(p for p in given.rglob(options.pattern) if p.is_file())
            pairs = [(path, path.relative_to(given)) for path in files]
        elif given.exists():
            pairs = [(given, Path(given.name))]
        else:
            yield given, None, "no such file or folder"
            continue
        for source, relative in pairs:
            if options.in_place:
                yield source, source, None
                continue
            if options.outdir is None:
                yield source, None, None
                continue
            target = options.outdir / relative
            if not _inside(target, options.outdir):
                yield source, None, f"output path {target} would leave the output folder; skipped"
            elif target.exists() and target.resolve() == source.resolve():
                yield source, None, "output would overwrite the input; use --in-place to mean that"
            else:
                yield source, target, None
