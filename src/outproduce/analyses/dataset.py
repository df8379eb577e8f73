"""The engine's results as one named ``xarray.Dataset``, with units on every variable.

Dimensions: ``sample``; ``month`` and ``year`` of the horizon; ``line`` (the scenario's
lines, then any built line); ``series`` (per-sample totals of groups of lines, in
155mm-equivalent rounds); ``material`` (input classes constrained somewhere) and
``pool``; ``order``, ``supplier`` and ``holder``; ``input`` (the inputs table).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.engine.results import Results
from outproduce.engine.timegrid import month_grid
from outproduce.scenario.model import Scenario

#: Units and a long name for every variable of a run (flows are per month or per year).
VARIABLES: dict[str, tuple[str, str]] = {
    "series_output": ("155mm-equivalent rounds per month", "output of a series of lines"),
    "line_factor": ("1", "155mm-equivalent factor of the line's rounds"),
    "line_year_capacity": ("rounds or tonnes per year", "capacity after utilisation and outages"),
    "line_year_production": ("rounds or tonnes per year", "output after input limits"),
    "binding_count": ("samples", "samples in which the material limits the line's output"),
    "pool_stock_year_end": ("units of the material", "material left in the pool at year end"),
    "order_quantity": ("rounds", "rounds ordered"),
    "order_year_deliveries": ("rounds per year", "rounds delivered against the order"),
    "order_on_time": ("rounds", "rounds of the order delivered by its delivery end"),
    "on_time_share": ("1", "share of the order delivered by its delivery end"),
    "supplier_deliveries": ("rounds per month", "rounds the supplier delivered"),
    "supplier_backlog": ("rounds", "signed, undelivered orders of the supplier at month end"),
    "held": ("rounds", "finished rounds held at the supplier at month end"),
    "sold_elsewhere": ("rounds per month", "rounds no modelled order took"),
    "lead_time": ("months", "months until a new one-round order would be delivered"),
    "built_capacity": ("rounds per month", "capacity the decision rule built for the supplier"),
    "stock": ("rounds", "holder's stock at month end"),
    "shortfall": ("rounds per month", "consumption the stock could not cover"),
    "consumption": ("rounds per month", "planned consumption"),
    "received": ("rounds per month", "deliveries from the holder's contracts"),
    "transfers_in": ("rounds per month", "rounds received from other holders"),
    "transfers_out": ("rounds per month", "rounds sent to other holders"),
    "months_of_sustainment": ("months", "stock over the month's consumption"),
    "input_uniform": ("1", "uniform draw of the input, in (0, 1)"),
    "input_value": ("the input's unit", "value the uniform maps to"),
    "capacity": ("rounds or tonnes per month", "capacity after utilisation and outages"),
    "production": ("rounds or tonnes per month", "output after input limits"),
    "binding_input": ("1", "material that limits the line's output"),
    "pool_stock": ("units of the material", "material left in the pool at month end"),
    "deliveries": ("rounds per month", "rounds delivered against the order"),
    "backlog": ("rounds", "ordered, not yet delivered, at month end"),
    "contract_quantity": ("rounds", "rounds a budget contract buys"),
    "estimate_value": ("the estimate's unit", "model value of a published estimate"),
    # The spending pathways (``analyses.pathways``).
    "core_share": ("percent of GDP", "core defence spending"),
    "kind": ("1", "observed, interpolated or pathway"),
    "resilience_share": ("percent of GDP", "resilience spending"),
    "gdp_usd_bn_current": ("USD billion, current", "GDP"),
    "core_usd_bn_current": ("USD billion, current", "core defence spending"),
    "core_usd_bn": ("USD billion, constant base year", "core defence spending"),
    "resilience_usd_bn": ("USD billion, constant base year", "resilience spending"),
    "increase_usd_bn": ("USD billion, constant base year", "core spending above the base year"),
    "ammunition_usd_bn": ("USD billion, constant base year", "ammunition budget"),
    "rounds": ("155mm rounds per year", "rounds the ammunition budget buys"),
    "price_usd": ("USD, constant base year", "price of a 155mm round"),
    "target_share": ("percent of GDP", "core target"),
    "target_year": ("year", "year the core target is due"),
    "shape": ("1", "pathway shape"),
    "pooled": ("1", "buys with others (pooling)"),
    "start_year": ("year", "year of the latest NATO figure"),
    "year_core_reached": ("year", "year the core target is reached (-1: never)"),
    "record_rise_pp": ("percentage points of GDP", "largest yearly rise 2014-2025"),
    "required_rise_pp": ("percentage points of GDP", "largest yearly rise the pathway needs"),
    "exceeds_record": ("1", "the pathway needs a rise above the record"),
    "cumulative_extra_core_usd_bn": ("USD billion, constant base year", "extra core to target"),
    "cumulative_extra_resilience_usd_bn": (
        "USD billion, constant base year",
        "extra resilience to target",
    ),
    "group_gdp_usd_bn_current": ("USD billion, current", "GDP of the group"),
    "group_core_share": ("percent of GDP", "core spending of the group, GDP-weighted"),
    "group_core_usd_bn": ("USD billion, constant base year", "core spending of the group"),
    "group_core_usd_bn_current": ("USD billion, current", "core spending of the group"),
    "group_resilience_usd_bn": ("USD billion, constant base year", "resilience of the group"),
    "group_increase_usd_bn": ("USD billion, constant base year", "core above the base year"),
    "group_rounds": ("155mm rounds per year", "rounds the group's budgets buy"),
    "group_cumulative_extra_core_usd_bn": (
        "USD billion, constant base year",
        "extra core spending of the group to target",
    ),
}


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """Units and a long name on every variable (and CF flags on the binding input)."""
    for name in ds.data_vars:
        units, long_name = VARIABLES[str(name)]
        ds[name].attrs = {"units": units, "long_name": long_name}
    if "binding_input" in ds:  # CF flags: which material limits a line's output
        materials = [str(m) for m in ds["material"].values]
        ds["binding_input"].attrs |= {
            "flag_values": np.arange(-1, len(materials), dtype=np.int8),
            "flag_meanings": " ".join(["none", *materials]),
        }
    return ds


def engine_dataset(
    chain: Scenario,
    res: Results,
    lines: dict[str, np.ndarray],
    weights: np.ndarray,
    series: list[str],
) -> xr.Dataset:
    """Name, index and annotate the engine's results (no number is changed)."""
    lay = res.layout
    samples = res.order_quantity.shape[0]
    contracts = [chain.contracts[i] for i in lay.order_ids]
    months = month_grid(chain.horizon).astype("datetime64[ns]")
    table = res.inputs
    names = table.names()
    with np.errstate(divide="ignore", invalid="ignore"):
        sustain = np.where(res.consumption > 0, res.stock / res.consumption, np.nan)
        on_time = np.where(res.order_quantity > 0, res.order_on_time / res.order_quantity, 1.0)
    data = {
        "series_output": (("sample", "series", "month"), res.group_output[:, : len(series)]),
        "line_factor": (("sample", "line"), weights),
        "line_year_capacity": (("sample", "line", "year"), res.line_year_capacity),
        "line_year_production": (("sample", "line", "year"), res.line_year_production),
        "binding_count": (("line", "binding", "month"), res.binding_count),
        "pool_stock_year_end": (("sample", "pool", "material", "year"), res.pool_stock_year),
        "order_quantity": (("sample", "order"), res.order_quantity),
        "order_year_deliveries": (("sample", "order", "year"), res.order_year_deliveries),
        "order_on_time": (("sample", "order"), res.order_on_time),
        "on_time_share": (("sample", "order"), on_time),
        "supplier_deliveries": (("sample", "supplier", "month"), res.seller_deliveries),
        "supplier_backlog": (("sample", "supplier", "month"), res.seller_backlog),
        "held": (("sample", "supplier", "month"), res.held),
        "sold_elsewhere": (("sample", "supplier", "month"), res.sold_elsewhere),
        "lead_time": (("sample", "supplier", "month"), res.lead_time),
        "built_capacity": (("sample", "supplier", "month"), res.built),
        "stock": (("sample", "holder", "month"), res.stock),
        "shortfall": (("sample", "holder", "month"), res.shortfall),
        "consumption": (("sample", "holder", "month"), res.consumption),
        "received": (("sample", "holder", "month"), res.received),
        "transfers_in": (("sample", "holder", "month"), res.transfers_in),
        "transfers_out": (("sample", "holder", "month"), res.transfers_out),
        "months_of_sustainment": (("sample", "holder", "month"), sustain),
        "input_uniform": (
            ("sample", "input"),
            np.stack([table.uniform[n] for n in names], axis=1)
            if names
            else np.zeros((samples, 0)),
        ),
        "input_value": (
            ("sample", "input"),
            np.stack(
                [np.broadcast_to(table.value.get(n, np.nan), (samples,)) for n in names], axis=1
            )
            if names
            else np.zeros((samples, 0)),
        ),
    }
    if res.full is not None:
        data |= {
            "capacity": (("sample", "line", "month"), res.full.capacity),
            "production": (("sample", "line", "month"), res.full.production),
            "binding_input": (("sample", "line", "month"), res.full.binding),
            "pool_stock": (("sample", "pool", "material", "month"), res.full.pool_stock),
            "deliveries": (("sample", "order", "month"), res.full.deliveries),
            "backlog": (("sample", "order", "month"), res.full.backlog),
        }
    ds = xr.Dataset(
        data,
        coords={
            "sample": np.arange(samples),
            "month": months,
            "year": lay.years,
            "series": series,
            "line": lay.line_ids,
            **{f"line_{k}": ("line", v) for k, v in lines.items() if k != "id"},
            "pool": lay.pools,
            "material": lay.inputs,
            "binding": ["none", *lay.inputs],
            "order": lay.order_ids,
            "order_buyer": ("order", [c.buyer for c in contracts]),
            "order_supplier": ("order", [c.supplier for c in contracts]),
            "order_signed": ("order", [c.signed for c in contracts]),
            "order_end": ("order", [c.delivery_end for c in contracts]),
            "supplier": lay.sellers,
            "holder": lay.holder_ids,
            "input": names,
        },
    )
    return ds
