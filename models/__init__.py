"""The optimisation formulation (Pyomo), one module per concern; see models/build.py."""

from models.build import build_model

__all__ = ["build_model"]
