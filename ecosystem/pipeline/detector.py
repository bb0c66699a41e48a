"""Detection filters: an AI-text detector and a watermark check, vectorised over a crawl.

Each document gets one uniform draw per check, fixed for the run (:class:`DocumentDraws`: block
``b`` of document ids draws from its own named stream), so every trainer's copy of a detector
gives a document the same verdict in every generation, and a stricter threshold flags a superset.
A document is flagged when its draw is below its flag probability:

- human documents: the false-positive rate (``scores``: 1 - Φ(threshold));
- AI documents: detectability ``q = min(1, e / reference_excess)^η`` scales the detection
  (``rates``: (1 - FN) · q; ``scores``: 1 - Φ(threshold - separation · q)), e the excess
  cross-entropy of the generation that wrote the document; a paraphrased farm document keeps
  ``1 - paraphrase_evasion`` of that probability.

The watermark check flags watermarked documents with the detection rate. Flagged documents are
dropped (``keep`` returns the complement).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

from ecosystem.config.policies import DetectorParams, WatermarkParams
from ecosystem.pipeline.filters import DocumentColumns
from ecosystem.world.content import Origin
from ecosystem.world.streams import Draw, draws

ExcessOf = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Excess cross-entropy of the (trainer, generation) that wrote each AI document."""


class DocumentDraws:
    """One uniform draw per document id, fixed for the run (blocks of ids, one stream each).

    Args:
        seed: the run seed.
        purpose: the named stream.
    """

    BLOCK = 1 << 14

    def __init__(self, seed: int, purpose: Draw):
        self.seed, self.purpose = seed, purpose
        self._u = np.zeros(0)

    def __call__(self, doc_ids: np.ndarray) -> np.ndarray:
        """The draws of ``doc_ids``."""
        need = int(doc_ids.max()) + 1 if len(doc_ids) else 0
        if need > len(self._u):
            first, last = len(self._u) // self.BLOCK, -(-need // self.BLOCK)
            blocks = [
                draws(self.seed, self.purpose, b).random(self.BLOCK) for b in range(first, last)
            ]
            self._u = np.concatenate([self._u, *blocks])
        return self._u[doc_ids]


class DetectorFilter:
    """Drops the documents an AI-text detector flags.

    Args:
        params: the detector.
        uniforms: each document's draw.
        excess_of: the writing generation's excess cross-entropy of AI documents.
        marks: the policies' per-document columns (``paraphrased``).
    """

    name = "detector"

    def __init__(
        self,
        params: DetectorParams,
        uniforms: DocumentDraws,
        excess_of: ExcessOf,
        marks: DocumentColumns,
    ):
        self.params, self.uniforms, self.excess_of, self.marks = params, uniforms, excess_of, marks

    def human_flag_rate(self) -> float:
        """Probability that a human document is flagged."""
        p = self.params
        return p.false_positive_rate if p.mode == "rates" else float(1.0 - ndtr(p.threshold))

    def ai_flag_rate(self, detectability: np.ndarray) -> np.ndarray:
        """Probability that an AI document of ``detectability`` q in [0, 1] is flagged."""
        p = self.params
        if p.mode == "rates":
            return (1.0 - p.false_negative_rate) * detectability
        return 1.0 - ndtr(p.threshold - p.separation * detectability)

    def flag_rates(self, doc_ids: np.ndarray, store: DocumentColumns) -> np.ndarray:
        """Flag probability of each of ``doc_ids``."""
        p = self.params
        ai = store.column("origin")[doc_ids] == Origin.AI
        rates = np.full(len(doc_ids), self.human_flag_rate())
        if ai.any():
            ids = doc_ids[ai]
            q = np.ones(len(ids))
            if p.quality_elasticity > 0:
                excess = self.excess_of(
                    store.values("trainer", ids), store.values("generation", ids)
                )
                q = np.clip(excess / p.reference_excess, 0.0, 1.0) ** p.quality_elasticity
            flag = self.ai_flag_rate(q)
            paraphrased = self.marks.column("paraphrased")[ids]
            rates[ai] = np.where(paraphrased, flag * (1.0 - p.paraphrase_evasion), flag)
        return rates

    def keep(self, doc_ids: np.ndarray, store: DocumentColumns, generation: int) -> np.ndarray:
        """True for documents the detector does not flag."""
        return self.uniforms(doc_ids) >= self.flag_rates(doc_ids, store)


class WatermarkFilter:
    """Drops the watermarked documents a watermark check detects.

    Args:
        params: the mandate (its detection rate).
        uniforms: each document's draw.
    """

    name = "watermark"

    def __init__(self, params: WatermarkParams, uniforms: DocumentDraws):
        self.params, self.uniforms = params, uniforms

    def keep(self, doc_ids: np.ndarray, store: DocumentColumns, generation: int) -> np.ndarray:
        """True unless the document is watermarked and the check detects it."""
        marked = store.column("watermark")[doc_ids]
        return ~(marked & (self.uniforms(doc_ids) < self.params.detection_rate))
