"""The one engine: a monthly grid, seeded sampling, and vectorised line rates.

State is held as numpy arrays shaped (sample, entity, month); xarray appears only at
the boundary, in the analyses that return datasets.
"""
