"""The report's spending sections: pathways to the Hague commitment and the budgets' order book."""

from __future__ import annotations

from typing import Any

import pandas as pd

from outproduce.analyses.spending import alliance_gap
from outproduce.interfaces import figures_spending
from outproduce.interfaces.formatting import BEYOND, lead_times
from outproduce.interfaces.outputs import crossover_text
from outproduce.interfaces.report_verdict import figure_html, fmt_m, section_table


def spending_headlines(spend: Any, tables: dict[str, Any]) -> list[str]:
    """One sentence on the gap to the target, one on the budgets' order book."""
    gap = alliance_gap(spend)
    target_year = int(spend["target_year"].max())
    end = next(r for r in tables["groups"] if r["group"] == "alliance" and r["year"] == target_year)
    lines = [
        f"Spending: in {gap['year']} the alliance spent {gap['core_share']:.2f}% of GDP on core "
        f"defence; the gap to {gap['target_share']:g}% is {gap['gap_pp']:.2f} pp, about USD "
        f"{gap['gap_usd_bn_current']:,.0f}bn a year at {gap['year']} GDP. On the pathways core "
        f"spending reaches USD {end['core_usd']:,.0f}bn ({end['core_usd_p10']:,.0f}–"
        f"{end['core_usd_p90']:,.0f}) in {target_year} ({spend.attrs['price_base']})."
    ]
    book = tables.get("contracts")
    rows = tables.get("order_book") or []
    if book and rows:
        first = rows[0]
        lines.append(
            f"Order book: the budgets buy {fmt_m(first['demand_rounds'])} million rounds in "
            f"{first['year']} against {fmt_m(first['output_rounds'])} million made; "
            f"{book['on_time_share']:.0%} delivered on time with {book['contract_years']}-year "
            f"{book['pooling']} contracts; if capacity follows contracts, crossover "
            f"{crossover_text(book['crossover_following'])}."
        )
    return lines


def spending_sections(spend: Any, tables: dict[str, Any]) -> list[dict[str, Any]]:
    """The pathways and the order book sections, with their charts and tables."""
    allies = pd.DataFrame(tables["allies"])
    ally_frame = pd.DataFrame(
        {
            "ally": allies["iso3"],  # shown by name (formatting)
            "start %": allies["start_share"].round(2),
            "start year": allies["start_year"],
            "target %": allies["target_share"],
            "by": allies["target_year"],
            "shape": allies["shape"],
            "reached": allies["year_core_reached"].fillna("never"),
            "gap pp": allies["gap_pp"].round(2),
            "core USD bn at target year (P50)": allies["core_usd_end"].round(1),
            "cumulative extra USD bn (P50)": allies["cumulative_extra_core_usd"].round(1),
            "rounds/yr at target year (P50)": allies["rounds_end"].round(-2).astype("Int64"),
            "beyond record": allies["exceeds_record"].map({True: "yes", False: ""}),
        }
    )
    groups = pd.DataFrame(tables["groups"])
    groups = groups[groups["year"] >= 2014]
    group_frame = pd.DataFrame(
        {
            "group": groups["group"],
            "year": groups["year"],
            "core % of GDP": groups["core_share"].round(2),
            "core USD bn (constant)": groups["core_usd"].round(0),
            "core USD bn (current)": groups["core_usd_current"].round(0),
            "resilience USD bn": groups["resilience_usd"].round(0),
        }
    )
    sections = [
        {
            "id": "spending",
            "title": "5% of GDP by 2035: the pathways",
            "text": [
                "Each ally's core defence spending (NATO definition) runs from its latest "
                "NATO figure to its target along the scenario's pathway shape; resilience "
                "spending rises to the 1.5% ceiling. Money uses World Bank GDP grown by the "
                f"uncertain real growth and inflation, in {spend.attrs['price_base']}. "
                "Aggregates are GDP-weighted. Left out: "
                f"{spend.attrs['left_out'] or 'none'} (no NATO figure)."
            ],
            "figures": [
                figure_html(
                    figures_spending.spending_gap_figure(spend, tables["allies"]), "fig-gap"
                ),
                figure_html(figures_spending.spending_totals_figure(spend), "fig-totals"),
                figure_html(figures_spending.ally_pathways_figure(spend), "fig-allies"),
            ],
            "tables": [
                section_table("Per ally", ally_frame, open_=True),
                section_table("Aggregates by year", group_frame),
            ],
        }
    ]
    rows = tables.get("order_book") or []
    if rows:
        book = pd.DataFrame(rows)
        book_frame = pd.DataFrame(
            {
                "year": book["year"],
                "demand (M)": (book["demand_rounds"] / 1e6).round(2),
                "delivered (M)": (book["delivered_rounds"] / 1e6).round(2),
                "backlog Dec (M)": (book["backlog_rounds"] / 1e6).round(2),
                "lead time of a new order (months)": lead_times(book["lead_time_months"]),
                "output planned (M)": (book["output_rounds"] / 1e6).round(2),
                "output following contracts (M)": (book["output_following_rounds"] / 1e6).round(2),
                "adversary (M)": (book["adversary_rounds"] / 1e6).round(2),
                "P(ahead), following (%)": (book["p_ahead_following"] * 100).round(0),
            }
        )
        contracts = tables["contracts"]
        sections.append(
            {
                "id": "order-book",
                "title": "From money to rounds: the order book",
                "text": [
                    "The ammunition budgets (core spending x equipment share x artillery "
                    "share, at the 155mm price) become contracts "
                    f"({contracts['contract_years']}-year, {contracts['pooling']}) supplied "
                    "first in, first out by the alliance's lines. 'Following contracts': "
                    "industry builds what signed contracts ask beyond planned output once a "
                    "new line can be built, for deliveries still due then. Delivered on time: "
                    f"{contracts['on_time_share']:.0%} ({contracts['on_time_share_p10']:.0%}–"
                    f"{contracts['on_time_share_p90']:.0%}). Crossover with planned capacity: "
                    f"{crossover_text(contracts['crossover_planned'])}; with capacity following "
                    f"contracts: {crossover_text(contracts['crossover_following'])}."
                ],
                "figures": [
                    figure_html(figures_spending.order_book_figure(rows), "fig-order-book")
                ],
                "tables": [
                    section_table(
                        "Order book by year (P50). Lead time: months until a new order "
                        "placed in January is filled behind every order signed before it; "
                        f"'{BEYOND}': not before the horizon's end",
                        book_frame,
                        open_=True,
                    )
                ],
            }
        )
    return sections
