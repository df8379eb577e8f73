"""The order book the budgets fill: contracts from ammunition budgets, delivered by the engine.

"The money is there, the demand is there." Each ally's (or each pool's) rounds for
``contract_years`` years become one contract, signed in January of the first year,
delivered by the end of the last, supplied by the alliance's lines as one pool, first
in, first out (the engine's order book). Rounds no budget contract takes go to buyers
outside the model (exports, earlier orders), so output made before the first contract
is not a stock that fills later ones.

Two views. *Planned capacity*: the engine's lines as the scenario has them — backlog,
on-time share and the lead time of a new order. *Capacity follows contracts*:
industry adds what signed contracts ask beyond today's output, once a new line can be
built (``expansion_lead_months``), and only for deliveries still due by then; what is
built stays. Annual contracts therefore never pay for a new line whose build takes
longer than a year — the case for multi-year contracts, made by arithmetic.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.analyses.balance import at_least, balance, crossover_months
from outproduce.analyses.simulation import delivered_on_time
from outproduce.engine.sampling import uniforms
from outproduce.engine.simulate import run
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.errors import InputError
from outproduce.scenario.model import Contract, Scenario
from outproduce.scenario.uncertain import ppf

#: The supplier of every budget contract: all alliance lines as one pool.
SUPPLIER = "alliance"
POOL_BUYER = {"eu": "EU", "alliance": "NATO"}
BLOC_POOLS_ONLY = (
    "the budget order book buys from the alliance's lines as one pool; it needs inputs.pools: bloc"
)


def budget_contracts(
    scenario: Scenario, spend: xr.Dataset
) -> tuple[dict[str, Contract], dict[str, np.ndarray]]:
    """One contract per buyer and period; quantities per sample (rounds, 155mm price).

    Periods run from the price-base year to the last year both of the pathways and of
    the horizon, ``contract_years`` at a time (the last one may be shorter).
    """
    options = scenario.spending
    assert options is not None
    base = options.price_base_year
    last = min(options.target_year, int(scenario.horizon.end[:4]))
    pooled = spend["pooled"].values
    buyers: dict[str, list[int]] = {}
    for i, iso3 in enumerate(spend["ally"].values):
        name = POOL_BUYER[options.pooling] if pooled[i] else str(iso3)
        buyers.setdefault(name, []).append(i)
    rounds = spend["rounds"]
    contracts: dict[str, Contract] = {}
    quantities: dict[str, np.ndarray] = {}
    for start in range(base, last + 1, options.contract_years):
        end = min(start + options.contract_years - 1, last)
        window = rounds.sel(year=slice(start, end)).sum("year").values  # (S, A)
        for buyer, members in buyers.items():
            contract_id = f"budget_{buyer}_{start}"
            contracts[contract_id] = Contract(
                buyer=buyer,
                supplier=SUPPLIER,
                quantity=1.0,  # replaced by the per-sample quantity below
                signed=f"{start}-01",
                delivery_end=f"{end}-12",
                note=f"{buyer}'s rounds for {start}-{end} from its ammunition budget",
            )
            quantities[contract_id] = window[:, members].sum(axis=1)
    return contracts, quantities


def order_book(scenario: Scenario, spend: xr.Dataset) -> xr.Dataset:
    """Run the budget contracts through the engine; the balance if capacity follows them."""
    options = scenario.spending
    assert options is not None
    if scenario.inputs.pools != "bloc":
        raise InputError(BLOC_POOLS_ONLY, file=scenario.origin or None, field="inputs.pools")
    samples, seed = int(spend.attrs["samples"]), int(spend.attrs["seed"])
    contracts, quantities = budget_contracts(scenario, spend)
    lines = {
        line_id: line.model_copy(update={"unsold": "sold"}) if line.bloc == "alliance" else line
        for line_id, line in scenario.lines.items()
    }
    derived = scenario.model_copy(update={"lines": lines, "contracts": contracts, "holders": {}})
    res = run(derived, samples, seed, quantities=quantities)
    lay = res.layout
    months = month_grid(scenario.horizon)
    years = months.astype("datetime64[Y]").astype(int) + 1970
    shown = np.unique(years[years >= options.price_base_year])
    in_year = years[None, :] == shown[:, None]  # (Y, M)
    december = np.array([np.flatnonzero(years == y)[-1] for y in shown])
    january = np.array([np.flatnonzero(years == y)[0] for y in shown])
    delivered = res.deliveries.sum(axis=1)  # (S, M)
    signed_year = np.array([int(contracts[c].signed[:4]) for c in lay.order_ids])
    ordered = np.stack([res.order_quantity[:, signed_year == y].sum(axis=1) for y in shown], axis=1)
    on_time = delivered_on_time(res).sum(axis=1)
    due = lay.order_end < len(months)
    total_due = (res.order_quantity * due[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        on_time_share = np.where(total_due > 0, on_time / total_due, np.nan)

    follow, crossover = _capacity_follows(scenario, derived, res, samples, seed)
    return xr.Dataset(
        {
            "ordered_rounds": (("sample", "year"), ordered),
            "delivered_rounds": (("sample", "year"), delivered @ in_year.T.astype(float)),
            "backlog_rounds": (("sample", "year"), res.backlog.sum(axis=1)[:, december]),
            "lead_time_months": (("sample", "year"), res.lead_time[:, 0, january]),
            "on_time_share": (("sample",), on_time_share),
            "contract_quantity": (("sample", "contract"), res.order_quantity),
            "output_rounds": (("sample", "year"), follow["planned"] @ in_year.T.astype(float)),
            "output_following_rounds": (
                ("sample", "year"),
                follow["following"] @ in_year.T.astype(float),
            ),
            "adversary_rounds": (("sample", "year"), follow["adversary"] @ in_year.T.astype(float)),
            "crossover_following": (("sample",), crossover["following"]),
            "crossover_planned": (("sample",), crossover["planned"]),
        },
        coords={"sample": np.arange(samples), "year": shown, "contract": lay.order_ids},
        attrs={
            "contract_years": options.contract_years,
            "pooling": options.pooling,
            "supplier": SUPPLIER,
        },
    )


def _capacity_follows(
    scenario: Scenario, derived: Scenario, res, samples: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Alliance output if industry builds for signed contracts, and both crossovers.

    Monthly, per sample: the rate a contract asks for (quantity over its delivery
    months) counts from ``lead`` months after signing, while the contract still runs;
    capacity is the running maximum of what open contracts ask, and output the larger
    of that and the planned lines' output (155mm-equivalents, as in the balance).
    """
    options = scenario.spending
    assert options is not None
    ds = balance(scenario, samples=samples, seed=seed)
    planned = ds["output"].sel(bloc="alliance").values
    adversary = ds["output"].sel(bloc="adversary").values
    n_months = planned.shape[1]
    lead = np.rint(
        np.maximum(
            ppf(
                options.expansion_lead_months,
                uniforms(seed, "spending:expansion_lead_months", samples),
            ),
            0,
        )
    ).astype(int)
    lay = res.layout
    m = np.arange(n_months)
    asked = np.zeros((samples, n_months))
    for k, contract_id in enumerate(lay.order_ids):
        contract = derived.contracts[contract_id]
        opens = month_offset(contract.opens(), scenario.horizon)
        ends = month_offset(contract.delivery_end, scenario.horizon)
        rate = res.order_quantity[:, k] / (ends - opens + 1)
        ready = month_offset(contract.signed, scenario.horizon) + lead  # (S,)
        live = (m[None, :] >= np.maximum(ready, opens)[:, None]) & (m[None, :] <= ends)
        asked += rate[:, None] * live
    following = np.maximum(planned, np.maximum.accumulate(asked, axis=1))
    months = ds["month"].values
    crossover = {
        "planned": ds["crossover"].values,
        "following": crossover_months(at_least(following, adversary), months),
    }
    return {"planned": planned, "following": following, "adversary": adversary}, crossover
