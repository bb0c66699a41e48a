"""What human data is worth to a firm: the moat scenario at several holding sizes.

Runs ``scenarios/data_moat.yaml`` with the incumbent's ``platform_docs`` (documents of its own
platform added to each generation) at several shares of its crawl budget, each in a fresh
process, and reports per size

- ``excess_saved``: the quality it buys, the incumbent's excess cross-entropy without holdings
  minus with them (nats/token), averaged over the generations trained after AI launched;
- ``extra_revenue``: its revenue over the run minus its revenue without holdings;
- ``proprietary_tokens``: the proprietary tokens it trained on over the run;
- ``break_even_price``: the licence price per 1,000 tokens at which the extra revenue pays for
  those tokens (extra revenue / tokens × 1,000; at or below 0 the data does not pay).

Run: ``python -m ecosystem.world.moat_value [--scale 1.0] [--out FILE] [--sensitivity]
[--chart docs/moat.png]``; it prints the table as Markdown (docs/MOAT.md holds the
baseline-size one), with ``--sensitivity`` the one-at-a-time swings of :data:`SWINGS` (which
parameter moves the moat most), with ``--chart`` the scenario's headline numbers
(:func:`moat_claims`) and its chart.
"""

from __future__ import annotations

import argparse
import copy
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import yaml

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "data_moat.yaml"
SHARES = (0.0, 0.1, 0.3, 1.0)
"""Holding sizes as shares of the incumbent's crawl budget per generation."""


def scaled(data: dict[str, Any], scale: float, steps: int | None = None) -> dict[str, Any]:
    """The scenario ``data`` with authors, entrants, farm output, crawl budgets and holdings
    scaled by ``scale`` (a smaller world with the same shape), and ``steps`` if given."""
    data = copy.deepcopy(data)
    if steps is not None:
        data["steps"] = steps
    if scale == 1.0:
        return data
    data["authors"]["count"] = max(50, round(data["authors"]["count"] * scale))
    data["authors"]["entrants_per_step"] *= scale
    data["farms"]["docs_per_step"] *= scale
    for trainer in data["trainers"]:
        trainer["crawl_budget"] = max(50, round(trainer["crawl_budget"] * scale))
    for company in data["companies"]:
        held = company.get("holdings", {})
        for key in ("platform_docs", "licence_docs", "snapshot_docs"):
            if key in held:
                held[key] = round(held[key] * scale)
        for key in ("endowment",):
            if key in held:
                held[key] *= scale
    data["market"]["consumers"] = data["market"].get("consumers", 0.0) * scale
    data["metrics"]["test_docs"] = max(200, round(data["metrics"]["test_docs"] * scale))
    data["metrics"]["sample_size"] = max(100, round(data["metrics"]["sample_size"] * scale))
    return data


def with_platform_docs(data: dict[str, Any], share: float) -> dict[str, Any]:
    """``data`` with the incumbent (the first company) taking ``share`` of its trainer's crawl
    budget from its own platform per generation."""
    data = copy.deepcopy(data)
    budget = data["trainers"][0]["crawl_budget"]
    data["companies"][0]["holdings"]["platform_docs"] = round(share * budget)
    return data


def run_tables(data: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """Run one scenario given as data (call in a fresh process: Mesa keeps models alive)."""
    from ecosystem.config import validate_text
    from ecosystem.world.run import run_ecosystem

    scenario = validate_text(yaml.safe_dump(data, sort_keys=False), "data_moat.yaml")
    return run_ecosystem(scenario)


def incumbent_outcome(tables: dict[str, pl.DataFrame], launch_step: int) -> dict[str, float]:
    """The incumbent's mean excess cross-entropy after launch, revenue and proprietary tokens."""
    generations = tables["generations"].filter(pl.col("trainer") == "incumbent")
    after = generations.filter(pl.col("step") > launch_step)
    firms = tables["firms"].filter(pl.col("company") == "Incumbent")
    return {
        "excess": float(after["excess_cross_entropy"].mean()),
        "revenue": float(firms["revenue"].sum()),
        "tokens": float(generations["proprietary_tokens"].sum()),
    }


def value_table(data: dict[str, Any], shares=SHARES, workers: int = 2) -> pl.DataFrame:
    """The value of human data per holding size (see the module docstring)."""
    variants = [with_platform_docs(data, s) for s in shares]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run_tables, variants))
    outcomes = [incumbent_outcome(t, data["launch_step"]) for t in results]
    base = outcomes[0]
    rows = []
    for share, variant, out in zip(shares, variants, outcomes, strict=True):
        extra = out["revenue"] - base["revenue"]
        rows.append(
            {
                "share_of_crawl": share,
                "platform_docs": variant["companies"][0]["holdings"]["platform_docs"],
                "excess_cross_entropy": out["excess"],
                "excess_saved": base["excess"] - out["excess"],
                "extra_revenue": extra,
                "proprietary_tokens": int(out["tokens"]),
                "break_even_price": 1000 * extra / out["tokens"] if out["tokens"] else None,
            }
        )
    return pl.DataFrame(rows)


