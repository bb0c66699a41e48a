"""Sweeps: what-if studies over levers, uncertainties and seeds, with confidence intervals.

``spec`` (the YAML format and its checks), ``design`` (grid, LHS, Sobol, Morris points and
replication seeds), ``executors`` (a local process pool or Ray), ``run`` (members, re-runs and
the output tables), ``outcomes`` (one number per member), ``summary`` (intervals and
sensitivity indices), ``policies`` (docs/POLICIES.md).
"""
