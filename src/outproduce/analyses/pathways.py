"""Pathways to "5% of GDP by 2035" for every ally, and what the money buys in rounds.

"Five per cent is serious money, but it is what we need." Per ally the core share of
GDP runs from its latest NATO figure to the Hague target (3.5% by 2035 unless the
scenario says otherwise) along a chosen shape; resilience spending rises from its
assumed starting share to the 1.5% ceiling. GDP after the World Bank series (2023)
grows by the scenario's real growth and inflation, so money is uncertain even where
shares are not. Money then flows: core spending x equipment share x ammunition share
= the ammunition budget, which buys rounds at the (uncertain) price of a 155mm round.

Conventions: shares of GDP in per cent, as NATO publishes them; money in USD billions,
in constant ``price_base_year`` dollars unless the name ends in ``_current``.
Aggregates are GDP-weighted (total spending over total GDP), never means of shares.
Iceland has no armed forces and no NATO figure, so it is left out of the pathways and
of both sides of every aggregate.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.analyses.crossover import crossover_index
from outproduce.analyses.provenance import attrs
from outproduce.analyses.volume_prices import budget_rounds
from outproduce.data.catalog import load_table
from outproduce.data.economy import commitment_pct, defence_shares, gdp_usd_billion
from outproduce.engine.inputs import InputTable
from outproduce.errors import InputError
from outproduce.scenario.model import Scenario, Spending

#: Aggregates NATO publishes: Europe and Canada (every ally but the US), the US, all.
GROUPS = ("europe_canada", "usa", "alliance")
FIRST_YEAR = 2014
#: Ties within this many percentage points count as "reached" (float noise).
TOLERANCE_PP = 1e-9


def pathway(
    start_share: float,
    start_year: int,
    target: float,
    target_year: int,
    shape: str,
    years: np.ndarray,
) -> np.ndarray:
    """Core share (per cent of GDP) in ``years`` after ``start_year``, reaching ``target``.

    With x = (year - start_year) / (target_year - start_year), clipped to [0, 1]:

    - ``linear``: s0 + (S - s0) x — the same rise in percentage points every year;
    - ``front_loaded``: S - (S - s0) (1 - x)^2 — three quarters of the gap closed by
      half-way;
    - ``constant_growth``: s0 (S / s0)^x — the same relative rise every year, which is
      constant real growth of spending when real GDP grows at a constant rate.

    An ally already at or above its target keeps its share ("at least", never cut).
    Years up to ``start_year`` get NaN (they are history, not pathway).
    """
    x = np.clip((years - start_year) / max(target_year - start_year, 1), 0.0, 1.0)
    if start_share >= target:
        path = np.full(years.shape, start_share)
    elif shape == "linear":
        path = start_share + (target - start_share) * x
    elif shape == "front_loaded":
        path = target - (target - start_share) * (1.0 - x) ** 2
    elif shape == "constant_growth":
        path = start_share * (target / start_share) ** x
    else:
        raise InputError(
            f"unknown pathway shape {shape!r}; expected linear, constant_growth or front_loaded",
            field="spending.shape",
        )
    return np.where(years > start_year, path, np.nan)


def pooled_allies(pooling: str, allies: list[str]) -> np.ndarray:
    """Which allies buy together: none (national), the EU's members, or all."""
    if pooling == "alliance":
        return np.ones(len(allies), dtype=bool)
    if pooling == "eu":
        table = load_table("allies").set_index("iso3")
        return np.array([table.loc[a, "eu_member"] == "true" for a in allies])
    return np.zeros(len(allies), dtype=bool)


def last_year(options: Spending) -> int:
    """The pathways' last year: the latest target year of any ally (budgets end there)."""
    return max([options.target_year] + [p.target_year or 0 for p in options.allies.values()])


def spending_options(scenario: Scenario) -> Spending:
    """The scenario's spending section (an input error if it has none)."""
    if scenario.spending is None:
        raise InputError(
            f"scenario {scenario.name!r} has no 'spending' section; add one or use "
            "'base: baseline'",
            file=scenario.origin or None,
            field="spending",
        )
    return scenario.spending


