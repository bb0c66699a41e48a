"""Scenario files: typed, frozen parameter models and the YAML loader that reports errors."""

from ecosystem.config.loader import load_scenario, parse_overrides, validate_text
from ecosystem.config.schema import LoopScenario, Scenario, scenario_json_schema

__all__ = [
    "LoopScenario",
    "Scenario",
    "load_scenario",
    "parse_overrides",
    "scenario_json_schema",
    "validate_text",
]