ENTRANTS = ("entrant_a", "entrant_b")


def moat_claims(tables: dict[str, pl.DataFrame], launch_step: int) -> dict[str, float]:
    """The moat scenario's headline numbers (docs/MOAT.md), from its tables.

    - ``rise_*``: a trainer's excess cross-entropy at its last generation minus generation 0;
      ``factor``: the entrants' mean rise over the incumbent's;
    - ``share_start`` / ``share_end``: the incumbent's market share the step after launch and
      at the end; ``revenue_share_start`` / ``_end``: its share of all companies' revenue;
    - ``gap_peak`` / ``gap_end``: its moat gap at its peak and at the end;
      ``human_lead_peak`` / ``_end``: its human share of training data minus the entrants'
      mean, at its largest and at the end (the moat eroding as its platform fills with AI).
    """
    generations = tables["generations"].sort("generation")
    rise = {
        trainer: float(part["excess_cross_entropy"][-1] - part["excess_cross_entropy"][0])
        for (trainer,), part in generations.group_by("trainer", maintain_order=True)
    }
    firms = tables["firms"].sort("step")
    incumbent = firms.filter(pl.col("company") == "Incumbent")
    start = launch_step + 1
    total = firms.group_by("step").agg(pl.col("revenue").sum().alias("total"))
    revenue = incumbent.join(total, on="step").with_columns(
        (pl.col("revenue") / pl.col("total")).alias("revenue_share")
    )
    human = firms.pivot(on="company", index="step", values="human_share").with_columns(
        (pl.col("Incumbent") - (pl.col("EntrantA") + pl.col("EntrantB")) / 2).alias("lead")
    )
    entrants = sum(rise[t] for t in ENTRANTS) / len(ENTRANTS)
    return {
        **{f"rise_{t}": r for t, r in rise.items()},
        "rise_entrants": entrants,
        "factor": entrants / rise["incumbent"] if rise["incumbent"] > 0 else float("inf"),
        "share_start": float(incumbent.filter(pl.col("step") == start)["market_share"][0]),
        "share_end": float(incumbent["market_share"][-1]),
        "revenue_share_start": float(revenue.filter(pl.col("step") == start)["revenue_share"][0]),
        "revenue_share_end": float(revenue["revenue_share"][-1]),
        "gap_peak": float(incumbent["moat_gap"].max()),
        "gap_end": float(incumbent["moat_gap"][-1]),
        "human_lead_peak": float(human["lead"].max()),
        "human_lead_end": float(human["lead"][-1]),
    }


def moat_chart(tables: dict[str, pl.DataFrame]):
    """Excess cross-entropy per trainer over time beside each company's moat gap (Altair)."""
    import altair as alt

    generations = tables["generations"].select("trainer", "step", "excess_cross_entropy")
    firms = tables["firms"].select("company", "step", "moat_gap", "market_share")

    def lines(frame, column: str, title: str, axis_title: str, by: str, **axis):
        return (
            alt.Chart(frame.to_pandas(), title=title)
            .mark_line(point=by == "trainer")
            .encode(
                x=alt.X("step:Q", title="Step (months)"),
                y=alt.Y(f"{column}:Q", title=axis_title, axis=alt.Axis(**axis)),
                color=alt.Color(f"{by}:N", title=by.capitalize()),
            )
            .properties(width=330, height=260)
        )

    models = lines(
        generations,
        "excess_cross_entropy",
        "Each trainer's model (lower is better)",
        "Excess cross-entropy (nats/token)",
        "trainer",
    )
    gap = lines(
        firms,
        "moat_gap",
        "Moat gap: quality minus the best scraper's",
        "Moat gap (nats/token)",
        "company",
    )
    share = lines(firms, "market_share", "Market share", "Market share", "company", format="%")
    return alt.hconcat(models, gap, share).resolve_scale(color="independent")


