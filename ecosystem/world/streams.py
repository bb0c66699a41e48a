"""Named sub-streams of the ecosystem's random stream (``Stream.ECOSYSTEM``).

Every draw of an ecosystem run comes from ``generator(seed, Stream.ECOSYSTEM, purpose, *index)``
with the purpose below and an index such as (step,) or (trainer, generation). Draws therefore do
not depend on the order in which agents act, nor on how many other agents exist.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from ecosystem.core.rng import Stream, generator, int_seed


class Draw(IntEnum):
    """Purposes of the ecosystem's random streams (the first index after ECOSYSTEM)."""

    MESA = 0  # Mesa's own rng (agent-set shuffles)
    POPULATION = 1  # initial authors: topics, productivity, homes
    AUTHORS = 2  # per step: entrants, quitting, adoption, company choice, publishing counts
    HUMAN_TEXT = 3  # per step: the lengths of human documents
    MODEL_TEXT = 4  # per (step, offer): lengths (eager writers: text) of a model's documents
    WEB = 5  # per step: new sites' links; (step, -1) at creation
    FARMS = 6  # per (step, farm): a farm's output
    CRAWL = 7  # per (trainer, generation): the crawl and subsamples
    EVALUATION = 8  # per (trainer, generation): samples for metrics and text
    FRESH = 9  # per (trainer, generation): fresh human text of fresh_fraction
    OPT_OUT = 10  # each site's opt-out thresholds per crawler
    ORIGINAL = 11  # per (trainer, generation): generation-0 documents redrawn (original_fraction)
    DETECTOR = 12  # per block of document ids: each document's detector draw
    WATERMARK = 13  # per step: which documents of covered models carry a watermark
    WATERMARK_CHECK = 14  # per block of document ids: each document's watermark-check draw
    PROVENANCE = 15  # per step: which AI-assisted platform posts are labelled
    PARAPHRASE = 16  # per step: which farm documents are paraphrased
    ARCHIVE = 17  # per step: documents the archive buys; (trainer, generation, 1): its mix
    HOLDINGS = 18  # per (company, trainer, generation): snapshot documents drawn
    TEXT = 19  # the key of every document's text uniforms (ecosystem.core.counter_uniforms)


def draws(seed: int, purpose: Draw, *index: int) -> np.random.Generator:
    """The generator of one ecosystem purpose and index (entries >= -1; -1: before step 0)."""
    return generator(seed, Stream.ECOSYSTEM, int(purpose), *(int(i) + 1 for i in index))


def mesa_seed(seed: int) -> int:
    """The integer seed handed to ``mesa.Model`` (its ``rng``)."""
    return int_seed(seed, Stream.ECOSYSTEM, int(Draw.MESA))
