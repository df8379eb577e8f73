"""What every result writes: JSON documents with provenance, CSV tables and PNG charts.

The CLI and the report both call these, so a table or document has one definition.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outproduce.analyses.balance import BalanceSummary
from outproduce.interfaces.files import to_json


def crossover_text(cross: dict[str, Any]) -> str:
    """'P10 2028-06 · P50 never · P90 never · probability within horizon 27%'."""
    return (
        f"P10 {cross['p10'] or 'never'} · P50 {cross['p50'] or 'never'} · "
        f"P90 {cross['p90'] or 'never'} · probability within horizon "
        f"{cross['prob_within_horizon']:.0%}"
    )


def provenance(attrs: dict[str, Any]) -> dict[str, Any]:
    """Scenario, hash, data and package versions, seed and samples of a result."""
    document = {
        key: attrs[key] for key in ("scenario", "scenario_hash", "data_version", "package_version")
    }
    return document | {"seed": int(attrs["seed"]), "samples": int(attrs["samples"])}


def balance_document(ds: Any, summary: BalanceSummary) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce balance``."""
    annual = summary.annual.copy()
    return provenance(ds.attrs) | {
        "units": "155mm-equivalent rounds (annual totals: rounds per calendar year)",
        "crossover_definition": ds.attrs["crossover_definition"],
        "crossover": summary.crossover,
        "crossover_production_only": summary.crossover_production_only,
        "capacity_rule": summary.capacity_rule,
        "crossover_planned": summary.crossover_planned,
        "at": summary.at,
        "annual": [
            {
                k: (int(v) if k == "year" else round(float(v), 4 if k.startswith("p_") else 0))
                for k, v in row.items()
            }
            for row in annual.to_dict("records")
        ],
    }


def write_balance_outputs(ds: Any, summary: BalanceSummary, folder: Path) -> list[Path]:
    """CSV tables, a JSON summary and the PNG chart of a balance run."""
    from outproduce.interfaces.charts import balance_chart

    folder.mkdir(parents=True, exist_ok=True)
    monthly = ds["output"].quantile([0.1, 0.5, 0.9], dim="sample")
    frame = (
        monthly.to_dataframe(name="value")
        .reset_index()
        .pivot_table(index=["month", "bloc"], columns="quantile", values="value")
        .reset_index()
    )
    frame.columns = ["month", "bloc", "p10", "p50", "p90"]
    frame["month"] = frame["month"].dt.strftime("%Y-%m")
    lines = ds["line_output"].median("sample").to_pandas().T  # (year, line)
    crossings = ds["crossover"].to_pandas().dt.strftime("%Y-%m")
    paths = [
        folder / name
        for name in (
            "balance_monthly.csv",
            "balance_annual.csv",
            "balance_lines_p50.csv",
            "crossover_samples.csv",
            "balance_summary.json",
            "balance.png",
        )
    ]
    frame.to_csv(paths[0], index=False)
    summary.annual.to_csv(paths[1], index=False)
    lines.to_csv(paths[2], index_label="year")
    crossings.rename("crossover").to_csv(paths[3], index_label="sample")
    paths[4].write_text(to_json(balance_document(ds, summary)), encoding="utf-8")
    balance_chart(ds, summary, paths[5])
    return paths


