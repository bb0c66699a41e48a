"""Readable pseudo-word spellings for token ids, so sampled documents can be read as text.

Token ids are ranked by frequency (id 0 is the most common), and spellings are built from
consonant-vowel syllables so that frequent tokens get short words: ids 0..n1-1 one syllable,
the next n1² two syllables, and so on. The map is a bijection, so a text spells its token ids.
"""

from __future__ import annotations

import numpy as np

_CONSONANTS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"]
_VOWELS = ["a", "e", "i", "o", "u"]
SYLLABLES = np.array([c + v for c in _CONSONANTS for v in _VOWELS])


def spellings(vocab_size: int) -> np.ndarray:
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
