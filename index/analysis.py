"""Text analysis shared by indexing and querying: the lexical tokens of a text and what a query asks.

Consumes raw text (a paragraph or a query); produces token lists for the two BM25 fields:
- "exact": underthesea word segments of the normalized, lower-cased text ("trách_nhiệm") plus
  their syllables ("trách", "nhiệm"), so a query segmented differently from the document still matches;
- "folded": accent-folded syllables and adjacent syllable pairs ("trach", "trach_nhiem"), so a query
  typed without tone marks matches, with the pairs standing in for words without needing segmentation.
Document numbers ("44-KL/TW", "48/LĐLĐ") are single tokens in both fields. Stopwords and
abbreviations come from files in index/resources/ rather than from any library default
(docs/decisions/0002-tone-restoration.md, 0005-abbreviations.md, 0006-reference-queries.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from index.abbreviations import (
    SYLLABLE,
    abbreviation_key,
    abbreviations,
    expand_abbreviations,
    read_resource_lines,
    spelled_out,
)
from ingest.dates import numeric_date
from ingest.doctypes import folded_type_alternation
from ingest.normalize import fold_accents, has_tone_marks, normalize
from ingest.sections import SECTION_REFERENCE, section_references

# "44-KL/TW", "09-CT/TW", "48/LĐLĐ", "91/2015/QH13", "1234/QĐ-UBND": digits, then '-' or '/' parts with a
# letter.
DOC_NUMBER = re.compile(
    r"(?<![\w/-])\d{1,5}(?:[-/][\w.]*[^\W\d_][\w.]*|[-/]\d{2,4})*[-/][^\W\d_][\w-]*(?:/[\w-]+)*", re.UNICODE
)
# The one list of document types (ingest/resources/doc_types.txt), folded: "ket luan|chi thi|quy dinh|..."
DOC_TYPES = folded_type_alternation()
# "Kết luận 44", "chỉ thị số 09", "quy dinh so 102", "Đề án 03" (matched on folded text); not the leading
# digits of a whole number ("công văn 463/UBND-VX" names 463/UBND-VX, not every Công văn 463)
TYPE_AND_NUMBER = re.compile(
    rf"\b({DOC_TYPES})\s+(?:so\s+)?(\d{{1,5}})\b(?![-/][^\W\d_]|/\d{{2,4}}[-/][^\W\d_])"
)
# What a reference may hold besides numbers and sections: its type before its number ("Kế hoạch
# 177-KH/TU"; a bare "quy định" is a verb), "số", the year or date it was issued ("Chỉ thị 09-CT/TW năm
# 2011", "ngày 18/6/2019").
_DATE_WORDS = (
    rf"ngay\s+{numeric_date(year_optional=True, year=r'[0-9]{2,4}')}"  # "ngày 18/6/2019", "ngày 18/6"
)
REFERENCE_WORDS = re.compile(
    rf"\b(?:(?:{DOC_TYPES})(?=\s+(?:so\s+)?\d)|van ban|so|nam\s+\d{{4}}|{_DATE_WORDS})\b"
)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Normalized, lower-cased stopwords (words and syllables), with "_" joining multi-syllable words."""
    return frozenset(
        normalize(w.strip().lower()).replace(" ", "_") for w in read_resource_lines("stopwords_vi.txt")
    )


# "số" (No.) between a document's type and its number is part of the reference, not a word of the
# question: "Kết luận số 44-KL/TW" asks what "Kết luận 44-KL/TW" asks. Typed with or without marks.
_NUMBER_WORD = re.compile(r"(?<![\w/-])(?i:số|so)\s+(?=\d)")


def drop_number_word(text: str) -> str:
    """Remove "số" / "so" directly before a number ("Chỉ thị số 09" -> "Chỉ thị 09")."""
    return _NUMBER_WORD.sub("", text)


# A question about when a named document was issued: "Kết luận 44 ban hành ngày nào", "ngày ban hành chỉ
# thị 09", "ket luan 44 ngay nao". "khi nào" alone asks for a deadline as often ("báo cáo khi nào"), so a
# when-word counts only beside an issuing word or after a bare reference.
WHEN_WORDS = re.compile(
    r"\b(?:ngay nao|nam nao|thang nao|khi nao|bao gio|luc nao|thoi gian nao|ngay bao nhieu|ngay may)\b"
)
ISSUE_DATE_WORDS = re.compile(r"\b(?:ngay|nam|thoi gian|thoi diem)\s+(?:ban hanh|ky)\b")
ISSUE_WORDS = re.compile(r"\b(?:ban hành|ký|kí|ra đời|có hiệu lực)\b")  # toned: "kỳ" (period) is not "ký"