def capacity_rule_text(summary: BalanceSummary) -> str:
    """Which capacity decision rule the balance was computed with, and what it changed."""
    if summary.capacity_rule != "follow_contracts":
        return (
            "Capacity rule: none — the alliance's lines are the published plans; nothing is "
            "built in answer to the budgets' contracts."
        )
    planned = summary.crossover_planned
    return (
        "Capacity rule: follow_contracts — industry builds what the budgets' signed "
        "contracts ask beyond planned output, once a new line can produce "
        "(expansion_lead_months after signing), and keeps it; this balance counts that "
        "capacity. With the published plans only: "
        f"{crossover_text(planned) if planned else 'not computed'}."
    )


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing numbers become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def spending_document(ds: Any, tables: dict[str, Any]) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce spending``."""
    return provenance(ds.attrs) | {
        "units": {
            "shares": "% of GDP (NATO definition for core)",
            "money": f"USD billion, {ds.attrs['price_base']} (suffix _current: current USD)",
            "rounds": "rounds per year at the 155mm price",
            "quantiles": "value = P50; _p10 and _p90 alongside",
        },
        "left_out": ds.attrs["left_out"],
        **{
            name: [{k: _clean(v) for k, v in row.items()} for row in rows]
            if isinstance(rows, list)
            else rows
            for name, rows in tables.items()
        },
    }


def write_spending_outputs(ds: Any, tables: dict[str, Any], folder: Path) -> list[Path]:
    """CSV tables, the JSON document and two PNG charts of a spending run."""
    import pandas as pd

    from outproduce.interfaces.charts import spending_gap_chart, spending_totals_chart

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        if not isinstance(rows, list):
            continue
        path = folder / f"spending_{name}.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        paths.append(path)
    document = folder / "spending.json"
    document.write_text(to_json(spending_document(ds, tables)), encoding="utf-8")
    paths.append(document)
    paths.append(spending_gap_chart(ds, tables["allies"], folder / "spending_gap.png"))
    paths.append(spending_totals_chart(ds, folder / "spending_totals.png"))
    return paths


def _number(value: Any) -> float | None:
    """A finite float, or None (strict JSON has no NaN)."""
    if value is None or value == "":
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def published_text(row: dict[str, Any], number: Callable[[float], str]) -> str:
    """A published estimate as written: a point, 'low–high', '≥ low' or '≤ high'."""
    low, point, high = row["published_low"], row["published"], row["published_high"]
    if point == point:  # not NaN
        return number(point)
    if low == low and high == high:
        return f"{number(low)}–{number(high)}"
    return f"≥ {number(low)}" if low == low else f"≤ {number(high)}"


def calibration_document(calibration: Any) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce calibrate``."""
    estimates = []
    for row in calibration.estimates.to_dict("records"):
        estimates.append(
            {
                "id": row["id"],
                "bloc": row["bloc"],
                "period": row["period"],
                "measure": row["measure"],
                "counts": row["counts"],
                "unit": row["unit"],
                "published": _number(row["published"]),
                "published_low": _number(row["published_low"]),
                "published_high": _number(row["published_high"]),
                "grade": row["grade"],
                "used_by": row["used_by"] or None,
                "p10": _number(row.get("p10")),
                "p50": _number(row.get("p50")),
                "p90": _number(row.get("p90")),
                "inside": None if row["status"] != "compared" else bool(row["inside"]),
                "status": row["status"],
                "source_id": row["source_id"],
            }
        )
    return provenance(calibration.attrs) | {
        "units": "rounds as each publication counts them (not 155mm-equivalents)",
        "inside_definition": "a published point within the model's P10-P90; a range "
        "overlapping it; an 'at least' bound below P90, an 'at most' bound above P10",
        "estimates": estimates,
        "coverage": calibration.coverage,
    }


def claim_document(result: Any) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce claim``."""
    return provenance(result.attrs) | {
        "claim": result.attrs["claim"],
        "month": result.month,
        "p_ahead_of_russia": result.p_ahead_of_russia,
        "p_ahead_of_axis": result.p_ahead_of_axis,
        "verdict": result.verdict,
        "units": "155mm-equivalent rounds a year",
        "medians": {k: round(v) for k, v in result.medians.items()},
        "ratio_to_russia": {
            k: None if v is None else round(v, 3) for k, v in result.ratio_to_russia.items()
        },
        "break_even": [
            {k: (round(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in result.break_even
        ],
        "evidence": result.evidence,
        "crossover_vs_russia": result.since,
    }


def sensitivity_document(result: Any) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce sensitivity``."""
    table = result.table
    from outproduce.analyses.sensitivity import COLUMNS

    keys = COLUMNS[result.method]
    return {
        "scenario": table.attrs["scenario"],
        "scenario_hash": table.attrs["scenario_hash"],
        "outcome": result.outcome,
        "method": result.method,
        "samples": int(table.attrs["base_samples"]),
        "runs": result.runs,
        "seed": int(table.attrs["seed"]),
        "inputs": [
            {
                "name": str(group),
                "inputs": result.groups[str(group)],
                **{key: float(table[key].sel(group=group)) for key in keys},
            }
            for group in table["group"].values
        ],
    }


