"""Companies: own trainers, deploy their best latest model, compete for AI-using authors."""

from __future__ import annotations

import mesa

from ecosystem.config.ecosystem import CompanyParams
from ecosystem.core.data import TokenDocs
from ecosystem.world.market import Deployment


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

    def proprietary_data(self, step: int) -> TokenDocs | None:
        """Human documents only this company can train on (its platform's posts, licensed
        archives, a pre-AI snapshot), added to its trainers' data at ``step``.

        The seam for data moats and licensing (a later issue): companies hold no proprietary
        data yet, so this returns None.
        """
        return None
