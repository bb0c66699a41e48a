"""Exact draws shared by truths, learners and loops: sizes, matrix square roots, Wishart factors,
cycled picks without replacement.

The statistics path of loop mode replaces n Gaussian samples by their sufficient statistics drawn
from their exact law: the sample mean is normal and the scatter matrix is Wishart. Every random
number here is drawn per replica from that replica's generator (one call per quantity), then
assembled with batched numpy operations, so replica r's values never depend on how many replicas
run (see :mod:`ecosystem.core.rng`).
"""

from __future__ import annotations

import numpy as np

from ecosystem.core.rng import ReplicaRNG


def common_size(n: np.ndarray | int, n_replicas: int) -> int:
    """The one sample size shared by all replicas.

    Args:
        n: samples per replica, shape (R,), or one integer for all.
        n_replicas: R.

    Returns:
        The common size.

    Raises:
        ValueError: when replicas ask for different sizes or a size is negative.
    """
    sizes = np.broadcast_to(np.asarray(n, dtype=np.int64), (n_replicas,))
    if n_replicas == 0:
        return 0
    size = int(sizes[0])
    if np.any(sizes != size):
        raise ValueError(f"every replica must draw the same number of samples, got {sizes}")
    if size < 0:
        raise ValueError(f"sample size must be >= 0, got {size}")
    return size


def chisquare(gen: np.random.Generator, df: np.ndarray) -> np.ndarray:
    """Chi-square draws with degrees of freedom ``df`` (one call; a constant df takes the fast
    scalar path, which yields the same numbers)."""
    df = np.asarray(df, dtype=np.float64)
    if df.size and np.all(df == df.flat[0]):
        return gen.chisquare(df.flat[0], size=df.shape)
    return gen.chisquare(df)


def cycled_indices(g: np.random.Generator, n_items: int, n: int) -> np.ndarray:
    """``n`` indices into ``n_items`` items, without replacement until every item is used, then
    from fresh permutations (one ``permutation`` call per round)."""
    rounds = -(-n // n_items) if n else 0
    perms = [g.permutation(n_items) for _ in range(rounds)]
    return np.concatenate(perms)[:n] if perms else np.zeros(0, dtype=np.int64)


def psd_factor(cov: np.ndarray, eig: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """A factor F with F Fᵀ = cov for a batch of positive semi-definite matrices (..., d, d).

    Uses the eigendecomposition (``eig``, when the caller has ``np.linalg.eigh(cov)`` already),
    so singular (collapsed) covariances are fine and each matrix's factor does not depend on the
    others in the batch.
    """
    if cov.shape[-1] == 1:
        return np.sqrt(np.clip(cov, 0.0, None))
    eigval, eigvec = np.linalg.eigh(cov) if eig is None else eig
    return eigvec * np.sqrt(np.clip(eigval, 0.0, None))[..., None, :]


def wishart_draw_counts(df: int, dim: int) -> tuple[int, np.ndarray]:
    """Standard normals and chi-square degrees of freedom one Wishart(I_dim, df) draw consumes.

    With ``df >= dim`` the Bartlett decomposition needs dim(dim-1)/2 normals below the diagonal and
    chi-squares with df, df-1, ..., df-dim+1 degrees of freedom on it; with ``df < dim`` the matrix
    is singular and is built from df explicit standard normal rows.
    """
    if df >= dim:
        return dim * (dim - 1) // 2, df - np.arange(dim, dtype=np.float64)
    return max(df, 0) * dim, np.empty(0)


def standard_wishart_factor(
    df: int, dim: int, normals: np.ndarray, chisq: np.ndarray
) -> np.ndarray:
    """Assemble B with B Bᵀ ~ Wishart(I_dim, df) from the draws named by ``wishart_draw_counts``.

    Args:
        df: degrees of freedom (samples minus one for a scatter matrix).
        dim: d.
        normals: (R, k) standard normals, k from ``wishart_draw_counts``.
        chisq: (R, dim) chi-squares when ``df >= dim``, else (R, 0).

    Returns:
        (R, dim, dim) lower-triangular Bartlett factors when ``df >= dim`` (then also the Cholesky
        factor of the Wishart matrix), else (R, dim, df) transposed normal rows.
    """
    n_replicas = normals.shape[0]
    if df < dim:
        return normals.reshape(n_replicas, max(df, 0), dim).transpose(0, 2, 1)
    factor = np.zeros((n_replicas, dim, dim))
    rows, cols = np.tril_indices(dim, -1)
    factor[:, rows, cols] = normals
    diag = np.arange(dim)
    factor[:, diag, diag] = np.sqrt(chisq)
    return factor


def draw_standard_wishart_factor(
    rng: ReplicaRNG, df: int, dim: int, extra_normals: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a Wishart(I_dim, df) factor per replica, plus ``extra_normals`` standard normals.

    Each replica makes one normal call (extras first, then the Wishart normals) and at most one
    chi-square call, from its own generator.

    Returns:
        (factor, extra): the factor as in ``standard_wishart_factor`` and (R, extra_normals).
    """
    n_normals, chisq_df = wishart_draw_counts(df, dim)
    n_replicas = len(rng)
    normals = np.empty((n_replicas, extra_normals + n_normals))
    chisq = np.empty((n_replicas, chisq_df.shape[0]))
    for r, gen in enumerate(rng):
        normals[r] = gen.standard_normal(extra_normals + n_normals)
        if chisq_df.shape[0]:
            chisq[r] = chisquare(gen, chisq_df)
    factor = standard_wishart_factor(df, dim, normals[:, extra_normals:], chisq)
    return factor, normals[:, :extra_normals]
