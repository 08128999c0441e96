"""References: mentions of other documents inside paragraphs, typed and linked.

Consumes the paragraphs of a document (and, for linking, all documents of the corpus); produces
`Reference`s: "Kết luận số 44-KL/TW, ngày 22/01/2019 của Ban Bí thư về ..." -> number, type,
date, issuer, title, the paragraph it occurs in. A short form ("Chỉ thị số 09") takes the full
number of an earlier mention of the same type in the same document ("Chỉ thị số 09-CT/TW").

Relation, from the wording around the mention by the rules of resources/relation_rules.txt (the clause
before it, since the last ";", ":", sentence end or previous mention, and what follows its date, issuer
and title): implements, continues, basis, replaces, amends, repeals, attaches, or cites for the rest.
Every mention in a news article is reports_on. A mention inside another mention's "về ..." title (the
Kết luận "về tiếp tục thực hiện Chỉ thị 09") is that document's relation, so it is "cites" here; a mention
that only continues an enumeration after ";" inherits the relation of the one before. Each reference
keeps the sentence it stands in. The issuer of a mention stops where ingest.issuers says; the title is
what follows it ("về ..." or a title opener such as "quy định ...").
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ingest.access_level import opens_to
from ingest.doctypes import type_alternation
from ingest.issuers import issuer_length, title_openers
from ingest.metadata import parse_date
from ingest.models import Document, Paragraph, Reference
from ingest.normalize import fold_accents
from ingest.orgnames import org_case, same_body

_NUMBER = r"\d{1,5}(?:[-–/][^\W_]+)*"
_MENTION = re.compile(rf"(?<!\w)(?P<type>{type_alternation()})\s+(?:số\s*:?\s*)?(?P<number>{_NUMBER})", re.I)
_DATE = re.compile(
    r"\s*,?\s*(?:ban hành\s+)?ngày\s+(?P<date>\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})",
    re.I,
)
_ISSUER_START = re.compile(r"\s*,?\s*(?:của|do)\s+", re.I)
_PAREN = re.compile(r"\s*\([^)]{0,40}\)")
_TITLE_START = re.compile(r"\s*,?\s*(?:ban hành\s+)?về\s+(?:việc\s+)?[“\"]?", re.I)
_TITLE_END = re.compile(r"[”\";:(]|\.(?:\s|$)")
_CLAUSE_END = re.compile(r"[;:]|[.!?](?:\s|$)|\n")
_SENTENCE_END = re.compile(r"[.!?;](?=\s+[^\W\d_]*[A-ZĐÀ-Ỹ]|\s*$)|\n")
NEWS_RELATION = "reports_on"


@lru_cache(maxsize=65536)
def number_key(number: str | None) -> str:
    """Comparable form of a document number: '44-KL/TW' == '44–kl/tw' == '44-KL/TW '."""
    if not number:
        return ""
    return re.sub(r"\s+", "", fold_accents(number).replace("–", "-")).upper()


@lru_cache(maxsize=1)
def relation_rules() -> list[tuple[str, str, re.Pattern]]:
    """(relation, side, pattern) of resources/relation_rules.txt, in the file's order."""
    raw = resources.files("ingest.resources").joinpath("relation_rules.txt").read_text(encoding="utf-8")
    rules = []
    for line in raw.splitlines():
        if line.strip() and not line.startswith("#"):
            relation, side, pattern = (part.strip() for part in line.split("|", 2))
            rules.append((relation, side, re.compile(rf"(?<![a-z]){pattern}(?![a-z])")))
    return rules


def relation_from_wording(before: str, after: str = "") -> str | None:
    """The relation the wording states: `before` is the clause up to the mention, `after` what follows its
    date, issuer and title up to the clause's end; None when neither says (the caller decides)."""
    folded_after = fold_accents(after).lower()
    for relation, side, pattern in relation_rules():
        if side == "after" and pattern.search(folded_after):
            return relation
    folded = fold_accents(before).lower()
    best: tuple[int, int, str] | None = None  # (end, -rule order, relation)
    for order, (relation, side, pattern) in enumerate(relation_rules()):
        if side != "before":
            continue
        for match in pattern.finditer(folded):
            candidate = (match.end(), -order, relation)
            if best is None or candidate > best:
                best = candidate
    return best[2] if best else None


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
            doc_type = _canonical_type(match.group("type"))
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


