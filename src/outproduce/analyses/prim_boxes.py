"""PRIM boxes over a table of inputs: the EMA Workbench's PRIM, and the box to report.

Kept apart from ``discover`` (which makes the table from a run, and says the boxes in
words): this part needs nothing but numpy, pandas and the workbench.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

#: The smallest density a box must reach (share of its samples where the outcome holds).
DENSITY = 0.8
MAX_BOXES = 3


def find_boxes(
    x: pd.DataFrame, holds: np.ndarray, density: float = DENSITY, most: int = MAX_BOXES
) -> list[dict[str, Any]]:
    """PRIM boxes over ``x`` (samples x inputs) for the samples where ``holds``.

    Each box: ``coverage``, ``density``, ``mass`` and ``limits`` — for each input the box
    restricts, its (low, high), None on a side it leaves open.
    """
    with warnings.catch_warnings():  # the workbench warns about optional parallel back ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        finder = prim.Prim(x, holds.astype(bool), threshold=density, peel_alpha=0.05)
        boxes = []
        for _ in range(most):
            box = finder.find_box()
            if box is None or box.density < density:
                break
            _simplify(box, density)
            if box.density >= density:  # a later box on what is left may be too thin
                boxes.append(_limits(box, x))
    return boxes


#: A restriction whose quasi-p-value exceeds this says nothing: it is dropped.
SIGNIFICANCE = 0.05


def _simplify(box: Any, density: float) -> None:
    """The point of the peeling trajectory to report, and only its telling limits.

    Of the points dense enough, the best balance of coverage and density (their harmonic
    mean; then the fewest restricted inputs). Then each restriction whose quasi-p-value
    (the chance a random restriction of that size would do as well) is above 5% is
    dropped, least telling first, as long as the box stays dense enough, so the box
    names only the inputs that matter.
    """
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= density]
    if dense.empty:
        return
    balance = 2 * dense["coverage"] * dense["density"] / (dense["coverage"] + dense["density"])
    best = (
        dense.assign(balance=balance)
        .sort_values(["balance", "res_dim"], ascending=[False, True])
        .index[0]
    )
    box.select(int(best))
    weak = [
        (min(p for p in sides if p >= 0), name)
        for name, sides in box.qp[int(best)].items()
        if any(p >= 0 for p in sides)
    ]
    current = int(best)  # the point reported so far
    for p_value, name in sorted(weak, reverse=True):  # the least telling first
        if p_value <= SIGNIFICANCE:
            break
        box.drop_restriction(name)  # appends a point without it to the trajectory
        if box.density < density:  # dropping it would leave the box too thin: keep it
            box.select(current)
        else:
            current = len(box.peeling_trajectory) - 1


def _limits(box: Any, x: pd.DataFrame) -> dict[str, Any]:
    lims = box.box_lim  # row 0: lower limits, row 1: upper limits, one column per input
    limits: dict[str, tuple[float | None, float | None]] = {}
    for name in x.columns:
        low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        low_open = low <= float(x[name].min())
        high_open = high >= float(x[name].max())
        if not (low_open and high_open):
            limits[str(name)] = (None if low_open else low, None if high_open else high)
    return {
        "coverage": float(box.coverage),
        "density": float(box.density),
        "mass": float(box.mass),
        "limits": limits,
    }
