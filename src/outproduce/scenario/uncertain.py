"""Uncertain numbers: a fixed value, a published low/central/high range, or a distribution.

Every numeric assumption of a scenario is one of these. Each maps a uniform draw
``u`` in (0, 1) to a value through its inverse CDF (``ppf``), so the sampler can
hand every input its own seeded stream and correlate inputs by sharing ``u``.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from scipy import special  # ndtri and betaincinv: scipy.stats's ppfs, lighter to import

from outproduce.scenario.limits import MAX_MAGNITUDE, U_MIN

DISTRIBUTIONS = ("normal", "lognormal", "triangular", "uniform", "pert")


class _Uncertain(BaseModel):
    """Common fields: every non-fixed value may say where it comes from and why."""

    # NaN or infinity is never a published figure nor a usable assumption.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    note: str = ""
    source: str = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Map uniforms in (0, 1) to values."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _draws_stay_finite(self) -> _Uncertain:
        with np.errstate(all="ignore"):  # an overflow is what this check reports
            extreme = self.ppf(np.array([U_MIN, 1 - U_MIN]))
        if not np.all(np.isfinite(extreme)) or np.abs(extreme).max() > MAX_MAGNITUDE:
            raise ValueError(
                f"draws reach {extreme[0]:g} .. {extreme[1]:g}; expected draws within "
                f"+-{MAX_MAGNITUDE:g} (narrow the spread)"
            )
        return self

    def median(self) -> float:
        """The value at u = 0.5, used where one number must be shown."""
        return float(self.ppf(np.array([0.5]))[0])

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the draw can take (may be infinite)."""
        return float(self.ppf(np.array([0.0]))[0]), float(self.ppf(np.array([1.0]))[0])


def _pert_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Beta-PERT (lambda = 4): the usual three-point estimate, smooth and bounded."""
    if high == low:
        return np.full_like(u, low, dtype=float)
    alpha = 1 + 4 * (mode - low) / (high - low)
    beta = 1 + 4 * (high - mode) / (high - low)
    return low + (high - low) * special.betaincinv(alpha, beta, u)


def _triangular_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Closed-form inverse CDF of the triangular distribution (exact and fast)."""
    u = np.asarray(u, dtype=float)
    if high == low:
        return np.full_like(u, low)
    c = (mode - low) / (high - low)
    rising = low + np.sqrt(u * (high - low) * (mode - low))
    falling = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < c, rising, falling)


def _check_order(values: dict[str, float | None]) -> None:
    present = [(k, v) for k, v in values.items() if v is not None]
    for (k1, v1), (k2, v2) in pairwise(present):
        if v1 > v2:
            order = " <= ".join(k for k, _ in present)
            raise ValueError(f"{k1} ({v1:g}) > {k2} ({v2:g}); expected {order}")


class Range(_Uncertain):
    """A published range: triangular through ``central`` when given, else uniform.

    Published ranges are kept as ranges; a central value is used only when one
    was published (the data never invents a point inside a range). Triangular rather
    than PERT: it keeps more weight on the published extremes (honest where sources
    conflict) and its inverse CDF is closed-form, so drawing is exact and fast.
    """

    low: float
    central: float | None = None
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        _check_order({"low": self.low, "central": self.central, "high": self.high})
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Triangular(low, central, high), or uniform(low, high) without a central value."""
        if self.central is None:
            return self.low + (self.high - self.low) * np.asarray(u, dtype=float)
        return _triangular_ppf(u, self.low, self.central, self.high)


class Normal(_Uncertain):
    """Normal(mean, sd); rates drawn from it are clipped at zero by the engine."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse normal CDF."""
        return self.mean + self.sd * special.ndtri(u)


class LogNormal(_Uncertain):
    """Log-normal given by its median and the standard deviation of its logarithm."""

    dist: Literal["lognormal"]
    median_value: float = Field(gt=0, alias="median")
    sigma: float = Field(gt=0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Median * exp(sigma * z)."""
        return self.median_value * np.exp(self.sigma * special.ndtri(u))


class Triangular(_Uncertain):
    """Triangular(low, mode, high)."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        _check_order({"low": self.low, "mode": self.mode, "high": self.high})
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse triangular CDF."""
        return _triangular_ppf(u, self.low, self.mode, self.high)


class Uniform(_Uncertain):
    """Uniform(low, high)."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        _check_order({"low": self.low, "high": self.high})
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Low + (high - low) * u."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


class Pert(_Uncertain):
    """Beta-PERT(low, mode, high)."""

    dist: Literal["pert"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Pert:
        _check_order({"low": self.low, "mode": self.mode, "high": self.high})
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse PERT CDF."""
        return _pert_ppf(np.asarray(u, dtype=float), self.low, self.mode, self.high)


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "fixed"
    if isinstance(value, _Uncertain):
        return getattr(value, "dist", "range")
    if isinstance(value, dict):
        dist = value.get("dist", "range")
        return dist if dist in (*DISTRIBUTIONS, "range") else None
    return None


UNCERTAIN_HELP = (
    "expected a number, a range {low, central, high} (central optional), or "
    "{dist: normal|lognormal|triangular|uniform|pert, ...}"
)

Uncertain = Annotated[
    Annotated[float, Tag("fixed"), Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
    | Annotated[Range, Tag("range")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Pert, Tag("pert")],
    Discriminator(_kind, custom_error_type="uncertain_value", custom_error_message=UNCERTAIN_HELP),
]


def ppf(value: float | _Uncertain, u: np.ndarray) -> np.ndarray:
    """Map uniforms to values for any uncertain input (a fixed number ignores ``u``)."""
    if isinstance(value, _Uncertain):
        return np.asarray(value.ppf(u), dtype=float)
    return np.full(np.shape(u), float(value))


def bounds(value: float | _Uncertain) -> tuple[float, float]:
    """Range of values an uncertain input can take."""
    if isinstance(value, _Uncertain):
        return value.bounds()
    return float(value), float(value)


def median(value: float | _Uncertain) -> float:
    """One representative number (the median draw)."""
    return value.median() if isinstance(value, _Uncertain) else float(value)


def describe(value: float | _Uncertain) -> str:
    """Short human text, e.g. ``0.9 .. 1 (central 1)`` or ``triangular(0, 6, 18)``."""
    if not isinstance(value, _Uncertain):
        return f"{value:g}"
    if isinstance(value, Range):
        text = f"{value.low:g} .. {value.high:g}"
        return text + (f" (central {value.central:g})" if value.central is not None else "")
    fields = value.model_dump(exclude={"note", "source", "dist"}, by_alias=True)
    inner = ", ".join(f"{k}={v:g}" for k, v in fields.items())
    return f"{value.dist}({inner})"  # type: ignore[attr-defined]


def scale(value: float | _Uncertain, factor: float) -> float | _Uncertain:
    """The same uncertain value multiplied by ``factor`` (> 0): every location and spread.

    A lognormal scales its median (its sigma is relative); a normal its mean and sd.
    """
    if factor <= 0:
        raise ValueError(f"expected a positive factor, got {factor:g}")
    if not isinstance(value, _Uncertain):
        return value * factor
    fields = value.model_dump(exclude={"note", "source", "dist"}, by_alias=False)
    scaled = {k: (v if k == "sigma" or v is None else v * factor) for k, v in fields.items()}
    said = f"[Scaled x{factor:g} from the source's values.]"
    return value.model_copy(update=scaled | {"note": f"{value.note} {said}".strip()})
