"""The report's methods section and the assumptions' names in words.

The methods say, in the report itself, what a reader needs to judge a number: the
chain, the counting rules, the one rule for both sides, what "durably ahead" means,
how uncertainty is drawn, and what the baseline leaves out (the README has the
formulas).
"""

from __future__ import annotations

from typing import Any

from outproduce.data.catalog import split_sources
from outproduce.scenario.model import Scenario
from outproduce.scenario.uncertain import _Uncertain, describe

#: Calibre ids in words.
CALIBRES = {
    "152mm_equiv": "152mm-equivalent (totals published so)",
    "artillery_all": "mixed-calibre (totals of all calibres)",
}
#: Scenario-wide assumptions by their field name.
NAMES = {
    "utilisation": "share of stated capacity turned into rounds (utilisation)",
    "target_attainment": "share of an announced target reached",
    "target_slip_months": "months an announced target slips",
    "growth_after_last_step": "yearly growth after a line's last published step",
    "real_gdp_growth": "real GDP growth of every ally after 2023",
    "inflation": "inflation (current to constant dollars)",
    "price_155_usd": "price of one 155mm round (constant 2025 USD)",
    "resilience_start_pct_gdp": "resilience spending at the start, % of GDP",
    "equipment_share": "share of core spending on equipment",
    "ammunition_share": "share of equipment spending that buys ammunition",
    "price_real_change": "yearly real change of the round's price",
    "pooling_discount": "price discount of pooled purchases beyond the volume curve",
    "volume_price_ratio": "unit price ratio per doubling of a contract's size",
    "expansion_lead_months": "months from a signed contract to new capacity",
    "rate": "rate",
    "rounds_per_day": "use, rounds a day",
    "ramp_length_factor": "ramp length (x the published ramp)",
    "counted_share": "share of the output counted",
    "initial_stock": "stock at the start",
    "lead_months": "months from a signed contract to new capacity",
}


#: What a part of an input's stream name stands for, after its owner.
STREAM_PARTS = {
    "rate": "output rate",
    "growth": "yearly growth after its last published step",
    "counted": "share counted",
    "ramp": "ramp length",
    "stock": "stock at the start",
    "lead_months": "months from a signed contract to new capacity",
}


def input_label(scenario: Scenario, stream: str) -> str:
    """An input's (or an input group's) stream name in words, for charts and sentences.

    ``line:russia_artillery_production:growth`` -> "Russian artillery ammunition
    production: yearly growth after its last published step"; a group (``line:<id>``)
    is the line's name. Unknown names are returned as they are.
    """
    kind, _, rest = stream.partition(":")
    owner_id, _, part = rest.partition(":")
    if kind in ("line", "holder", "capacity_rule"):
        table = scenario.holders if kind == "holder" else scenario.lines
        owner = table.get(owner_id)
        # The name without its parenthesis: a chart label, not the line's definition.
        name = owner.name.split(" (")[0] if owner is not None else owner_id
        if kind == "capacity_rule":
            return f"{name}: {STREAM_PARTS['lead_months']}"
        return f"{name}: {STREAM_PARTS.get(part, part.replace('_', ' '))}" if part else name
    if stream == "assumption:conversion_155eq":
        return "calibre conversion factors (155mm-equivalents)"
    if stream.startswith("assumption:conversion_155eq:"):
        return assumption_name(scenario, "assumptions.conversion_155eq." + stream.split(":")[2])
    if stream == "inputs:bill_of_materials":
        return "bill of materials"
    if kind in ("assumption", "spending"):
        words = NAMES.get(rest, rest.replace("_", " "))
        return f"{words[0].upper()}{words[1:]}"
    return stream


