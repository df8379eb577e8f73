"""The order book the budgets fill: contracts from ammunition budgets, delivered by the engine.

"The money is there, the demand is there." Each ally's (or each pool's) rounds for
``contract_years`` years become one contract, signed in January of the first year,
delivered by the end of the last, supplied by the alliance's lines as one pool, first
in, first out. The budgets' contracts are an order book of their own (supplier
``budgets:alliance``): beside the scenario's published contracts, not competing with
them, and delivering to no holder's stock. Rounds no budget contract takes go to
buyers outside the model (exports, earlier orders), so output made before the first
contract is not a stock that fills later ones.

Industry's answer is the engine's capacity decision rule (``spending.capacity_rule``;
``engine.decisions``): with ``follow_contracts`` it builds what signed contracts ask
beyond planned capacity once a new line can be built (``expansion_lead_months``), only
for deliveries still due by then, and keeps it. The view here reads one run: backlog,
on-time share, the lead time of a new order, what was built, and the balance with and
without the built capacity.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from outproduce.analyses.crossover import at_least, crossover_months
from outproduce.engine.inputs import InputTable
from outproduce.scenario.model import Contract, Scenario

#: The supplier of every budget contract: all alliance lines as one pool, in a book of
#: their own (see ``engine.layout.book_pool``).
SUPPLIER = "budgets:alliance"
POOL_BUYER = {"eu": "EU", "alliance": "NATO"}
BLOC_POOLS_ONLY = (
    "the budget order book buys from the alliance's lines as one pool; it needs inputs.pools: bloc"
)


def buyer_groups(pooling: str, allies: list[str], pooled: np.ndarray) -> dict[str, list[int]]:
    """Who signs each contract: a pool's name (EU, NATO) for its members, else the ally."""
    buyers: dict[str, list[int]] = {}
    for i, iso3 in enumerate(allies):
        buyers.setdefault(POOL_BUYER[pooling] if pooled[i] else iso3, []).append(i)
    return buyers


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
    allies = [str(a) for a in spend["ally"].values]
    buyers = buyer_groups(options.pooling, allies, spend["pooled"].values)
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


def book_orders(
    contracts: dict[str, Contract], quantities: dict[str, np.ndarray]
) -> tuple[dict[str, Contract], dict[str, np.ndarray]]:
    """The budgets' contracts as the engine books them: one order per signing period.

    Every budget contract of a period is signed the same month for the same delivery end
    from the same pooled supplier, so first in, first out among them is an arbitrary
    order (by buyer name): the book holds their sum as one order, which gives the same
    totals, backlog, lead times and on-time share. Each buyer's quantity stays in the
    run as ``contract_quantity``.
    """
    orders: dict[str, Contract] = {}
    amounts: dict[str, np.ndarray] = {}
    for contract_id, contract in contracts.items():
        key = f"budgets_{contract.signed[:4]}"
        if key not in orders:
            orders[key] = contract.model_copy(
                update={
                    "buyer": "budgets",
                    "note": f"every budget contract signed {contract.signed}",
                }
            )
            amounts[key] = np.zeros_like(quantities[contract_id])
        amounts[key] = amounts[key] + quantities[contract_id]
    return orders, amounts


def budgets_book(
    scenario: Scenario, spend: xr.Dataset, table: InputTable
) -> tuple[dict[str, Contract], dict[str, np.ndarray], dict[str, np.ndarray], xr.Dataset]:
    """What a run needs for the budgets' book, from the spending pathways.

    Its orders, their quantities per sample, the capacity decision (supplier -> lead
    months per sample, with ``follow_contracts``) and the pathways with each buyer's
    ``contract_quantity`` added.
    """
    options = scenario.spending
    assert options is not None
    budget, per_buyer = budget_contracts(scenario, spend)
    booked, quantities = book_orders(budget, per_buyer)
    samples = table.samples
    spend = spend.assign(
        contract_quantity=(
            ("sample", "contract"),
            np.stack(list(per_buyer.values()), axis=1) if per_buyer else np.zeros((samples, 0)),
        )
    ).assign_coords(
        contract=list(per_buyer),
        contract_buyer=("contract", [c.buyer for c in budget.values()]),
    )
    decisions: dict[str, np.ndarray] = {}
    if options.capacity_rule == "follow_contracts" and budget:
        lead = table.draw("spending:expansion_lead_months", options.expansion_lead_months)
        decisions[SUPPLIER] = np.rint(np.maximum(lead, 0)).astype(int)
    return booked, quantities, decisions, spend


