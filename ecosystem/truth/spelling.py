"""Readable spellings of token ids, so sampled documents can be read as text.

Token ids are ranked by frequency (id 0 is the most common). Two spellings, each a bijection
(a text spells its token ids and nothing else):

- ``words``: id r is the English word of frequency rank r+1 (``words/english.txt``, from
  wordfreq), so frequent tokens are common words and the tail is rare words; past the end of
  the list, numbered forms of the same words ("the2", "to2", ..., "the3", ...).
- ``pseudo``: consonant-vowel syllables, frequent tokens short: ids 0..n1-1 one syllable, the
  next n1² two syllables, and so on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

Spelling = Literal["words", "pseudo"]
WORD_LIST = Path(__file__).resolve().parent / "words" / "english.txt"

_CONSONANTS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"]
_VOWELS = ["a", "e", "i", "o", "u"]
SYLLABLES = np.array([c + v for c in _CONSONANTS for v in _VOWELS])


def spellings(vocab_size: int, spelling: Spelling = "words") -> np.ndarray:
    """The spelling of every token id 0..vocab_size-1 (object array of distinct str)."""
    if spelling == "words":
        return english_words(vocab_size)
    if spelling == "pseudo":
        return pseudo_words(vocab_size)
    raise ValueError(f"unknown spelling {spelling!r} (words or pseudo)")


@cache
def word_list() -> np.ndarray:
    """The shipped English words, most frequent first (object array of str)."""
    return np.array(WORD_LIST.read_text(encoding="ascii").split(), dtype=object)


def english_words(vocab_size: int) -> np.ndarray:
    """Id r spelled as the word of frequency rank r+1; ids past the list as numbered words.

    With L words, id r >= L is word ``r mod L`` followed by ``r // L + 1`` ("the2"): listed
    words hold no digit, so no numbered form equals a listed word or another numbered form.
    """
    words = word_list()
    ids = np.arange(vocab_size)
    base = words[ids % len(words)]
    copy = ids // len(words)
    if not copy.any():
        return base
    suffix = np.where(copy > 0, (copy + 1).astype(str), "").astype(object)
    return base + suffix


def pseudo_words(vocab_size: int) -> np.ndarray:
    """The pseudo-word of every token id 0..vocab_size-1 (object array of str)."""
    base = len(SYLLABLES)
    words = []
    ids = np.arange(vocab_size)
    start = 0
    n_syll = 1
    while start < vocab_size:
        block = base**n_syll
        chunk = ids[start : start + block] - start
        parts = []
        rest = chunk.copy()
        for _ in range(n_syll):
            parts.append(SYLLABLES[rest % base])
            rest //= base
        word = parts[-1].astype(object)
        for part in reversed(parts[:-1]):
            word = word + part.astype(object)
        words.append(word)
        start += block
        n_syll += 1
    return np.concatenate(words)[:vocab_size]