def asks_issue_date(text: str) -> bool:
    """True when a normalized query (tone marks restored) asks when the document it names was issued."""
    folded = fold_accents(text)
    if ISSUE_DATE_WORDS.search(folded):
        return True
    when = WHEN_WORDS.search(folded)
    if not when:
        return False
    if ISSUE_WORDS.search(text.lower()):
        return True
    return is_reference_only(text[: when.start()] + " " * (when.end() - when.start()) + text[when.end() :])


def is_reference_only(text: str) -> bool:
    """True when a normalized query names a document or section and asks nothing else: once its document
    numbers, "<type> <number>", section pointers, type words, "số" and dates are taken out, only
    stopwords are left ("Kế hoạch 177-KH/TU", "chỉ thị số 09 năm 2011", "mục III.4 Chỉ thị 09")."""
    folded = fold_accents(text)
    spans = [
        m.span()
        for pattern in (DOC_NUMBER, TYPE_AND_NUMBER, SECTION_REFERENCE)
        for m in pattern.finditer(folded)
    ]
    if not spans:
        return False
    chars = list(text)  # folding keeps one character per character, so folded offsets hold in `text`
    spans.extend(m.span() for m in REFERENCE_WORDS.finditer(folded))
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    stop = stopwords()
    return all(s in stop for s in syllables("".join(chars)))


def doc_numbers(text: str) -> list[str]:
    """Document numbers in a text as lower-case, accent-folded tokens ("44-KL/TW" -> "44-kl/tw")."""
    return [fold_accents(m.group(0)).rstrip(".-/") for m in DOC_NUMBER.finditer(text)]


def _segments(text: str) -> list[str]:
    from underthesea import word_tokenize  # heavy import, only where segmentation happens

    return word_tokenize(text)


def word_segments(text: str) -> list[list[str]]:
    """Lower-case syllables of each underthesea word segment of a normalized text (numbers removed)."""
    rest = DOC_NUMBER.sub(" , ", text).lower()
    return [syl for syl in (SYLLABLE.findall(segment) for segment in _segments(rest)) if syl]


def exact_tokens(text: str, segments: list[list[str]] | None = None) -> list[str]:
    """Tokens of the "exact" field: word segments, their syllables and document numbers (no stopwords)."""
    text = normalize(text)
    stop = stopwords()
    tokens: list[str] = doc_numbers(text)
    for syllables_ in segments if segments is not None else word_segments(text):
        word = "_".join(syllables_)
        if word not in stop:
            tokens.append(word)
        if len(syllables_) > 1:
            tokens.extend(s for s in syllables_ if s not in stop)
    return tokens


def syllables(text: str) -> list[str]:
    """Lower-case syllables of a normalized text (tone marks kept), document numbers removed."""
    return SYLLABLE.findall(DOC_NUMBER.sub(" , ", text).lower())


def folded_tokens(text: str, toned: bool = True) -> list[str]:
    """Tokens of the "folded" field: folded syllables, adjacent folded syllable pairs, document numbers.

    Stopwords are recognised before folding ("có" is one, "cơ" is not, both fold to "co"), so only a
    text with tone marks (typed or restored, `toned`) can drop them; without marks every syllable stays.
    """
    text = normalize(text)
    accented = syllables(text)
    folded = [fold_accents(s) for s in accented]
    stop = stopwords() if toned else frozenset()
    tokens = doc_numbers(text)
    tokens.extend(f for a, f in zip(accented, folded) if a not in stop)
    tokens.extend(f"{a}_{b}" for a, b in zip(folded, folded[1:]))
    return tokens


