"""The sweep spec: a base scenario, levers and uncertainties, replications, a design, outcomes.

A sweep spec is YAML validated like a scenario: every mistake is one line ``FILE:LINE:
field.path: message``. Parameters are named by the base scenario's field paths (list items by
index or by their ``name``: ``trainers.open_web.crawl_budget``); each path and each value is
checked against the base scenario's schema before anything runs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from ecosystem.config import yaml_reader
from ecosystem.config.base import Params, Real
from ecosystem.config.loader import Key, _problems, validate_text
from ecosystem.core.errors import Problem, ScenarioError

MEMBER_CAP = 500
"""More members than this need ``--yes``: a typo in ``samples`` should not start a week of runs."""

Design = Literal["grid", "lhs", "sobol", "morris"]
TABLES = ("steps", "generations", "firms")

FilterValue = str | int | float | bool
RESERVED = ("seed", "member", "point", "replication", "status", "error", "wall_seconds")


class Range(Params):
    """A continuous interval of values, sampled by lhs, sobol and morris designs."""

    low: Real = Field(description="Lowest value.")
    high: Real = Field(description="Highest value (above low).")
    log: bool = Field(False, description="Sample on a log scale (low must be above 0).")
    integer: bool = Field(False, description="Round sampled values to whole numbers.")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"log: true needs low > 0 (got {self.low:g})")
        return self

    def scale(self, unit: float) -> float | int:
        """The value at ``unit`` in [0, 1] of the interval (on a log scale when ``log``)."""
        if self.log:
            lo, hi = math.log(self.low), math.log(self.high)
            value = math.exp(lo + unit * (hi - lo))
        else:
            value = self.low + unit * (self.high - self.low)
        value = min(max(value, self.low), self.high)
        return round(value) if self.integer else float(value)


class Parameter(Params):
    """One scenario field the sweep varies: a list of values or a range."""

    values: list[Any] | None = Field(
        None, min_length=1, description="The values to try (grid, lhs)."
    )
    range: Range | None = Field(None, description="An interval (lhs, sobol, morris).")

    @model_validator(mode="after")
    def _one_of(self) -> Parameter:
        if (self.values is None) == (self.range is None):
            raise ValueError("give exactly one of values: [...] or range: {low, high}")
        return self

    def candidates(self) -> list[Any]:
        """Values checked against the schema before the sweep runs (a range's two ends)."""
        if self.values is not None:
            return list(self.values)
        assert self.range is not None
        return [self.range.scale(0.0), self.range.scale(1.0)]


class OutcomeSpec(Params):
    """A named quantity of every member: a column of one table at one time."""

    table: Literal["steps", "generations", "firms"] = Field(description="The run table.")
    column: str = Field(min_length=1, description="A column of that table.")
    at: Literal["last", "max", "mean"] = Field(
        "last",
        description="last: its value at the last step or generation; max: its largest; "
        "mean: its mean over the last `window` steps or generations (all when null). Rows "
        "sharing a step (replicas, several trainers) are averaged first.",
    )
    window: int | None = Field(None, ge=1, description="at: mean: steps or generations.")
    filter: dict[str, FilterValue] = Field(
        default_factory=dict,
        description="Keep rows whose columns equal these values, e.g. trainer: open_web.",
    )
    better: Literal["lower", "higher", "one"] | None = Field(
        None, description="Which way is better (default: the outcome catalog's direction)."
    )

    @model_validator(mode="after")
    def _window(self) -> OutcomeSpec:
        if self.window is not None and self.at != "mean":
            raise ValueError("window applies to at: mean only")
        return self


class SweepSpec(Params):
    """A what-if study: levers x uncertainties x replications of one base scenario."""

    description: str = Field("", description="What question the sweep answers.")
    base: str = Field(min_length=1, description="The base scenario file, relative to the spec.")
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="Field path -> value applied to every member (e.g. a reduced world).",
    )
    levers: dict[str, Parameter] = Field(
        default_factory=dict, description="What a decision maker sets: field path -> values."
    )
    uncertainties: dict[str, Parameter] = Field(
        default_factory=dict, description="What nobody controls: field path -> values."
    )
    replications: int = Field(1, ge=1, le=100_000, description="Seeds per parameter point.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Root seed of designs and members.")
    design: Design = Field(
        "grid",
        description="grid: every combination of values; lhs: Latin hypercube of `samples` "
        "points; sobol: Saltelli sampling for Sobol indices (samples x (k + 2) points); "
        "morris: `samples` elementary-effect trajectories (samples x (k + 1) points).",
    )
    samples: int | None = Field(
        None, ge=1, le=1_000_000, description="lhs, sobol, morris: the design's size."
    )
    outcomes: dict[str, OutcomeSpec] = Field(
        min_length=1, description="Named quantities recorded for every member."
    )

    def parameters(self) -> dict[str, tuple[str, Parameter]]:
        """Field path -> (role, parameter), levers first."""
        out = {path: ("lever", p) for path, p in self.levers.items()}
        out.update({path: ("uncertainty", p) for path, p in self.uncertainties.items()})
        return out


class LoadedSweep:
    """A validated sweep spec with where it came from.

    Attributes:
        spec: the validated spec.
        source: the spec file.
        base_path: the base scenario file (resolved relative to the spec).
        lines: field path -> line of the spec file.
    """

    def __init__(self, spec: SweepSpec, source: Path, base_path: Path, lines: dict[Key, int]):
        self.spec = spec
        self.source = source
        self.base_path = base_path
        self.lines = lines

    def line(self, *keys: str | int) -> int | None:
        """The spec's line for a field path (the nearest enclosing one that is known)."""
        probe: Key = tuple(keys)
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return self.lines.get(probe)


