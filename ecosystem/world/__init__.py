"""``kind: ecosystem`` minus the agents: the Mesa model and its step, the web, the content
store, crawling, publishing, the market, reporters and the run's tables.

The agents that act in this world (authors, farms, trainers, companies) live in the top-level
``agents`` package; what a trainer trains on is built by the training-data pipeline
(``ecosystem.pipeline``), which lab mode shares.
"""
