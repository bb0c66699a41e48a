"""The outcome catalog is the truth about every table: small runs of every kind, every learner
and every optional table write exactly the columns it lists, with its dtypes; the reference in
docs/ is generated from it; reporters, summaries and the dashboard read it."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.catalog import quantity
from ecosystem import outcomes
from ecosystem.config import validate_text
from ecosystem.runner import KINDS
from ecosystem.world.reporters import STEP_REPORTERS, Recorder
from tests.conftest import ROOT, SCENARIOS
from tests.ecosystem_scenarios import TINY

_VECTORS_SCALING = """\
kind: scaling
name: vectors_scaling
seed: 3
truth: {modality: vectors, dim: 2}
learner: {kind: gaussian}
scaling: {train_sizes: [20, 40], real_fractions: [0.0, 1.0], generator_samples: 100,
          replicas: 2, test_samples: 50}
"""

_TRANSFORMER = [
    "truth.bpe_vocab_size=300",
    "learner.n_layer=1",
    "learner.n_embd=16",
    "learner.n_head=2",
    "learner.epochs=1",
    "learner.device=cpu",
]

RUNS: dict[str, tuple[str, list[str]]] = {
    # name: (scenario text or shipped file, overrides)
    "ecosystem": (TINY, ["steps=4"]),
    "loop gaussian": ("loop_gaussian.yaml", ["loop.replicas=3", "loop.generations=2"]),
    "loop gmm": (
        "papers/shumailov_gmm.yaml",
        ["loop.replicas=2", "loop.generations=1", "loop.samples_per_generation=60"],
    ),
    "loop linear": ("papers/gerstgrasser_linear.yaml", ["loop.replicas=3", "loop.generations=2"]),
    "loop ngram": (
        "loop_tokens.yaml",
        ["loop.replicas=2", "loop.generations=1", "loop.samples_per_generation=50"],
    ),
    "loop survival": ("papers/discrete_collapse.yaml", ["loop.replicas=3", "loop.generations=2"]),
    "loop transformer": (
        "transformer_tiny.yaml",
        [
            *_TRANSFORMER,
            "loop.generations=1",
            "loop.samples_per_generation=16",
            "loop.test_samples=16",
            "metrics.sample_size=10",
        ],
    ),
    "scaling ngram": (
        "papers/dohmatob_tail.yaml",
        [
            "truth.vocab_size=50",
            "scaling.train_sizes=[20, 40]",
            "scaling.generator_samples=200",
            "scaling.replicas=2",
            "scaling.test_samples=50",
        ],
    ),
    "scaling gaussian": (_VECTORS_SCALING, []),
    "scaling gmm": (_VECTORS_SCALING.replace("{kind: gaussian}", "{kind: gmm, components: 2}"), []),
    "scaling linear": (
        _VECTORS_SCALING.replace(
            "{modality: vectors, dim: 2}", "{modality: labeled, dim: 3}"
        ).replace("{kind: gaussian}", "{kind: linear}"),
        [],
    ),
    "scaling transformer": (
        (SCENARIOS / "transformer_tiny.yaml")
        .read_text()
        .replace("kind: loop", "kind: scaling")
        .split("\nloop:")[0]
        + "\nscaling: {train_sizes: [16], real_fractions: [0.5], generator_samples: 16,"
        " replicas: 1, test_samples: 16}\n",
        _TRANSFORMER,
    ),
}


def _scenario(name: str):
    source, overrides = RUNS[name]
    if source.endswith(".yaml"):
        return validate_text((SCENARIOS / source).read_text(), source, overrides)
    return validate_text(source, f"{name}.yaml", overrides)


@pytest.fixture(scope="module")
def produced() -> dict[str, tuple[str, dict[str, pl.DataFrame]]]:
    """Every run of ``RUNS``: its kind and tables as the kind's code makes them (before the
    runner conforms them to the catalog, so the code itself must agree with the catalog)."""
    out = {}
    for name in RUNS:
        scenario = _scenario(name)
        out[name] = (scenario.kind, KINDS[scenario.kind].simulate(scenario, None))
    return out


def test_every_column_of_every_table_is_in_the_catalog_with_its_dtype(produced):
    for name, (kind, tables) in produced.items():
        for table, frame in tables.items():
            catalog = outcomes.schema(table, kind)  # KeyError: a table the catalog lacks
            for column, dtype in frame.schema.items():
                assert column in catalog, f"{name}: {kind} {table}.{column} is not in the catalog"
                assert dtype == catalog[column], f"{name}: {table}.{column} is {dtype}"
            # columns keep the catalog's order (the lab writes only those its learner has)
            assert [c for c in catalog if c in frame.columns] == frame.columns, name


def test_ecosystem_tables_are_exactly_the_catalog_schemas(produced):
    kind, tables = produced["ecosystem"]
    assert sorted(tables) == sorted(t.name for t in outcomes.tables(kind))
    for table, frame in tables.items():
        assert frame.height > 0
        assert dict(frame.schema) == outcomes.schema(table, kind), table


def test_every_catalog_column_is_written_by_some_run(produced):
    written = {
        (kind, table, column)
        for kind, tables in produced.values()
        for table, frame in tables.items()
        for column in frame.columns
    }
    listed = {(t.kind, t.name, c.name) for t in outcomes.TABLES for c in t.columns}
    assert listed - written == set()


def test_outputs_reference_in_docs_is_current():
    text = (ROOT / "docs" / "OUTPUTS.md").read_text(encoding="utf-8")
    assert text == outcomes.outputs_markdown(), (
        "docs/OUTPUTS.md is stale: run `python -m ecosystem.outcomes docs/OUTPUTS.md`"
    )


def test_reference_lists_every_table_and_column():
    text = outcomes.outputs_markdown()
    for t in outcomes.TABLES:
        section = text.split(f"## `kind: {t.kind}`", 1)[1].split(f"### `{t.name}.parquet`", 1)[1]
        section = section.split("\n### ", 1)[0].split("\n## ", 1)[0]
        for c in t.columns:
            assert f"| `{c.name}` | {c.dtype} | {c.label} |" in section


def test_step_reporters_are_the_steps_columns_in_order():
    assert list(STEP_REPORTERS) == list(outcomes.schema("steps", "ecosystem"))
    assert all(fn.__name__ == name for name, fn in STEP_REPORTERS.items())


def test_empty_tables_keep_their_typed_columns():
    tables = Recorder().tables()
    for table, frame in tables.items():
        assert frame.height == 0 and dict(frame.schema) == outcomes.schema(table, "ecosystem")


def test_a_name_means_the_same_in_every_table():
    for t in outcomes.TABLES:
        for c in t.columns:
            shared = outcomes.QUANTITIES[c.name]
            assert (c.label, c.unit, c.fmt, c.better) == (
                shared.label,
                shared.unit,
                shared.fmt,
                shared.better,
            )
            assert c.meaning and c.label and c.better in ("lower", "higher", "one", None)
    assert set(outcomes.QUANTITIES) == {c.name for t in outcomes.TABLES for c in t.columns}


def test_conform_orders_and_types_by_the_catalog_and_refuses_unknown_columns():
    frame = pl.DataFrame({"generation": [0, 1], "strategy": ["replace"] * 2, "w2": [0.1, 0.2]})
    out = outcomes.conform(frame, "generations", "loop")
    assert out.columns == ["strategy", "generation", "w2"]
    assert out.schema["generation"] == pl.Int32
    with pytest.raises(KeyError, match=r"columns not in the outcome catalog: \['bogus'\]"):
        outcomes.conform(frame.with_columns(bogus=1), "generations", "loop")


def test_lookups():
    assert outcomes.outcome("replica", "samples", "loop").dtype == pl.Int64
    assert outcomes.outcome("replica", "generations", "loop").dtype == pl.Int32
    assert outcomes.outcome("tail_mass_ratio").better == "one"
    assert outcomes.outcome("excess_cross_entropy").title == "Excess cross-entropy (nats/token)"
    assert outcomes.table("firms", "ecosystem").rows == "company and step"
    with pytest.raises(KeyError, match="no output column 'nope'"):
        outcomes.outcome("nope")
    with pytest.raises(KeyError, match="no table 'firms' in kind 'loop'"):
        outcomes.table("firms", "loop")
    with pytest.raises(KeyError, match="unknown scenario kind"):
        outcomes.tables("sweep")


def test_titled_names_columns_by_label_and_unit():
    frame = pl.DataFrame({"strategy": ["replace"], "w2": [0.1], "replicas": [3]})
    titled = outcomes.titled(frame, "generations", "loop")
    assert titled.columns == ["Data strategy", "W2 distance to truth (data units)", "replicas"]


def test_shares_show_as_percentages():
    share = outcomes.outcome("ai_share_web")
    assert share.show(0.25) == "25.0%" and share.show(0.05, signed=True) == "+5.0 pts"
    assert outcomes.outcome("docs_total").show(12345.0) == "12,345"


def test_dashboard_reads_the_catalog():
    for name in ("excess_cross_entropy", "ai_share_new", "quality", "train_docs"):
        shown, defined = quantity(name), outcomes.outcome(name)
        assert (shown.label, shown.unit, shown.fmt, shown.better) == (
            defined.label,
            defined.unit,
            defined.fmt,
            defined.better,
        )
        assert shown.help == defined.meaning
    assert quantity("moat_gap").label == "Moat gap"  # derived by the dashboard
    assert quantity("not_a_column").label == "Not a column"