def format_value(value: Any) -> str:
    """A value as YAML text that reads back as the same value (``1e-05`` stays a float)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9)
    return text.removesuffix("\n...\n").removesuffix("\n")


def override(path: str, value: Any) -> str:
    """``path=value`` as ``ecosim run --set`` takes it."""
    return f"{path}={format_value(value)}"


def load_sweep(path: str | Path, cap: int | None = MEMBER_CAP) -> LoadedSweep:
    """Read and validate a sweep spec (and its parameters against the base scenario).

    Args:
        path: the spec file.
        cap: the most members allowed (None: no cap, as with ``--yes``).

    Raises:
        ScenarioError: one Problem per mistake, each with the spec's file and line.
    """
    path = Path(path)
    source = str(path)
    data, lines = yaml_reader.parse(yaml_reader.read_file(path), source)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, SweepSpec, data, source, lines, {})) from None
    loaded = LoadedSweep(spec, path, (path.parent / spec.base), lines)
    problems = _design_problems(loaded) + _outcome_problems(loaded)
    if not problems:
        problems = _path_problems(loaded)
    if not problems and cap is not None:
        from ecosystem.sweeps.design import point_count

        members = point_count(spec) * spec.replications
        if members > cap:
            where = "replications" if spec.design == "grid" else "samples"
            problems.append(
                Problem(
                    source,
                    loaded.line(where),
                    "",
                    f"{members} members is more than the cap of {cap} "
                    "(pass --yes to run them anyway, or shrink the design)",
                )
            )
    if problems:
        raise ScenarioError(problems)
    return loaded


def _design_problems(sweep: LoadedSweep) -> list[Problem]:
    spec, source = sweep.spec, str(sweep.source)
    problems = []
    params = spec.parameters()
    if not params:
        problems.append(Problem(source, 1, "levers", "no parameters: give levers or uncertainties"))
    for path in set(spec.levers) & set(spec.uncertainties):
        problems.append(
            Problem(
                source,
                sweep.line("uncertainties", path),
                f"uncertainties.{path}",
                "is also a lever (a field is either set or uncertain)",
            )
        )
    sampled = spec.design != "grid"
    if sampled and spec.samples is None:
        problems.append(
            Problem(source, sweep.line("design"), "samples", f"design {spec.design} needs samples")
        )
    if not sampled and spec.samples is not None:
        problems.append(
            Problem(
                source,
                sweep.line("samples"),
                "samples",
                "applies to designs lhs, sobol and morris (grid takes every combination)",
            )
        )
    for path, (role, param) in params.items():
        where = (f"{role}s", path) if role == "lever" else ("uncertainties", path)
        dotted = f"{where[0]}.{path}"
        if path in RESERVED:
            problems.append(
                Problem(
                    source,
                    sweep.line(*where),
                    dotted,
                    f"{path!r} cannot be swept (seeds come from replications and the root seed)"
                    if path == "seed"
                    else f"{path!r} names a column of runs.parquet; it cannot be a parameter",
                )
            )
        if spec.design == "grid" and param.values is None:
            problems.append(
                Problem(
                    source,
                    sweep.line(*where),
                    dotted,
                    "design grid needs values: [...] (a range suits lhs, sobol, morris)",
                )
            )
        if spec.design in ("sobol", "morris") and param.range is None:
            problems.append(
                Problem(
                    source,
                    sweep.line(*where),
                    dotted,
                    f"design {spec.design} needs range: {{low, high}}",
                )
            )
    return problems


def _outcome_problems(sweep: LoadedSweep) -> list[Problem]:
    from dashboard.catalog import QUANTITIES

    problems = []
    for name, outcome in sweep.spec.outcomes.items():
        if outcome.column not in QUANTITIES:
            known = ", ".join(sorted(QUANTITIES))
            problems.append(
                Problem(
                    str(sweep.source),
                    sweep.line("outcomes", name, "column"),
                    f"outcomes.{name}.column",
                    f"unknown column {outcome.column!r} (known: {known})",
                )
            )
    return problems


def _path_problems(sweep: LoadedSweep) -> list[Problem]:
    """Check every field path and value against the base scenario's schema."""
    source = str(sweep.source)
    try:
        base_text = sweep.base_path.read_text(encoding="utf-8")
    except OSError:
        return [
            Problem(
                source, sweep.line("base"), "base", f"scenario file not found: {sweep.base_path}"
            )
        ]
    base_source = str(sweep.base_path)
    common = {override(k, v): (("set", k), f"set.{k}") for k, v in sweep.spec.set.items()}
    problems: list[Problem] = []
    problems += _check(base_text, base_source, common, {}, sweep)
    if problems:
        return problems
    for path, (role, param) in sweep.spec.parameters().items():
        section = "levers" if role == "lever" else "uncertainties"
        for value in param.candidates():
            extra = {override(path, value): ((section, path), f"{section}.{path}")}
            found = _check(base_text, base_source, common, extra, sweep)
            problems += [p for p in found if p not in problems]
            if found:
                break
    return problems


def _check(
    base_text: str,
    base_source: str,
    common: dict[str, tuple[Key, str]],
    extra: dict[str, tuple[Key, str]],
    sweep: LoadedSweep,
) -> list[Problem]:
    """Validate the base with overrides; problems of an override point at its spec line."""
    named = {**common, **extra}
    try:
        validate_text(base_text, base_source, list(named))
    except ScenarioError as exc:
        out = []
        for problem in exc.problems:
            origin = named.get(problem.source.removeprefix("--set "))
            if origin is None:
                out.append(problem)
                continue
            keys, dotted = origin
            out.append(Problem(str(sweep.source), sweep.line(*keys), dotted, problem.message))
        return out
    return []
