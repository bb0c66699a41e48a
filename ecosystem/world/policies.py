"""The policy levers' mechanics in the world (``policies`` block of a scenario).

One :class:`Policies` object per model holds what the levers need and plugs in at named places:

- publishing (:meth:`Policies.stamp`, called by :func:`~ecosystem.world.publish.publish`): the
  watermark mandate (a ``compliance`` share of covered models' documents carry a watermark),
  farms' paraphrasing (a paraphrased farm document loses its watermark), provenance labels
  (an AI-assisted platform post is labelled with probability platform_rule · disclosure);
  labels and paraphrases are per-document columns of :attr:`Policies.marks`;
- the filter stage (:meth:`Policies.filters`): the detector, the watermark check and the label
  filter of each trainer (``ecosystem/pipeline/detector.py``, ``provenance.py``);
- the trainers' strategies (:meth:`Policies.trainer_params`): the retention mandate forces
  ``accumulate``;
- the market (:meth:`Policies.collect_levy`, after each step's publishing): the levy on
  companies' AI documents, the archive it buys and the payments to authors;
- the authors' decisions (:meth:`Policies.quit_scale`): paid authors' quit hazard is divided by
  1 + κ · payment;
- the mix stage (:meth:`Policies.archive_part`): archive documents each trainer mixes in.

With every lever off nothing here draws from a stream another part of the world uses, and
nothing changes what the world does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.core.buffers import Column
from ecosystem.core.data import TokenDocs
from ecosystem.pipeline.detector import DetectorFilter, DocumentDraws, WatermarkFilter
from ecosystem.pipeline.filters import Filter
from ecosystem.pipeline.mix import fresh_documents
from ecosystem.pipeline.provenance import LabelFilter
from ecosystem.world.streams import Draw, draws
from ecosystem.world.web import SiteKind

if TYPE_CHECKING:
    from ecosystem.world.model import EcosystemModel

HUMAN = -1  # source of a human-written request (as in publish)
FARM_AUTHOR = -1  # author of a farm document


class PolicyMarks:
    """Per-document policy columns, aligned with the content store's ids."""

    NAMES = ("labelled", "paraphrased")

    def __init__(self) -> None:
        self._columns = {name: Column(np.bool_, capacity=1 << 16) for name in self.NAMES}

    def append(self, **values: np.ndarray) -> None:
        """Append one value per new document to every column."""
        for name, column in self._columns.items():
            column.append(values[name])

    def column(self, name: str) -> np.ndarray:
        """A column (``labelled`` or ``paraphrased``) indexed by document id."""
        return self._columns[name].view


