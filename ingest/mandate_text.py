"""Sentence-level text rules of mandate extraction: sentences, numbering, the word-list patterns.

Consumes resources/mandate_verbs.txt and actor_heads.txt (through ingest/phrases.py) and underthesea's
normalization maps; produces `sentences()`, `refs()` (actor spans -> `ActorRef`s), `read_partners()`
("phối hợp với A, B"), `read_reports_to()` ("báo cáo kết quả với A"), the compiled patterns of requests,
partners, reports, products and modals, `may_hold_mandate()` (a cheap test before normalize()), `normalized()`
and `leads_in()` (a request that announces a list of tasks). Used by ingest/mandates.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ingest.actor_lists import head_at, read_actor_list
from ingest.models import ActorRef
from ingest.normalize import normalize
from ingest.phrases import phrase_at, phrase_set
from ingest.sections import LEADING_NUMBERING

NOUN_BEFORE = re.compile(r"(?:theo|của|đáp ứng|về)\s+$")
MODAL = re.compile(r"(?<!\w)(?:phải|cần)(?!\w)")
REPORT = re.compile(r"(?<!\w)(?:báo cáo|gửi kết quả|gửi báo cáo)(?!\w)")
PRODUCT = re.compile(r"(?<!\w)sản phẩm(?:\s+là|\s*:)\s*(?P<p>[^.;()]+)")
PARTNER = re.compile(r"(?<!\w)phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?\s+")
REPORT_PREPOSITIONS = ("về", "với", "cho", "lên", "gửi", "tới", "đến")


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence; "2.1." at a paragraph's start and "vững chắc.Đảng ủy" are handled."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?…]+[\"”»’)]?(?:\s+|(?=[^\W\d_]))", text):
        nxt = text[m.end() : m.end() + 1]
        before = text[start : m.start()]
        if not nxt or not (nxt.isupper() or nxt in '"“‘('):
            continue
        if LEADING_NUMBERING.fullmatch(before + text[m.start() : m.end()]) or re.fullmatch(
            r"\s*[\dIVXL.]*", before
        ):
            continue
        spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]


def phrases(section: str):
    return phrase_set("verbs", section)


_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=1)
def variants() -> tuple[frozenset[str], re.Pattern]:
    """What normalize() rewrites (underthesea's token and character maps)."""
    from underthesea.pipeline.text_normalize.text_normalizer import character_map, token_map

    return frozenset(token_map), re.compile("|".join(re.escape(c) for c in character_map) or "(?!)")


def normalized(text: str) -> str:
    """normalize(text), skipped when it would change nothing (NFC text with no token or character that
    normalize() rewrites): most paragraphs, and the per-word calls were half of the extraction's time."""
    tokens, characters = variants()
    if (
        unicodedata.is_normalized("NFC", text)
        and not characters.search(text)
        and tokens.isdisjoint(_TOKEN.findall(text))
    ):
        return text
    return normalize(text)


@lru_cache(maxsize=1)
def may_hold_pattern() -> re.Pattern:
    """On the lower-cased source text: a request word anywhere, or an actor head opening a sentence or
    clause; each phrase also in the spellings normalize() rewrites ("uỷ ban"). A paragraph outside any
    list with neither holds no mandate, so it is skipped before normalize()."""
    tokens, _ = variants()
    from underthesea.pipeline.text_normalize.text_normalizer import token_map

    spellings: dict[str, set[str]] = {}
    for variant in tokens:
        spellings.setdefault(token_map[variant], set()).add(variant)

    def forms(phrase: str) -> set[str]:
        out = {""}
        for word in phrase.split(" "):
            out = {f"{o} {w}".strip() for o in out for w in {word} | spellings.get(word, set())}
        return out

    def alternatives(phrases) -> str:
        return "|".join(sorted({re.escape(f) for p in phrases for f in forms(p)}, key=len, reverse=True))

    return re.compile(
        rf"(?:^|[.!?;:]\s*|,\s+|[-–+•*)]\s*|\d[.\-)]\s*)(?:(?:{alternatives(phrase_set('heads', 'determiners'))})\s+)?"
        rf"(?:{alternatives(phrase_set('heads', 'heads'))})(?!\w)|(?<!\w)(?:{alternatives(phrases('request'))})(?!\w)"
    )


@lru_cache(maxsize=1)
def request_pattern() -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in phrases("request"))  # longest first
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def starts_with(low: str, pos: int, section: str) -> str | None:
    return phrase_at(low, pos, phrases(section))


@lru_cache(maxsize=1)
def _leadin_pattern() -> re.Pattern:
    return re.compile(
        r"(?:\s(?:" + "|".join(re.escape(p) for p in phrases("leadin_endings")) + r")|:)[\s./]*$"
    )


@lru_cache(maxsize=1)
def _non_task_heading_pattern() -> re.Pattern:
    """Headings whose items state aims, results or causes (resources/mandate_verbs.txt [non_task_headings])."""
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases("non_task_headings")) + r")(?!\w)"
    )


class _NonTaskHeading:
    def search(self, text: str):
        return _non_task_heading_pattern().search(text)


NON_TASK_HEADING = _NonTaskHeading()


def leads_in(text: str) -> bool:
    """The sentence announces a list: it ends with ":" or with "... sau", "... trọng tâm"."""
    return _leadin_pattern().search(text[-80:].lower()) is not None


def refs(text: str, spans: list[tuple[int, int]], resolve) -> list[ActorRef]:
    out, seen = [], set()
    for s, e in spans:
        name = text[s:e].strip(" ,;:")
        if not name:
            continue
        ref = resolve(name)
        if ref.key and ref.key not in seen:
            seen.add(ref.key)
            out.append(ref)
    return out


def read_partners(resolve, text: str, low: str, start: int, end: int) -> list[ActorRef]:
    out: list[ActorRef] = []
    for m in PARTNER.finditer(low, start, end):
        found = read_actor_list(text[:end], low[:end], m.end(), object_list=True)
        if found and found.names:
            out += [r for r in refs(text, found.names, resolve) if r.key not in {o.key for o in out}]
    return out


def read_reports_to(resolve, text: str, low: str, start: int, end: int) -> list[ActorRef]:
    out: list[ActorRef] = []
    for m in REPORT.finditer(low, start, end):
        pos, hops = m.end(), 0
        while pos < end and hops < 8:
            while pos < end and low[pos] == " ":
                pos += 1
            if pos >= end or low[pos] in ",;.:(":
                break
            word = re.match(r"[^\s,;.:()]+", low[pos:end])
            if not word:
                break
            target = pos + len(word.group(0)) + 1 if word.group(0) in REPORT_PREPOSITIONS else pos
            if head_at(low, target) and (target != pos or hops == 0):
                found = read_actor_list(text[:end], low[:end], target, object_list=True)
                if found and found.names:
                    out += [r for r in refs(text, found.names, resolve) if r.key not in {o.key for o in out}]
                break
            pos += len(word.group(0))
            hops += 1
    return out
