"""Random outages: months in which a line is stopped.

Each month an outage starts with the line's monthly probability and stops the line
for ``duration_months`` (overlapping outages merge). The draws come from the line's
own stream, one uniform per sample and month, so they do not depend on chunking.
"""

from __future__ import annotations

import numpy as np

from outproduce.engine.sampling import uniforms
from outproduce.scenario.model import Scenario


def availability(
    scenario: Scenario, line_ids: list[str], samples: int, seed: int, months: int, offset: int = 0
) -> dict[int, np.ndarray]:
    """Per line index with outages: (sample, month) array, 1 where running, 0 where stopped."""
    result: dict[int, np.ndarray] = {}
    for index, line_id in enumerate(line_ids):
        outages = scenario.lines[line_id].outages
        if outages is None or outages.monthly_probability == 0:
            continue
        stream = f"line:{line_id}:outage"
        u = uniforms(seed, stream, samples * months, offset * months).reshape(samples, months)
        starts = np.cumsum(u < outages.monthly_probability, axis=1)
        lagged = np.zeros_like(starts)
        d = outages.duration_months
        lagged[:, d:] = starts[:, :-d] if d < months else 0
        result[index] = (starts - lagged == 0).astype(float)
    return result
