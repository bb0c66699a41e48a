"""Who writes a document's text: the truth (human text) or a deployed model (AI text).

A writer splits writing in two. At publication it draws each document's length from the step's
stream (:meth:`lengths`); the content store records that length with the rest of the metadata.
When the document is read, :meth:`text` turns the document's own uniforms (a pure function of
the run seed, its id and its token positions: ``ecosystem.core.counter_uniforms``) into tokens.
A document's text therefore depends on nothing but its id and its writer, and drawing it late
gives the same tokens as drawing it at once. Writers whose learner cannot draw from given
uniforms (``lazy`` False: the transformer) write whole documents at publication instead.

:class:`WritingPlan` decides who draws which documents of a read: lazy n-gram models of one
context space draw theirs together, as one stacked model (``ecosystem.learners.ngram_stack``),
and the other writers one by one.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ecosystem.core.data import TokenDocs
from ecosystem.learners.ngram_stack import NgramStack


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

    @property
    def stack_key(self) -> object | None:
        """What this writer must share with others to draw with them as one (None: alone)."""
        key = getattr(self.fitted, "stack_key", None)
        return key() if self.lazy and key is not None else None

    def lengths(self, topics: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self.fitted.document_lengths(len(topics), rng)

    def text(self, topics: np.ndarray, lengths: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        return self.fitted.write_text(topics, lengths, uniforms[0], self.decoding)

    def write(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        return self.deployment.write(topics, rng)


class _StackedBatch:
    """Documents of several stacked models, drawn in one pass."""

    lanes = 1

    def __init__(self, stack: NgramStack, member: np.ndarray):
        self.stack, self.member = stack, member

    def text(self, topics: np.ndarray, lengths: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        return self.stack.write_text(self.member, topics, lengths, uniforms[0])


class WritingPlan:
    """Groups the documents of a read by who draws them, keeping the stacks between reads.

    A stack is a cache: it holds nothing a writer does not, and is rebuilt when missing (after
    a checkpoint is loaded, say).
    """

    def __init__(self):
        self._stacks: dict[object, NgramStack] = {}
        self._member: dict[int, tuple[NgramStack, int]] = {}  # writer id -> its stack, member

    def batches(
        self, writers: list[TextWriter], writer_of_doc: np.ndarray
    ) -> list[tuple[np.ndarray, object]]:
        """(documents, batch) pairs: indices into ``writer_of_doc`` and what draws them (an
        object with ``lanes`` and ``text(topics, lengths, uniforms)``)."""
        out, stacked = [], {}
        for w in np.unique(writer_of_doc).tolist():
            key = getattr(writers[w], "stack_key", None)
            if key is None:
                out.append((np.flatnonzero(writer_of_doc == w), writers[w]))
            else:
                stacked.setdefault(key, []).append(w)
        for key, ids in stacked.items():
            stack = self._stacks.setdefault(key, NgramStack(key))
            member_of = np.full(int(writer_of_doc.max()) + 1, -1, dtype=np.int64)
            for w in ids:
                if w not in self._member:
                    self._member[w] = (stack, stack.add(writers[w].fitted, writers[w].decoding))
                member_of[w] = self._member[w][1]
            member = member_of[writer_of_doc]
            pick = np.flatnonzero(member >= 0)
            out.append((pick, _StackedBatch(stack, member[pick])))
        return out