class Policies:
    """The policy levers of one model run.

    Args:
        model: the EcosystemModel (read when a lever acts: offers, web, authors, truth).
    """

    def __init__(self, model: EcosystemModel):
        self.model = model
        scenario = model.params
        self.params = scenario.policies
        self.paraphrase = scenario.farms.paraphrase
        self.marks = PolicyMarks()
        self._excess = np.full((len(scenario.trainers), 1), np.nan)
        self._detector_draws = DocumentDraws(model.seed, Draw.DETECTOR)
        self._watermark_draws = DocumentDraws(model.seed, Draw.WATERMARK_CHECK)
        self._controls = {t.name for t in scenario.trainers if t.human_only}
        # the levy's money flows of the last step, and the archive
        self.levy_revenue = 0.0
        self.levy_by_company = np.zeros(len(scenario.companies))
        self.archive_spending = 0.0
        self.author_payments = 0.0
        self.payment_per_author = 0.0
        self._fund = 0.0
        self._archive: list[TokenDocs] = []
        self._archive_all: TokenDocs | None = None
        self.archive_docs = 0

    # ------------------------------------------------------------------ who a lever covers
    def _applies(self, names: list[str] | None, trainer: TrainerParams) -> bool:
        if names is None:
            return trainer.name not in self._controls
        return trainer.name in names

    def retention_mandated(self, trainer: TrainerParams) -> bool:
        """Whether the retention mandate covers ``trainer``."""
        rule = self.params.retention
        return rule is not None and self._applies(rule.trainers, trainer)

    def trainer_params(self, trainers: list[TrainerParams]) -> list[TrainerParams]:
        """The trainers' parameters with the retention mandate applied (strategy accumulate)."""
        return [
            t.model_copy(update={"strategy": "accumulate"}) if self.retention_mandated(t) else t
            for t in trainers
        ]

    # ------------------------------------------------------------------ the filter stage
    def filters(self, trainer: TrainerParams) -> tuple[Filter, ...]:
        """The filter chain of ``trainer``: detector, watermark check, labels (those that apply)."""
        p = self.params
        chain: list[Filter] = []
        if p.detector is not None and self._applies(p.detector.trainers, trainer):
            chain.append(
                DetectorFilter(p.detector, self._detector_draws, self.excess_of, self.marks)
            )
        mark = p.watermark
        if mark is not None and mark.drop_detected and self._applies(mark.trainers, trainer):
            chain.append(WatermarkFilter(mark, self._watermark_draws))
        label = p.provenance
        if label is not None and label.crawlers_drop and self._applies(label.trainers, trainer):
            chain.append(self.label_filter())
        return tuple(chain)

    def label_filter(self) -> LabelFilter:
        """The provenance-label filter (for trainers, and for platform owners' own data)."""
        return LabelFilter(self.marks)

    def record_quality(self, trainer: int, generation: int, excess: float) -> None:
        """Remember the excess cross-entropy of a trained generation (detectability)."""
        if generation >= self._excess.shape[1]:
            grow = np.full((self._excess.shape[0], generation + 1), np.nan)
            grow[:, : self._excess.shape[1]] = self._excess
            self._excess = grow
        self._excess[trainer, generation] = excess

    def excess_of(self, trainer: np.ndarray, generation: np.ndarray) -> np.ndarray:
        """Excess cross-entropy of the generation that wrote each AI document."""
        return self._excess[trainer.astype(np.int64), generation.astype(np.int64)]

    # ------------------------------------------------------------------ publishing
    def stamp(
        self,
        watermark: np.ndarray,
        source: np.ndarray,
        author: np.ndarray,
        site: np.ndarray,
        step: int,
    ) -> np.ndarray:
        """Watermarks of a batch about to be published (in publishing order); records its
        labels and paraphrases. ``source``: -1 human, else the offer index that writes it."""
        n, seed = len(source), self.model.seed
        ai = source != HUMAN
        watermark = watermark.copy()
        mandate = self.params.watermark
        if mandate is not None and ai.any():
            covered = np.zeros(len(self.model.offers) + 1, dtype=bool)
            company = self.model.company_offer
            covered[company[company >= 0]] = True
            if mandate.cover_open_weights:
                covered[:-1] = True
            rng = draws(seed, Draw.WATERMARK, step)
            hit = ai & covered[np.where(ai, source, -1)] & (rng.random(n) < mandate.compliance)
            watermark |= hit
        paraphrased = np.zeros(n, dtype=bool)
        farm = ai & (author == FARM_AUTHOR)
        if self.paraphrase > 0 and farm.any():
            paraphrased = farm & (draws(seed, Draw.PARAPHRASE, step).random(n) < self.paraphrase)
            watermark &= ~paraphrased
        labelled = np.zeros(n, dtype=bool)
        provenance = self.params.provenance
        if provenance is not None:
            assisted = ai & (author != FARM_AUTHOR)
            assisted &= self.model.web.kind[site] == SiteKind.PLATFORM
            rate = provenance.platform_rule * provenance.disclosure
            labelled = assisted & (draws(seed, Draw.PROVENANCE, step).random(n) < rate)
        self.marks.append(labelled=labelled, paraphrased=paraphrased)
        return watermark

    # ------------------------------------------------------------------ the levy
    def collect_levy(self, source: np.ndarray, step: int) -> None:
        """This step's levy on companies' documents, the archive it buys, authors' payments."""
        levy = self.params.levy
        if levy is None:
            return
        model = self.model
        per_company = np.zeros(len(model.companies))
        for i, offer in enumerate(model.company_offer):
            if offer >= 0:
                per_company[i] = levy.per_document * np.count_nonzero(source == offer)
        self.levy_by_company = per_company
        self.levy_revenue = float(per_company.sum())
        self._fund += self.levy_revenue * levy.archive_share
        bought = int(np.floor(self._fund / levy.archive_price + 1e-9))
        self.archive_spending = bought * levy.archive_price
        self._fund -= self.archive_spending
        if bought:
            self._archive.append(
                fresh_documents(model.truth, bought, draws(model.seed, Draw.ARCHIVE, step))
            )
            self._archive_all = None
            self.archive_docs += bought
        self.author_payments = self.levy_revenue * levy.authors_share
        active = int(np.count_nonzero(model.authors.active))
        self.payment_per_author = self.author_payments / active if active else 0.0

    def quit_scale(self) -> float:
        """Factor on every active author's quit hazard: 1 / (1 + κ · last payment)."""
        levy = self.params.levy
        if levy is None:
            return 1.0
        return 1.0 / (1.0 + levy.payment_elasticity * self.payment_per_author)

    def archive_part(self, trainer: TrainerParams, index: int, generation: int) -> TokenDocs | None:
        """Archive documents ``trainer`` mixes into ``generation`` (None: no archive yet)."""
        levy = self.params.levy
        if levy is None or not self.archive_docs or levy.archive_mix == 0 or trainer.human_only:
            return None
        if self._archive_all is None:
            self._archive_all = TokenDocs.concat(self._archive)
        rng = draws(self.model.seed, Draw.ARCHIVE, index, generation, 1)
        size = min(levy.archive_mix, self.archive_docs)
        return self._archive_all.take(np.sort(rng.choice(self.archive_docs, size, replace=False)))
