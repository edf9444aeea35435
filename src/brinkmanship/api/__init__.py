"""The Python API (docs/python.md): ``bk.load(...)`` gives a :class:`Scenario` whose
methods run it and return results with Arrow, pandas and polars tables."""

from brinkmanship.api.results import Comparison, Evaluation, MonteCarlo, Sweep
from brinkmanship.api.scenario import Scenario, load
from brinkmanship.api.trajectory import Trajectory

__all__ = ["Comparison", "Evaluation", "MonteCarlo", "Scenario", "Sweep", "Trajectory", "load"]
