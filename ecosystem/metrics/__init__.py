"""Metrics computed from data: quality of samples against the truth."""
