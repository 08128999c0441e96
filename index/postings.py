"""Sums over posting lists: the inner loop of every lexical score (index.lexical).

Consumes postings in compressed-column form (`data`, the row of each entry, column pointers): bm25s's
token x paragraph BM25 matrix, or index.lexical's token x document maxima; and the columns a query asks
for. Produces the sum of those columns' entries per row, added into a caller's array.

With numba installed (the `numba` extra) the loop is compiled and cached beside this file; without it a
numpy gather + bincount gives the same sums (why and what each costs: docs/decisions/0003-postings-loop.md).
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # optional: the numpy path below is exact, a little slower at ~100k paragraphs
    njit = None


def _add_columns_numpy(
    out: np.ndarray, data: np.ndarray, rows: np.ndarray, indptr: np.ndarray, columns: np.ndarray
) -> None:
    # one unbuffered add per column: ~2x numba's loop, but 3x faster than gathering all entries first
    for column in columns:
        start, end = indptr[column], indptr[column + 1]
        np.add.at(out, rows[start:end], data[start:end])


if njit is not None:

    @njit(cache=True, nogil=True)
    def add_columns(out, data, rows, indptr, columns) -> None:
        """out[rows[j]] += data[j] for every entry j of the given columns (duplicates in `columns` count twice)."""
        for column in columns:
            for j in range(indptr[column], indptr[column + 1]):
                out[rows[j]] += data[j]
else:
    add_columns = _add_columns_numpy

COMPILED = njit is not None


def column_sums(
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray], columns: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """`out` (one value per row) plus the per-row sum of the `columns` of `matrix` = (data, rows, indptr)."""
    if len(columns):
        data, rows, indptr = matrix
        add_columns(out, data, rows, indptr, np.asarray(columns, dtype=np.int64))
    return out


def warm_up(matrix: tuple[np.ndarray, np.ndarray, np.ndarray], out_dtype: type = np.float32) -> None:
    """Load (or compile, the first time) the loop for these dtypes, so that a first query does not."""
    data, rows, indptr = matrix
    column_sums(
        (data[:0], rows[:0], np.zeros(2, dtype=indptr.dtype)),
        np.zeros(1, dtype=np.int64),
        np.zeros(1, out_dtype),
    )