def _canonical_type(raw: str) -> str:
    folded = fold_accents(raw)
    from ingest.doctypes import doc_types

    for name, _codes in doc_types():
        if fold_accents(name) == folded:
            return name
    return raw


MIN_TITLE_COVERAGE = 0.8  # share of the document title's word pairs found in the citation's title


@lru_cache(maxsize=65536)
def _pairs(text: str) -> frozenset[tuple[str, str]]:
    words = re.findall(r"[a-z0-9]+", fold_accents(text))
    if words[:1] == ["ve"]:
        words = words[1:]
    return frozenset(zip(words, words[1:]))


def title_coverage(document_title: str | None, cited_title: str | None) -> float:
    """Share of the document title's word pairs that the citation's "về ..." title contains."""
    if not document_title or not cited_title:
        return 0.0
    own = _pairs(document_title)
    return len(own & _pairs(cited_title)) / len(own) if own else 0.0


def link_references(documents: list[Document]) -> None:
    """Set target_doc_id of every reference whose number is a corpus document's number.

    A short form left without a number ("Chỉ thị số 09 của Ban Bí thư về ...") is resolved against the
    corpus when exactly one document has that type and leading number and the mention's issuer or
    title agrees with it.
    """
    by_number: dict[str, Document] = {}
    for document in documents:
        key = number_key(document.number)
        if key and key not in by_number:
            by_number[key] = document
    # A short form is completed only from documents every reader of the citing one may read: the number
    # it takes ("12" -> "12-KH/TU") is shown with the citing document.
    readable_by_level: dict[str, list[Document]] = {}
    for document in documents:
        level = json.dumps(document.access)
        for reference in document.references:
            if not reference.number:
                if level not in readable_by_level:
                    readable_by_level[level] = [d for d in documents if opens_to(d.access, document.access)]
                _resolve_short_form(reference, readable_by_level[level])
            target = by_number.get(number_key(reference.number))
            reference.target_doc_id = target.doc_id if target and target.doc_id != document.doc_id else None


def _resolve_short_form(reference: Reference, documents: list[Document]) -> None:
    digits = re.search(r"(\d+)\s*$", reference.mention)
    if not digits:
        return
    lead = digits.group(1).lstrip("0") or "0"
    matches = []
    for document in documents:
        number = re.match(r"\d+", document.number or "")
        if (
            not number
            or (number.group(0).lstrip("0") or "0") != lead
            or document.doc_type != reference.doc_type
        ):
            continue
        agrees = same_body(document.issuer, reference.issuer) or (
            title_coverage(document.title, reference.title) >= MIN_TITLE_COVERAGE
        )
        if agrees:
            matches.append(document)
    if len(matches) == 1:
        reference.number = matches[0].number


def attached_references(documents: list[Document], paragraphs: list[Paragraph]) -> None:
    """A letter that carries another document's full text (paragraphs with `attached_number`) attaches it:
    its references found inside that text are the attached document's own and go; one "attaches"
    reference stands for the copy. Runs after ingest.dedupe.mark_attached_copies."""
    by_number = {number_key(d.number): d.doc_id for d in documents if d.number}
    first_attached: dict[str, dict[str, Paragraph]] = {}
    for paragraph in paragraphs:
        if paragraph.attached_number:
            first_attached.setdefault(paragraph.doc_id, {}).setdefault(paragraph.attached_number, paragraph)
    for document in documents:
        copies = first_attached.get(document.doc_id)
        if not copies:
            continue
        inside = {p.paragraph_id for p in paragraphs if p.doc_id == document.doc_id and p.attached_number}
        kept = [r for r in document.references if r.paragraph_id not in inside]
        for number, paragraph in copies.items():
            if number_key(number) == number_key(document.number):
                continue
            from ingest.doctypes import type_from_number

            kept.append(
                Reference(
                    number=number,
                    doc_type=type_from_number(number),
                    relation="attaches",
                    paragraph_id=paragraph.paragraph_id,
                    mention=f"{number} (toàn văn kèm theo)",
                    sentence=paragraph.text[:300],
                    target_doc_id=by_number.get(number_key(number)),
                )
            )
        document.references = kept
