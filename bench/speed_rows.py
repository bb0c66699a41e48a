"""The summary table of docs/SPEED.md: one row per figure, read from bench/results/*.json,
with its target and verdict (``bench/speed_doc.py`` renders the page around it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS  # noqa: E402


def load_result(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def when_measured(result: dict) -> str:
    m = result.get("machine", {})
    end = m.get("load_average") or []
    start = m.get("load_average_start") or []
    threads = m.get("threads", {}).get("requested")
    load = "load ?"
    if end:
        load = f"load {start[0]:.1f} → {end[0]:.1f}" if start else f"load {end[0]:.1f}"
    took = f", took {m['duration_s']:.0f} s" if "duration_s" in m else ""
    return f"{m.get('date_utc', '?')} UTC{took}, {load}, {threads or '?'} thread(s)"


def _verdict(ok: bool | None) -> str:
    return {True: "meets", False: "**misses**", None: "not measured"}[ok]


def value_range(r: list[float], fmt: str = ".2f") -> str:
    return f"{r[0]:{fmt}}–{r[1]:{fmt}}"


def _span(result: dict, key: str, fmt: str = ".2f") -> str:
    """`` (range a–b)`` of ``result[key]``, or nothing for an older result without it."""
    return f" (range {value_range(result[key], fmt)})" if key in result else ""


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """(benchmark, script, target, result, verdict, measured) for every result file found."""
    out = []
    g = load_result("bench_gaussian_loop")
    if g and "speedup_replace_vs_plain" in g:
        res = g["results"]
        stat = {k.removeprefix("statistics_"): v for k, v in res.items() if "statistics" in k}
        us = {k: v["median_us_per_replica_generation"] for k, v in stat.items()}
        sp = g["speedup_replace_vs_plain"]
        s = g["settings"]
        out.append(
            (
                f"Gaussian loop, d = {s['dim']}, M = {s['samples']}, {s['generations']:,} "
                f"generations × {s['replicas']:,} replicas, sufficient statistics",
                "bench_gaussian_loop.py",
                f"≤ {g['target_us_per_replica_generation']} µs per replica·generation",
                ", ".join(f"{k} {v:.3f} µs" for k, v in us.items())
                + f"; {sp['median']:.1f}× (range {value_range(sp['range'], '.1f')}) faster than a "
                "plain numpy loop drawing every sample",
                _verdict(max(us.values()) <= g["target_us_per_replica_generation"]),
                when_measured(g),
            )
        )
        cli = g.get("cli_loop_gaussian") or {}
        if cli.get("median_wall_s") is not None:
            out.append(
                (
                    "`ecosim run scenarios/loop_gaussian.yaml` (1,000 replicas × 2,000 "
                    "generations, 2 strategies, Parquet) through the CLI",
                    "bench_gaussian_loop.py",
                    "≤ 4.5 s CPU time",
                    f"{cli['median_wall_s']:.1f} s wall, {cli['median_cpu_s']:.1f} s CPU (medians)",
                    _verdict(cli["median_cpu_s"] <= 4.5),
                    when_measured(g),
                )
            )
    lin = load_result("bench_linear_accumulate")
    if lin and "plain_seeds" in lin:
        r = lin["results"]["statistics"]
        rp = lin["results"]["statistics_presampled"]
        s = lin["settings"]
        target = lin["target_us_per_seed_iteration"]
        out.append(
            (
                f"linear regression, accumulate, d = {s['dim']}, T = {s['rows']}, "
                f"{s['iterations']} iterations × {s['seeds']:,} seeds",
                "bench_linear_accumulate.py",
                f"≤ {target} µs per seed·iteration",
                f"{r['median_us_per_seed_iteration']:.2f} µs (drawn per iteration, as `ecosim "
                f"run` does), {rp['median_us_per_seed_iteration']:.2f} µs (pre-drawn); "
                f"{r['speedup_vs_plain']:.0f}× (range {value_range(r['speedup_range'], '.0f')}) "
                f"faster than a per-seed `lstsq` refit "
                f"({r['plain_median_us_per_seed_iteration']:.0f} µs)",
                _verdict(r["median_us_per_seed_iteration"] <= target),
                when_measured(lin),
            )
        )
    ng = load_result("ngram")
    if ng and "pairs" in ng:
        out.append(
            (
                f"ngram fit + sample, {ng['tokens']:.0e} tokens, bigram, V = {ng['vocab_size']}",
                "bench_ngram.py",
                f"≥ {ng['target_ratio']}× a bare numpy kernel's throughput",
                f"{ng['throughput_ratio']:.2f}× "
                f"(range {value_range(ng['throughput_ratio_range'])}); "
                f"{ng['ecosim_tokens_per_s'] / 1e6:.1f} M tokens/s vs "
                f"{ng['bare_tokens_per_s'] / 1e6:.1f} M",
                _verdict(ng["throughput_ratio"] >= ng["target_ratio"]),
                when_measured(ng),
            )
        )
    tr = load_result("transformer")
    if tr and "by_threads" in tr:
        parts, ok = [], True
        for threads, r in tr["by_threads"].items():
            parts.append(
                f"{threads} thread(s): {r['throughput_ratio']:.2f}× (range "
                f"{value_range(r['throughput_ratio_range'])}), "
                f"{r['ecosim_tokens_per_s'] / 1e3:.1f} k vs {r['bare_tokens_per_s'] / 1e3:.1f} k "
                "tokens/s"
            )
            ok &= r["throughput_ratio"] >= tr["target_ratio"]
        m = tr["model"]
        out.append(
            (
                f"transformer training, {m['n_layer']}-layer {m['n_embd']}-wide GPT-2, batch "
                f"{tr['batch_size']} × {tr['tokens_per_step'] // tr['batch_size']} tokens",
                "bench_transformer.py",
                f"≥ {tr['target_ratio']}× a bare torch loop's throughput",
                "; ".join(parts),
                _verdict(ok),
                when_measured(tr),
            )
        )
    eco = load_result("ecosystem")
    if eco and "targets" in eco:
        t, res = eco["targets"], eco["results"]
        cli = eco["baseline_cli_s"]["median"]
        out.append(
            (
                "ecosystem baseline through the CLI (`ecosim run scenarios/baseline.yaml`)",
                "bench_ecosystem.py",
                f"≤ {t['baseline_cli_s']} s",
                f"{cli:.1f} s (median); the simulation alone {res['baseline']['total_s']:.1f} s "
                f"wall, {res['baseline']['cpu_s']:.1f} s CPU, "
                f"{res['baseline']['peak_rss_mb']:.0f} MB",
                _verdict(cli <= t["baseline_cli_s"]),
                when_measured(eco),
            )
        )
        for key, label in (
            ("authors_100k", "100k authors × 60 steps"),
            ("authors_1m_120_steps", "1M authors × 120 steps"),
        ):
            r = res.get(key)
            target = t[f"{key}_s"]
            extra = " and ≤ 4 GB" if key.startswith("authors_1m") else ""
            if r is None:
                out.append(
                    (f"ecosystem, {label}", "bench_ecosystem.py", f"≤ {target:.0f} s{extra}")
                    + ("not run in this suite", _verdict(None), when_measured(eco))
                )
                continue
            ok = r["total_s"] <= target
            if extra:
                ok &= r["peak_rss_mb"] <= t["authors_1m_peak_mb"]
            drawn = ""
            if "text_drawn_docs" in r:
                drawn = (
                    f"; text drawn for {r['text_drawn_docs'] / r['documents']:.0%} of the "
                    f"documents; {1e6 * r['total_s'] / r['documents']:.1f} µs per document"
                )
            when = when_measured(eco)
            if r.get("carried_over"):
                when = f"{r['measured_utc']} UTC (an earlier run of the suite), load " + (
                    f"{r['load_average_after'][0]:.1f}" if r.get("load_average_after") else "?"
                )
            out.append(
                (
                    f"ecosystem, {label} ({r['authors_initial']:,} → {r['authors_final']:,} "
                    f"authors, {r['documents']:,} documents)",
                    "bench_ecosystem.py",
                    f"≤ {target:.0f} s{extra}",
                    f"{r['total_s']:.1f} s wall (median of {len(r['all_total_s'])}), "
                    f"{r['cpu_s']:.1f} s CPU, {r['peak_rss_mb']:.0f} MB{drawn}",
                    _verdict(ok),
                    when,
                )
            )
    web = load_result("web")
    if web:
        out.append(
            (
                f"PageRank of a grown web ({web['sites']:,} sites, {web['links']:,} links), "
                "matrix rebuilt from the kept link arrays",
                "bench_web.py",
                f"equal to networkx's within {web['target_max_rank_difference']:.0e}",
                f"max difference {web['max_rank_difference']:.1e}; {web['kept_median_s']:.3f} s "
                f"vs {web['networkx_median_s']:.2f} s for `networkx.pagerank`: "
                f"{web['speedup']:.0f}× (range {value_range(web['speedup_range'], '.0f')})",
                _verdict(web["max_rank_difference"] <= web["target_max_rank_difference"]),
                when_measured(web),
            )
        )
    sa = load_result("samplers")
    if sa:
        ng, un = sa["ngram"], sa["truth_unigram"]
        out.append(
            (
                f"token draws: n-gram decoded rows ({sa['ngram_entries']:,} entries in "
                f"{sa['ngram_rows']:,} rows), {sa['draws']:,} draws",
                "bench_samplers.py",
                "O(1) per draw, same draws as the inverse CDF",
                f"guide table {ng['guide_ns_per_draw']:.0f} ns/draw vs binary search "
                f"{ng['binary_ns_per_draw']:.0f}: {ng['speedup']:.2f}× (range "
                f"{value_range(ng['speedup_range'])}); truth unigram (K × V = "
                f"{sa.get('truth_unigram_entries', 0):,} entries): guide table "
                f"{un['guide_ns_per_draw']:.0f} ns/draw, {un['speedup']:.2f}× (range "
                f"{value_range(un['speedup_range'])}) the binary search",
                _verdict(ng["speedup"] >= 1.0 and un["speedup"] >= 1.0),
                when_measured(sa),
            )
        )
    st = load_result("startup")
    if st:
        for name, r in st["results"].items():
            out.append(
                (
                    f"`ecosim {'--help' if name == 'help' else 'validate baseline.yaml'}` start-up",
                    "bench_startup.py",
                    f"≤ {r['target_s']} s",
                    f"{r['median_s']:.2f} s wall, {r.get('median_cpu_s', float('nan')):.2f} s CPU "
                    f"(medians); {r['ratio_to_bare_python']:.1f}× (range "
                    f"{value_range(r['ratio_range'], '.1f')}) a bare `python -c pass` "
                    f"({r['bare_python_median_s']:.3f} s)",
                    _verdict(r["median_s"] <= r["target_s"])
                    + (" (CPU time meets)" if r.get("median_cpu_s", 9) <= r["target_s"] else ""),
                    when_measured(st),
                )
            )
    out.extend(_policy_checkpoint_sweep_rows())
    return out


def _policy_checkpoint_sweep_rows() -> list[tuple[str, str, str, str, str, str]]:
    """Rows of the policy-lever, checkpoint and sweep benchmarks."""
    out = []
    lv = load_result("ecosystem_levers")
    if lv:
        out.append(
            (
                "baseline with every policy lever on / baseline, paired runs",
                "bench_ecosystem.py --levers",
                f"≤ {lv['target_ratio']}×",
                f"{lv['median_cpu_ratio']:.2f}× CPU time{_span(lv, 'cpu_ratio_range')}, "
                f"{lv['median_wall_ratio']:.2f}× wall{_span(lv, 'wall_ratio_range')} "
                f"(medians of {len(lv['pairs'])} pairs)",
                _verdict(lv["median_cpu_ratio"] <= lv["target_ratio"]),
                when_measured(lv),
            )
        )
    moat = load_result("ecosystem_moat")
    if moat:
        r = moat["result"]
        out.append(
            (
                f"data moat, `{moat['scenario']}` at baseline size (6 trainers, holdings, "
                "licences)",
                "bench_ecosystem.py --moat",
                f"< {moat['target_s']:.0f} s",
                f"{r['total_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, {r['peak_rss_mb']:.0f} MB",
                _verdict(r["total_s"] < moat["target_s"]),
                when_measured(moat),
            )
        )
    for name in ("checkpoint", "checkpoint_transformer"):
        cp = load_result(name)
        if cp:
            out.append(
                (
                    f"checkpoint cost, `{cp['scenario']}`, every {cp['checkpoint_every']} "
                    f"{'steps' if name == 'checkpoint' else 'generation'}",
                    "bench_checkpoint.py",
                    "< 10% of the run's time",
                    f"{cp['median_share_of_run']:.1%} of the run"
                    + (
                        f" (range {value_range(cp['share_of_run_range'], '.1%')})"
                        if "share_of_run_range" in cp
                        else ""
                    )
                    + f"; paired wall ratio {cp['median_wall_ratio']:.2f}"
                    + f"{_span(cp, 'wall_ratio_range')} (medians of {len(cp['pairs'])} pairs)",
                    _verdict(cp["median_share_of_run"] < 0.10),
                    when_measured(cp),
                )
            )
    sw = load_result("sweep")
    if sw:
        eff = sw["parallel_efficiency_2_workers"]
        cores = sw["local_2_cores_used"]  # the two-worker pool's (one worker uses at most 1)
        out.append(
            (
                f"sweep of {sw['members']} identical members, 2 workers vs 1",
                "bench_sweep.py",
                "parallel efficiency ≥ 0.85",
                f"{eff:.2f}{_span(sw, 'parallel_efficiency_range')} (the pool got {cores:.2f} "
                f"cores{': a loaded machine' if cores <= 1.5 else ''}); Ray "
                f"{sw['ray_overhead_per_member_s']:+.1f} s per member against the local pool"
                + (
                    f" (range {value_range(sw['ray_overhead_range_s'], '+.1f')} s)"
                    if "ray_overhead_range_s" in sw
                    else ""
                )
                + (
                    f"; medians of {sw['parallel_efficiency']['pairs']} rounds"
                    if "parallel_efficiency" in sw
                    else ""
                ),
                _verdict(eff >= 0.85) if cores > 1.5 else "not measured (machine busy)",
                when_measured(sw),
            )
        )
    return out
