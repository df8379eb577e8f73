"""An ensemble's Zarr store: one group per variant, chunks written as they finish.

Layout of ``STORE.zarr``::

    zarr.json              root attributes: ``outproduce_ensemble`` (the settings that
                           fix its numbers: variants and their scenario hashes, seed,
                           samples, chunk, outcomes, versions), ``complete``,
                           ``scenarios`` (each variant's scenario as YAML)
    <variant>/             the variant's samples: series_output, stock, orders, the
                           inputs table and ``outcomes`` (sample x outcome), with the
                           months, series, holders, orders, inputs and outcomes as
                           coordinates; one Zarr chunk per ensemble chunk of samples
    done/<variant>/<i>     marker files of the finished chunks (while unfinished)

An unfinished store lives at ``STORE.zarr.partial``; it is renamed into place when
the last chunk is written, so a previous complete store at ``STORE.zarr`` survives any
interruption, and running the same command again resumes the partial one.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses.run import Run
from outproduce.errors import InputError

SETTINGS = "outproduce_ensemble"


def partial_path(target: Path) -> Path:
    """Where the unfinished store of ``target`` is written."""
    return target.with_name(target.name + ".partial")


def _root_attributes(store: Path) -> dict[str, Any]:
    """The store's root attributes ({} if the folder is not a Zarr store)."""
    try:
        meta = json.loads((store / "zarr.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    attrs = meta.get("attributes", {}) if isinstance(meta, dict) else {}
    return attrs if isinstance(attrs, dict) else {}


def read_settings(store: Path) -> dict[str, Any] | None:
    """The settings a store was made with (None if the folder is not an ensemble store)."""
    return _root_attributes(store).get(SETTINGS)


def is_complete(store: Path) -> bool:
    """True if every chunk of the store was written."""
    return bool(_root_attributes(store).get("complete"))


def create(
    store: Path, settings: dict[str, Any], templates: dict[str, xr.Dataset], yaml: dict[str, str]
) -> None:
    """An empty store: each variant's coordinates and empty (lazy) arrays, settings last."""
    import zarr
    from zarr.codecs import BloscCodec

    # LZ4 with byte shuffling: writes a chunk in a third of the default's (zstd) time
    # and stores it smaller (measured on the baseline's chunks).
    codec = BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")
    shutil.rmtree(store, ignore_errors=True)
    for variant, template in templates.items():
        encoding = {name: {"compressors": [codec]} for name in template.data_vars}
        with warnings.catch_warnings():  # zarr v3 has no spec for its string type yet
            warnings.simplefilter("ignore")
            template.to_zarr(
                store,
                group=variant,
                mode="w",
                compute=False,
                consolidated=False,
                encoding=encoding,
            )
    root = zarr.open_group(store, mode="a")
    root.attrs.update({SETTINGS: settings, "complete": False, "scenarios": yaml})


def write_chunk(store: Path, variant: str, index: int, chunk: xr.Dataset) -> None:
    """Write one finished chunk into its region of the store, then mark it done."""
    start, stop = int(chunk["sample"].values[0]), int(chunk["sample"].values[-1]) + 1
    region = chunk.drop_vars(["sample", "outcome"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        region.to_zarr(
            store, group=variant, region={"sample": slice(start, stop)}, consolidated=False
        )
    marker = store / "done" / variant / str(index)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def done_chunks(store: Path, variant: str) -> set[int]:
    """Indices of the chunks of ``variant`` already written."""
    folder = store / "done" / variant
    if not folder.is_dir():
        return set()
    return {int(p.name) for p in folder.iterdir() if p.name.isdigit()}


def finish(partial: Path, target: Path) -> None:
    """Mark the store complete and rename it into place (a previous store goes last)."""
    import zarr

    zarr.open_group(partial, mode="a").attrs["complete"] = True
    shutil.rmtree(partial / "done", ignore_errors=True)
    if target.exists():
        aside = target.with_name(f"{target.name}.previous-{os.getpid()}")
        os.replace(target, aside)
        os.replace(partial, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(partial, target)


def open_ensemble(path: str | Path) -> dict[str, Run]:
    """An ensemble store's variants as runs (lazily read; for outcomes, sensitivity, discover).

    Each is a ``Run`` whose Dataset holds what the ensemble keeps per sample (not every
    variable of a full run: ``balance`` and the other views need a run of their own).
    """
    import yaml as pyyaml

    from outproduce.scenario.loading import scenario_from_mapping

    path = Path(path)
    settings = read_settings(path)
    if settings is None:
        raise InputError(
            "not an ensemble store; expected a folder written by `outproduce ensemble`",
            file=str(path),
            field="--store",
        )
    if not is_complete(path):
        raise InputError(
            "the ensemble is unfinished; expected a complete store (run the same "
            "`outproduce ensemble` command again to finish it)",
            file=str(path),
            field="--store",
        )
    import zarr

    texts = zarr.open_group(path, mode="r").attrs["scenarios"]
    runs = {}
    for variant in settings["variants"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = xr.open_zarr(path, group=variant, consolidated=False)
        ds = ds.assign_coords(sample=np.arange(ds.sizes["sample"]))
        scenario = scenario_from_mapping(pyyaml.safe_load(texts[variant]), f"{path}:{variant}")
        runs[variant] = Run(scenario=scenario, dataset=ds)
    return runs
