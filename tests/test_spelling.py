"""Token spellings: English words by frequency rank (or pseudo-words), one to one, text only."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ecosystem.config import load_scenario
from ecosystem.runner import simulate
from ecosystem.truth.spelling import english_words, spellings, word_list
from tests.conftest import ROOT


@pytest.mark.parametrize("vocab_size", [1, 300, 20_000, 45_001])
def test_word_spelling_is_a_bijection(vocab_size):
    words = spellings(vocab_size, "words")
    assert len(words) == vocab_size
    assert len(set(words)) == vocab_size
    assert all(isinstance(w, str) and w and " " not in w for w in words[:50])


def test_frequent_ranks_are_common_words_and_the_list_repeats_with_numbers():
    listed = word_list()
    assert len(listed) == 20_000
    assert list(english_words(5)) == ["the", "to", "and", "of", "a"]
    words = english_words(2 * len(listed) + 2)
    assert words[len(listed)] == "the2" and words[2 * len(listed) + 1] == "to3"
    assert all(w.isalpha() and w.islower() for w in listed)  # numbered forms cannot clash


def test_pseudo_words_are_kept_as_an_option():
    assert list(spellings(3, "pseudo")) == ["ba", "be", "bi"]
    with pytest.raises(ValueError, match="unknown spelling"):
        spellings(3, "klingon")


def _tables(name: str, spelling: str, extra: list[str]) -> dict[str, pl.DataFrame]:
    scenario = load_scenario(ROOT / "scenarios" / name, [f"truth.spelling={spelling}", *extra])
    return simulate(scenario)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        (
            "loop_tokens.yaml",
            ["loop.replicas=2", "loop.generations=2", "loop.samples_per_generation=200",
             "loop.test_samples=200", "metrics.sample_size=100"],
        ),
        ("baseline.yaml", ["steps=7", "authors.count=400", "metrics.test_docs=100"]),
    ],
)  # fmt: skip
def test_spelling_changes_only_the_text_columns(name, extra):
    words = _tables(name, "words", extra)
    pseudo = _tables(name, "pseudo", extra)
    assert words.keys() == pseudo.keys()
    text_columns = 0
    for table, frame in words.items():
        other = pseudo[table]
        assert frame.schema == other.schema, table
        for column in frame.columns:
            if frame.schema[column] == pl.String and column.endswith("_text"):
                text_columns += 1
                assert frame[column].n_unique() > 0
                assert (frame[column] != other[column]).any(), column
            else:
                assert frame[column].equals(other[column]), (table, column)
    assert text_columns >= 2  # model and human text differ, everything else is identical


def test_word_text_reads_as_english():
    tables = _tables("loop_tokens.yaml", "words", ["loop.replicas=1", "loop.generations=1"])
    text = " ".join(tables["samples"]["model_text"].to_list()).split()
    common = set(english_words(50))
    assert np.mean([w in common for w in text]) > 0.3  # Zipf: common words dominate
