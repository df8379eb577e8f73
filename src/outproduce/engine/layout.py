"""What the month loop needs before it starts.

The index structures of a scenario (lines, pools, inputs, suppliers, orders, holders)
and the draws of holders' flows and of the bill of materials.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from outproduce.engine.inputs import InputTable
from outproduce.engine.timegrid import month_grid, month_offset
from outproduce.scenario.model import Scenario

INPUTS = ("shell_bodies", "charges", "explosive_t", "propellant_t")
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Layout:
    """Index structures of one scenario: who is in which pool, seller, holder."""

    line_ids: list[str]
    rounds: np.ndarray  # (L,) bool: line makes finished rounds
    pools: list[str]
    line_pool: np.ndarray  # (L,) pool index
    inputs: list[str]  # input classes constrained somewhere
    input_of_line: np.ndarray  # (L,) index into inputs, -1 if the line makes no such input
    constrained: np.ndarray  # (P, I) bool
    initial_pool: np.ndarray  # (P, I)
    sellers: list[str]
    seller_keeps: np.ndarray  # (Q,) bool: unsold rounds are held (else sold elsewhere)
    order_ids: list[str]  # sorted by (seller, signed month, id)
    order_seller: np.ndarray
    order_open: np.ndarray  # first month index deliveries may be made
    order_signed: np.ndarray
    order_end: np.ndarray
    order_quantity: np.ndarray
    order_holder: np.ndarray  # holder index of the buyer, or -1
    holder_ids: list[str] = field(default_factory=list)
    seller_lines: list[np.ndarray] = field(default_factory=list)  # lines each seller sells from
    built: dict[int, int] = field(default_factory=dict)  # built line index -> its seller
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # (Y,)
    year_of_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # (M,)
    year_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # (Y,)
    last_month_of_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def bound_lines(self) -> np.ndarray:
        """Lines in a pool where some material is constrained: only they can be bound."""
        return np.flatnonzero(self.constrained.any(axis=1)[self.line_pool])

    @property
    def planned_lines(self) -> int:
        """Lines of the scenario (built lines, if any, come after them)."""
        return len(self.line_ids) - len(self.built)


#: A contract whose supplier is ``<book>:<pool>`` is in an order book of its own: it is
#: supplied by every line making rounds for that bloc or country pool, beside (not
#: instead of) the scenario's own contracts, and delivers to no holder.
BOOK_SEPARATOR = ":"


def book_pool(supplier: str) -> str | None:
    """The pool a separate book's supplier draws on (None for an ordinary supplier)."""
    return supplier.split(BOOK_SEPARATOR, 1)[1] if BOOK_SEPARATOR in supplier else None


def layout(scenario: Scenario, build_for: tuple[str, ...] = ()) -> Layout:
    """Derive the static index structures the month loop needs.

    ``build_for`` names the suppliers with a capacity decision rule: each gets one
    *built* line after the scenario's lines, whose capacity the rule sets; it draws its
    inputs from the book's pool (e.g. the alliance's) when that pool exists, else from
    the pool of the supplier's first line.
    """
    line_ids = list(scenario.lines)
    lines = [scenario.lines[i] for i in line_ids]
    pool_of = [ln.pool_name(scenario.inputs.pools) for ln in lines]
    pools = sorted(set(pool_of))
    line_pool = np.array([pools.index(p) for p in pool_of], dtype=int)
    produced = {
        (pools.index(ln.pool_name(scenario.inputs.pools)), ln.product_class)
        for ln in lines
        if ln.product_class in INPUTS
    }
    stocked = {
        (pools.index(p), i)
        for p, amounts in scenario.inputs.initial_stock.items()
        if p in pools
        for i in amounts
    }
    wanted = set(scenario.inputs.bill_of_materials)
    inputs = [i for i in INPUTS if i in wanted and any(c == i for _, c in produced | stocked)]
    constrained = np.zeros((len(pools), len(inputs)), dtype=bool)
    initial_pool = np.zeros((len(pools), len(inputs)))
    for p, c in produced | stocked:
        if c in inputs:
            constrained[p, inputs.index(c)] = True
    for pool, amounts in scenario.inputs.initial_stock.items():
        for c, amount in amounts.items():
            if pool in pools and c in inputs:
                initial_pool[pools.index(pool), inputs.index(c)] = amount
    input_of_line = np.array(
        [inputs.index(ln.product_class) if ln.product_class in inputs else -1 for ln in lines],
        dtype=int,
    )

    contracts = scenario.contracts
    sellers = sorted({c.supplier for c in contracts.values()})
    seller_lines: list[list[int]] = [[] for _ in sellers]
    for index, (line_id, line) in enumerate(zip(line_ids, lines, strict=True)):
        seller_pool = line.seller_pool(scenario.inputs.pools)
        if line_id in sellers:  # a line named as supplier sells only under its own name
            seller_lines[sellers.index(line_id)].append(index)
        elif seller_pool in sellers and line.product_class == "rounds":
            seller_lines[sellers.index(seller_pool)].append(index)
        for k, seller in enumerate(sellers):  # separate books take from every line of a pool
            if book_pool(seller) == seller_pool and line.product_class == "rounds":
                seller_lines[k].append(index)
    seller_keeps = np.array(
        [
            book_pool(seller) is None and all(lines[i].unsold == "held" for i in seller_lines[k])
            for k, seller in enumerate(sellers)
        ],
        dtype=bool,
    )
    built: dict[int, int] = {}
    rounds = [ln.product_class == "rounds" for ln in lines]
    for seller in build_for:
        k = sellers.index(seller)
        if not seller_lines[k]:
            continue  # no line to add to: the rule has nothing to build on
        index = len(line_ids)
        line_ids.append(f"built:{seller}")
        # In the book's own pool when it has one (the bloc), else the first line's pool.
        home = book_pool(seller)
        pool = pools.index(home) if home in pools else line_pool[seller_lines[k][0]]
        line_pool = np.append(line_pool, pool)
        input_of_line = np.append(input_of_line, -1)
        rounds.append(True)
        seller_lines[k].append(index)
        built[index] = k
    h = scenario.horizon
    order_ids = sorted(
        contracts,
        key=lambda k: (
            sellers.index(contracts[k].supplier),
            month_offset(contracts[k].signed, h),
            k,
        ),
    )
    holder_ids = list(scenario.holders)
    grid = month_grid(h)
    year_of = grid.astype("datetime64[Y]").astype(int) + 1970
    years, year_start = np.unique(year_of, return_index=True)

    def column(get):
        return np.array([get(contracts[k]) for k in order_ids], dtype=float).reshape(-1)

    return Layout(
        line_ids=line_ids,
        rounds=np.array(rounds, dtype=bool),
        pools=pools,
        line_pool=line_pool,
        inputs=inputs,
        input_of_line=input_of_line,
        constrained=constrained,
        initial_pool=initial_pool,
        sellers=sellers,
        seller_keeps=seller_keeps,
        order_ids=order_ids,
        order_seller=column(lambda c: sellers.index(c.supplier)).astype(int),
        order_open=column(lambda c: month_offset(c.opens(), h)).astype(int),
        order_signed=column(lambda c: month_offset(c.signed, h)).astype(int),
        order_end=column(lambda c: month_offset(c.delivery_end, h)).astype(int),
        order_quantity=column(lambda c: c.quantity),
        order_holder=column(
            lambda c: (
                holder_ids.index(c.buyer)
                if c.buyer in holder_ids and book_pool(c.supplier) is None
                else -1
            )
        ).astype(int),
        holder_ids=holder_ids,
        seller_lines=[np.array(lines_of, dtype=int) for lines_of in seller_lines],
        built=built,
        years=years,
        year_of_month=np.searchsorted(years, year_of),
        year_start=year_start,
        last_month_of_year=np.r_[year_of[1:] != year_of[:-1], True],
    )


