"""The schema as data (PyPSA's lesson).

The vocabularies the tables use, and one ``TableSpec`` per table, which drives
loading, ``outproduce data show`` and the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CALIBRES = ("155mm", "152mm", "122mm", "artillery_all", "152mm_equiv")
BLOCS = ("alliance", "adversary", "partners")
MEASURES = ("capacity", "output", "transfer")
STEP_KINDS = ("actual", "estimate", "target")
#: What a line makes; rates are per year in rounds for the first three, tonnes for the rest.
PRODUCT_CLASSES = ("rounds", "shell_bodies", "charges", "explosive_t", "propellant_t")
#: Allies outside Europe (every other alliance line, the EU aggregate included, is European).
NON_EUROPEAN_ALLIES = ("USA", "CAN")
#: Alliance lines may name an ally's ISO3 code or this aggregate of the EU's allies.
GROUP_CODES = ("EU",)
#: Source grades (rubric in data/NOTES.md): A primary; B established media or research
#: reporting first-hand; C copies, reposts, aggregators, caches, forums; D state media
#: of a party to the war (that party's own claim). Not published: assumption, derived.
PUBLISHED_GRADES = ("A", "B", "C", "D")
GRADES = (*PUBLISHED_GRADES, "assumption", "derived")
#: Grades strong enough to carry a figure alone, and those too weak to (their figures'
#: notes must say so).
STRONG_GRADES = ("A", "B")
WEAK_GRADES = ("C", "D")
#: The words a note must contain when every source of its figure is graded C or D.
WEAK_MARKER = "[C/D only]"

MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class TableSpec:
    """Schema of one packaged table: columns, key, and the checks its values must pass."""

    name: str
    description: str
    key: str
    columns: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (low, central, high) column triples that must be ordered low <= central <= high.
    ranges: tuple[tuple[str, str, str], ...] = ()
    sourced: bool = True


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "sources",
            "Every publication a figure comes from: title, publisher, URL, date.",
            "source_id",
            ("source_id", "title", "publisher", "url", "published", "reliability", "note"),
            dates=("published",),
            choices={"reliability": GRADES},
            sourced=False,
        ),
        TableSpec(
            "allies",
            "The 32 NATO members: ISO3 code, accession year, EU membership.",
            "iso3",
            ("iso3", "name", "accession_year", "eu_member", "source_id"),
            numeric=("accession_year",),
            choices={"eu_member": ("true", "false")},
        ),
        TableSpec(
            "adversary",
            "Russia and its declared suppliers of ammunition (role as published).",
            "iso3",
            ("iso3", "name", "role", "source_id", "note"),
            choices={"role": ("principal", "supplier", "dual-use supplier")},
        ),
        TableSpec(
            "partners",
            "States outside the alliance whose output is shown beside it, never summed "
            "into it (the speech's claim is about allies).",
            "iso3",
            ("iso3", "name", "role", "source_id", "note"),
        ),
        TableSpec(
            "lines",
            "Production lines, sites, national enterprises and supply flows, one per "
            "site and product; `in_baseline` says whether the baseline sums it.",
            "line_id",
            (
                "line_id",
                "name",
                "bloc",
                "operator",
                "country_iso3",
                "site",
                "product",
                "product_class",
                "calibre",
                "measure",
                "status",
                "in_baseline",
                "source_id",
                "note",
            ),
            choices={
                "bloc": BLOCS,
                "product_class": PRODUCT_CLASSES,
                "calibre": CALIBRES,
                "measure": MEASURES,
                "in_baseline": ("true", "false"),
            },
        ),
        TableSpec(
            "capacity_steps",
            "Capacity (or output, or transfer) timeline of each line: the rate ramps "
            "linearly from the previous step's level, from `first_output` to `full_rate`; "
            "`measure` says what the step's figure states where it differs from its line's.",
            "line_id,step",
            (
                "line_id",
                "step",
                "kind",
                "first_output",
                "full_rate",
                "measure",
                "rate_low_per_year",
                "rate_central_per_year",
                "rate_high_per_year",
                "source_id",
                "note",
            ),
            numeric=(
                "step",
                "rate_low_per_year",
                "rate_central_per_year",
                "rate_high_per_year",
            ),
            months=("first_output", "full_rate"),
            choices={"kind": STEP_KINDS, "measure": ("", *MEASURES)},
            ranges=(("rate_low_per_year", "rate_central_per_year", "rate_high_per_year"),),
        ),
        TableSpec(
            "bloc_estimates",
            "Bloc- and country-level published estimates, targets, transfers, firing "
            "rates and stocks, as published (unit column says per year/month/day).",
            "estimate_id",
            (
                "estimate_id",
                "entity",
                "measure",
                "calibre",
                "period_start",
                "period_end",
                "kind",
                "value_low",
                "value_central",
                "value_high",
                "unit",
                "source_id",
                "note",
            ),
            numeric=("value_low", "value_central", "value_high"),
            months=("period_start", "period_end"),
            choices={
                "measure": ("capacity", "output", "transfer", "fire", "stock", "need", "pledge"),
                "kind": ("estimate", "target", "actual", "claim"),
                "unit": ("rounds_per_year", "rounds_per_month", "rounds_per_day", "rounds"),
            },
            ranges=(("value_low", "value_central", "value_high"),),
        ),
        TableSpec(
            "published_estimates",
            "Every published total the model can be checked against: entity (alliance, "
            "Europe, EU, an ally, RUS, PRK, IRN), measure, period and value as published; "
            "`used_by` names the line whose steps were built from it ('' = independent).",
            "estimate_id",
            (
                "estimate_id",
                "entity",
                "measure",
                "counts",
                "period_start",
                "period_end",
                "kind",
                "value_low",
                "value_central",
                "value_high",
                "unit",
                "used_by",
                "source_id",
                "note",
            ),
            numeric=("value_low", "value_central", "value_high"),
            months=("period_start", "period_end"),
            choices={
                "measure": ("capacity", "output", "transfer"),
                "counts": ("stated", "complete"),
                "kind": ("estimate", "actual"),
                "unit": ("rounds_per_year", "rounds_per_month", "rounds"),
            },
            ranges=(("value_low", "value_central", "value_high"),),
        ),
        TableSpec(
            "unit_prices",
            "Published unit prices of artillery rounds (currency and price base explicit).",
            "price_id",
            (
                "price_id",
                "item",
                "calibre",
                "entity",
                "date",
                "currency",
                "price_base",
                "value_low",
                "value_central",
                "value_high",
                "unit",
                "source_id",
                "note",
            ),
            numeric=("value_low", "value_central", "value_high"),
            dates=("date",),
            choices={"currency": ("EUR", "USD", "GBP", "NOK", "PLN", "CZK")},
            ranges=(("value_low", "value_central", "value_high"),),
        ),
        TableSpec(
            "contracts",
            "Published ammunition contracts: buyer, supplier, quantity, value.",
            "contract_id",
            (
                "contract_id",
                "buyer",
                "supplier",
                "product",
                "calibre",
                "signed",
                "quantity_rounds",
                "value_million",
                "currency",
                "source_id",
                "note",
            ),
            numeric=("quantity_rounds", "value_million"),
            dates=("signed",),
        ),
        TableSpec(
            "defence_expenditure",
            "NATO's defence expenditure per ally and year (NATO definition): share of "
            "GDP in per cent, current-price USD where published; `estimate` as NATO marks it.",
            "iso3,year",
            (
                "iso3",
                "year",
                "defence_pct_gdp",
                "defence_usd_million_current",
                "estimate",
                "vintage",
                "source_id",
                "note",
            ),
            numeric=("year", "defence_pct_gdp", "defence_usd_million_current"),
            choices={"estimate": ("true", "false")},
        ),
        TableSpec(
            "gdp",
            "GDP per ally and year in current USD (billions), one row per published vintage.",
            "iso3,year,vintage",
            ("iso3", "year", "gdp_usd_billion_current", "vintage", "source_id", "note"),
            numeric=("year", "gdp_usd_billion_current"),
        ),
        TableSpec(
            "commitments",
            "Spending commitments as data: share, of what, floor or ceiling, by which year.",
            "commitment_id",
            ("commitment_id", "name", "share_pct", "of", "qualifier", "year", "source_id", "note"),
            numeric=("share_pct", "year"),
            choices={
                "of": ("gdp", "defence_expenditure"),
                "qualifier": ("at_least", "up_to", "total"),
            },
        ),
        TableSpec(
            "spending_aggregates",
            "NATO's published aggregates (whole alliance, Europe and Canada, United "
            "States) for checks: share of GDP or USD billions, with the price base.",
            "aggregate_id",
            (
                "aggregate_id",
                "group",
                "year",
                "measure",
                "value",
                "estimate",
                "vintage",
                "source_id",
                "note",
            ),
            numeric=("year", "value"),
            choices={
                "group": ("alliance", "europe_canada", "usa"),
                "measure": ("pct_gdp", "usd_billion_current", "usd_billion_constant_2021"),
                "estimate": ("true", "false"),
            },
        ),
        TableSpec(
            "lead_times",
            "Published order-to-delivery, construction and production-cycle times (months).",
            "lead_time_id",
            (
                "lead_time_id",
                "item",
                "entity",
                "date",
                "kind",
                "value_low_months",
                "value_central_months",
                "value_high_months",
                "source_id",
                "note",
            ),
            numeric=("value_low_months", "value_central_months", "value_high_months"),
            dates=("date",),
            choices={
                "kind": ("order_to_delivery", "construction", "production_cycle", "delay"),
            },
            ranges=(("value_low_months", "value_central_months", "value_high_months"),),
        ),
        TableSpec(
            "candidates",
            "Capacity the planner may build: a plant like a published one, its capital cost "
            "per unit of yearly capacity (as published, in its currency), lead and ramp.",
            "candidate_id",
            (
                "candidate_id",
                "name",
                "kind",
                "operator",
                "country_iso3",
                "site",
                "product_class",
                "reference_capacity_per_year",
                "capex_per_unit_low",
                "capex_per_unit_central",
                "capex_per_unit_high",
                "currency",
                "price_year",
                "lead_months",
                "ramp_months",
                "source_id",
                "note",
            ),
            numeric=(
                "reference_capacity_per_year",
                "capex_per_unit_low",
                "capex_per_unit_central",
                "capex_per_unit_high",
                "price_year",
                "lead_months",
                "ramp_months",
            ),
            choices={
                "kind": ("new_line", "expansion", "input_plant"),
                "product_class": PRODUCT_CLASSES,
                "currency": ("USD", "EUR", "PLN", "CAD", "GBP"),
            },
            ranges=(("capex_per_unit_low", "capex_per_unit_central", "capex_per_unit_high"),),
        ),
    )
}
