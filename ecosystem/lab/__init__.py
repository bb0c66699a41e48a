"""Lab mode: the papers' recursive fit -> sample -> refit experiments, vectorised over replicas."""
