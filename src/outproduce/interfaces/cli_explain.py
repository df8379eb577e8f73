"""CLI commands that explain an answer: the outcomes and their global sensitivity.

Registered on the main app by ``cli.py`` (as ``outproduce outcomes`` and
``outproduce sensitivity``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outproduce.interfaces.cli_common import ScenarioArg, SeedOpt, out
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
) -> None:
    """Which uncertain inputs decide an outcome: Sobol' indices or the Morris screen."""
    from outproduce.analyses.sensitivity import sensitivity
    from outproduce.interfaces.outputs import sensitivity_document, write_sensitivity_outputs
    from outproduce.scenario.loading import load_scenario

    result = sensitivity(
        load_scenario(scenario), outcome, method=method, samples=samples, seed=seed, groups=groups
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
