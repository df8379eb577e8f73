"""outproduce: a sourced, reproducible model of the alliance's defence-industrial mobilisation.

Python API::

    import outproduce
    scenario = outproduce.load_scenario("baseline")
    ds = outproduce.balance(scenario, samples=2000, seed=1)
"""

__version__ = "0.1.0"

from outproduce.analyses.balance import balance, summarise
from outproduce.analyses.calibrate import calibrate
from outproduce.analyses.claim import claim
from outproduce.analyses.simulation import simulate
from outproduce.analyses.spending import spending, summarise_spending
from outproduce.analyses.sustain import summarise_sustain, sustain
from outproduce.data.catalog import DATA_VERSION, load_table
from outproduce.errors import InputError
from outproduce.scenario.loading import load_scenario

__all__ = [
    "DATA_VERSION",
    "InputError",
    "__version__",
    "balance",
    "calibrate",
    "claim",
    "load_scenario",
    "load_table",
    "simulate",
    "spending",
    "summarise",
    "summarise_spending",
    "summarise_sustain",
    "sustain",
]
