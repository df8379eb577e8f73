"""Analyses: views on the one engine. Each reads a Scenario and returns an xarray.Dataset."""
