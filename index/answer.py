"""The extractive answer of a search.

Consumes a paragraph's text and the query's analysis; produces the sentence(s) of the best paragraph
that answer the query, quoted verbatim with their offsets (highlights: index/results.py).
Whether there is an answer at all is decided by `is_relevant` from two signals that do not depend
on the corpus size: the dense cosine of the best unit, and how many of the query's content syllables
the paragraph contains. How the thresholds were calibrated: docs/decisions/0009-answer-thresholds.md.
"""

from __future__ import annotations

import re

import numpy as np

from index.analysis import QueryAnalysis
from index.config import AnswerThresholds
from index.dense import sentence_spans
from ingest.normalize import fold_accents

MIN_ANSWER_CHARS = 40  # a shorter best sentence ("Trách nhiệm:") is quoted with the next one


_WORD = re.compile(r"[^\W_]+")


def padded_words(folded: str) -> str:
    """The words of an accent-folded text separated by single spaces, padded: a word (syllables joined by
    spaces) is present when it stands between two spaces, as a whole-word regex match would find it."""
    return f" {' '.join(_WORD.findall(folded))} "


class Coverage:
    """IDF-weighted share of the query's content words (and document numbers) found in a paragraph.

    Words, not syllables, weighted by rarity: "giá vàng hôm nay" shares only the common "hôm nay" with
    a page about something else, which must not count as half an answer. Words the corpus never
    contains (`known` False) are left to `unknown_share` and not counted here. The query's side is
    prepared once, so scoring the few hundred paragraphs of a candidate pool is substring tests only.
    """

    def __init__(
        self, query: QueryAnalysis, weights: list[float] | None = None, known: list[bool] | None = None
    ):
        words = query.content_words
        weights = weights if weights is not None else [1.0] * len(words)
        known = known if known is not None else [True] * len(words)
        number_weight = max(weights, default=1.0)
        # A word of an expanded abbreviation is found when the paragraph writes the abbreviation itself.
        self.words = [
            (tuple(f" {w} " for w in (word, query.abbreviated.get(word)) if w), weight)
            for word, weight, k in zip(words, weights, known)
            if k
        ]
        self.numbers = [(n, number_weight) for n in query.numbers]
        self.total = sum(w for _, w in self.words) + number_weight * len(self.numbers)

    def of_many(self, readings: list[tuple[str, str]]) -> np.ndarray:
        """The coverage of each paragraph given as (folded text, its padded words), at once."""
        found = np.zeros(len(readings))
        if self.total <= 0 or not readings:
            return found
        folded, padded = zip(*readings)
        for needles, weight in self.words:
            present = np.zeros(len(readings), dtype=bool)
            for needle in needles:
                present |= np.fromiter((needle in text for text in padded), bool, len(readings))
            found += weight * present
        for number, weight in self.numbers:
            found += weight * np.fromiter((number in text for text in folded), bool, len(readings))
        return found / self.total

    def __call__(self, paragraph_folded: str, padded: str | None = None) -> float:
        """`padded`: padded_words(paragraph_folded), when the caller keeps it."""
        if self.total <= 0:
            return 0.0
        text = padded_words(paragraph_folded) if padded is None else padded
        found = sum(w for needles, w in self.words if any(n in text for n in needles))
        found += sum(w for n, w in self.numbers if n in paragraph_folded)
        return found / self.total


def coverage(
    paragraph_folded: str,
    query: QueryAnalysis,
    weights: list[float] | None = None,
    known: list[bool] | None = None,
    padded: str | None = None,
) -> float:
    """Coverage of one paragraph (see `Coverage`)."""
    return Coverage(query, weights, known)(paragraph_folded, padded)


def unknown_share(query: QueryAnalysis, known: list[bool]) -> float:
    """Share of the query's content words that occur nowhere in the corpus ("phở", "vàng").

    Bare numbers do not count: "44" in "Kết luận 44" is indexed inside "44-kl/tw", not on its own.
    """
    counted = [k for word, k in zip(query.content_words, known) if not word.replace(" ", "").isdigit()]
    return (len(counted) - sum(counted)) / len(counted) if counted else 0.0


def is_relevant(cosine: float, cover: float, unknown: float, limits: AnswerThresholds) -> bool:
    """Whether the best paragraph answers the query: `cosine` of its best unit, the `cover`age of the
    query's known words in it, and the `unknown` share of the query's words absent from the corpus. A query
    with a word the corpus lacks is matched on its other words only, and that word is often the very thing
    asked about, so the shared words must come with a closer paraphrase (docs/decisions/0009)."""
    if unknown > limits.max_unknown_words:
        return cosine >= limits.strong_cosine and unknown <= 0.5
    if unknown > 0 and cosine < limits.partly_unknown_cosine:
        return False
    return cosine >= limits.strong_cosine or (cosine >= limits.min_cosine and cover >= limits.min_coverage)


def best_sentences(
    text: str, query: QueryAnalysis, window: tuple[int, int] | None = None, folded: str | None = None
) -> tuple[int, int]:
    """Offsets of the sentence(s) of `text` that best answer the query (verbatim span); `folded`:
    fold_accents(text), when the caller has it."""
    spans = sentence_spans(text)
    folded = fold_accents(text) if folded is None else folded
    wanted = set(query.content_syllables)
    pairs = {f"{a} {b}" for a, b in zip(query.content_syllables, query.content_syllables[1:])}

    def score(span: tuple[int, int]) -> float:
        words = _WORD.findall(folded[span[0] : span[1]])
        hits = len(wanted & set(words))
        pair_hits = sum(1 for a, b in zip(words, words[1:]) if f"{a} {b}" in pairs)
        in_window = window is not None and window[0] <= span[0] < window[1]
        return hits + 0.5 * pair_hits + (0.75 if in_window else 0.0)

    best = max(range(len(spans)), key=lambda i: (score(spans[i]), -i))
    start, end = spans[best]
    if end - start < MIN_ANSWER_CHARS and best + 1 < len(spans):
        end = spans[best + 1][1]
    return start, end
