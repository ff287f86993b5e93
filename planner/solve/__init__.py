"""From validated data to a solution: the mode dispatcher, the deterministic and stochastic
pipelines, the in-place re-solve, and everything that talks to HiGHS (planner/solve/highs.py)."""