def pathways(scenario: Scenario, table: InputTable) -> xr.Dataset:
    """Per ally and year: core and resilience shares and money, increases, rounds bought.

    Returns a Dataset with dimensions ``sample``, ``ally``, ``group`` (GROUPS) and
    ``year`` (2014 to the last target year); every draw comes from ``table``.
    """
    options = spending_options(scenario)
    samples, seed = table.samples, table.seed
    shares, gdp = defence_shares(), gdp_usd_billion()
    allies = [a for a in shares.index if shares.loc[a].notna().any()]
    years = np.arange(FIRST_YEAR, last_year(options) + 1)
    base = options.price_base_year
    core_default = options.core_pct_gdp or commitment_pct("hague_core")
    resilience_target = (
        commitment_pct("hague_resilience")
        if options.resilience_pct_gdp is None
        else options.resilience_pct_gdp
    )

    def draw(name: str) -> np.ndarray:
        return table.draw(f"spending:{name}", getattr(options, name))

    growth, inflation = draw("real_gdp_growth"), draw("inflation")
    resilience_start = np.maximum(draw("resilience_start_pct_gdp"), 0.0)
    equipment, ammunition = draw("equipment_share"), draw("ammunition_share")
    price0, price_change = draw("price_155_usd"), draw("price_real_change")

    n_a, n_y = len(allies), len(years)
    core = np.full((n_a, n_y), np.nan)
    kind = np.full((n_a, n_y), "", dtype=object)
    target = np.zeros(n_a)
    target_year = np.zeros(n_a, dtype=int)
    shape = []
    start_year, record, required = np.zeros(n_a, dtype=int), np.zeros(n_a), np.zeros(n_a)
    for i, iso3 in enumerate(allies):
        row = shares.loc[iso3].reindex(range(FIRST_YEAR, int(shares.columns.max()) + 1))
        observed = row.notna()
        history = row.interpolate(limit_area="inside")
        y0 = int(row[observed].index.max())
        ally = options.allies.get(iso3)
        target[i] = (ally.core_pct_gdp if ally and ally.core_pct_gdp else None) or core_default
        target_year[i] = (ally.target_year if ally and ally.target_year else None) or (
            options.target_year
        )
        shape.append((ally.shape if ally and ally.shape else None) or options.shape)
        start_year[i] = y0
        in_history = years <= y0
        core[i, in_history] = history.reindex(years[in_history]).to_numpy()
        kind[i, in_history] = np.where(
            observed.reindex(years[in_history], fill_value=False).to_numpy(),
            "observed",
            "interpolated",
        )
        path = pathway(float(row[y0]), y0, target[i], int(target_year[i]), shape[i], years)
        core[i, ~in_history] = path[~in_history]
        kind[i, ~in_history] = "pathway"
        rises = np.diff(history.dropna().to_numpy())
        record[i] = rises.max() if rises.size else 0.0
        on_path = np.concatenate([[row[y0]], core[i, ~in_history]])
        required[i] = np.diff(on_path).max() if on_path.size > 1 else 0.0

    # GDP: the World Bank series to its last year, then real growth and inflation.
    last_gdp = int(gdp.columns.max())
    gdp_nominal = np.empty((samples, n_a, n_y))
    known = years <= last_gdp
    gdp_nominal[:, :, known] = gdp.loc[allies].reindex(columns=years[known]).to_numpy()[None]
    ahead = years[~known] - last_gdp
    nominal_growth = (1 + growth) * (1 + inflation)
    gdp_nominal[:, :, ~known] = (
        gdp.loc[allies, last_gdp].to_numpy()[None, :, None]
        * nominal_growth[:, None, None] ** ahead[None, None, :]
    )
    # Constant base-year dollars from the base year on (no deflator is packaged for
    # earlier years, so real money starts at the base year).
    price_level = (1 + inflation)[:, None] ** (years - base)[None, :]  # (S, Y)
    real = years >= base
    gdp_real = np.where(real[None, None, :], gdp_nominal / price_level[:, None, :], np.nan)

    # Resilience: linear from its start (base year) to the ceiling by each ally's year.
    span = np.maximum(target_year - base, 1)[:, None]  # (A, 1)
    x = np.clip((years[None, :] - base) / span, 0.0, 1.0)  # (A, Y)
    start = resilience_start[:, None, None]
    level = np.maximum(start + (resilience_target - start) * x[None], start)  # never cut
    resilience = np.where(real[None, None, :], level, np.nan)

    core_current = core[None] / 100 * gdp_nominal
    core_real = core[None] / 100 * gdp_real
    resilience_real = resilience / 100 * gdp_real
    at_base = np.flatnonzero(years == base)[0]
    increase = core_real - core_real[:, :, at_base : at_base + 1]
    window = (years > base) & (years <= options.target_year)
    cumulative_core = np.nansum(increase[:, :, window], axis=2)
    cumulative_resilience = np.nansum(
        (resilience_real - resilience_real[:, :, at_base : at_base + 1])[:, :, window], axis=2
    )
    ammunition_usd = core_real * (equipment * ammunition)[:, None, None]
    price = price0[:, None] * (1 + price_change)[:, None] ** (years - base)[None, :]
    pooled = pooled_allies(options.pooling, allies)
    rounds = budget_rounds(
        ammunition_usd * 1e9,
        price,
        pooled,
        draw("pooling_discount"),
        draw("volume_price_ratio"),
        options.volume_reference_rounds,
        options.contract_years,
    )

    reached = core >= target[:, None] - TOLERANCE_PP
    first = crossover_index(reached)  # the first year from which it stays reached
    year_reached = np.where(first >= 0, years[first], -1)

    members = {
        "europe_canada": np.array([a != "USA" for a in allies]),
        "usa": np.array([a == "USA" for a in allies]),
        "alliance": np.ones(n_a, dtype=bool),
    }

    def by_group(values: np.ndarray) -> np.ndarray:
        return np.stack([values[:, members[g]].sum(axis=1) for g in GROUPS], axis=1)

    gdp_groups = by_group(gdp_nominal)
    data = {
        "core_share": (("ally", "year"), core),
        "kind": (("ally", "year"), kind.astype(str)),
        "resilience_share": (("sample", "ally", "year"), resilience),
        "gdp_usd_bn_current": (("sample", "ally", "year"), gdp_nominal),
        "core_usd_bn_current": (("sample", "ally", "year"), core_current),
        "core_usd_bn": (("sample", "ally", "year"), core_real),
        "resilience_usd_bn": (("sample", "ally", "year"), resilience_real),
        "increase_usd_bn": (("sample", "ally", "year"), increase),
        "ammunition_usd_bn": (("sample", "ally", "year"), ammunition_usd),
        "rounds": (("sample", "ally", "year"), rounds),
        "price_usd": (("sample", "year"), price),
        "target_share": (("ally",), target),
        "target_year": (("ally",), target_year),
        "shape": (("ally",), np.array(shape, dtype=str)),
        "pooled": (("ally",), pooled),
        "start_year": (("ally",), start_year),
        "year_core_reached": (("ally",), year_reached),
        "record_rise_pp": (("ally",), record),
        "required_rise_pp": (("ally",), required),
        "exceeds_record": (("ally",), required > record + TOLERANCE_PP),
        "cumulative_extra_core_usd_bn": (("sample", "ally"), cumulative_core),
        "cumulative_extra_resilience_usd_bn": (("sample", "ally"), cumulative_resilience),
        "group_gdp_usd_bn_current": (("sample", "group", "year"), gdp_groups),
        "group_core_share": (
            ("sample", "group", "year"),
            100 * by_group(core_current) / gdp_groups,
        ),
        "group_core_usd_bn": (("sample", "group", "year"), by_group(core_real)),
        "group_core_usd_bn_current": (("sample", "group", "year"), by_group(core_current)),
        "group_resilience_usd_bn": (("sample", "group", "year"), by_group(resilience_real)),
        "group_increase_usd_bn": (("sample", "group", "year"), by_group(increase)),
        "group_rounds": (("sample", "group", "year"), by_group(rounds)),
        "group_cumulative_extra_core_usd_bn": (
            ("sample", "group"),
            np.stack([cumulative_core[:, members[g]].sum(axis=1) for g in GROUPS], axis=1),
        ),
    }
    ds = xr.Dataset(
        data,
        coords={"sample": np.arange(samples), "ally": allies, "group": list(GROUPS), "year": years},
        attrs={
            **attrs(scenario, samples, seed, "Pathways to the Hague commitment"),
            "price_base": f"constant {base} USD",
            "price_base_year": base,
            "resilience_target_pct": resilience_target,
            "left_out": ", ".join(sorted(set(shares.index) - set(allies))),
        },
    )
    return ds


def alliance_gap(ds: xr.Dataset) -> dict[str, float]:
    """The whole alliance's core share in the base year, its target and the gap (P50).

    The gap in money is the gap in percentage points times the alliance's GDP that year
    (current USD): what closing it at once would cost.
    """
    base = int(ds.attrs["price_base_year"])
    at = ds.sel(group="alliance", year=base)
    share = float(at["group_core_share"].median())
    target = float(ds["target_share"].max())
    gap = max(target - share, 0.0)
    gdp = float(at["group_gdp_usd_bn_current"].median())
    return {
        "year": base,
        "core_share": share,
        "target_share": target,
        "gap_pp": gap,
        "gap_usd_bn_current": gap / 100 * gdp,
    }
