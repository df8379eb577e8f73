"""The whole chain as an xarray.Dataset: capacity, production, bottlenecks, orders, stocks.

This is the engine's result with names and coordinates; every other analysis reads
the same engine, never a copy of it.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from outproduce.data.catalog import DATA_VERSION
from outproduce.engine.simulate import Results, run
from outproduce.engine.timegrid import month_grid
from outproduce.errors import InputError
from outproduce.scenario.loading import load_scenario
from outproduce.scenario.model import Scenario
from outproduce.version import __version__


def resolve(scenario: Scenario | str | Path) -> Scenario:
    """Accept a loaded scenario, a built-in name or a YAML path."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run_scenario(
    scenario: Scenario, samples: int | None, seed: int | None
) -> tuple[Results, int, int]:
    """Run the engine with the scenario's defaults for samples and seed."""
    samples = scenario.samples if samples is None else samples
    seed = scenario.seed if seed is None else seed
    if samples < 1:
        raise InputError(f"expected at least 1 sample, got {samples}", field="samples")
    if seed < 0:
        raise InputError(f"expected a non-negative seed, got {seed}", field="seed")
    check_fits(scenario, samples)
    return run(scenario, samples, seed), samples, seed


#: Bytes per sample, line and month a run holds at its peak: about 13 measured by
#: ``benchmarks/bench_engine.py`` (2,068 MiB for 100 lines x 10,000 x 168), doubled
#: for the report's several runs and Python's own overhead.
BYTES_PER_CELL = 24
#: Share of the machine's memory one run may plan to use.
MEMORY_SHARE = 0.6


def check_fits(scenario: Scenario, samples: int) -> None:
    """Refuse, before any allocation, a run that cannot fit in this machine's memory."""
    cells = samples * max(len(scenario.lines), 1) * len(month_grid(scenario.horizon))
    need = cells * BYTES_PER_CELL
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if need > MEMORY_SHARE * total:
        most = int(MEMORY_SHARE * total / (need / samples))
        raise InputError(
            f"{samples:,} samples need about {need / 2**30:,.1f} GiB for this scenario's "
            f"{len(scenario.lines)} lines x {cells // samples // max(len(scenario.lines), 1)} "
            f"months; at most {most:,} fit in this machine's {total / 2**30:.0f} GiB. "
            "Expected fewer samples (or several runs with different seeds)",
            file=scenario.origin or None,
            field="samples",
        )


def attrs(scenario: Scenario, samples: int, seed: int, title: str) -> dict[str, object]:
    """Provenance attributes every result carries."""
    return {
        "title": title,
        "scenario": scenario.name,
        "scenario_hash": scenario.scenario_hash(),
        "data_version": DATA_VERSION,
        "seed": seed,
        "samples": samples,
        "package_version": __version__,
    }


def month_quantile(values: np.ndarray, q: float) -> str | None:
    """Quantile of per-sample months as 'YYYY-MM'; NaT counts as 'never' (None if chosen)."""
    index = np.where(np.isnat(values), np.inf, values.astype("datetime64[M]").astype(float))
    if index.size == 0:
        return None
    chosen = float(np.quantile(index, q, method="inverted_cdf"))
    return None if not np.isfinite(chosen) else str(np.datetime64(int(chosen), "M"))


