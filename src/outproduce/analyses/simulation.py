"""The whole chain as an xarray.Dataset, for a file: ``outproduce simulate``.

A view of a run: its Dataset as it is (reduced: per line and year, per order and
year, per supplier, holder and series by month), plus the (sample x line x month) and
(sample x order x month) arrays when the run kept them (``full=True``).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from outproduce.analyses.run import Run, of_run
from outproduce.analyses.summary import quantiles
from outproduce.scenario.model import Scenario


def simulate(
    scenario: Run | Scenario | str | Path = "baseline",
    samples: int | None = None,
    seed: int | None = None,
    full: bool = False,
) -> xr.Dataset:
    """Every variable of a run, each with units and a long name (``sample`` first)."""
    the_run = of_run(scenario, samples, seed, full=full)
    ds = the_run.dataset.copy()
    ds.attrs["title"] = "outproduce simulation"
    return ds


#: Variables that are not quantities to summarise as P10/P50/P90 (codes and draws).
SKIP_CSV = ("binding_input", "input_uniform")


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
        if "sample" not in variable.dims or variable.size == 0 or name in SKIP_CSV:
            continue
        frame = quantiles(variable).to_dataframe(name=name)[[name]].unstack("quantile")
        frame.columns = ["p10", "p50", "p90"]
        path = target / f"{name}.csv"
        frame.reset_index().to_csv(path, index=False, date_format="%Y-%m")
        written.append(path)
    if ds.sizes["material"]:
        shares = ds["binding_count"].isel(binding=slice(1, None)) / ds.sizes["sample"]
        path = target / "bottleneck_share.csv"
        shares.rename(binding="material").to_dataframe(name="share_of_samples").reset_index()[
            ["line", "material", "month", "share_of_samples"]
        ].to_csv(path, index=False, date_format="%Y-%m")
        written.append(path)
    return written