def assumption_name(scenario: Scenario, path: str) -> str:
    """A field path (``lines.eu_155_industry.steps.2.rate``) in words, its owner first."""
    parts = path.split(".")
    if parts[:2] == ["assumptions", "conversion_155eq"] and len(parts) == 3:
        calibre = CALIBRES.get(parts[2], parts[2])
        return f"155mm-equivalent factor of {calibre} rounds"
    if parts[:2] == ["inputs", "bill_of_materials"] and len(parts) == 3:
        material, _, unit = parts[2].rpartition("_")
        return f"Bill of materials: {material.replace('_', ' ')} per round ({unit})"
    owner = ""
    if parts[0] in ("lines", "holders") and len(parts) > 2:
        table = scenario.lines if parts[0] == "lines" else scenario.holders
        found = table.get(parts[1])
        owner = f"{found.name if found else parts[1]}: "
        parts = parts[2:]
        if parts[0] == "steps" and len(parts) >= 3 and parts[1].isdigit():
            return f"{owner}{NAMES.get(parts[2], parts[2])} of step {int(parts[1]) + 1}"
        if parts[0] == "consumption" and len(parts) >= 3 and parts[1].isdigit():
            return f"{owner}{NAMES.get(parts[2], parts[2])} (period {int(parts[1]) + 1})"
    last = parts[-1]
    words = NAMES.get(last, last.replace("_", " "))
    return f"{owner}{words[0].upper()}{words[1:]}" if not owner else f"{owner}{words}"


def methods_section(scenario: Scenario) -> dict[str, Any]:
    """How the numbers are made, in the report (the README has the formulas)."""
    months = f"{scenario.horizon.start} to {scenario.horizon.end}"
    return {
        "id": "methods",
        "title": "Methods: how these numbers are made",
        "text": [
            "The chain. Spending pathways (each ally from its latest NATO figure to its "
            "target) become budgets; the share that buys ammunition becomes contracts at "
            "an uncertain price that falls with a contract's size (national or pooled, "
            "one rule); contracts meet production lines whose capacity ramps "
            "from their published steps; production is limited by inputs where data on "
            "them exists, delivered first in, first out, into holders' stocks. One engine "
            f"computes the whole chain month by month, {months}, for every Monte Carlo "
            "sample; every view in this report is a view of that one run.",
            "What is counted. Complete tube-artillery rounds of 122–155mm, new and "
            "refurbished, on both sides, in 155mm-equivalents through stated conversion "
            "factors (a labelled assumption with a range). The alliance is its 32 "
            "members' lines; the axis is Russia's own production plus the deliveries of "
            "its suppliers (North Korea, Iran); partners (e.g. South Korea) are shown "
            "beside the alliance, never added to it.",
            "One rule for both sides. Each line follows its own published steps; after "
            "the last one, every line without a published basis changes at the same "
            "uncertain yearly rate, the same draw rule for the alliance and Russia. "
            "Utilisation applies only to figures that state a capacity, on both sides; "
            "announced targets are reached in part and late by the same two "
            "assumptions.",
            "Durably ahead. The durable crossover is the first month from which the "
            "alliance makes at least as much as the axis in every month to the end of "
            "the horizon; a sample where that never happens counts as never. The "
            "probabilities are shares of samples.",
            "Uncertainty. Every published range is kept as low–central–high and drawn "
            "per sample; every value without a publication is a labelled assumption with "
            "a range (listed below, with its reasoning). Medians are P50; bands are "
            "P10–P90. The same seed gives the same numbers on any machine. Which "
            "assumptions matter most is shown in 'What decides the answer'.",
            "Left out of the baseline. Stocks drawn down by the allies and by Russia (no "
            "published series), Ukraine's own production and its consumption, deliveries "
            "to Ukraine other than the EU pledge, and inputs (explosives, propellant, "
            "shell bodies) as constraints: their capacities are in the data but too few "
            "to bind the whole alliance honestly.",
        ],
        "figures": [],
        "tables": [],
    }


def assumptions_used(scenario: Scenario) -> list[dict[str, Any]]:
    """Every uncertain value of the scenario with a note, wherever it sits."""
    found: list[dict[str, Any]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, _Uncertain):
            if node.note or node.source:
                found.append(
                    {
                        "name": assumption_name(scenario, path),
                        "path": path,
                        "value": describe(node),
                        "note": node.note,
                        "sources": split_sources(node.source),
                    }
                )
            return
        if hasattr(node, "__pydantic_fields__"):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}.{i}")

    walk(scenario, "")
    return found


def drives_title(outcome: str) -> str:
    """A sensitivity chart's title in words (the outcome's name where there are none)."""
    kind, _, rest = outcome.partition(":")
    if kind == "ratio":
        return f"What drives the ratio of allied to Russia's and its suppliers' output, {rest}"
    if kind == "rounds":
        return f"What drives the alliance's output in {rest}"
    return f"What drives {outcome}"
