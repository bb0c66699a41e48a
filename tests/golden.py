"""Golden runs: every shipped scenario at a reduced size, and a hash of each of its tables.

A change of results must be deliberate. ``tests/test_golden.py`` runs each shipped scenario with
the reductions below and compares the hash of every table with ``tests/golden_hashes.json``. When
a change of results is intended, regenerate the file and say why in the commit::

    .venv/bin/python -m tests.golden --write

Hashes are taken over a canonical byte form of each table (column names, dtypes, null masks and
values in order), so they do not depend on Parquet's encoding or on polars' internal hashing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
HASHES = Path(__file__).with_name("golden_hashes.json")

ALL = "*"  # in a reduction path: every item of a list

_ECOSYSTEM_SMALL = {
    "steps": 14,
    "authors.count": 500,
    "authors.entrants_per_step": 3,
    "farms.docs_per_step": 30,
    "trainers.*.crawl_budget": 600,
    "metrics.test_docs": 200,
    "metrics.sample_size": 100,
}

# Pretrained-model scenarios run on a tiny local OPT (made by ``tiny_pretrained``) and the
# shipped Shakespeare corpus: the same code path, nothing downloaded.
_PRETRAINED_SMALL = {
    "truth.source": "shakespeare",
    "truth.hf_dataset": None,
    "truth.hf_config": None,
    "truth.hf_train_split": None,
    "truth.hf_test_split": None,
    "truth.block_length": 16,
    "learner.block_size": 32,
    "learner.prompt_length": 8,
    "learner.epochs": 1,
    "learner.device": "cpu",
    "learner.threads": 1,
    "learner.batch_size": 16,
    "decoding.num_beams": 2,
    "loop.generations": 2,
    "loop.samples_per_generation": 48,
    "loop.test_samples": 64,
    "metrics.sample_size": 10,
    "metrics.text_samples": 2,
}

POLICY_SCENARIOS = (
    "no_policy",
    "detector",
    "watermark",
    "provenance",
    "opt_out",
    "retention",
    "levy",
)
"""scenarios/policies/: the baseline world with one lever each (no_policy: none)."""

REDUCTIONS: dict[str, dict[str, Any]] = {
    "baseline.yaml": dict(_ECOSYSTEM_SMALL, **{"trainers.0.subsample_budget": None}),
    "calibrated_web.yaml": _ECOSYSTEM_SMALL,
    "data_moat.yaml": _ECOSYSTEM_SMALL,
    "loop_gaussian.yaml": {"loop.replicas": 50, "loop.generations": 40},
    "loop_tokens.yaml": {
        "loop.replicas": 2,
        "loop.generations": 3,
        "loop.samples_per_generation": 200,
        "loop.test_samples": 200,
        "metrics.sample_size": 100,
    },
    "transformer_tiny.yaml": {
        "truth.bpe_vocab_size": 300,
        "learner.n_layer": 1,
        "learner.n_embd": 16,
        "learner.n_head": 2,
        "learner.epochs": 1,
        "loop.generations": 2,
        "loop.samples_per_generation": 64,
        "loop.test_samples": 64,
        "metrics.sample_size": 16,
        "metrics.text_samples": 2,
    },
    "papers/alemohammad_mad.yaml": {
        "loop.replicas": 2,
        "loop.generations": 3,
        "loop.samples_per_generation": 200,
        "loop.initial_samples": 100,
        "loop.test_samples": 200,
        "metrics.sample_size": 100,
    },
    "papers/bertrand_fresh.yaml": {"loop.replicas": 50, "loop.generations": 30},
    "papers/discrete_collapse.yaml": {"loop.replicas": 50, "loop.generations": 10},
    "papers/dohmatob_tail.yaml": {
        "truth.vocab_size": 500,
        "scaling.train_sizes": [100, 1000, 10000],
        "scaling.generator_samples": 10000,
        "scaling.replicas": 3,
        "scaling.test_samples": 200,
    },
    "papers/gerstgrasser_linear.yaml": {"loop.replicas": 50, "loop.generations": 8},
    "papers/shumailov_gaussian.yaml": {"loop.replicas": 50, "loop.generations": 40},
    "papers/shumailov_gmm.yaml": {
        "loop.replicas": 2,
        "loop.generations": 4,
        "loop.samples_per_generation": 200,
        "loop.test_samples": 200,
    },
    "papers/shumailov_ngram.yaml": {
        "loop.replicas": 2,
        "loop.generations": 3,
        "loop.samples_per_generation": 500,
        "loop.test_samples": 200,
        "metrics.sample_size": 50,
    },
    **{
        f"policies/{lever}.yaml": dict(_ECOSYSTEM_SMALL, **{"trainers.0.subsample_budget": None})
        for lever in POLICY_SCENARIOS
    },
    "papers/shumailov_opt125m.yaml": _PRETRAINED_SMALL,
    "papers/shumailov_opt125m_keep10.yaml": _PRETRAINED_SMALL,
}
PRETRAINED = {"papers/shumailov_opt125m.yaml", "papers/shumailov_opt125m_keep10.yaml"}


def shipped() -> list[str]:
    """Every scenario file shipped under ``scenarios/`` (relative paths, sorted)."""
    return sorted(
        str(p.relative_to(SCENARIOS))
        for p in SCENARIOS.rglob("*.yaml")
        if "sweeps" not in p.relative_to(SCENARIOS).parts
    )


def _set(node: Any, keys: list[str], value: Any) -> None:
    head, rest = keys[0], keys[1:]
    if isinstance(node, list):
        items = node if head == ALL else [node[int(head)]]
        for item in items:
            if rest:
                _set(item, rest, value)
        if not rest:
            for i in range(len(node)) if head == ALL else [int(head)]:
                node[i] = value
        return
    if not rest:
        if value is None:
            node.pop(head, None)
        else:
            node[head] = value
        return
    _set(node.setdefault(head, {}), rest, value)


def reduced_text(name: str, pretrained_path: Path | None = None) -> str:
    """The YAML text of shipped scenario ``name`` at its golden size."""
    data = yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))
    for path, value in REDUCTIONS[name].items():
        _set(data, path.split("."), value)
    if name in PRETRAINED:
        assert pretrained_path is not None, "pretrained scenarios need a local model"
        data["truth"]["tokenizer_path"] = str(pretrained_path)
        data["learner"]["pretrained"] = str(pretrained_path)
    return yaml.safe_dump(data, sort_keys=False)


def tiny_pretrained(folder: Path) -> Path:
    """A tiny OPT causal LM and its BPE tokenizer saved in ``folder`` (seeded: same weights)."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import OPTConfig, OPTForCausalLM, PreTrainedTokenizerFast

    from ecosystem.truth.corpus import corpus_folder

    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    hamlet = (corpus_folder("shakespeare") / "hamlet.txt").read_text(encoding="utf-8")
    bpe.train_from_iterator([hamlet], vocab_size=300, show_progress=False)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    config = OPTConfig(
        vocab_size=len(tokenizer) + 5,
        hidden_size=16,
        num_hidden_layers=1,
        ffn_dim=32,
        num_attention_heads=2,
        max_position_embeddings=64,
        word_embed_proj_dim=16,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        OPTForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def table_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of a canonical byte form of ``frame`` (names, dtypes, nulls, values in order)."""
    digest = hashlib.sha256()
    digest.update(str(frame.height).encode())
    for name in frame.columns:
        column = frame[name]
        digest.update(f"\x00{name}\x00{column.dtype}\x00".encode())
        digest.update(column.is_null().to_numpy().tobytes())
        if column.dtype == pl.String:
            digest.update("\x1f".join(column.fill_null("").to_list()).encode())
        elif column.dtype.is_numeric() or column.dtype == pl.Boolean:
            values = column.to_numpy()
            if values.dtype == object:  # nullable ints/bools come back as objects
                values = np.asarray(column.fill_null(0).to_numpy())
            digest.update(np.ascontiguousarray(values).tobytes())
        else:
            digest.update(str(column.to_list()).encode())
    return digest.hexdigest()


def run_hashes(name: str, pretrained_path: Path | None = None) -> dict[str, str]:
    """Run shipped scenario ``name`` at golden size; the hash of each of its tables."""
    from ecosystem.config import validate_text
    from ecosystem.runner import simulate

    scenario = validate_text(reduced_text(name, pretrained_path), f"golden:{name}")
    tables = simulate(scenario)
    return {table: table_hash(frame) for table, frame in sorted(tables.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite tests/golden_hashes.json")
    parser.add_argument("names", nargs="*", help="scenario files (default: every shipped one)")
    args = parser.parse_args(argv)
    import tempfile

    names = args.names or shipped()
    known = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        model = tiny_pretrained(Path(tmp) / "tiny_opt")
        changed = 0
        for name in names:
            hashes = run_hashes(name, model)
            if known.get(name) != hashes:
                changed += 1
                print(f"{name}: {'changed' if name in known else 'new'}")
            known[name] = hashes
    if args.write:
        HASHES.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")
        print(f"wrote {HASHES.relative_to(ROOT)} ({len(known)} scenarios)")
    return 1 if changed and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
