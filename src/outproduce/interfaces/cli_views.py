"""The console views of the balance and spending commands.

Rich tables of what the analyses return: numbers formatted, nothing computed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from outproduce.interfaces.cli_common import bn, fmt, millions, money, number_table, out, short

if TYPE_CHECKING:
    from outproduce.analyses.balance import BalanceSummary


def print_balance(ds: Any, summary: BalanceSummary) -> None:
    """Crossovers, the check month and the annual table of a balance run."""
    from outproduce.interfaces.outputs import capacity_rule_text, crossover_text

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
    out.print(capacity_rule_text(summary))
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


def print_calibration(result: Any) -> None:
    """Each published estimate against the model's P10-P90, then the coverage."""
    from outproduce.interfaces.outputs import published_text

    out.print(
        f"[bold]Calibration[/bold] — scenario [cyan]{result.attrs['scenario']}[/cyan] "
        f"({result.attrs['samples']} samples, seed {result.attrs['seed']}): each published "
        "estimate against the model's P10–P90, in rounds as the publication counts them"
    )
    for row in result.estimates.to_dict("records"):
        published = published_text(row, short)
        unit = row["unit"].replace("rounds_per_", "a ").replace("rounds", "in total")
        mark = "" if row["used_by"] else " (independent)"
        if row["status"] == "compared":
            verdict = "inside" if row["inside"] else "OUTSIDE"
            model = f"model {short(row['p10'])}–{short(row['p90'])}"
        else:
            verdict, model = "not compared", row["status"]
        out.print(
            f"{verdict:>12}  {row['id']}{mark}: {row['bloc']} {row['measure']} {row['period']}, "
            f"published {published} {unit} [{row['grade']}]; {model}",
            highlight=False,
        )
    cov = result.coverage
    parts = [
        f"{name} {cov[name]['inside']:.0%} of {cov[name]['n']}"
        for name in ("all", "A/B", "independent", "independent A/B")
        if cov[name]["n"]
    ]
    if not parts:
        out.print("No published estimate falls in this scenario's horizon and lines.")
        return
    out.print("Inside P10–P90: " + "; ".join(parts) + " (well calibrated: about 70–90%)")


def print_sustain(loaded: Any, holders: list[dict[str, Any]]) -> None:
    """Per holder: stock at year end, flows, shortfalls, and when its target is reached."""
    if not holders:
        out.print(f"Scenario {loaded.name} has no holders: add `holders:` to track stocks.")
    for entry in holders:
        table = number_table(
            f"{entry['name']} ({entry['holder']}): stock at year end, rounds",
            (
                "year",
                "stock P50 (P10–P90)",
                "received",
                "consumed",
                "shortfall P50",
                "P(shortfall)",
                "months of sustainment",
            ),
        )
        for row in entry["yearly"]:
            table.add_row(
                str(row["year"]),
                f"{fmt(row['stock_end_p50'])} ({fmt(row['stock_end_p10'])}–"
                f"{fmt(row['stock_end_p90'])})",
                fmt(row["received_p50"]),
                fmt(row["consumption_p50"]),
                fmt(row["shortfall_p50"]),
                f"{row['p_shortfall']:.0%}",
                "-"
                if math.isnan(row["months_of_sustainment_p50"])
                else f"{row['months_of_sustainment_p50']:.1f}",
            )
        out.print(table)
        rebuild = entry.get("rebuild")
        if rebuild:
            by = rebuild["target_month"]
            chance = (
                f"; P(reached by {by}) {rebuild['p_reached_by_target_month']:.0%}" if by else ""
            )
            out.print(
                f"Target {fmt(rebuild['target_stock'])} rounds: reached P10 "
                f"{rebuild['reached_p10'] or 'never'} · P50 {rebuild['reached_p50'] or 'never'}"
                f" · P90 {rebuild['reached_p90'] or 'never'}{chance}"
            )


def print_claim(result: Any) -> None:
    """The claim's verdict, its break-even table and the durable crossover."""
    from outproduce.interfaces.outputs import crossover_text

    out.print(f"[bold]The claim[/bold] — “{result.attrs['claim']}” (Bucharest, 6 Nov 2025)")
    out.print(
        f"Scenario [cyan]{result.attrs['scenario']}[/cyan] ({result.attrs['samples']} samples, "
        f"seed {result.attrs['seed']}, data {result.attrs['data_version']})"
    )
    out.print(result.verdict)
    table = number_table(
        f"Break-even in {result.month} (others at their medians), 155mm-equivalent rounds a year",
        ("the claim holds if", "versus", "is", "model median"),
    )
    for row in result.break_even:
        table.add_row(
            str(row["input"]),
            str(row["versus"]),
            f"{row['condition']} {fmt(row['value'])}"
            if row["value"] is not None
            else "never (not even at 0)",
            fmt(row["median"]),
        )
    out.print(table)
    out.print(f"Durable crossover against Russia alone: {crossover_text(result.since)}")
    out.print(
        f"Partners (not allies, not counted): {fmt(result.medians['partners'])} a year (median)"
    )
    out.print(
        "What decides it: `outproduce sensitivity --outcome ratio:"
        f"{result.month}`; under which assumptions it would hold: `outproduce discover "
        f"--outcome ahead_of_russia_at:{result.month}`.",
        highlight=False,
    )


def print_sensitivity(result: Any) -> None:
    """The input groups ranked by their effect on the outcome, and what each group holds."""
    table = result.table
    out.print(
        f"[bold]What drives {result.outcome}[/bold] — scenario {table.attrs['scenario']}, "
        f"{result.method}, {table.attrs['base_samples']} base samples, {result.runs:,} runs, "
        f"seed {table.attrs['seed']}"
    )
    keys = {
        "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
        "morris": ("mu_star", "mu_star_conf", "sigma"),
    }.get(result.method, ("S1", "S1_conf"))
    label = {"mu_star": "mu*", "mu_star_conf": "mu* ±", "ST_conf": "ST ±", "S1_conf": "S1 ±"}
    heads = ("group", "inputs", *(label.get(k, k) for k in keys))
    rows = number_table("Input groups, most influential first", heads)
    for group in table["group"].values:
        one = table.sel(group=group)
        digits = ".3g" if result.method == "morris" else ".3f"
        cells = [format(float(one[k]), digits) for k in keys]
        rows.add_row(str(group), str(int(one["inputs"])), *cells)
    out.print(rows)
    grouped = {g: m for g, m in result.groups.items() if len(m) > 1}
    if grouped:
        out.print("Groups: " + "; ".join(f"{g} = {', '.join(m)}" for g, m in grouped.items()))
