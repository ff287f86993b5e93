"""Many solves: sweep designs and their parameters, the sweep runner, the cost-risk frontier
and the stress test of a plan."""