def without_holdings(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every holding and licence removed (all companies scrape only)."""
    data = copy.deepcopy(data)
    for company in data["companies"]:
        company.pop("holdings", None)
    data.pop("licences", None)
    return data


SWINGS: dict[str, tuple[float, float]] = {
    "companies.0.holdings.platform_docs": (10_000, 40_000),
    "authors.ai_share": (0.25, 0.75),
    "authors.platform_share": (0.2, 0.6),
    "farms.docs_per_step": (250, 1000),
    "authors.launch_quit_platform": (0.0, 0.3),
    "market.sensitivity": (5.0, 20.0),
}
"""One-at-a-time swings of the moat scenario's parameters (low, high) for :func:`sensitivity`."""


def setting(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``data`` with the dotted ``path`` (list items by index) set to ``value``."""
    data = copy.deepcopy(data)
    node: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[keys[-1]] = value
    return data


def mean_gap(tables: dict[str, pl.DataFrame], launch_step: int) -> float:
    """The incumbent's mean moat gap over the steps after launch."""
    firms = tables["firms"].filter(
        (pl.col("company") == "Incumbent") & (pl.col("step") > launch_step)
    )
    return float(firms["moat_gap"].mean())


def sensitivity(data: dict[str, Any], swings=SWINGS, workers: int = 2) -> pl.DataFrame:
    """The incumbent's mean moat gap after launch with each parameter of ``swings`` at its low
    and its high value, the others as in ``data``; sorted by the swing's size."""
    variants = [data] + [setting(data, p, v) for p, pair in swings.items() for v in pair]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        gaps = [mean_gap(t, data["launch_step"]) for t in pool.map(run_tables, variants)]
    rows = [
        {
            "parameter": path,
            "low": low,
            "high": high,
            "gap_low": gaps[1 + 2 * i],
            "gap_high": gaps[2 + 2 * i],
            "gap_base": gaps[0],
            "swing": abs(gaps[2 + 2 * i] - gaps[1 + 2 * i]),
        }
        for i, (path, (low, high)) in enumerate(swings.items())
    ]
    return pl.DataFrame(rows).sort("swing", descending=True)


def sensitivity_markdown(table: pl.DataFrame) -> str:
    """The sensitivity table as Markdown."""
    base = table["gap_base"][0]
    lines = [
        f"Incumbent's mean moat gap after launch as scenarioed: {base:.4f} nats/token.\n",
        "| parameter | low → moat gap | high → moat gap | swing |",
        "|---|---|---|---|",
    ]
    for r in table.iter_rows(named=True):
        lines.append(
            f"| `{r['parameter']}` | {r['low']:g} → {r['gap_low']:.4f} | "
            f"{r['high']:g} → {r['gap_high']:.4f} | {r['swing']:.4f} |"
        )
    return "\n".join(lines) + "\n"


def markdown(table: pl.DataFrame) -> str:
    """The value table as Markdown."""
    head = (
        "| holding (share of crawl budget) | documents per generation | excess cross-entropy "
        "after launch (nats/token) | quality bought (excess saved, nats/token) | extra revenue "
        "over the run | proprietary tokens trained on | break-even price (per 1,000 tokens) |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in table.iter_rows(named=True):
        price = "n/a" if r["break_even_price"] is None else f"{r['break_even_price']:.2f}"
        lines.append(
            f"| {r['share_of_crawl']:.0%} | {r['platform_docs']:,} | "
            f"{r['excess_cross_entropy']:.4f} | {r['excess_saved']:+.4f} | "
            f"{r['extra_revenue']:+,.0f} | {r['proprietary_tokens']:,} | {price} |"
        )
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="world size (1: baseline)")
    parser.add_argument("--steps", type=int, default=None, help="steps (default: the scenario's)")
    parser.add_argument("--workers", type=int, default=2, help="processes")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    parser.add_argument(
        "--chart", type=Path, default=None, help="run the scenario once; save its chart (PNG)"
    )
    parser.add_argument(
        "--sensitivity", action="store_true", help="also swing each parameter of SWINGS"
    )
    args = parser.parse_args(argv)
    data = scaled(yaml.safe_load(SCENARIO.read_text(encoding="utf-8")), args.scale, args.steps)
    text = markdown(value_table(data, workers=args.workers))
    if args.sensitivity:
        text += "\n" + sensitivity_markdown(sensitivity(data, workers=args.workers))
    if args.chart is not None:
        with ProcessPoolExecutor(max_workers=1) as pool:
            tables = pool.submit(run_tables, data).result()
        claims = moat_claims(tables, data["launch_step"])
        text += "\n" + "\n".join(f"- {k}: {v:.4f}" for k, v in claims.items()) + "\n"
        moat_chart(tables).save(str(args.chart), scale_factor=1.5)
    print(text, end="")
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