@dataclass
class HolderDraws:
    """Sampled holder inputs: initial stocks, monthly consumption and planned transfers.

    Stored month-major (month first) because the stock pass reads one month at a time;
    transfers are kept per planned (sender, recipient) pair, not as a dense H x H grid.
    """

    initial: np.ndarray  # (S, H)
    start: np.ndarray  # (H,) month index from which the stock is tracked
    consumption: np.ndarray  # (M, S, H) rounds per month
    transfers: np.ndarray  # (M, S, P) planned rounds per month of each transfer
    sender: np.ndarray  # (P,) holder index
    recipient: np.ndarray  # (P,) holder index


def draw_holders(scenario: Scenario, table: InputTable, months: int) -> HolderDraws:
    """Draw initial stocks, consumption phases and transfer schedules per holder."""
    samples = table.samples
    ids = list(scenario.holders)
    h = scenario.horizon
    initial = np.zeros((samples, len(ids)))
    start = np.array(
        [max(month_offset(scenario.holders[i].stock_month or h.start, h), 0) for i in ids],
        dtype=int,
    )
    pairs = [(a, ids.index(t.to)) for a, i in enumerate(ids) for t in scenario.holders[i].transfers]
    consumption = np.zeros((months, samples, len(ids)))
    transfers = np.zeros((months, samples, len(pairs)))
    pair = 0
    for a, holder_id in enumerate(ids):
        holder = scenario.holders[holder_id]
        initial[:, a] = table.draw(f"holder:{holder_id}:stock", holder.initial_stock)
        for k, phase in enumerate(holder.consumption):
            first = max(month_offset(phase.start, h), 0)
            last = (
                month_offset(holder.consumption[k + 1].start, h)
                if k + 1 < len(holder.consumption)
                else months
            )
            rate = table.draw(f"holder:{holder_id}:consumption:{k}", phase.rounds_per_day)
            consumption[first : max(last, first), :, a] = np.maximum(rate, 0) * DAYS_PER_MONTH
        for k, transfer in enumerate(holder.transfers):
            first = max(month_offset(transfer.start, h), 0)
            last = min(month_offset(transfer.end, h) + 1, months)
            rate = table.draw(f"holder:{holder_id}:transfer:{k}", transfer.rounds_per_month)
            transfers[first : max(last, first), :, pair] = np.maximum(rate, 0)
            pair += 1
    tracked = np.arange(months)[:, None] >= start[None, :]  # (M, H)
    consumption *= tracked[:, None, :]
    sender = np.array([p[0] for p in pairs], dtype=int)
    recipient = np.array([p[1] for p in pairs], dtype=int)
    transfers *= (tracked[:, sender] & tracked[:, recipient])[:, None, :]
    return HolderDraws(
        initial=initial,
        start=start,
        consumption=consumption,
        transfers=transfers,
        sender=sender,
        recipient=recipient,
    )


def draw_bill_of_materials(scenario: Scenario, inputs: list[str], table: InputTable) -> np.ndarray:
    """Amount of each constrained input per finished round, (S, I)."""
    bom = scenario.inputs.bill_of_materials
    return (
        np.stack(
            [np.maximum(table.draw(f"input:{i}:per_round", bom[i]), 0) for i in inputs], axis=1
        )
        if inputs
        else np.zeros((table.samples, 0))
    )
