"""One run of the whole chain, computed once; every analysis is a view of it.

scenario -> inputs table (every uncertain input drawn once, or taken from a design)
-> spending pathways -> the budgets' contracts -> the engine, once (capacity with its
decisions -> inputs -> production -> order books -> stocks) -> one ``xarray.Dataset``.

``balance``, ``claim``, ``calibrate``, ``spending``, ``sustain`` and ``simulate`` are
pure functions of that Dataset (``views``); the report and each dashboard update run
the engine once. What the Dataset holds is reduced where it is computed (totals per
sample by series and month, by line and year, by order and year; see
``engine.results``); ``full=True`` keeps the (sample x line x month) arrays too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from outproduce.analyses import procurement
from outproduce.analyses.calibrate import estimate_probes, probe_values
from outproduce.analyses.dataset import annotate, engine_dataset
from outproduce.analyses.pathways import pathways
from outproduce.analyses.provenance import attrs, check_fits, resolve, samples_and_seed
from outproduce.data.catalog import NON_EUROPEAN_ALLIES
from outproduce.engine.inputs import InputTable
from outproduce.engine.layout import Layout, book_pool, layout
from outproduce.engine.simulate import run as run_engine
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario

#: Per-sample monthly totals a run keeps, in 155mm-equivalent rounds (``series``).
SERIES = (
    "alliance",
    "adversary",
    "partners",
    "russia",  # the adversary's own production: adversary lines that are not transfers
    "transfers",  # the adversary's supplies from other states (measure: transfer)
    "europe",  # alliance lines in European allies and the EU
    "alliance_planned",  # the alliance's lines as the scenario has them (no built capacity)
)
#: The 155mm-equivalent factor a built line counts with (budgets buy 155mm rounds).
BUILT_CALIBRE = "155mm"


@dataclass(frozen=True)
class Run:
    """The whole chain for one scenario, samples, seed (or design): one Dataset."""

    scenario: Scenario
    dataset: xr.Dataset

    @property
    def attrs(self) -> dict[str, Any]:
        """Provenance: scenario, its hash, data version, seed, samples, package version."""
        return dict(self.dataset.attrs)

    @property
    def samples(self) -> int:
        """Number of samples."""
        return int(self.dataset.sizes["sample"])

    def inputs(self) -> xr.Dataset:
        """The inputs table: per sample and input, its uniform and its drawn value."""
        return self.dataset[["input_uniform", "input_value"]]


def run(
    scenario: Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
    design: Mapping[str, Any] | None = None,
    full: bool = False,
    workers: int | None = None,
    design_file: str = "",
    calibration: bool = True,
    offset: int = 0,
) -> Run:
    """Run the whole chain once; ``design`` gives uniforms (sample x input) by input name.

    A design column replaces the seeded draws of the input it names (see the inputs
    table of a run for the names); inputs it does not name keep their seeded streams.
    Without ``samples``, a design's rows are the samples. ``design_file`` names the
    file a design came from, for error messages. ``calibration=False`` leaves out the
    published estimates' probes (``calibrate`` then refuses the run). ``offset`` makes
    this run samples ``offset .. offset + samples`` of a larger Monte Carlo run (an
    ensemble's chunk): their numbers are those samples' numbers in the whole run.
    """
    scenario = resolve(scenario)
    if design is not None and hasattr(design, "dims"):  # an xarray (sample, input) table
        design = {str(k): design.sel(input=k).values for k in design["input"].values}
    if samples is None and design:  # a design's rows are the samples
        samples = len(next(iter(design.values())))
    samples, seed = samples_and_seed(scenario, samples, seed)
    check_fits(scenario, samples, full)
    try:
        table = InputTable(seed, samples, design, offset)
    except InputError as exc:  # name the file the design came from, if it did
        raise InputError(exc.message, file=design_file or exc.file, field=exc.field) from None
    contracts = dict(scenario.contracts)
    quantities: dict[str, np.ndarray] = {}
    decisions: dict[str, np.ndarray] = {}
    spend, left_out = None, ""
    if scenario.spending is not None:
        spend = pathways(scenario, table)
        if scenario.inputs.pools == "bloc":
            booked, quantities, decisions, spend = procurement.budgets_book(scenario, spend, table)
            contracts |= booked
        else:
            left_out = procurement.BLOC_POOLS_ONLY
    for supplier, rule in scenario.capacity_rules.items():  # the scenario's own suppliers
        if rule.rule == "follow_contracts":
            lead = table.draw(f"capacity_rule:{supplier}:lead_months", rule.lead_months)
            decisions[supplier] = np.rint(np.maximum(lead, 0)).astype(int)
    chain = scenario.model_copy(update={"contracts": contracts})
    lay = layout(chain, tuple(decisions))
    lines = line_table(chain, lay)
    weights = conversion_weights(chain, lines, table)
    probes = estimate_probes(scenario, lay.line_ids) if calibration else None
    complete = probes.complete_lines if probes else []
    groups = np.array([_series_lines(lines, name) for name in SERIES] + complete)
    weighted = np.arange(len(groups)) < len(SERIES)
    res = run_engine(
        chain,
        samples,
        seed,
        workers=workers,
        quantities=quantities,
        inputs=table,
        full=full,
        weights=weights,
        groups=groups,
        weighted=weighted,
        decisions=decisions,
    )
    estimates = (
        probe_values(scenario, table, probes, res.group_output[:, len(SERIES) :])
        if probes
        else xr.Dataset()
    )
    table.check_design_used(design_file)
    ds = _dataset(chain, res, lines, weights, spend, estimates)
    ds.attrs = attrs(scenario, samples, seed, "outproduce run") | {
        "capacity_rule": scenario.spending.capacity_rule if scenario.spending else "none",
        "design": "user design" if design else "Monte Carlo (seeded streams)",
    }
    if spend is not None:
        ds.attrs["resilience_target_pct"] = spend.attrs["resilience_target_pct"]
        ds.attrs["left_out"] = spend.attrs["left_out"]
    if left_out:
        ds.attrs["order_book_left_out"] = left_out
    return Run(scenario=scenario, dataset=ds)


def read_design(path: Path) -> dict[str, np.ndarray]:
    """A design from a CSV file: one column per input name, one row per sample.

    A ``sample`` column, if present, is the row label and is not an input. Any other
    problem (unreadable, not numeric, outside (0, 1), unknown input) is an input error
    naming the file.
    """
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(
            "no such file; expected a CSV design", file=str(path), field="--design"
        ) from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"not a CSV table ({' '.join(str(exc).split())[:120]}); expected one column "
            "per input and one row per sample",
            file=str(path),
            field="--design",
        ) from None
    frame = frame.drop(columns=[c for c in frame.columns if c == "sample"])
    if frame.empty or not len(frame.columns):
        raise InputError(
            "the design has no rows or no input columns; expected one column per input",
            file=str(path),
            field="--design",
        )
    return {str(c): frame[c].to_numpy() for c in frame.columns}


def of_run(
    target: Any,
    samples: int | None = None,
    seed: int | None = None,
    full: bool = False,
    calibration: bool = False,
) -> Run:
    """A run given, or one made now from a scenario (a name, a path or a Scenario).

    A run made here for one view leaves out what no other view of it will ask for
    (the calibration probes, unless ``calibration``).
    """
    if isinstance(target, Run):
        return target
    return run(target, samples=samples, seed=seed, full=full, calibration=calibration)


def line_table(scenario: Scenario, lay: Layout) -> dict[str, np.ndarray]:
    """Per line of a run (the scenario's, then built ones): bloc, country, calibre...

    A built line takes the bloc, country and calibre of its supplier's first line; the
    budgets' book builds for the alliance as a whole, in 155mm rounds (what it buys).
    """
    columns: dict[str, list[str]] = {
        k: [] for k in ("bloc", "country", "calibre", "measure", "product", "origin")
    }
    for index, line_id in enumerate(lay.line_ids):
        line = scenario.lines.get(line_id)
        if line is not None:
            row = (line.bloc, line.country, line.calibre, line.measure, line.product_class)
            origin = "planned"
        else:
            seller = lay.built[index]
            model = scenario.lines[lay.line_ids[lay.seller_lines[seller][0]]]
            if book_pool(lay.sellers[seller]) is None:
                row = (model.bloc, model.country, model.calibre, "output", "rounds")
            else:
                row = (model.bloc, model.bloc, BUILT_CALIBRE, "output", "rounds")
            origin = "built"
        for key, value in zip(columns, (*row, origin), strict=True):
            columns[key].append(value)
    return {"id": np.array(lay.line_ids)} | {k: np.array(v) for k, v in columns.items()}


def conversion_weights(
    scenario: Scenario, lines: dict[str, np.ndarray], table: InputTable
) -> np.ndarray:
    """(sample, line) 155mm-equivalent factor of each round line (0 for input lines).

    One draw per calibre and sample, shared by every line of that calibre.
    """
    factors = {
        calibre: table.draw(f"assumption:conversion_155eq:{calibre}", value)
        for calibre, value in scenario.assumptions.conversion_155eq.items()
    }
    weights = np.zeros((table.samples, len(lines["id"])))
    for index, (calibre, product) in enumerate(
        zip(lines["calibre"], lines["product"], strict=True)
    ):
        if product == "rounds":
            weights[:, index] = factors.get(calibre, 1.0)
    return weights


def _series_lines(lines: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Which lines a series sums (only lines making rounds)."""
    rounds = lines["product"] == "rounds"
    bloc = lines["bloc"]
    transfer = lines["measure"] == "transfer"
    chosen = {
        "alliance": bloc == "alliance",
        "adversary": bloc == "adversary",
        "partners": bloc == "partners",
        "russia": (bloc == "adversary") & ~transfer,
        "transfers": (bloc == "adversary") & transfer,
        "europe": (bloc == "alliance")
        & ~np.isin(lines["country"], NON_EUROPEAN_ALLIES)
        & (lines["origin"] == "planned"),
        "alliance_planned": (bloc == "alliance") & (lines["origin"] == "planned"),
    }[name]
    return chosen & rounds


def _dataset(
    chain: Scenario,
    res,
    lines: dict[str, np.ndarray],
    weights: np.ndarray,
    spend: xr.Dataset | None,
    estimates: xr.Dataset,
) -> xr.Dataset:
    """The engine's results with names, coordinates and units (and the run's other parts)."""
    ds = engine_dataset(chain, res, lines, weights, list(SERIES))
    ds = ds.merge(estimates)
    if spend is not None:
        ds = ds.merge(spend.rename({"year": "spending_year"}), combine_attrs="drop")
    return annotate(ds)