def simulate(
    scenario: Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Simulate the chain month by month; every variable has a ``sample`` dimension.

    Units: rounds (or tonnes for explosive/propellant lines) per month for flows,
    rounds for stocks and backlogs, months for lead times.
    """
    scenario = resolve(scenario)
    res, samples, seed = run_scenario(scenario, samples, seed)
    lay = res.layout
    lines = [scenario.lines[i] for i in lay.line_ids]
    contracts = [scenario.contracts[i] for i in lay.order_ids]
    months = month_grid(scenario.horizon).astype("datetime64[ns]")
    on_time = _on_time_share(res)
    with np.errstate(divide="ignore", invalid="ignore"):
        sustain = np.where(res.consumption > 0, res.stock / res.consumption, np.nan)
    ds = xr.Dataset(
        {
            "capacity": (("sample", "line", "month"), res.capacity),
            "production": (("sample", "line", "month"), res.production),
            "binding_input": (("sample", "line", "month"), res.binding),
            "pool_stock": (("sample", "pool", "input", "month"), res.pool_stock),
            "deliveries": (("sample", "order", "month"), res.deliveries),
            "backlog": (("sample", "order", "month"), res.backlog),
            "on_time_share": (("sample", "order"), on_time),
            "held": (("sample", "supplier", "month"), res.held),
            "sold_elsewhere": (("sample", "supplier", "month"), res.sold_elsewhere),
            "lead_time": (("sample", "supplier", "month"), res.lead_time),
            "stock": (("sample", "holder", "month"), res.stock),
            "shortfall": (("sample", "holder", "month"), res.shortfall),
            "consumption": (("sample", "holder", "month"), res.consumption),
            "received": (("sample", "holder", "month"), res.received),
            "transfers_in": (("sample", "holder", "month"), res.transfers_in),
            "transfers_out": (("sample", "holder", "month"), res.transfers_out),
            "months_of_sustainment": (("sample", "holder", "month"), sustain),
        },
        coords={
            "sample": np.arange(samples),
            "month": months,
            "line": lay.line_ids,
            "line_bloc": ("line", [ln.bloc for ln in lines]),
            "line_country": ("line", [ln.country for ln in lines]),
            "line_product": ("line", [ln.product_class for ln in lines]),
            "pool": lay.pools,
            "input": lay.inputs,
            "order": lay.order_ids,
            "order_buyer": ("order", [c.buyer for c in contracts]),
            "order_supplier": ("order", [c.supplier for c in contracts]),
            "supplier": lay.sellers,
            "holder": lay.holder_ids,
        },
        attrs=attrs(scenario, samples, seed, "outproduce simulation"),
    )
    for name, (units, long_name) in VARIABLES.items():
        ds[name].attrs = {"units": units, "long_name": long_name}
    # CF flags: which input limits a line's output that month (-1: none).
    ds["binding_input"].attrs |= {
        "flag_values": np.arange(-1, len(lay.inputs), dtype=np.int8),
        "flag_meanings": " ".join(["none", *lay.inputs]),
    }
    return ds


#: Units and a long name for every variable of a simulation (flows are per month).
VARIABLES: dict[str, tuple[str, str]] = {
    "capacity": ("rounds or tonnes per month", "capacity after utilisation and outages"),
    "production": ("rounds or tonnes per month", "output after input limits"),
    "binding_input": ("1", "input that limits the line's output"),
    "pool_stock": ("units of the input", "input left in the pool at month end"),
    "deliveries": ("rounds per month", "rounds delivered against the order"),
    "backlog": ("rounds", "ordered, not yet delivered, at month end"),
    "on_time_share": ("1", "share of the order delivered by its delivery end"),
    "held": ("rounds", "finished rounds held at the supplier at month end"),
    "sold_elsewhere": ("rounds per month", "rounds no modelled order took"),
    "lead_time": ("months", "months until a new one-round order would be delivered"),
    "stock": ("rounds", "holder's stock at month end"),
    "shortfall": ("rounds per month", "consumption the stock could not cover"),
    "consumption": ("rounds per month", "planned consumption"),
    "received": ("rounds per month", "deliveries from the holder's contracts"),
    "transfers_in": ("rounds per month", "rounds received from other holders"),
    "transfers_out": ("rounds per month", "rounds sent to other holders"),
    "months_of_sustainment": ("months", "stock over the month's consumption"),
}


def delivered_on_time(res: Results) -> np.ndarray:
    """Rounds of each order delivered by its delivery end, (sample, order).

    The one definition of "on time": per order (``simulate``) and over the budgets'
    order book (``spending``) alike.
    """
    lay = res.layout
    months = np.arange(res.deliveries.shape[2])
    by_end = (months[None, :] <= lay.order_end[:, None]).astype(float)  # (O, M)
    return np.einsum("som,om->so", res.deliveries, by_end)


def _on_time_share(res: Results) -> np.ndarray:
    if not res.layout.order_ids:
        return np.zeros((res.deliveries.shape[0], 0))
    delivered = delivered_on_time(res)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(res.order_quantity > 0, delivered / res.order_quantity, 1.0)


def write_simulation(ds: xr.Dataset, target: Path) -> list[Path]:
    """Write a NetCDF file (``*.nc``) or a folder of CSV tables (P10/P50/P90 by variable)."""
    if target.suffix == ".nc":
        target.parent.mkdir(parents=True, exist_ok=True)
        # NetCDF-4 (HDF5): every variable kept, zero-length dimensions included.
        ds.to_netcdf(target, engine="h5netcdf")
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, variable in ds.data_vars.items():
        if "sample" not in variable.dims or variable.size == 0 or name == "binding_input":
            continue
        with warnings.catch_warnings():  # all-NaN cells (e.g. no consumption) stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            quantiles = variable.quantile([0.1, 0.5, 0.9], dim="sample")
        frame = quantiles.to_dataframe(name=name)[[name]].unstack("quantile")
        frame.columns = ["p10", "p50", "p90"]
        path = target / f"{name}.csv"
        frame.reset_index().to_csv(path, index=False, date_format="%Y-%m")
        written.append(path)
    binding = ds["binding_input"]
    if ds.sizes["input"]:
        shares = xr.concat(
            [(binding == i).mean("sample") for i in range(ds.sizes["input"])], dim=ds["input"]
        )
        path = target / "bottleneck_share.csv"
        shares.to_dataframe(name="share_of_samples").reset_index().to_csv(
            path, index=False, date_format="%Y-%m"
        )
        written.append(path)
    return written
