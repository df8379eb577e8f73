"""``outproduce ensemble``: many variants x many samples, on Dask, into a Zarr store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outproduce.interfaces.cli_common import ScenarioArg, SeedOpt, out, progress_bar
from outproduce.interfaces.files import to_json

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Read the samples of an ensemble store instead of running (Zarr)."
    ),
]
VariantOpt = Annotated[
    str | None,
    typer.Option("--variant", help="The store's variant to read (default: its first)."),
]


def ensemble_cmd(
    out_store: Annotated[
        Path, typer.Option("--out", help="The Zarr store to write (resumed if unfinished).")
    ],
    scenario: ScenarioArg = "baseline",
    grid: Annotated[
        Path | None,
        typer.Option("--grid", help="YAML grid of variants (levers and fields)."),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples", "-n", min=1, max=100_000_000, help="Samples per variant (streamed)."
        ),
    ] = None,
    seed: SeedOpt = None,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, max=100_000, help="Samples per task.")
    ] = 2000,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="`local` (a LocalCluster) or a scheduler address (tcp://host:8786); "
            "default: in this process.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (local) or engine threads."),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="An outcome to keep per sample (repeat; default: "
            "the claim's, the crossover, on-time share).",
        ),
    ] = None,
    shared_store: Annotated[
        bool | None,
        typer.Option(
            "--shared-store/--no-shared-store",
            help="Dask workers write their chunks into the store (default: on a "
            "LocalCluster; for a scheduler address only if its workers see the path).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run a grid of scenario variants x Monte Carlo chunks on Dask into a Zarr store."""
    from outproduce.interfaces.ensemble import ensemble
    from outproduce.scenario.loading import load_scenario

    loaded = load_scenario(scenario)
    with progress_bar() as bar:
        task = bar.add_task("chunks", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = ensemble(
            loaded,
            out=out_store,
            grid=grid,
            samples=samples,
            seed=seed,
            chunk=chunk,
            scheduler=scheduler,
            workers=workers,
            outcomes=outcome,
            progress=progress,
            shared_store=shared_store,
        )
    if as_json:
        print(to_json(result))
        return
    out.print(
        f"[bold]outproduce ensemble[/bold] — scenario [cyan]{loaded.name}[/cyan]: "
        f"{len(result['variants'])} variant(s) x {result['samples']:,} samples (seed "
        f"{result['seed']}), {result['chunks']} chunks: {result['computed']} computed now, "
        f"{result['resumed']} already in the store."
    )
    out.print(f"Store: {result['store']} (variants: {', '.join(result['variants'])})")
    out.print(
        "Read it with `outproduce sensitivity --store` / `discover --store`, or "
        "`outproduce.open_ensemble()` in Python."
    )


def stored_run(store: Path, variant: str | None):
    """The run of one variant of an ensemble store (the first if none is named)."""
    from outproduce.errors import InputError
    from outproduce.interfaces.ensemble_store import open_ensemble

    runs = open_ensemble(store)
    name = variant or next(iter(runs))
    if name not in runs:
        raise InputError(
            f"no variant {name!r} in the store; expected one of {', '.join(runs)}",
            file=str(store),
            field="--variant",
        )
    return runs[name]
