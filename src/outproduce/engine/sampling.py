"""Seeded uniform draws, one stream per named input.

Each uncertain input gets its own stream, spawned from the scenario seed and a stable
hash of the input's name. The draws therefore do not depend on how samples are
chunked or spread over workers, nor on which other inputs exist: adding a line does
not change the draws of the others.

A run of samples ``offset .. offset + samples`` draws exactly those elements of each
stream (the generator is advanced past the first ``offset``), so an ensemble split into
chunks of samples gets the numbers of one run of all its samples.
"""

from __future__ import annotations

import zlib

import numpy as np

from outproduce.scenario.limits import U_MIN


def uniforms(seed: int, name: str, samples: int, offset: int = 0) -> np.ndarray:
    """Uniforms ``offset .. offset + samples`` in (0, 1) of the stream of input ``name``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))
    # One 64-bit step of PCG64 per float64 draw: advancing by ``offset`` skips them.
    u = np.random.Generator(np.random.PCG64(sequence).advance(offset)).random(samples)
    # Keep draws strictly inside (0, 1) so unbounded inverse CDFs stay finite.
    return np.clip(u, U_MIN, 1 - U_MIN)
