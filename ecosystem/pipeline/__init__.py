"""The training-data pipeline: the one place a generation's training set is built.

The lab loop and the world's trainers run the same stages, in this order:

1. **source**: a crawl of the web (a trainer: :func:`ecosystem.world.crawl.crawl`), or the
   previous generation's own samples (the lab);
2. **filters** (:mod:`.filters`): crawled (and proprietary) documents a trainer will not
   train on. The default chain is empty; policy levers add :class:`~.filters.Filter` objects:
   an AI-text detector and a watermark check (:mod:`.detector`), a provenance-label filter
   (:mod:`.provenance`);
3. **mix** (:mod:`.mix`): human data besides the source: fresh human text, retained original
   (generation-0) data, a company's proprietary data (store ids of its holdings,
   :meth:`agents.companies.Company.proprietary_data`, filtered by the same chain as the
   crawl) and a levy-funded archive;
4. **strategy** (:mod:`.strategies`): replace, accumulate, accumulate_subsample,
   fresh_fraction or original_fraction, each a :class:`~.strategies.StrategyRule` applied by
   :func:`~.strategies.apply_strategy` to this generation's parts and a pool of what was seen;
5. **fit**: the learner fits the training set (or its sufficient statistics).

Modules: :mod:`.strategies` (the names, the rules, the strategy stage), :mod:`.filters`,
:mod:`.mix`, :mod:`.pools` (the lab's pools of rows or of sufficient statistics),
:mod:`.lab` (the lab's assembler and its fast paths), :mod:`.trainer` (a trainer's assembler
over the content store). The sufficient-statistic paths are fast paths of the same rules, equal
in distribution to the explicit path (``tests/test_pipeline.py``).
"""

import importlib

_HOME = {
    "NO_FILTERS": "filters",
    "Filter": "filters",
    "apply_filters": "filters",
    "STRATEGIES": "strategies",
    "STRATEGY_NAMES": "strategies",
    "Strategy": "strategies",
    "StrategyRule": "strategies",
    "apply_strategy": "strategies",
    "strategy_rule": "strategies",
}
"""The module each exported name lives in."""

__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    """The exported names, imported on first use: the scenario schemas read the strategy names
    (``ecosystem.pipeline.strategies``) without this package loading the numpy stages, so
    ``ecosim validate`` starts fast."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
