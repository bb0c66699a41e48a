"""Counter-based uniforms: a random number that is a pure function of its address.

The content store draws a document's text only when somebody reads it, so the uniforms behind
token ``j`` of document ``d`` cannot come from a generator's position in a stream (that would
depend on which documents were read before). Instead each uniform is a hash of its address
``(key, document, position, lane)``: the SplitMix64 output function (Steele, Lea & Flood 2014,
the finaliser behind Java's ``SplittableRandom``) applied to ``key + counter · γ`` with γ the
64-bit golden ratio, exactly the generator's output at position ``counter`` of the stream
``key``. Distinct addresses map to distinct counters, so every token of every document has its
own uniforms, the same ones whenever and however often it is read, and a document's text does
not depend on which other documents exist.

``key`` comes from the run seed through :func:`ecosystem.core.rng.int_seed`; everything runs
vectorised in numpy's wrapping uint64 arithmetic.
"""

from __future__ import annotations

import numpy as np

from ecosystem.core.rng import Stream, seed_sequence

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
POSITION_BITS = 20  # positions within a document: < 2^20 tokens
LANE_BITS = 2  # up to 4 uniforms per token
MAX_POSITION = 1 << POSITION_BITS
MAX_DOCUMENT = 1 << (64 - POSITION_BITS - LANE_BITS)


def counter_key(seed: int, stream: Stream, *index: int) -> int:
    """The 64-bit key of one stream of run ``seed`` (from its seed sequence)."""
    state = seed_sequence(seed, stream, *index).generate_state(2, dtype=np.uint32)
    return int(state[0]) | (int(state[1]) << 32)


def _finalise(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function on uint64 ``z`` (in place)."""
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def uniforms(key: int, counters: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) (53-bit) of the uint64 ``counters`` of stream ``key``."""
    z = counters * GOLDEN_GAMMA  # wraps modulo 2^64
    z += np.uint64(key)
    _finalise(z)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def document_uniforms(
    key: int, documents: np.ndarray, lengths: np.ndarray, lanes: int
) -> np.ndarray:
    """Uniforms of every token of ``documents`` (ids) of the given ``lengths``.

    Returns:
        (lanes, lengths.sum()) float64: lane ``l`` of token ``j`` of document ``d`` (tokens of
        the documents back to back in the given order) is the uniform of address (d, j, l).

    Raises:
        ValueError: on a document id, length or lane count outside the address space.
    """
    documents = np.asarray(documents, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if not 1 <= lanes <= 1 << LANE_BITS:
        raise ValueError(f"lanes must be in 1..{1 << LANE_BITS}, got {lanes}")
    if len(documents) and (documents.min() < 0 or documents.max() >= MAX_DOCUMENT):
        raise ValueError(f"document ids must be in [0, {MAX_DOCUMENT})")
    if len(lengths) and lengths.max(initial=0) > MAX_POSITION:
        raise ValueError(f"documents longer than {MAX_POSITION} tokens have no address")
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    base = (documents.astype(np.uint64) << np.uint64(POSITION_BITS + LANE_BITS)) - (
        starts.astype(np.uint64) << np.uint64(LANE_BITS)
    )
    counter = np.repeat(base, lengths)  # wraps; + (global index << LANE_BITS) gives position
    counter += np.arange(total, dtype=np.uint64) << np.uint64(LANE_BITS)
    out = np.empty((lanes, total))
    for lane in range(lanes):
        out[lane] = uniforms(key, counter + np.uint64(lane) if lane else counter)
    return out
