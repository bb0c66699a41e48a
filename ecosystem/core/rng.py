"""Seeding: every random draw of a run derives from its one seed.

Streams are addressed by a purpose and an index (replica, trainer, ...) through
``SeedSequence(seed, spawn_key=...)``, so replica ``r`` draws the same numbers whatever the
number of replicas, and two purposes never share a stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Purposes of random streams; the value is the first element of the spawn key."""

    TRUTH = 1  # building the truth itself (topic chains, means, w*)
    TEST = 2  # held-out human test data
    INITIAL = 3  # generation-0 human data per replica
    LOOP = 4  # per-replica draws of the fit -> sample loop
    FRESH = 5  # fresh human data mixed in per generation
    SUBSAMPLE = 6  # subsampling of accumulated pools
    ECOSYSTEM = 7  # the ecosystem model (Mesa rng, agents)
    LEARNER = 8  # learner-internal randomness (EM init, torch)


def seed_sequence(seed: int, stream: Stream, *index: int) -> np.random.SeedSequence:
    """The seed sequence of one stream (``stream``, ``*index``) of run ``seed``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(stream), *map(int, index)))


def generator(seed: int, stream: Stream, *index: int) -> np.random.Generator:
    """A numpy Generator for one stream of run ``seed``."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, stream, *index)))


def int_seed(seed: int, stream: Stream, *index: int) -> int:
    """A 32-bit integer seed for libraries that want one (scikit-learn, networkx, torch)."""
    return int(seed_sequence(seed, stream, *index).generate_state(1)[0])


class ReplicaRNG:
    """One Generator per replica, so a replica's draws do not depend on how many run.

    Args:
        generators: the per-replica generators, in replica order.
    """

    def __init__(self, generators: Sequence[np.random.Generator]):
        self.generators = list(generators)

    @classmethod
    def for_replicas(
        cls, seed: int, stream: Stream, replicas: Sequence[int], *index: int
    ) -> ReplicaRNG:
        """Generators of ``stream`` for the given replica ids (extra ``index`` appended)."""
        return cls([generator(seed, stream, r, *index) for r in replicas])

    def __len__(self) -> int:
        return len(self.generators)

    def __iter__(self) -> Iterator[np.random.Generator]:
        return iter(self.generators)

    def __getitem__(self, r: int) -> np.random.Generator:
        return self.generators[r]
