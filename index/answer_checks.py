"""Does a candidate answer give what the question asks? (issue 20 point 10)

Consumes the question (index.analysis.QueryAnalysis) and the candidate: its sentence(s), its paragraph
and its document; produces `fits(...) -> bool`. A question asking "ai" needs a person or body in the
sentence, "khi nào/ngày nào" a date or time, "bao nhiêu" a number, "ở đâu" a place; a year, document
number, place or other proper name the question names must occur in the answer's paragraph or document.
The phrases and patterns are in resources/answer_checks.tsv; everything compares accent-folded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.analysis import QueryAnalysis, stopwords
from ingest.models import Document
from ingest.normalize import fold_accents, normalize

RESOURCE = Path(__file__).parent / "resources" / "answer_checks.tsv"
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
BARE_NUMBER = re.compile(r"(?<![\w/.-])\d{1,3}(?![\w/-])")  # "20 năm", "lần thứ 10"; not "09-CT/TW"
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Rule:
    kind: str
    asks: re.Pattern
    needs: re.Pattern
    toned: bool  # `needs` reads the sentence with its tone marks (lower case), not accent-folded


def _alternatives(phrases: str) -> str:
    return "|".join(re.escape(p.strip()) for p in phrases.split("|") if p.strip())


@lru_cache(maxsize=1)
def _rules() -> list[Rule]:
    rules = []
    for line in RESOURCE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, asks, needs = (line.split("\t") + ["", ""])[:3]
        toned = needs.startswith("toned-re:")
        if toned or needs.startswith("re:"):
            need = needs.split(":", 1)[1]
        else:
            need = rf"\b(?:{_alternatives(needs)})\b"
        rules.append(
            Rule(
                kind, re.compile(rf"(?:^|\s)(?:{_alternatives(asks)})(?:\s|$|[?.,])"), re.compile(need), toned
            )
        )
    if not rules:
        raise RuntimeError(f"{RESOURCE} holds no rule")
    return rules


def asked_kinds(question_folded: str) -> list[Rule]:
    return [rule for rule in _rules() if rule.asks.search(question_folded)]


def named_things(analysis: QueryAnalysis) -> list[str]:
    """Folded names the question insists on: proper names typed with capitals ("Tây Ninh", "Đà Nẵng").
    Typed without tone marks, a question is seldom capitalized either: places are then the words after
    an administrative marker."""
    names = []
    if analysis.toned:
        # Two or more capitalized words past the first word: "Tây Ninh", "Đà Nẵng", "Bến Tre".
        run: list[str] = []
        for n, match in enumerate(WORD.finditer(analysis.raw.strip())):
            word = match.group(0)
            if n > 0 and word[0].isupper() and not word.isupper():
                run.append(word)
                continue
            if len(run) >= 2:
                names.append(fold_accents(" ".join(run)).lower())
            run = []
        if len(run) >= 2:
            names.append(fold_accents(" ".join(run)).lower())
    else:
        # Typed without marks (and capitals): the two words after "tỉnh", "thành phố", "huyện" past the
        # first word ("o tinh ben tre"); the looser "ở", "tại", "quận", "xã" mean too much else folded.
        words = WORD.findall(fold_accents(analysis.raw).lower())
        stop = {fold_accents(w) for w in stopwords()}
        for n, word in enumerate(words[1:], 1):
            after = n + 1
            if word == "thanh" and words[after : after + 1] == ["pho"]:
                after += 1
            elif word not in ("tinh", "huyen", "tp"):
                continue
            place = words[after : after + 2]
            if len(place) == 2 and not any(w in stop for w in place):  # "tinh co nhiem vu": no place
                names.append(" ".join(place))
    return list(dict.fromkeys(names))


def _contains(text_folded: str, phrase: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(phrase)}(?![^\W_])", text_folded) is not None


def fits(analysis: QueryAnalysis, sentence: str, paragraph: str, document: Document) -> bool:
    """Whether the answer `sentence` (inside `paragraph` of `document`) gives what the question asks and
    stays with what it names; a year, count or name may stand in the paragraph or the document's title,
    number, date or text (a law's year is in its title, not in its articles)."""
    question = fold_accents(analysis.raw).lower()
    sentence_folded = fold_accents(sentence).lower()
    for rule in asked_kinds(question):
        if not rule.needs.search(normalize(sentence).lower() if rule.toned else sentence_folded):
            return False
    paragraph_folded = fold_accents(f"{document.title or ''} {paragraph}").lower()
    document_date = document.date
    years = set(YEAR.findall(question)) - {m.group(0) for n in analysis.numbers for m in YEAR.finditer(n)}
    for year in years:
        if year not in paragraph_folded and not (document_date or "").startswith(year):
            return False
    # A count the question names ("tổng kết 20 năm", "lần thứ 10") must be the answer's too; document
    # numbers ("Kết luận 44") and sections ("mục 3") are names, checked apart.
    named_numbers = set(BARE_NUMBER.findall(question)) - years
    named_numbers -= {n for _, n in analysis.typed_numbers} | {
        d for s in analysis.sections for d in re.findall(r"\d+", s)
    }
    named_numbers -= {d for n in analysis.numbers for d in re.findall(r"\d+", n)}
    for number in named_numbers:
        if not re.search(rf"(?<!\d)0*{int(number)}(?!\d)", paragraph_folded):  # law text writes "02 người"
            return False
    document_folded = fold_accents(f"{document.number or ''} {document.title or ''} {document.text}").lower()
    for number in analysis.numbers:
        if number not in document_folded:
            return False
    abbreviations = set(analysis.abbreviated.values())
    for name in named_things(analysis):
        if name in abbreviations or all(w in abbreviations for w in name.split()):
            continue
        if not _contains(document_folded, name):
            return False
    return True
