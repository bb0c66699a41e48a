"""Generating documents with ``model.generate``, in batches, to the requested lengths.

Each document starts from its start token (plus, optionally, a prompt: the end of a training
document) and gets exactly its length in new tokens: the start/end/padding ids and ids outside
the truth's vocabulary are suppressed, so generation never stops early. Documents are grouped by
prompt length and sorted by length, so batches need no left padding and little wasted work.
Decoding is ancestral sampling with temperature, top-k and top-p, or (``num_beams > 1``)
deterministic beam search; both may add a repetition penalty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ecosystem.config.learners import DecodingParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.exact_draws import cycled_indices
from ecosystem.learners.transformer_data import TokenSpace


@dataclass(frozen=True)
class DocumentLaws:
    """Per-replica counts of the training documents' lengths (R, Lmax + 1) and topics (R, K)."""

    length_counts: np.ndarray
    topic_counts: np.ndarray

    @classmethod
    def of(cls, data: TokenDocs, n_topics: int) -> DocumentLaws:
        """The counts of ``data`` (R replicas, topics 0..n_topics-1)."""
        R, width = data.n_replicas, int(data.lengths.max(initial=0)) + 1
        rep = data.replica.astype(np.int64)
        lengths = np.bincount(rep * width + data.lengths, minlength=R * width).reshape(R, width)
        topics = np.bincount(rep * n_topics + data.topics, minlength=R * n_topics)
        return cls(lengths.astype(np.float64), topics.reshape(R, n_topics).astype(np.float64))


@dataclass(frozen=True)
class GenerationPlan:
    """What to generate: one entry per document, in output order.

    Attributes:
        topics: (n,) the topic of each document.
        start_tokens: (n,) the start token of each document.
        lengths: (n,) tokens to generate per document.
        prompts: (n, p) int64 prompt tokens right-aligned, or None; ``prompt_lengths`` tells how
            many of the last columns are real.
        prompt_lengths: (n,) real prompt tokens per document (0 without prompts).
    """

    topics: np.ndarray
    start_tokens: np.ndarray
    lengths: np.ndarray
    prompts: np.ndarray | None
    prompt_lengths: np.ndarray


def plan_documents(
    laws: DocumentLaws,
    space: TokenSpace,
    replica: int,
    n: int,
    rng: np.random.Generator,
    prompt_length: int = 0,
    prompts: TokenDocs | None = None,
    topics: np.ndarray | None = None,
) -> GenerationPlan:
    """Lengths, topics, start tokens and prompts of ``n`` documents of model ``replica``.

    Lengths follow the replica's training documents. Topics are ``topics`` when given, else the
    topics of the prompt documents (the ends of training documents ``prompts``, drawn without
    replacement) when ``prompt_length`` > 0, else drawn from the training topics' law when the
    model has one start token per topic (0 otherwise).

    Raises:
        ValueError: when a document would not fit in the model's positions.
    """
    length_law = laws.length_counts[replica] / laws.length_counts[replica].sum()
    lengths = rng.choice(length_law.shape[0], size=n, p=length_law)
    prompt_lengths = np.zeros(n, dtype=np.int64)
    prompt_rows = None
    if topics is None and prompts is not None and prompt_length > 0:
        pick = cycled_indices(rng, prompts.n_docs, n)
        topics = prompts.topics[pick].astype(np.int64)
        prompt_lengths = np.minimum(prompts.lengths[pick], prompt_length)
        col = np.arange(prompt_length) - prompt_length  # right-aligned: the last columns are real
        inside = col[None, :] >= -prompt_lengths[:, None]
        where = np.where(inside, prompts.offsets[1:][pick][:, None] + col, 0)
        prompt_rows = np.where(inside, prompts.tokens[where], 0)
    elif topics is None:
        topic_law = laws.topic_counts[replica] / laws.topic_counts[replica].sum()
        per_topic = space.start_ids.shape[0] > 1
        topics = rng.choice(topic_law.shape[0], size=n, p=topic_law) if per_topic else 0 * lengths
    longest = 1 + int(prompt_lengths.max(initial=0)) + int(lengths.max(initial=0))
    if longest > space.max_positions:
        raise RunSetupError(
            f"sampling needs {longest} positions (start + prompt + document) but the model "
            f"has {space.max_positions} (raise learner.block_size or shorten prompts)"
        )
    return GenerationPlan(topics, space.starts(topics), lengths, prompt_rows, prompt_lengths)


def generation_config(decoding: DecodingParams, max_new: int, pad_id: int, suppress: list[int]):
    """The ``GenerationConfig`` of ``decoding`` producing exactly ``max_new`` tokens."""
    from transformers import GenerationConfig

    common = {
        "max_new_tokens": max_new,
        "pad_token_id": pad_id,
        "eos_token_id": None,
        "suppress_tokens": suppress,
        "repetition_penalty": decoding.repetition_penalty,
        "num_return_sequences": 1,
    }
    if decoding.num_beams > 1:
        return GenerationConfig(do_sample=False, num_beams=decoding.num_beams, **common)
    return GenerationConfig(
        do_sample=True,
        num_beams=1,
        temperature=decoding.temperature,
        top_k=decoding.top_k or 0,
        top_p=decoding.top_p,
        **common,
    )


def _batches(plan: GenerationPlan, batch_size: int) -> list[np.ndarray]:
    """Document indices per batch: equal prompt lengths, similar lengths (longest first)."""
    order = np.lexsort((-plan.lengths, -plan.prompt_lengths))
    key = plan.prompt_lengths[order]
    cuts = np.flatnonzero(np.diff(key)) + 1
    batches = []
    for group in np.split(order, cuts):
        batches += [group[i : i + batch_size] for i in range(0, group.shape[0], batch_size)]
    return batches


@torch.no_grad()
def generate(
    model: torch.nn.Module,
    plan: GenerationPlan,
    decoding: DecodingParams,
    batch_size: int,
    space: TokenSpace,
    device: torch.device,
) -> np.ndarray:
    """The generated tokens of every document of ``plan``, concatenated in plan order (int32).

    Torch's global generator must already be seeded (see ``seeded_torch``).
    """
    offsets = np.zeros(plan.lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(plan.lengths, out=offsets[1:])
    tokens = np.empty(offsets[-1], dtype=np.int32)
    for index in _batches(plan, batch_size):
        longest = int(plan.lengths[index].max())
        if longest == 0:
            continue
        prompt_len = int(plan.prompt_lengths[index[0]])
        context = plan.start_tokens[index][:, None]
        if prompt_len:
            context = np.concatenate([context, plan.prompts[index, -prompt_len:]], axis=1)
        x = torch.from_numpy(np.ascontiguousarray(context, dtype=np.int64)).to(device)
        config = generation_config(decoding, longest, space.pad_id, space.suppress)
        out = model.generate(
            input_ids=x, attention_mask=torch.ones_like(x), generation_config=config
        )
        new = out[:, x.shape[1] :].cpu().numpy()
        col = np.arange(longest)
        keep = col[None, :] < plan.lengths[index][:, None]
        tokens[(offsets[index][:, None] + col[None, :])[keep]] = new[keep]
    return tokens
