"""References: mentions of other documents inside paragraphs, and the relation each states.

Consumes the paragraphs of a document; produces `Reference`s (linked to corpus documents afterwards by
ingest/reference_links.py): "Kết luận số 44-KL/TW, ngày 22/01/2019 của Ban Bí thư về ..." -> number, type,
date, issuer, title, the paragraph it occurs in. A short form ("Chỉ thị số 09") takes the full
number of an earlier mention of the same type in the same document ("Chỉ thị số 09-CT/TW").

Relation, from the wording around the mention (ingest/relation_rules.py: the clause before it, since the
last ";", ":", sentence end or previous mention, and what follows its date, issuer and title): implements, continues, basis, replaces, amends, repeals, attaches, or cites for the rest.
Every mention in a news article is reports_on. A mention inside another mention's "về ..." title (the
Kết luận "về tiếp tục thực hiện Chỉ thị 09") is that document's relation, so it is "cites" here; a mention
that only continues an enumeration after ";" inherits the relation of the one before. Each reference
keeps the sentence it stands in. The issuer of a mention stops where ingest.issuers says; the title is
what follows it ("về ..." or a title opener such as "quy định ...").
"""

from __future__ import annotations

import re

from ingest.dates import long_date, numeric_date, parse_date
from ingest.doctypes import canonical_type, type_alternation
from ingest.issuers import issuer_length, title_openers
from ingest.models import Paragraph, Reference
from ingest.normalize import fold_accents
from ingest.numbers import number_key
from ingest.orgnames import org_case
from ingest.relation_rules import relation_from_wording

_NUMBER = r"\d{1,5}(?:[-–/][^\W_]+)*"
_MENTION = re.compile(rf"(?<!\w)(?P<type>{type_alternation()})\s+(?:số\s*:?\s*)?(?P<number>{_NUMBER})", re.I)
_DATE = re.compile(
    rf"\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<date>{numeric_date()}|{long_date(day_word='none')})", re.I
)
_ISSUER_START = re.compile(r"\s*,?\s*(?:của|do)\s+", re.I)
_PAREN = re.compile(r"\s*\([^)]{0,40}\)")
_TITLE_START = re.compile(r"\s*,?\s*(?:ban hành\s+)?về\s+(?:việc\s+)?[“\"]?", re.I)
_TITLE_END = re.compile(r"[”\";:(]|\.(?:\s|$)")
_CLAUSE_END = re.compile(r"[;:]|[.!?](?:\s|$)|\n")
_SENTENCE_END = re.compile(r"[.!?;](?=\s+[^\W\d_]*[A-ZĐÀ-Ỹ]|\s*$)|\n")
NEWS_RELATION = "reports_on"


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds [start, end): from the last sentence end before it to the next."""
    begin = max([m.end() for m in _SENTENCE_END.finditer(text, 0, start)] + [0])
    stop = _SENTENCE_END.search(text, end)
    return text[begin : stop.end() if stop else len(text)].strip()


def find_references(
    paragraphs: list[Paragraph], own_number: str | None = None, news: bool = False
) -> list[Reference]:
    """The mentions of other documents in `paragraphs` (of one document numbered `own_number`; `news`: the
    document is a news article, whose mentions are reports_on)."""
    references: list[Reference] = []
    full_numbers: dict[tuple[str, str], str] = {}  # (type, leading digits) -> full number seen earlier
    own_key = number_key(own_number)
    for paragraph in paragraphs:
        text = paragraph.text
        previous_end = -1
        previous_relation: str | None = None
        title_spans: list[tuple[int, int]] = []
        for match in _MENTION.finditer(text):
            doc_type = canonical_type(match.group("type"))
            number = match.group("number").rstrip("-/–")
            if re.fullmatch(r"(19|20)\d\d", number) and not re.search(r"\bsố\b", match.group(0), re.I):
                continue  # "Kế hoạch 2021": a year, not a number
            tail = text[match.end() : match.end() + 500]
            date, issuer, title, title_span, consumed = _parse_tail(tail)
            nested = any(start <= match.start() < end for start, end in title_spans)
            if title_span:
                title_spans.append((match.end() + title_span[0], match.end() + title_span[1]))
            if re.fullmatch(r"\d+", number):
                number = full_numbers.get((doc_type, number.lstrip("0") or "0"), "")
            else:
                digits = re.match(r"\d+", number).group(0)
                full_numbers[(doc_type, digits.lstrip("0") or "0")] = number
            clause_start = max([m.end() for m in _CLAUSE_END.finditer(text, 0, match.start())] + [0])
            window_start = max(clause_start, previous_end)
            window = text[window_start : match.start()]
            clause_end = _CLAUSE_END.search(tail, consumed)
            after = tail[consumed : clause_end.start() if clause_end else len(tail)]
            if nested:
                relation = "cites"
            else:
                relation = relation_from_wording(window, after)
                if relation is None:
                    bare = re.sub(r"[\W_]+|\bvà\b", "", window)
                    relation = previous_relation if not bare and previous_relation else "cites"
                previous_relation = relation
            previous_end = match.end()
            if own_key and number_key(number) == own_key:
                continue  # the document naming itself ("Kết luận số 44-KL/TW" inside 44-KL/TW)
            references.append(
                Reference(
                    number=number,
                    doc_type=doc_type,
                    date=parse_date(date),
                    issuer=issuer,
                    title=title,
                    relation=NEWS_RELATION if news else relation,
                    paragraph_id=paragraph.paragraph_id,
                    mention=match.group(0),
                    sentence=sentence_of(text, match.start(), match.end()),
                )
            )
    return references


def _parse_tail(tail: str) -> tuple[str | None, str | None, str | None, tuple[int, int] | None, int]:
    """Date, issuer, title and the title's span in what follows a mention, and how much of it they take."""
    pos = 0
    date = issuer = title = None
    match = _DATE.match(tail, pos)
    if match:
        date, pos = match.group("date"), match.end()
    match = _ISSUER_START.match(tail, pos)
    length = issuer_length(tail[match.end() :]) if match else 0
    if length:
        issuer, pos = org_case(tail[match.end() : match.end() + length].strip()), match.end() + length
        paren = _PAREN.match(tail, pos)
        if paren:
            pos = paren.end()
        khoa = re.match(r"\s*kh(?:óa|oá|oa)\s+[IVXL]+\b", tail[pos:], re.I)
        if khoa:
            pos += khoa.end()
        paren = _PAREN.match(tail, pos)
        if paren:
            pos = paren.end()
    if date is None:
        match = _DATE.match(tail, pos)
        if match:
            date, pos = match.group("date"), match.end()
    span = None
    match = _TITLE_START.match(tail, pos)
    if (
        match is None and issuer
    ):  # "... tỉnh An Giang quy định mức hỗ trợ": a title opener right after the issuer
        match = _opened_title(tail, pos)
    if match:
        end = _TITLE_END.search(tail, match.end())
        stop = end.start() if end else len(tail)
        title = tail[match.end() : stop].strip(" ,")
        span = (match.end(), stop)
        pos = stop
    return date, issuer, title or None, span, pos


def _opened_title(tail: str, pos: int) -> re.Match | None:
    """A zero-width match where a title opener (resources/title_openers.txt) starts right after `pos`."""
    gap = re.match(r"\s+", tail[pos:])
    if not gap:
        return None
    start = pos + gap.end()
    words = re.findall(r"[a-z]+", fold_accents(tail[start : start + 40]).lower())
    singles, pairs = title_openers()
    if words and (words[0] in singles or " ".join(words[:2]) in pairs):
        return re.compile("").match(tail, start)
    return None
