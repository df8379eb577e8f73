"""``outproduce ensemble``: a grid of variants x Monte Carlo chunks, on Dask, into Zarr.

Every (variant, chunk of samples) pair is one task (``analyses.ensemble.member``): an
ordinary run of those samples with their own draws, so the numbers do not depend on
where or in which order the tasks run. Tasks run

- in this process, one after another (``scheduler=None``; the engine uses ``workers``
  threads);
- on a ``LocalCluster`` of ``workers`` single-threaded processes (``"local"``);
- on a running Dask scheduler (``"tcp://host:8786"``): its workers need outproduce
  installed (the same version: the store records it) but no shared file system —
  each finished chunk comes back to this process, which writes it (or, with
  ``shared_store``, they write it where they all see the store).

Finished chunks are written to the store as they arrive, and marked; an interrupted
ensemble is resumed by running the same command (same scenario, grid, samples, seed,
chunk and outcomes; anything else is refused rather than mixed). A chunk whose worker
dies is recomputed by Dask elsewhere. See ``ensemble_store`` for the layout.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outproduce.analyses.ensemble import default_outcomes, member, template
from outproduce.analyses.provenance import resolve, samples_and_seed
from outproduce.data.catalog import DATA_VERSION
from outproduce.errors import InputError
from outproduce.interfaces import ensemble_store as store
from outproduce.scenario.grid import variants as grid_variants
from outproduce.scenario.loading import scenario_yaml
from outproduce.scenario.model import Scenario
from outproduce.version import __version__

#: Samples per chunk: a chunk's run stays near 0.3 GiB, and chunks are many enough to
#: spread over workers and to lose little when one is interrupted.
CHUNK = 2000

Progress = Callable[[int, int], None]


def ensemble(
    scenario: Scenario | str | Path = "baseline",
    out: str | Path = "ensemble.zarr",
    grid: str | Path | None = None,
    samples: int | None = None,
    seed: int | None = None,
    chunk: int = CHUNK,
    scheduler: str | None = None,
    workers: int | None = None,
    outcomes: list[str] | None = None,
    progress: Progress | None = None,
    shared_store: bool | None = None,
) -> dict[str, Any]:
    """Run (or resume, or find complete) an ensemble; returns what was done.

    ``progress(done, total)`` is called as chunks finish. ``shared_store``: the Dask
    workers write their chunks into the store themselves (default: on a LocalCluster;
    for a remote scheduler only if its workers see the store's path, e.g. a shared
    file system). The store is read back with ``open_ensemble(out)``.
    """
    scenario = resolve(scenario)
    samples, seed = samples_and_seed(scenario, samples, seed)
    if chunk < 1:
        raise InputError(f"expected at least 1 sample per chunk, got {chunk}", field="--chunk")
    if workers is not None and workers < 1:
        raise InputError(f"expected at least 1 worker, got {workers}", field="--workers")
    target = Path(out)
    if target.exists() and store.read_settings(target) is None:
        raise InputError(
            "exists and is not an ensemble store; expected a new path or a store written "
            "by `outproduce ensemble` (it is never overwritten)",
            file=str(target),
            field="--out",
        )
    found = grid_variants(scenario, Path(grid) if grid is not None else None)
    outcomes = list(outcomes) if outcomes else default_outcomes(scenario)
    settings = {
        "variants": list(found),
        "scenario_hashes": {name: s.scenario_hash() for name, s in found.items()},
        "seed": seed,
        "samples": samples,
        "chunk": chunk,
        "outcomes": outcomes,
        "package_version": __version__,
        "data_version": DATA_VERSION,
    }
    bounds = [(b, min(b + chunk, samples)) for b in range(0, samples, chunk)]
    total = len(bounds) * len(found)
    summary = {"store": str(target), "variants": list(found), "chunks": total} | settings
    if store.read_settings(target) == settings and store.is_complete(target):
        _report(progress, total, total)
        return summary | {"computed": 0, "resumed": 0}
    partial = store.partial_path(target)
    previous = store.read_settings(partial) if partial.exists() else None
    if partial.exists() and previous != settings:
        differs = sorted(k for k in settings if (previous or {}).get(k) != settings[k])
        raise InputError(
            f"holds an unfinished ensemble made with other settings ({', '.join(differs)}); "
            "expected the same scenario, grid, samples, seed, chunk and outcomes to resume "
            "it, or remove it to start over",
            file=str(partial),
            field="--out",
        )
    if previous is None:
        templates = {name: template(s, seed, outcomes, samples, chunk) for name, s in found.items()}
        store.create(
            partial, settings, templates, {name: scenario_yaml(s) for name, s in found.items()}
        )
    done = {name: store.done_chunks(partial, name) for name in found}
    pending = [
        (name, index, start, stop)
        for name in found
        for index, (start, stop) in enumerate(bounds)
        if index not in done[name]
    ]
    resumed = total - len(pending)
    tasks = (found, seed, outcomes, pending)
    try:
        _report(progress, resumed, total)
        if scheduler is None:
            _in_process(partial, *tasks, workers, progress, resumed, total)
        else:
            _on_dask(partial, *tasks, scheduler, workers, shared_store, progress, resumed, total)
    except BaseException:
        # A store this call made and no chunk reached (e.g. the scheduler is unreachable)
        # is not kept: nothing to resume, and it would refuse other settings next time.
        if previous is None and not any(store.done_chunks(partial, n) for n in found):
            shutil.rmtree(partial, ignore_errors=True)
        raise
    store.finish(partial, target)
    return summary | {"computed": len(pending), "resumed": resumed}


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _in_process(partial, found, seed, outcomes, pending, workers, progress, done, total) -> None:
    """Each chunk in turn in this process, the engine on ``workers`` threads."""
    for name, index, start, stop in pending:
        result = member(found[name], seed, start, stop, outcomes, workers=workers)
        store.write_chunk(partial, name, index, result)
        done += 1
        _report(progress, done, total)


def write_member(store_path: str, name: str, index: int, *args: Any) -> None:
    """A task that computes a chunk (``member(*args)``) and writes it into the store."""
    store.write_chunk(Path(store_path), name, index, member(*args))


def _on_dask(
    partial, found, seed, outcomes, pending, scheduler, workers, shared_store, progress, done, total
) -> None:
    """The chunks as Dask tasks; each result written here as it comes back."""
    import logging

    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        # Dask's nannies set MALLOC_TRIM_THRESHOLD_ in their workers, which turns off
        # glibc's adaptive mmap threshold: every large array is then mapped afresh and a
        # chunk takes ~25% longer (measured). A chunk's memory is bounded: keep the default.
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        try:
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
        except RuntimeError as exc:  # e.g. a script read from stdin cannot spawn workers
            raise InputError(
                f"could not start local Dask workers ({exc}); expected to run from the CLI "
                "or a script file whose main code is under `if __name__ == '__main__':`",
                field="--scheduler",
                file="command line",
            ) from None
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler ({' '.join(str(exc).split())[:100]}); "
                "expected `local` or the address of a running scheduler (tcp://host:8786)",
                field="--scheduler",
                file="command line",
            ) from None
    # Workers of a LocalCluster see this file system: each writes its own chunk (the
    # writes run side by side). A remote scheduler's workers may not: they send their
    # chunk back and it is written here, unless the store is shared with them.
    on_workers = scheduler == "local" if shared_store is None else shared_store
    task = write_member if on_workers else member
    try:
        shared = {name: client.scatter(s, broadcast=False, hash=False) for name, s in found.items()}
        futures = {
            client.submit(
                task,
                *((str(partial.resolve()), name, index) if on_workers else ()),
                shared[name],
                seed,
                start,
                stop,
                outcomes,
                pure=False,
            ): (name, index)
            for name, index, start, stop in pending
        }
        for future in as_completed(futures):
            name, index = futures.pop(future)
            result = future.result()
            if not on_workers:
                store.write_chunk(partial, name, index, result)
            future.release()
            done += 1
            _report(progress, done, total)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
