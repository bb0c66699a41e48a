"""Companies: own trainers, deploy their best latest model, compete for AI-using authors."""

from __future__ import annotations

import mesa
import numpy as np

from ecosystem.config.ecosystem import CompanyParams
from ecosystem.world.holdings import Holdings
from ecosystem.world.market import Deployment
from ecosystem.world.streams import Draw, draws


class Company(mesa.Agent):
    """A company selling access to its deployed model.

    Args:
        model: the EcosystemModel.
        index: the company's index in the scenario.
        params: its parameters.
    """

    def __init__(self, model: mesa.Model, index: int, params: CompanyParams):
        super().__init__(model)
        self.index = int(index)
        self.params = params
        self.name = params.name
        self.trainers: list = []
        self.deployed: Deployment | None = None
        self.holdings = Holdings(params.holdings)

    def own(self, trainer) -> None:
        """Take ``trainer`` into the company."""
        self.trainers.append(trainer)
        trainer.company = self

    def deploy(self) -> None:
        """Company phase of a step: deploy the best latest model of its trainers (lowest excess
        cross-entropy), at the company's price and with its watermark setting."""
        latest = [t.latest for t in self.trainers if t.latest is not None]
        if latest:
            best = min(latest, key=lambda d: (d.excess_cross_entropy, d.trainer))
            self.deployed = best.priced(self.params.price, self.params.watermark)

    def deployed_training(self):
        """What its deployed model was trained on (an ``agents.trainers.TrainedGeneration``),
        or None before it deploys."""
        if self.deployed is None:
            return None
        return self.model.trainers[self.deployed.trainer].trained

    def proprietary_data(self, step: int, trainer: int, generation: int) -> np.ndarray | None:
        """Store ids of the human data only this company holds (its platforms' posts, licensed
        archives, a pre-AI snapshot), added to ``trainer``'s generation at ``step``; None when
        it holds nothing (``ecosystem.world.holdings``)."""
        if not self.holdings.any:
            return None
        rng = draws(self.model.seed, Draw.HOLDINGS, self.index, trainer, generation)
        return self.holdings.documents(self.model.store, rng)