def discovery_document(result: Any) -> dict[str, Any]:
    """The ``--json`` document of ``outproduce discover``."""
    return provenance(result.table.attrs) | {
        "outcome": result.outcome,
        "threshold": result.threshold,
        "holds_in": result.share,
        "boxes": result.boxes,
    }


def write_sensitivity_outputs(result: Any, folder: Path) -> list[Path]:
    """The ranked table as CSV, the JSON document and the bar chart (PNG)."""
    from outproduce.interfaces.charts import sensitivity_chart

    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "sensitivity.csv"
    result.table.to_dataframe().to_csv(table)
    document = folder / "sensitivity.json"
    document.write_text(to_json(sensitivity_document(result)), encoding="utf-8")
    return [table, document, sensitivity_chart(result.table, folder / "sensitivity.png")]


def target_sentence(entry: dict[str, Any]) -> str | None:
    """A holder's stock target in one sentence that its own yearly table cannot contradict.

    "Reaches" means the stock is at or above the target in some month by the target
    month; whether it stays there is said from the median year-end stocks (the target
    year's and the last year's), so a stock that touches the target and then falls is
    not reported as a target met. None for a holder without a dated target.
    """
    rebuild = entry.get("rebuild")
    if not rebuild or not rebuild.get("target_month"):
        return None
    target, month = rebuild["target_stock"], rebuild["target_month"]
    year = int(month[:4])
    medians = {row["year"]: row["stock_end_p50"] for row in entry["yearly"]}
    first = rebuild["reached_p50"] or "never"
    text = (
        f"{entry['name']}: the stock first reaches the target of {target:,.0f} rounds by "
        f"{month} in {rebuild['p_reached_by_target_month']:.0%} of samples (median first "
        f"month: {first})"
    )
    if year in medians:
        last = max(medians)
        held = medians[year] >= target
        text += (
            f"; median stock at the end of {year}: {medians[year]:,.0f} "
            f"({'at or above' if held else 'below'} the target)"
        )
        if last != year:
            text += f", at the end of {last}: {medians[last]:,.0f}"
    return text + "."


def chance_words(p: float) -> str:
    """A probability as a share of samples in words ("in about 1 sample in 4")."""
    if p <= 0:
        return "in none of the samples"
    if p >= 1:
        return "in every sample"
    if p < 0.05:
        return "in fewer than 1 sample in 20"
    if p < 0.35:
        return f"in about 1 sample in {round(1 / p)}"
    if p <= 0.65:
        return "in about half of the samples"
    if p < 0.95:
        return f"in about {round(10 * p)} samples in 10"
    return "in almost every sample"


def verdict_sentence(claim: Any, summary: Any) -> str:
    """The verdict on the speech's claim in plain words, with its uncertainty, for the top.

    From the claim view (the probability, the ratio to Russia's own output, how thin
    the evidence is) and the balance summary of the same run (the ratio to Russia and
    its suppliers, the durable crossover against both).
    """
    ratio, at = claim.ratio_to_russia, summary.at
    head, _, rest = claim.verdict.partition(":")  # "In 2025-11, that ... (P = 2%)"
    parts = [f"{head}."]
    if ratio.get("p50") is not None:
        parts.append(
            f"That month the allies made between {ratio['p10']:.2f} and {ratio['p90']:.2f} "
            f"of Russia's own output (median {ratio['p50']:.2f}), and between "
            f"{at['ratio_p10']:.2f} and {at['ratio_p90']:.2f} of Russia's with its "
            "suppliers'."
        )
    end = int(summary.annual["year"].max())
    russia = claim.since.get("prob_within_horizon") or 0.0
    axis = summary.crossover.get("prob_within_horizon") or 0.0
    parts.append(
        f"They are durably ahead of Russia alone by {end} {chance_words(russia)}, and of "
        f"Russia with its suppliers {chance_words(axis)}."
    )
    thin = rest[rest.find("The evidence is thin") :] if "The evidence is thin" in rest else ""
    return " ".join([*parts, thin]).strip()
