"""The console views of the balance and spending commands.

Rich tables of what the analyses return: numbers formatted, nothing computed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from outproduce.interfaces.cli_common import bn, fmt, millions, money, number_table, out

if TYPE_CHECKING:
    from outproduce.analyses.balance import BalanceSummary


def print_balance(ds: Any, summary: BalanceSummary) -> None:
    """Crossovers, the check month and the annual table of a balance run."""
    from outproduce.interfaces.outputs import crossover_text

    cross = summary.crossover
    out.print(
        f"[bold]Ammunition balance[/bold] — scenario [cyan]{ds.attrs['scenario']}[/cyan] "
        f"({ds.attrs['samples']} samples, seed {ds.attrs['seed']}, data "
        f"{ds.attrs['data_version']})"
    )
    out.print(
        "Units: 155mm-equivalent rounds. Crossover: first month from which the alliance "
        "stays at or above the adversary to the end of the horizon."
    )
    out.print(f"Crossover against Russia + transfers: {crossover_text(cross)}")
    out.print(
        "Crossover against Russian production alone: "
        f"{crossover_text(summary.crossover_production_only)}"
    )
    at = summary.at
    out.print(
        f"In {at['month']}: alliance {fmt(at['alliance_p50'])}/month vs adversary "
        f"{fmt(at['adversary_p50'])}/month (medians); ratio P10–P90 "
        f"{at['ratio_p10']:.2f}–{at['ratio_p90']:.2f}; P(alliance ahead) "
        f"{at['p_alliance_ahead']:.0%}"
    )
    partners = bool((summary.annual["partners_p50"] > 0).any())
    table = number_table(
        "Annual output, million 155mm-equivalent rounds: P50 (P10–P90)",
        ("year", "alliance", "adversary", "P(alliance ahead)")
        + (("partners P50 (not counted)",) if partners else ()),
    )
    for row in summary.annual.to_dict("records"):
        table.add_row(
            str(int(row["year"])),
            millions(row["alliance_p50"], row["alliance_p10"], row["alliance_p90"]),
            millions(row["adversary_p50"], row["adversary_p10"], row["adversary_p90"]),
            f"{row['p_alliance_ahead']:.0%}",
            *((f"{row['partners_p50'] / 1e6:.2f}",) if partners else ()),
        )
    out.print(table)


def print_spending(ds: Any, tables: dict[str, Any], ally: str | None) -> None:
    """The spending pathways (one ally's years, or every ally), groups and order book."""
    from outproduce.interfaces.outputs import crossover_text

    base = ds.attrs["price_base"]
    out.print(
        f"[bold]Spending pathways[/bold] — scenario [cyan]{ds.attrs['scenario']}[/cyan] "
        f"({ds.attrs['samples']} samples, seed {ds.attrs['seed']}, data "
        f"{ds.attrs['data_version']}). Money: USD bn, {base}; shares: % of GDP (NATO "
        "definition); P50 (P10–P90)."
    )
    if ally:
        rows = [r for r in tables["yearly"] if r["iso3"] == ally]
        info = next(r for r in tables["allies"] if r["iso3"] == ally)
        table = number_table(
            f"{ally}: core {info['target_share']:g}% by {info['target_year']} "
            f"({info['shape']}), resilience up to {ds.attrs['resilience_target_pct']:g}%",
            (
                "year",
                "kind",
                "core %",
                "core USD bn",
                "increase over base",
                "resilience USD bn",
                "rounds/yr, million",
            ),
        )
        for row in rows:
            real = not math.isnan(row["core_usd"])
            table.add_row(
                str(row["year"]),
                row["kind"],
                f"{row['core_share']:.2f}",
                bn(row, "core_usd") if real else f"{money(row['core_usd_current'])} current",
                bn(row, "increase_usd") if real else "-",
                bn(row, "resilience_usd") if real else "-",
                millions(row["rounds"], row["rounds_p10"], row["rounds_p90"]) if real else "-",
            )
        out.print(table)
        out.print(
            f"Cumulative extra core spending over the base year to {info['target_year']}: "
            f"{bn(info, 'cumulative_extra_core_usd')}; core target reached: "
            f"{info['year_core_reached'] or 'never'}; largest yearly rise needed "
            f"{info['required_rise_pp']:.2f} pp vs {info['record_rise_pp']:.2f} pp in its "
            f"2014–2025 record{' — beyond its record' if info['exceeds_record'] else ''}."
        )
        return
    table = number_table(
        "Per ally: where it starts, the gap, and what the pathway costs",
        (
            "ally",
            "start",
            "target",
            "reached",
            "gap pp",
            "core USD bn at target year",
            "cumulative extra",
            "rounds/yr at target year",
            "beyond record",
        ),
    )
    for row in tables["allies"]:
        table.add_row(
            row["iso3"],
            f"{row['start_share']:.2f} ({row['start_year']})",
            f"{row['target_share']:g} by {row['target_year']}",
            str(row["year_core_reached"] or "never"),
            f"{row['gap_pp']:.2f}",
            bn(row, "core_usd_end"),
            bn(row, "cumulative_extra_core_usd"),
            fmt(row["rounds_end"]),
            "yes" if row["exceeds_record"] else "",
        )
    out.print(table)
    groups = number_table(
        "Aggregates (GDP-weighted shares)",
        ("group", "year", "core %", "core USD bn", "resilience USD bn", "rounds/yr"),
    )
    for row in tables["groups"]:
        if row["year"] in (2014, 2024, 2025, 2030, 2035):
            real = not math.isnan(row["core_usd"])
            groups.add_row(
                row["group"],
                str(row["year"]),
                f"{row['core_share']:.2f}",
                bn(row, "core_usd") if real else f"{row['core_usd_current']:,.0f} current",
                bn(row, "resilience_usd") if real else "-",
                fmt(row["rounds"]),
            )
    out.print(groups)
    if "order_book_left_out" in ds.attrs:
        out.print(f"Order book left out: {ds.attrs['order_book_left_out']}.")
    if tables["order_book"]:
        book = tables["contracts"]
        demand = number_table(
            f"Order book: budgets' contracts ({book['contract_years']}-year, "
            f"{book['pooling']}) supplied by the alliance's lines — million rounds",
            (
                "year",
                "demand",
                "delivered",
                "backlog (Dec)",
                "lead time (months)",
                "output, planned",
                "output, following contracts",
                "adversary",
                "P(ahead), following",
            ),
        )
        for row in tables["order_book"]:
            lead = row["lead_time_months"]
            demand.add_row(
                str(row["year"]),
                millions(row["demand_rounds"], row["demand_rounds_p10"], row["demand_rounds_p90"]),
                f"{row['delivered_rounds'] / 1e6:.2f}",
                f"{row['backlog_rounds'] / 1e6:.2f}",
                "beyond horizon" if lead is None else f"{lead:.0f}",
                f"{row['output_rounds'] / 1e6:.2f}",
                f"{row['output_following_rounds'] / 1e6:.2f}",
                f"{row['adversary_rounds'] / 1e6:.2f}",
                f"{row['p_ahead_following']:.0%}",
            )
        out.print(demand)
        out.print(
            f"Delivered on time (by each contract's end): {book['on_time_share']:.0%} "
            f"({book['on_time_share_p10']:.0%}–{book['on_time_share_p90']:.0%}). Crossover "
            f"with planned capacity: {crossover_text(book['crossover_planned'])}; if "
            f"capacity follows contracts: {crossover_text(book['crossover_following'])}."
        )
