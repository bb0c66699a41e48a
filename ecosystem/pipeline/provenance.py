"""The provenance-label filter: drop posts a platform labelled as AI-assisted.

Trainers apply it when ``policies.provenance.crawlers_drop`` is set. It is also the hook for a
platform owner that drops labelled posts from its own data: ``LabelFilter(model.policies.marks)``
(or ``model.policies.label_filter()``) then ``keep(doc_ids, model.store, generation)``.
"""

from __future__ import annotations

import numpy as np

from ecosystem.pipeline.filters import DocumentColumns


class LabelFilter:
    """Drops documents carrying a provenance label.

    Args:
        marks: per-document policy columns (``labelled``), indexed by document id.
    """

    name = "provenance"

    def __init__(self, marks: DocumentColumns):
        self.marks = marks

    def keep(self, doc_ids: np.ndarray, store: DocumentColumns, generation: int) -> np.ndarray:
        """True for unlabelled documents."""
        return ~self.marks.column("labelled")[doc_ids]
