"""A plan's binding constraints in words: what one more unit of each is worth."""

from __future__ import annotations

from typing import Any

from outproduce.engine.optimise import MILLION, Solution


def shadow_prices(solution: Solution, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The binding constraints' shadow prices (LP), per year, in words; largest first."""
    found = []
    per_round = record["objective"] != "max-output"  # money per unit, else rounds per unit
    for name, dual in solution.duals.items():
        if dual is None or not dual.size:
            continue
        if name == "target":
            for year, value in dual.sum("sample").to_series().items():
                usd = abs(float(value)) * MILLION
                if usd > 0.01:
                    found.append(
                        {
                            "constraint": "target",
                            "year": int(year),
                            "value": usd,
                            "unit": "USD per round a year",
                            "words": f"one more round a year of target in {year} costs about "
                            f"USD {usd:,.0f} of capital",
                        }
                    )
        elif name == "material_balance":
            yearly = dual.sum("sample").groupby("month.year").sum().transpose("material", "year")
            for (material, year), value in yearly.to_series().items():
                amount = abs(float(value)) * (MILLION if per_round else 1.0)
                if amount <= 1e-6:
                    continue
                unit = "USD" if per_round else "rounds"
                found.append(
                    {
                        "constraint": f"supply of {material}",
                        "year": int(year),
                        "value": amount,
                        "unit": f"{unit} per unit a month",
                        "words": f"one more {_unit(material)} of {_material(material)} a month "
                        f"in {year} is worth about {_amount(amount, unit)}",
                    }
                )
        elif name == "budget":
            value = abs(float(dual)) / MILLION * 1e9
            if value > 0:
                found.append(
                    {
                        "constraint": "budget",
                        "year": None,
                        "value": value,
                        "unit": "rounds per USD bn",
                        "words": f"one more USD bn of budget buys about {value:,.0f} more rounds "
                        f"by {record['by']}",
                    }
                )
    return sorted(found, key=lambda row: -row["value"])[:12]


def _unit(material: str) -> str:
    return "tonne" if material.endswith("_t") else "unit"


def _material(material: str) -> str:
    return {
        "explosive_t": "explosive",
        "propellant_t": "propellant",
        "shell_bodies": "shell bodies",
        "charges": "propelling charges",
    }.get(material, material)


def _amount(value: float, unit: str) -> str:
    return f"USD {value:,.0f}" if unit == "USD" else f"{value:,.1f} rounds"
