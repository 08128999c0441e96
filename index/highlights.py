"""Highlights: which spans of a paragraph's text show what the query asked for.

Consumes a paragraph's text and the query's analysis; produces [start, end) offsets merged into
phrases (`highlight_spans`, `highlight_page` for a page of results at once). Per-query plans and
per-syllable forms are cached (`forget_highlight_plans` empties them for benchmarks).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.analysis import SYLLABLE, QueryAnalysis, stopwords, syllables
from ingest.normalize import fold_accents, normalize


@lru_cache(maxsize=1 << 14)
def folded_text(text: str) -> str:
    return fold_accents(text)


@lru_cache(maxsize=1 << 16)  # a corpus has few distinct syllables; normalizing each one per query cost ~4 ms
def _matching_forms(syllable: str) -> tuple[str, str]:
    """A text syllable as highlights compare it: normalized lower case, and that accent-folded."""
    toned = normalize(syllable).lower()
    return toned, fold_accents(toned)


@lru_cache(maxsize=256)
def _highlight_plan(text: str, toned: bool, content_words: tuple[str, ...]):
    """Per query (not per paragraph): the syllable pairs a run may hold, the syllables a run may start
    with, the lone syllables marked by themselves, and a pattern finding the query's syllables
    (whole, as SYLLABLE splits text) in accent-folded text."""
    key = (lambda s: s) if toned else fold_accents
    restored = syllables(text)
    asked = [key(s) for s in restored]
    pairs = set(zip(asked, asked[1:]))
    one_syllable_words = {w for w in content_words if " " not in w and len(w) > 1}
    singles = {s for s in restored if fold_accents(s) in one_syllable_words and s not in stopwords()}
    folded = sorted({fold_accents(s) for s in restored}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s) for s in folded)
    # No look-behind for the start of a word: the pattern then begins with its alternatives, whose first
    # letters re uses to skip ahead (a third quicker); highlight_spans drops matches inside a word.
    pattern = re.compile(rf"(?:{alternatives})(?![^\W_])" if folded else r"(?!)")
    return pairs, {first for first, _ in pairs}, singles, pattern


def forget_highlight_plans() -> None:
    """Empty the per-query cache of _highlight_plan (index.searcher.Searcher.forget_queries)."""
    _highlight_plan.cache_clear()


def highlight_page(texts: list[str], query: QueryAnalysis) -> list[list[tuple[int, int]]]:
    """highlight_spans of each text, the texts accent-folded together: one fold of a page of ten
    paragraphs took ~16 us against ~75 for ten."""
    joined = "\n".join(texts)
    folded = fold_accents(joined)
    if len(folded) != len(joined):  # a text whose folding drops characters: each on its own
        return [highlight_spans(text, query) for text in texts]
    out, start = [], 0
    for text in texts:
        out.append(highlight_spans(text, query, folded[start : start + len(text)]))
        start += len(text) + 1
    return out


def highlight_spans(text: str, query: QueryAnalysis, folded: str | None = None) -> list[tuple[int, int]]:
    """[start, end) offsets in `text` of what the query asked for, merged into phrases (`folded`:
    fold_accents(text), when the caller has it).

    A run of syllables is marked when each neighbouring pair also stands side by side in the query
    ("người đứng đầu"), a lone syllable only when it is a one-syllable content word of the query, so
    "nhiệm" of "nhiệm vụ" is not marked for "trách nhiệm". Syllables compare with tone marks when the
    query was typed with them ("đứng" does not mark "dựng"), accent-folded when it was typed without.
    Document numbers named in the query are marked wherever they stand.
    """
    # A toneless query's runs compare folded; its lone words compare with the restored marks, since
    # a lone folded "dung" would mark "dựng" and "dũng" as well as "đứng".
    stop = stopwords()
    pairs, pair_starts, singles, query_syllables = _highlight_plan(
        query.text, query.toned, tuple(query.content_words)
    )
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int, str, str]] = []  # (start, end, key, toned) of consecutive text syllables

    def close_run() -> None:
        # Function words at the edges go ("ở cơ sở" -> "cơ sở"), but not out of a two-syllable word ("chỉ
        # đạo").
        while len(run) > 2 and run[0][3] in stop:
            run.pop(0)
        while len(run) > 2 and run[-1][3] in stop:
            run.pop()
        if len(run) >= 2 or (len(run) == 1 and run[0][3] in singles):
            spans.append((run[0][0], run[-1][1]))
        run.clear()

    folded = fold_accents(text) if folded is None else folded
    # Only syllables the query has (accent-folded) can join a run; any other syllable just ends one, as
    # does the text between two such syllables when it is not whitespace. So the loop visits those
    # alone, found in the folded text (same offsets when it keeps the text's length: NFC text does).
    same_offsets = len(folded) == len(text)
    matches = query_syllables.finditer(folded) if same_offsets else SYLLABLE.finditer(text)
    compare_toned = query.toned
    for m in matches:
        start, end = m.span()
        if same_offsets and start and folded[start - 1].isalnum():
            continue  # the end of a longer word ("ang" in "dang"): the pattern does not check word starts
        toned, folded_syllable = _matching_forms(text[start:end])
        syllable = toned if compare_toned else folded_syllable
        if run and (run[-1][2], syllable) in pairs and text[run[-1][1] : start].isspace():
            run.append((start, end, syllable, toned))
            continue
        if run:
            close_run()
        # Only a syllable that can start a pair or stand alone opens a run.
        if syllable in pair_starts or toned in singles:
            run.append((start, end, syllable, toned))
    close_run()
    for number in query.numbers:
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(number), folded))
    return sorted(set(spans))
