"""Batched publishing: gather every agent's requests, write the text once per source.

Agents do not write documents one by one. Each returns a :class:`PublishRequests` (columns: topic,
site, author, source), the model concatenates them, and :func:`publish` records them all in the
content store in one batch: the lengths of all human documents with one call to the truth, those
of AI documents with one call per deployed model. Their text is drawn when somebody reads them
(``ecosystem.world.content``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecosystem.world.content import ContentStore
from ecosystem.world.market import Deployment
from ecosystem.world.streams import Draw, draws
from ecosystem.world.writers import ModelWriter, TruthWriter

HUMAN = -1  # source of a human-written document


@dataclass(frozen=True)
class PublishRequests:
    """Documents some agents want to publish this step, one entry per document.

    Attributes:
        topic: topic of each document.
        site: site it appears on.
        author: human author id, or -1 (a farm).
        source: -1 for human text, else the index of the offered model that writes it.
    """

    topic: np.ndarray
    site: np.ndarray
    author: np.ndarray
    source: np.ndarray

    @property
    def n_docs(self) -> int:
        return int(self.topic.shape[0])

    @staticmethod
    def concat(parts: list[PublishRequests]) -> PublishRequests:
        """All requests in one batch."""
        return PublishRequests(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("topic", "site", "author", "source")
            )
        )

    @staticmethod
    def empty() -> PublishRequests:
        none = np.zeros(0, dtype=np.int64)
        return PublishRequests(none, none, none, none)


def publish(
    requests: PublishRequests,
    truth,
    offers: list[Deployment],
    store: ContentStore,
    seed: int,
    step: int,
    policies=None,
) -> np.ndarray:
    """Record every requested document in the store; returns the new doc ids.

    Human documents come first, then each offered model's, in offer order. Each group's
    lengths are drawn from its own stream; the text is drawn when a document is read
    (``ecosystem.world.writers``), except for eager writers, which write it here.

    Args:
        requests: all of this step's requests.
        truth: the TokensTruth (human text).
        offers: the offered models by index.
        store: the content store.
        seed: the run seed.
        step: the current step.
        policies: the run's :class:`~ecosystem.world.policies.Policies` (watermark mandate,
            paraphrase, provenance labels), or None.
    """
    human = np.flatnonzero(requests.source == HUMAN)
    groups = [(human, store.writer("truth", lambda: TruthWriter(truth)), None)]
    for source in np.unique(requests.source[requests.source != HUMAN]):
        deployment = offers[int(source)]
        key = (deployment.trainer, deployment.generation)
        writer = store.writer(key, lambda d=deployment: ModelWriter(d))
        groups.append((np.flatnonzero(requests.source == source), writer, deployment))
    order = np.concatenate([idx for idx, _, _ in groups])
    topic = requests.topic[order]
    length, writer, watermark, eager = [], [], [], []
    at = 0  # position of the group's first document in the batch
    for idx, w, deployment in groups:
        source = store.writers[w]
        rng = (
            draws(seed, Draw.HUMAN_TEXT, step)
            if deployment is None
            else draws(seed, Draw.MODEL_TEXT, step, int(requests.source[idx[0]]))
        )
        if source.lazy:
            length.append(source.lengths(requests.topic[idx], rng))
        else:
            docs = source.write(requests.topic[idx], rng)
            length.append(docs.lengths)
            eager.append((at, docs))
        at += len(idx)
        writer.append(np.full(len(idx), w, dtype=np.int64))
        watermark.append(np.full(len(idx), deployment is not None and deployment.watermark))
    watermark = np.concatenate(watermark)
    if policies is not None:
        watermark = policies.stamp(
            watermark,
            requests.source[order],
            requests.author[order],
            requests.site[order],
            step,
        )
    ids = store.append(
        topic=topic,
        length=np.concatenate(length),
        writer=np.concatenate(writer),
        site=requests.site[order],
        author=requests.author[order],
        step=step,
        watermark=watermark,
    )
    for first, docs in eager:
        store.keep_text(ids[first : first + docs.n_docs], docs)
    return ids
