"""From a solution to a plan: the Plan record, its tables, its risk measures and key figures.

Nothing here runs a solver: it reads solved values through the `Solution` protocol
(planner/results/solution.py)."""
