"""Parameters of the transformer learner: a causal language model trained with torch.

Kept in its own module (re-exported by :mod:`ecosystem.config.learners`) because it is the largest
learner model; the learner itself lives in :mod:`ecosystem.learners.transformer`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params, Real, field_error

ARCHITECTURE_FIELDS = ("n_layer", "n_head", "n_embd", "dropout")


class TransformerParams(Params):
    """A GPT-2-style causal language model from ``transformers``, trained with AdamW.

    From scratch (a GPT-2 built from ``n_layer``, ``n_head``, ``n_embd``, ``block_size``) or
    fine-tuned from ``pretrained`` (a local folder or a Hugging Face hub id).
    """

    kind: Literal["transformer"] = "transformer"
    pretrained: str | None = Field(
        None,
        min_length=1,
        description="Local folder or hub id (e.g. facebook/opt-125m) of a causal LM to fine-tune; "
        "null: a GPT-2 built from n_layer, n_head, n_embd.",
    )
    n_layer: Int = Field(2, ge=1, le=96, description="Transformer blocks (from scratch).")
    n_head: Int = Field(2, ge=1, le=128, description="Attention heads per block (from scratch).")
    n_embd: Int = Field(
        64, ge=8, le=16_384, description="Width of the residual stream, divisible by n_head."
    )
    dropout: Real = Field(
        0.0, ge=0.0, lt=1.0, description="Dropout of embeddings, residuals and attention."
    )
    block_size: Int = Field(
        128,
        ge=2,
        le=32_768,
        description="Context in tokens, the start token included; longer documents are split "
        "into pieces of block_size - 1 tokens (pretrained: at most the model's context).",
    )
    condition_on_topic: bool = Field(
        True,
        description="From scratch: start each document with its topic's own start token, so "
        "the model learns and samples per topic (pretrained models use their BOS token).",
    )
    init: Literal["scratch", "previous", "original"] = Field(
        "scratch",
        description="Weights each generation g >= 1 starts from: scratch (fresh random init, or "
        "the pretrained checkpoint), previous (generation g-1), original (generation 0: "
        "Shumailov et al. restart from the first fine-tuned model).",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where to train and sample; auto: cuda when available, else cpu."
    )
    threads: Int | None = Field(
        None,
        ge=1,
        le=1024,
        description="torch CPU threads while fitting, sampling and scoring (null: torch's "
        "default).",
    )
    learning_rate: Real = Field(1e-3, gt=0.0, le=1.0, description="Peak AdamW learning rate.")
    batch_size: Int = Field(32, ge=1, le=65_536, description="Documents (pieces) per step.")
    epochs: Int = Field(1, ge=1, le=10_000, description="Passes over each generation's data.")
    max_steps: Int | None = Field(
        None,
        ge=1,
        le=1_000_000_000,
        description="Optimiser steps per generation; replaces epochs when given.",
    )
    warmup_steps: Int = Field(
        0,
        ge=0,
        le=1_000_000_000,
        description="Linear warm-up steps; the rate then decays linearly to 0.",
    )
    grad_clip: Real = Field(
        1.0, ge=0.0, le=1e6, description="Max global gradient norm (0: off; at most 1e6)."
    )
    weight_decay: Real = Field(
        0.01, ge=0.0, le=10.0, description="AdamW decoupled weight decay (not on biases, norms)."
    )
    eval_batch_size: Int = Field(64, ge=1, le=65_536, description="Documents per scoring pass.")
    sample_batch_size: Int = Field(
        256, ge=1, le=65_536, description="Documents generated per generate() call."
    )
    prompt_length: Int = Field(
        0,
        ge=0,
        le=32_768,
        description="Sampling: condition each document on the last this-many tokens of a "
        "training document (Shumailov et al.: 64, the whole block); 0: start from scratch.",
    )

    @model_validator(mode="after")
    def _architecture(self) -> TransformerParams:
        if self.pretrained is not None:
            given = [f for f in ARCHITECTURE_FIELDS if f in self.model_fields_set]
            if given:
                raise field_error(
                    given[0],
                    f"{', '.join(given)} apply to models built from scratch; a pretrained model "
                    "keeps its own architecture (drop them or drop pretrained)",
                )
        elif self.n_embd % self.n_head:
            raise field_error(
                "n_embd", f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})"
            )
        return self
