"""Every limit on what a scenario or a run may ask for, in one place.

Each is far above what the packaged data need and far below what would hang, exhaust
memory or overflow; each is checked before any work is done, with one clear error.
The README lists them (section *Limits*).
"""

from __future__ import annotations

#: Largest scenario file read, in bytes (the built-in baseline is about 15 KB). The cap
#: holds on what is actually read, so pipes and devices are bounded too.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of YAML mappings and lists (the baseline needs 6).
MAX_DEPTH = 40
#: Most YAML values in one document (the baseline has about 1,000).
MAX_NODES = 200_000
#: Most Monte Carlo samples (``samples:`` or ``--samples``); a run that would not fit in
#: this machine's memory is refused before it starts, with what it would need.
MAX_SAMPLES = 1_000_000
#: First and last year a horizon may span (the data start in 2014; plans end by 2060).
HORIZON_YEARS = (1990, 2100)
#: Most lines, contracts and holders in one scenario (the baseline: 14, 3, 2).
MAX_LINES = 1_000
MAX_CONTRACTS = 5_000
MAX_HOLDERS = 500
#: Largest magnitude of any number or draw: far above any quantity in this model
#: (rounds, tonnes, shares, months), far below float overflow in sums and products.
MAX_MAGNITUDE = 1e12
#: Uniform draws stay inside (U_MIN, 1 - U_MIN) (the sampler clips them), so unbounded
#: inverse CDFs stay finite: about 7 standard deviations either way.
U_MIN = 1e-12
