"""Transformer training throughput: ecosim's learner vs a bare torch loop, in the same run.

Both train the same GPT-2 (same config, same initial weights) on the same 64-token documents with
the same batch size, number of steps and optimiser: AdamW, linear warm-up/decay, gradient
clipping. The bare loop is what a researcher would write by hand: the documents already on the
device as one (n, 65) tensor (start token + 64 tokens), a random batch per step, forward,
cross-entropy, backward, clip, step. ecosim's ``TransformerLearner.fit`` adds everything around
it (documents to padded rows, model construction, per-replica seeding, loss bookkeeping).
The two run alternately in pairs (``common.paired``) once with torch and BLAS fixed to 1 thread
and once with 2 (2 threads suffer most from other load on a shared machine, so both are
reported); each figure is the median of the per-pair throughput ratios, with its range.
Target: ecosim tokens/s >= 0.9x the bare loop's.

Run: ``.venv/bin/python bench/bench_transformer.py [--steps 60] [--pairs 5] [--threads 1 2]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe, fix_threads, paired, save  # noqa: E402

from ecosystem.config.learners import TransformerParams  # noqa: E402
from ecosystem.config.truth import TokensTruthParams  # noqa: E402
from ecosystem.core.rng import ReplicaRNG, Stream  # noqa: E402
from ecosystem.learners.transformer import TransformerLearner  # noqa: E402
from ecosystem.learners.transformer_train import make_optimizer  # noqa: E402
from ecosystem.truth.tokens import TokensTruth  # noqa: E402

DOC_LENGTH = 64


def bare_loop(model, rows: torch.Tensor, params: TransformerParams, steps: int, seed: int):
    """Hand-written training: random batches of full rows, no padding, no bookkeeping."""
    optimizer, schedule = make_optimizer(model, params, steps)
    gen = torch.Generator(device=rows.device).manual_seed(seed)
    model.train()
    for _ in range(steps):
        batch = rows[torch.randint(rows.shape[0], (params.batch_size,), generator=gen)]
        logits = model(input_ids=batch).logits
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), batch[:, 1:].ravel())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), params.grad_clip)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
    if rows.is_cuda:
        torch.cuda.synchronize()
    return float(loss.detach())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = parser.parse_args()
    truth = TokensTruth(
        TokensTruthParams(
            vocab_size=512, topics=1, doc_length_min=DOC_LENGTH, doc_length_max=DOC_LENGTH
        ),
        seed=0,
    )
    docs = truth.sample(np.array([args.docs]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0]))
    params = TransformerParams(
        n_layer=2,
        n_head=4,
        n_embd=128,
        block_size=DOC_LENGTH + 1,
        batch_size=args.batch_size,
        max_steps=args.steps,
        warmup_steps=5,
        learning_rate=1e-3,
        device=args.device,
        threads=None,
        condition_on_topic=False,
    )
    learner = TransformerLearner(params, truth.vocab_size, truth.topics)
    device = learner.device
    start = np.full((docs.n_docs, 1), truth.vocab_size)
    rows = torch.from_numpy(
        np.concatenate([start, docs.tokens.reshape(docs.n_docs, DOC_LENGTH)], axis=1)
    ).to(device)

    def ecosim() -> None:
        learner.fit(docs, ReplicaRNG.for_replicas(0, Stream.LEARNER, [0]))

    def bare() -> None:
        model = learner.new_model(np.random.default_rng(0)).to(device)
        bare_loop(model, rows, params, args.steps, seed=0)

    tokens = args.steps * args.batch_size * DOC_LENGTH
    by_threads = {}
    for threads in args.threads:
        fix_threads(threads)
        timing = paired(bare, ecosim, pairs=args.pairs)
        t_bare, t_ecosim = timing["a_median_s"], timing["b_median_s"]
        by_threads[str(threads)] = {
            "torch_threads": torch.get_num_threads(),
            "bare_median_s": round(t_bare, 3),
            "ecosim_median_s": round(t_ecosim, 3),
            "bare_tokens_per_s": round(tokens / t_bare),
            "ecosim_tokens_per_s": round(tokens / t_ecosim),
            "throughput_ratio": round(timing["ratio_median"], 3),
            "throughput_ratio_range": [
                round(timing["ratio_min"], 3),
                round(timing["ratio_max"], 3),
            ],
            "pairs": timing,
        }
        print(
            f"{threads} thread(s): bare {tokens / t_bare / 1e3:.1f} k tokens/s, "
            f"ecosim {tokens / t_ecosim / 1e3:.1f} k tokens/s; "
            + describe(timing, "bare", "ecosim")
            + " = ecosim/bare throughput (target >= 0.9)"
        )
    result = {
        "model": {"n_layer": 2, "n_head": 4, "n_embd": 128, "vocab": truth.vocab_size + 1},
        "device": str(device),
        "torch": torch.__version__,
        "steps": args.steps,
        "batch_size": args.batch_size,
        "tokens_per_step": args.batch_size * DOC_LENGTH,
        "by_threads": by_threads,
        "target_ratio": 0.9,
    }
    print(f"saved {save('transformer', result)}")


if __name__ == "__main__":
    main()
