"""Content farms: many AI documents per step, written with the cheapest model available."""

from __future__ import annotations

import mesa
import numpy as np

from ecosystem.config.world import FarmsParams
from ecosystem.world.publish import PublishRequests
from ecosystem.world.streams import Draw, draws

FARM_AUTHOR = -1


class ContentFarm(mesa.Agent):
    """A content farm: a set of link-farm sites flooded with model-written documents.

    Args:
        model: the EcosystemModel.
        index: the farm's id (owner id of its sites).
        params: the farms' parameters.
    """

    def __init__(self, model: mesa.Model, index: int, params: FarmsParams):
        super().__init__(model)
        self.index = int(index)
        self.params = params
        self.sites = np.zeros(0, dtype=np.int64)

    def open_sites(self, n: int, rng: np.random.Generator) -> None:
        """Open ``n`` new sites in the link farm."""
        ids = self.model.web.add_farm_sites(np.full(n, self.index), self.params, rng)
        self.sites = np.concatenate([self.sites, ids])

    def expand(self) -> None:
        """Web phase: open this step's new sites (Poisson ``new_sites_per_step``)."""
        if self.params.new_sites_per_step > 0:
            rng = draws(self.model.seed, Draw.WEB, self.model.step_index, 1, self.index)
            self.open_sites(int(rng.poisson(self.params.new_sites_per_step)), rng)

    def output(self, step: int, launch_step: int) -> float:
        """Mean documents this step: 0 before launch, ramping up to docs_per_step."""
        if step < launch_step:
            return 0.0
        ramp = self.params.ramp_steps
        level = 1.0 if ramp == 0 else min(1.0, (step - launch_step + 1) / ramp)
        return self.params.docs_per_step * level

    def requests(self) -> PublishRequests:
        """This step's documents: Poisson count, uniform topics and sites, cheapest model."""
        model = self.model
        step = model.step_index
        rng = draws(model.seed, Draw.FARMS, step, self.index)
        writer = model.cheapest_model()
        if writer is None:
            return PublishRequests.empty()
        n = int(rng.poisson(self.output(step, model.params.launch_step)))
        return PublishRequests(
            topic=rng.integers(0, model.truth.topics, size=n).astype(np.int64),
            site=self.sites[rng.integers(0, len(self.sites), size=n)],
            author=np.full(n, FARM_AUTHOR, dtype=np.int64),
            source=np.full(n, writer, dtype=np.int64),
        )
