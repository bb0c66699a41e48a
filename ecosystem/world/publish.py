"""Batched publishing: gather every agent's requests, write the text once per source.

Agents do not write documents one by one. Each returns a :class:`PublishRequests` (columns: topic,
site, author, source), the model concatenates them, and :func:`publish` draws the text of all
human documents with ONE call to the truth and the text of all AI documents with ONE call per
deployed model, then appends everything to the content store in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecosystem.core.data import TokenDocs
from ecosystem.world.content import NO_MODEL, ContentStore, Origin
from ecosystem.world.market import Deployment
from ecosystem.world.streams import Draw, draws

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
    """Write and append every requested document; returns the new doc ids.

    Args:
        requests: all of this step's requests.
        truth: the TokensTruth (human text, one ``sample_topics`` call).
        offers: the offered models by index (one sampling call each).
        store: the content store.
        seed: the run seed.
        step: the current step.
        policies: the run's :class:`~ecosystem.world.policies.Policies` (watermark mandate,
            paraphrase, provenance labels), or None.
    """
    groups = [np.flatnonzero(requests.source == HUMAN)]
    parts: list[TokenDocs] = [
        truth.sample_topics(requests.topic[groups[0]], draws(seed, Draw.HUMAN_TEXT, step))
    ]
    trainer = [np.full(len(groups[0]), NO_MODEL)]
    generation = [np.full(len(groups[0]), NO_MODEL)]
    watermark = [np.zeros(len(groups[0]), dtype=bool)]
    for source in np.unique(requests.source[requests.source != HUMAN]):
        deployment = offers[int(source)]
        idx = np.flatnonzero(requests.source == source)
        rng = draws(seed, Draw.MODEL_TEXT, step, int(source))
        parts.append(deployment.write(requests.topic[idx], rng))
        groups.append(idx)
        trainer.append(np.full(len(idx), deployment.trainer))
        generation.append(np.full(len(idx), deployment.generation))
        watermark.append(np.full(len(idx), deployment.watermark))
    order = np.concatenate(groups)
    docs = TokenDocs.concat(parts) if len(parts) > 1 else parts[0]
    watermark = np.concatenate(watermark)
    if policies is not None:
        source = requests.source[order]
        watermark = policies.stamp(
            watermark, source, requests.author[order], requests.site[order], step
        )
    return store.append(
        docs,
        site=requests.site[order],
        author=requests.author[order],
        step=step,
        origin=np.where(requests.source[order] == HUMAN, Origin.HUMAN, Origin.AI).astype(np.int8),
        trainer=np.concatenate(trainer),
        generation=np.concatenate(generation),
        watermark=watermark,
    )
