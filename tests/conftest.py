"""Shared fixtures: small scenarios written to temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

SMALL_TOKENS = """\
kind: loop
name: small_tokens
seed: 3
truth:
  modality: tokens
  vocab_size: 60
  topics: 2
  doc_length_min: 8
  doc_length_max: 24
learner:
  kind: ngram
  order: 2
  add_k: 0.0001
loop:
  replicas: 3
  generations: 4
  samples_per_generation: 300
  strategies: [replace, accumulate]
  test_samples: 300
metrics:
  sample_size: 200
"""


@pytest.fixture
def small_tokens_yaml(tmp_path: Path) -> Path:
    """A loop scenario over a tiny token language that runs in well under a second."""
    path = tmp_path / "small_tokens.yaml"
    path.write_text(SMALL_TOKENS)
    return path
