"""Who writes a document's text: the truth (human text) or a deployed model (AI text).

A writer splits writing in two. At publication it draws each document's length from the step's
stream (:meth:`lengths`); the content store records that length with the rest of the metadata.
When the document is read, :meth:`text` turns the document's own uniforms (a pure function of
the run seed, its id and its token positions: ``ecosystem.core.counter_uniforms``) into tokens.
A document's text therefore depends on nothing but its id and its writer, and drawing it late
gives the same tokens as drawing it at once. Writers whose learner cannot draw from given
uniforms (``lazy`` False: the transformer) write whole documents at publication instead.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ecosystem.core.data import TokenDocs


class TextWriter(Protocol):
    """What the content store needs of a writer."""

    trainer: int  # -1 for the truth
    generation: int  # -1 for the truth
    lanes: int  # uniforms per token
    lazy: bool  # text drawn when read (else written at publication)

    def lengths(self, topics: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The length of a new document on each of ``topics``."""
        ...

    def text(self, topics: np.ndarray, lengths: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Tokens (int32, documents back to back) from ``uniforms`` (lanes, lengths.sum())."""
        ...

    def write(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        """Whole documents at once (eager writers)."""
        ...


class TruthWriter:
    """Human text: the truth's Markov chains (two uniforms per token: background mix, pick)."""

    trainer = -1
    generation = -1
    lanes = 2
    lazy = True

    def __init__(self, truth):
        self.truth = truth

    def lengths(self, topics: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self.truth.document_lengths(len(topics), rng)

    def text(self, topics: np.ndarray, lengths: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        return self.truth.write_text(topics, lengths, uniforms[0], uniforms[1])

    def write(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        return self.truth.sample_topics(topics, rng)


class ModelWriter:
    """AI text: a deployed model, with its decoding (one uniform per token when lazy).

    Args:
        deployment: the deployed model (``ecosystem.world.market.Deployment``).
    """

    lanes = 1

    def __init__(self, deployment):
        self.trainer = deployment.trainer
        self.generation = deployment.generation
        self.fitted = deployment.fitted
        self.decoding = deployment.decoding
        self.deployment = deployment
        self.lazy = hasattr(self.fitted, "write_text")

    def lengths(self, topics: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self.fitted.document_lengths(len(topics), rng)

    def text(self, topics: np.ndarray, lengths: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        return self.fitted.write_text(topics, lengths, uniforms[0], self.decoding)

    def write(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        return self.deployment.write(topics, rng)
