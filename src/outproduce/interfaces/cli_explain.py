"""CLI commands that explain an answer: the outcomes and their global sensitivity.

Registered on the main app by ``cli.py`` (``register``) as ``outproduce outcomes``,
``outproduce sensitivity``, ``outproduce discover`` and ``outproduce ensemble`` (which
makes the stores the first two can read, ``cli_ensemble.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outproduce.interfaces.cli_common import SamplesOpt, ScenarioArg, SeedOpt, friendly, out
from outproduce.interfaces.cli_ensemble import StoreOpt, VariantOpt, ensemble_cmd, stored_run
from outproduce.interfaces.cli_views import print_sensitivity
from outproduce.interfaces.files import result_folder, to_json


def outcomes_cmd() -> None:
    """The outcomes sensitivity analysis can explain (names and what they measure)."""
    from outproduce.analyses.outcomes import PATTERNS

    out.print("Outcomes (one number per sample of a run), for --outcome:")
    for pattern, meaning in PATTERNS.items():
        out.print(f"  {pattern:<28} {meaning}", highlight=False)


def sensitivity_cmd(
    outcome: Annotated[
        str, typer.Option("--outcome", help="What to explain (see `outproduce outcomes`).")
    ],
    scenario: ScenarioArg = "baseline",
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    samples: Annotated[
        int, typer.Option("--samples", help="Base samples (Sobol: a power of two).", min=2)
    ] = 256,
    seed: SeedOpt = None,
    groups: Annotated[
        str, typer.Option("--groups", help="auto, none, or a YAML file of groups.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write CSV, JSON and PNG here.")
    ] = None,
    store: StoreOpt = None,
    variant: VariantOpt = None,
) -> None:
    """Which uncertain inputs decide an outcome: Sobol' indices or the Morris screen.

    With --store, first-order indices from an ensemble's own samples (RBD-FAST).
    """
    from outproduce.analyses.sensitivity import given_data, sensitivity
    from outproduce.interfaces.outputs import sensitivity_document, write_sensitivity_outputs
    from outproduce.scenario.loading import load_scenario

    if store is not None:
        result = given_data(stored_run(store, variant), outcome, seed=seed or 0)
    else:
        result = sensitivity(
            load_scenario(scenario),
            outcome,
            method=method,
            samples=samples,
            seed=seed,
            groups=groups,
        )
    if out_dir is not None:
        with result_folder(out_dir) as (work, record):
            written = [out_dir / p.name for p in write_sensitivity_outputs(result, work)]
            record(result.table.attrs)
    if as_json:
        print(to_json(sensitivity_document(result)))
        return
    print_sensitivity(result)
    if out_dir is not None:
        out.print("Wrote: " + ", ".join(str(p) for p in written))


def discover_cmd(
    outcome: Annotated[
        str, typer.Option("--outcome", help="What to explain (see `outproduce outcomes`).")
    ] = "ahead_of_russia_at:2025-11",
    scenario: ScenarioArg = "baseline",
    threshold: Annotated[
        float, typer.Option("--threshold", help="The outcome holds where it is >= this.")
    ] = 0.5,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    density: Annotated[
        float,
        typer.Option(
            "--density", help="Least share of a box's samples where it holds.", min=0.05, max=1.0
        ),
    ] = 0.8,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    store: StoreOpt = None,
    variant: VariantOpt = None,
) -> None:
    """Under which combinations of inputs an outcome holds (PRIM boxes, in words)."""
    from outproduce.analyses.discover import discover
    from outproduce.interfaces.outputs import discovery_document
    from outproduce.scenario.loading import load_scenario

    target = stored_run(store, variant) if store is not None else load_scenario(scenario)
    result = discover(target, outcome, threshold, samples=samples, seed=seed, density=density)
    if as_json:
        print(to_json(discovery_document(result)))
        return
    out.print(
        f"[bold]Where {result.outcome} >= {result.threshold:g}[/bold] — scenario "
        f"{result.table.attrs['scenario']}, {result.table.attrs['samples']} samples: it holds "
        f"in {result.share:.0%} of them."
    )
    if not result.boxes:
        out.print("No box of inputs reaches the density asked for (or it holds everywhere).")
    for number, box in enumerate(result.boxes, start=1):
        out.print(f"{number}. {box['sentence']}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the commands that explain an answer to the main app."""
    for name, command in (
        ("outcomes", outcomes_cmd),
        ("sensitivity", sensitivity_cmd),
        ("discover", discover_cmd),
        ("ensemble", ensemble_cmd),
    ):
        app.command(name)(friendly(command))
