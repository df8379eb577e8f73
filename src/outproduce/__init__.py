"""outproduce: a sourced, reproducible model of the alliance's defence-industrial mobilisation.

Python API::

    import outproduce
    scenario = outproduce.load_scenario("baseline")
    run = outproduce.run(scenario, samples=2000, seed=1)  # the whole chain, once
    ds = outproduce.balance(run)  # a view of the run (no engine call)
    verdict = outproduce.claim(run)

Names are imported on first use (PEP 562), so ``outproduce --help`` does not load
numpy, pandas or xarray.
"""

from outproduce.lazy import lazy_getattr
from outproduce.version import __version__

_WHERE = {
    "run": "outproduce.analyses.run",
    "sensitivity": "outproduce.analyses.sensitivity",
    "discover": "outproduce.analyses.discover",
    "plan": "outproduce.analyses.plan",
    "outcome": "outproduce.analyses.outcomes",
    "given_data": "outproduce.analyses.sensitivity",
    "ensemble": "outproduce.interfaces.ensemble",
    "open_ensemble": "outproduce.interfaces.ensemble_store",
    "Run": "outproduce.analyses.run",
    "balance": "outproduce.analyses.balance",
    "summarise": "outproduce.analyses.balance",
    "calibrate": "outproduce.analyses.calibrate",
    "claim": "outproduce.analyses.claim",
    "simulate": "outproduce.analyses.simulation",
    "spending": "outproduce.analyses.spending",
    "summarise_spending": "outproduce.analyses.spending",
    "summarise_sustain": "outproduce.analyses.sustain",
    "sustain": "outproduce.analyses.sustain",
    "DATA_VERSION": "outproduce.data.catalog",
    "load_table": "outproduce.data.catalog",
    "InputError": "outproduce.errors",
    "load_scenario": "outproduce.scenario.loading",
    "Scenario": "outproduce.scenario.model",
    "apply_levers": "outproduce.scenario.levers",
}

__all__ = ["__version__", *sorted(_WHERE)]
__getattr__ = lazy_getattr(__name__, _WHERE)
