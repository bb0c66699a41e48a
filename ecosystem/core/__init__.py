"""The kernel every layer shares: columnar data, seeds and random streams, exact draws of
sufficient statistics, growable columns, atomic output and errors meant for people."""
