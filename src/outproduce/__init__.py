"""outproduce: a sourced, reproducible model of the alliance's defence-industrial mobilisation.

Python API::

    import outproduce
    scenario = outproduce.load_scenario("baseline")
    ds = outproduce.balance(scenario, samples=2000, seed=1)
"""

__version__ = "0.1.0"

from outproduce.analyses.balance import balance, summarise  # noqa: E402
from outproduce.data.catalog import DATA_VERSION, load_table  # noqa: E402
from outproduce.errors import InputError  # noqa: E402
from outproduce.scenario.loading import load_scenario  # noqa: E402

__all__ = [
    "DATA_VERSION",
    "InputError",
    "__version__",
    "balance",
    "load_scenario",
    "load_table",
    "summarise",
]
