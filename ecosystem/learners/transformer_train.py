"""Building, training and scoring the causal language models behind the transformer learner.

Training is plain PyTorch: AdamW (no decay on biases and norm weights), a linear warm-up then a
linear decay to zero, global gradient-norm clipping, mean cross-entropy over the real tokens of
each batch. Every random draw (initial weights, dropout, batch order) comes from the replica's
numpy generator: torch's global generator is forked and seeded from it, so a fit never changes
torch's global state and the same seed gives the same model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from ecosystem.config.transformer import TransformerParams
from ecosystem.core.errors import RunSetupError
from ecosystem.learners.transformer_data import Pieces, scoring_batches, training_batches

IGNORE = -100


def resolve_device(choice: str) -> torch.device:
    """The torch device for ``choice`` ("auto": cuda when available, else cpu).

    Raises:
        RuntimeError: when cuda is asked for and none is available.
    """
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise RunSetupError("learner.device 'cuda': no CUDA device is available (use 'auto')")
    return torch.device(choice)


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run the block with ``threads`` torch CPU threads (None: leave torch's setting)."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def seeded_torch(rng: np.random.Generator, device: torch.device) -> Iterator[None]:
    """Fork torch's global generators and seed them from ``rng`` for the block."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type=device.type):
        torch.manual_seed(int(rng.integers(2**62)))
        yield


def total_steps(params: TransformerParams, n_rows: int) -> int:
    """Optimiser steps of one fit: ``max_steps``, or ``epochs`` passes in batches."""
    if params.max_steps is not None:
        return params.max_steps
    return params.epochs * -(-n_rows // params.batch_size)


def make_optimizer(model: torch.nn.Module, params: TransformerParams, steps: int):
    """AdamW with decoupled decay on matrices only, and the linear warm-up/decay schedule."""
    from transformers import get_linear_schedule_with_warmup

    matrices = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    others = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": matrices, "weight_decay": params.weight_decay},
            {"params": others, "weight_decay": 0.0},
        ],
        lr=params.learning_rate,
    )
    schedule = get_linear_schedule_with_warmup(optimizer, min(params.warmup_steps, steps), steps)
    return optimizer, schedule


def causal_lm_loss(logits: torch.Tensor, rows: torch.Tensor, lengths: torch.Tensor):
    """Mean cross-entropy of predicting each real token of ``rows`` from the ones before it."""
    targets = rows[:, 1:]
    pad = torch.arange(targets.shape[1], device=rows.device)[None, :] >= lengths[:, None]
    targets = targets.masked_fill(pad, IGNORE)
    return F.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE
    )


def train(
    model: torch.nn.Module,
    pieces: Pieces,
    params: TransformerParams,
    rng: np.random.Generator,
    device: torch.device,
) -> np.ndarray:
    """Train ``model`` in place on ``pieces``; returns the loss of every step (nats/token)."""
    steps = total_steps(params, pieces.n_pieces)
    rows = torch.from_numpy(pieces.rows).to(device)
    lengths = torch.from_numpy(pieces.lengths).to(device)
    optimizer, schedule = make_optimizer(model, params, steps)
    losses = []
    model.train()
    with seeded_torch(rng, device):
        for index in training_batches(pieces.n_pieces, params.batch_size, steps, rng):
            width = int(pieces.lengths[index].max()) + 1
            batch = torch.from_numpy(index).to(device)
            x, n = rows[batch, :width], lengths[batch]
            loss = causal_lm_loss(model(input_ids=x).logits, x, n)
            loss.backward()
            if params.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), params.grad_clip)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.detach())
    model.eval()
    return torch.stack(losses).float().cpu().numpy() if losses else np.zeros(0)


@torch.no_grad()
def token_log_probs(
    model: torch.nn.Module,
    pieces: Pieces,
    vocab_size: int,
    batch_size: int,
    device: torch.device,
    n_tokens: int,
) -> np.ndarray:
    """Log-probability (nats) of every token of the documents behind ``pieces``: (n_tokens,).

    The model's distribution is renormalised over the truth's ``vocab_size`` tokens (start and
    padding ids, and a pretrained model's unused embedding rows, get no mass).
    """
    out = np.zeros(n_tokens)
    for index in scoring_batches(pieces.lengths, batch_size):
        width = int(pieces.lengths[index].max())
        x = torch.from_numpy(pieces.rows[index, : width + 1]).to(device)
        logits = model(input_ids=x).logits[:, :-1, :vocab_size].float()
        target = x[:, 1:].clamp(max=vocab_size - 1)
        picked = logits.gather(-1, target[..., None])[..., 0]
        lp = (picked - torch.logsumexp(logits, dim=-1)).cpu().numpy()
        where = pieces.token_index[index, :width]
        inside = where >= 0
        out[where[inside]] = lp[inside]
    return out