@dataclass
class QueryAnalysis:
    """What a query asks, computed once per query and used by both retrievers and the answer."""

    raw: str
    text: str  # normalized, abbreviations expanded, tone marks restored when typed without them
    toned: bool  # typed with tone marks
    exact: list[str]  # tokens for the exact field ([] when typed without tone marks)
    folded: list[str]  # tokens for the folded field
    content_syllables: list[str]  # folded syllables without stopwords, for highlights
    content_words: list[str]  # folded word segments without stopwords ("trach nhiem"), for coverage
    numbers: list[str] = field(default_factory=list)  # full document numbers, folded
    # content word from an expansion -> the abbreviation the user typed ("canh sat" -> "cscd")
    abbreviated: dict[str, str] = field(default_factory=dict)
    typed_numbers: list[tuple[str, str]] = field(default_factory=list)  # ("ket luan", "44")
    sections: list[str] = field(default_factory=list)  # folded section paths named ("2.3", "dieu 5.2")
    # The query is nothing but a reference ("Kế hoạch 177-KH/TU", "chỉ thị 09 mục II"): the user wants
    # what it names, not paragraphs that happen to share its words.
    reference_only: bool = False
    asks_issue_date: bool = False  # "Kết luận 44 ban hành ngày nào" (see asks_issue_date)


def query_text(query: str, restore_tones: Callable[[str], str] | None = None) -> str:
    """The query as both retrievers read it: normalized, abbreviations expanded, tone marks restored.

    Whether the user typed tone marks is decided before expansion (an expansion has marks of its own).
    """
    text = normalize(query.strip())
    toned = has_tone_marks(text)
    text = expand_abbreviations(drop_number_word(text))
    if not toned and restore_tones is not None:
        text = restore_tones(text)
    return text


def analyze_query(
    query: str, restore_tones: Callable[[str], str] | None = None, text: str | None = None
) -> QueryAnalysis:
    """Analyze a query; `restore_tones` (from the index's own vocabulary) gives a toneless query its marks.
    `text` is query_text(query, restore_tones) when the caller has it already."""
    typed_text = normalize(query)
    toned = has_tone_marks(typed_text)
    text = query_text(query, restore_tones) if text is None else text
    folded_text = fold_accents(text)
    # Keep the abbreviation itself as well: a document may write "ANTT" rather than its expansion.
    table, pattern = abbreviations()
    typed_shorts = [
        (abbreviation_key(m.group(0)), fold_accents(m.group(0))) for m in pattern.finditer(typed_text)
    ]
    abbrev_tokens = [short for _, short in typed_shorts]
    # ... and the pairs it forms with the words typed beside it ("antt_o" of "ANTT ở cơ sở").
    typed = [fold_accents(s) for s in syllables(typed_text)]
    abbrev_pairs = [f"{a}_{b}" for a, b in zip(typed, typed[1:]) if a in abbrev_tokens or b in abbrev_tokens]
    # An expansion typed in full stands for its abbreviation too, with the same pairs ("luong_cscd").
    spelled = [
        (short, before, after)
        for short, before, after in spelled_out(typed_text)
        if short not in abbrev_tokens
    ]
    abbrev_tokens += list(dict.fromkeys(short for short, _, _ in spelled))
    abbrev_pairs += [f"{before}_{short}" for short, before, _ in spelled if before]
    abbrev_pairs += [f"{short}_{after}" for short, _, after in spelled if after]
    # Stopwords are told apart on the restored marks too: a toneless "ve" restored as "về" is dropped, where
    # it used to match every "bảo vệ" of the corpus (the pairs keep "ve_an" either way).
    folded = folded_tokens(text, toned=toned or restore_tones is not None) + abbrev_tokens + abbrev_pairs
    # Segment once: a toneless query is segmented after restoration, which segments far better.
    segments = word_segments(text)
    # A toneless query's restored words may be wrong: they feed the exact field only as a weak extra.
    exact = (exact_tokens(text, segments) + [a.lower() for a in abbrev_tokens]) if toned else []
    stop = stopwords()
    content = [fold_accents(s) for s in syllables(text) if s not in stop]
    words = [
        fold_accents(" ".join(seg))
        for seg in segments
        if "_".join(seg) not in stop and not all(syl in stop for syl in seg)
    ]
    abbreviated: dict[str, str] = {}
    for key, short in typed_shorts + [(short, short) for short, _, _ in spelled]:
        expansion = set(SYLLABLE.findall(fold_accents(table[key])))
        for word in words:
            if set(word.split(" ")) <= expansion:
                abbreviated.setdefault(word, short)
    return QueryAnalysis(
        raw=query,
        text=text,
        toned=toned,
        exact=exact,
        folded=folded,
        content_syllables=content,
        content_words=list(dict.fromkeys(words)),
        numbers=doc_numbers(text),
        typed_numbers=TYPE_AND_NUMBER.findall(folded_text),
        sections=section_references(folded_text),
        abbreviated=abbreviated,
        reference_only=is_reference_only(text),
        asks_issue_date=asks_issue_date(text),
    )