def book_on_time_share(ds: xr.Dataset) -> np.ndarray:
    """Per sample, the share of the budgets' due contracts delivered by their end.

    Contracts due within the horizon only; NaN where nothing is due, or without a book.
    """
    book = ds["order_supplier"].values == SUPPLIER
    if not book.any():
        return np.full(ds.sizes["sample"], np.nan)
    end = np.array([str(e) for e in ds["order_end"].values[book]], dtype="datetime64[M]")
    due = end <= ds["month"].values[-1].astype("datetime64[M]")
    total = (ds["order_quantity"].values[:, book] * due[None, :]).sum(axis=1)
    on_time = (ds["order_on_time"].values[:, book] * due[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, on_time / total, np.nan)


def order_book(ds: xr.Dataset, first_year: int) -> xr.Dataset:
    """The budgets' book of a run, per sample and year from ``first_year`` (``book_year``).

    Rounds ordered (by signing year), delivered, backlog at year end, lead time of a new
    order in January, capacity built by the decision rule; the alliance's output with
    and without it and the adversary's (155mm-equivalent rounds a year); the on-time
    share over contracts due within the horizon; the sustained crossover with and
    without the built capacity.
    """
    book = ds["order_supplier"].values == SUPPLIER
    years = ds["year"].values
    shown = years[years >= first_year]
    month_year = ds["month"].dt.year.values
    january = np.array([np.flatnonzero(month_year == y)[0] for y in shown])
    signed_year = np.array([int(str(s)[:4]) for s in ds["order_signed"].values[book]])
    quantity = ds["order_quantity"].values[:, book]
    ordered = np.stack([quantity[:, signed_year == y].sum(axis=1) for y in shown], axis=1)
    in_shown = np.isin(years, shown)
    delivered = ds["order_year_deliveries"].values[:, book][:, :, in_shown].sum(axis=1)
    supplier = list(ds["supplier"].values).index(SUPPLIER)
    december = np.array([np.flatnonzero(month_year == y)[-1] for y in shown])
    backlog = ds["supplier_backlog"].values[:, supplier, december]
    on_time_share = book_on_time_share(ds)
    series = ds["series_output"]
    yearly = series.groupby("month.year").sum().sel(year=shown)
    following = series.sel(series="alliance").values
    planned = series.sel(series="alliance_planned").values
    adversary = series.sel(series="adversary").values
    months = ds["month"].values
    built = ds["built_capacity"].isel(supplier=supplier).groupby("month.year").sum().sel(year=shown)
    return xr.Dataset(
        {
            "ordered_rounds": (("sample", "book_year"), ordered),
            "delivered_rounds": (("sample", "book_year"), delivered),
            "backlog_rounds": (("sample", "book_year"), backlog),
            "lead_time_months": (
                ("sample", "book_year"),
                ds["lead_time"].values[:, supplier, january],
            ),
            "built_rounds": (("sample", "book_year"), built.values),
            "on_time_share": (("sample",), on_time_share),
            "output_rounds": (
                ("sample", "book_year"),
                yearly.sel(series="alliance_planned").values,
            ),
            "output_following_rounds": (
                ("sample", "book_year"),
                yearly.sel(series="alliance").values,
            ),
            "adversary_rounds": (("sample", "book_year"), yearly.sel(series="adversary").values),
            "crossover_following": (
                ("sample",),
                crossover_months(at_least(following, adversary), months),
            ),
            "crossover_planned": (
                ("sample",),
                crossover_months(at_least(planned, adversary), months),
            ),
        },
        coords={"sample": ds["sample"].values, "book_year": shown},
    )
