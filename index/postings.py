"""Sums over posting lists, compiled with numba: the inner loop of every lexical score (index.lexical).

Consumes postings in compressed-column form (`data`, the row of each entry, column pointers): bm25s's
token x paragraph BM25 matrix, or index.lexical's token x document maxima; and the columns a query asks
for. Produces the sum of those columns' entries per row, added into a caller's array.

Why not bm25s's own scorers: its numpy scorer adds each token's postings with `np.add.at`, about 3 ns an
entry, and a dev-set query at ~100k paragraphs reads ~240k entries over the two fields (0.75 ms). This
loop takes ~1.4 ns an entry (0.33 ms). bm25s can compile the same loop with numba
(`activate_numba_scorer`), but without numba's on-disk cache, so every process would compile it again
(~0.9 s) at its first query; here the compiled code is cached beside this file and `warm_up` loads it
with the index (~0.3 s in a fresh process, most of it numba's own start-up).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def add_columns(out: np.ndarray, data: np.ndarray, rows: np.ndarray, indptr: np.ndarray, columns: np.ndarray) -> None:
    """out[rows[j]] += data[j] for every entry j of the given columns (duplicates in `columns` count twice)."""
    for column in columns:
        for j in range(indptr[column], indptr[column + 1]):
            out[rows[j]] += data[j]


def column_sums(matrix: tuple[np.ndarray, np.ndarray, np.ndarray], columns: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`out` (one value per row) plus the per-row sum of the `columns` of `matrix` = (data, rows, indptr)."""
    if len(columns):
        data, rows, indptr = matrix
        add_columns(out, data, rows, indptr, np.asarray(columns, dtype=np.int64))
    return out


def warm_up(matrix: tuple[np.ndarray, np.ndarray, np.ndarray], out_dtype: type = np.float32) -> None:
    """Load (or compile, the first time) the loop for these dtypes, so that a first query does not."""
    data, rows, indptr = matrix
    column_sums((data[:0], rows[:0], np.zeros(2, dtype=indptr.dtype)), np.zeros(1, dtype=np.int64), np.zeros(1, out_dtype))
