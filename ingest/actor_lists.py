"""Actor lists: "A, B và các cơ quan liên quan" read at a position of a sentence into actor names.

Consumes a sentence (as written and lower-cased) and a position, and the phrase lists of
resources/actor_heads.txt and mandate_verbs.txt (ingest/phrases.py); produces an `ActorList`: the
[start, end) of each actor name and where the action after them begins (`read_actor_list`), and the
lookups it is built of (`head_at`, `cut_verb_at`, `skip_determiners`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ingest.phrases import PhraseSet, heads, phrase_at, phrase_set, verbs

MAX_ACTOR_WORDS = 16


def head_at(low: str, pos: int) -> str | None:
    """The actor head starting at `pos` of the lower-cased text, or None ("ban hành" is no head)."""
    if phrase_at(low, pos, phrase_set("heads", "not_heads")):
        return None
    return phrase_at(low, pos, phrase_set("heads", "heads"))


def cut_verb_at(text: str, low: str, pos: int) -> str | None:
    """An action verb at `pos` (written in lower case: "Cục Xây dựng ..." is a name) that ends an actor."""
    if pos < len(text) and text[pos].isupper():
        return None
    return phrase_at(low, pos, _cut_verbs())


@lru_cache(maxsize=1)
def _cut_verbs() -> PhraseSet:
    table = verbs()
    return PhraseSet(set(table.get("action", [])) | set(table.get("imperative_starts", [])))


def skip_determiners(low: str, pos: int) -> int:
    while True:
        word = phrase_at(low, pos, phrase_set("heads", "determiners"))
        if not word:
            return pos
        pos += len(word)
        while pos < len(low) and low[pos] == " ":
            pos += 1


@lru_cache(maxsize=2)
def _stops(object_list: bool) -> PhraseSet:
    return PhraseSet(
        list(phrase_set("verbs", "not_after_actor"))
        + (list(phrase_set("heads", "name_stops")) if object_list else [])
    )


@dataclass
class ActorList:
    names: list[tuple[int, int]]  # [start, end) of each actor name in the text
    end: int  # where the list stops: the action verb, or the punctuation that closes it
    closed_by_verb: bool


def read_actor_list(
    text: str, low: str, pos: int, joiners_ok: bool = True, object_list: bool = False
) -> ActorList | None:
    """Actors listed from `pos` ("Ban Tuyên giáo, Ban Dân vận và MTTQ phối hợp ..."), or None when no
    actor head starts there. Names end at a comma, a joiner ("và", "mà trực tiếp là"), a parenthesis or
    an action verb; a bare generic word after a comma ("các cơ quan, đơn vị liên quan") joins the name
    before it."""
    names: list[tuple[int, int]] = []
    joiners = phrase_set("verbs", "joiners")
    generic = set(heads().get("generic", []))
    name_nouns = set(heads().get("name_nouns", []))
    # words after a subject that make the sentence narrative ("Ban Bí thư đã kết luận"); an object list
    # ("báo cáo về Liên đoàn Lao động huyện trong báo cáo hàng quý") also ends at a preposition of time or aim
    stops = _stops(object_list)
    after_comma = previous_generic = False
    while True:
        start = skip_determiners(low, pos)
        head = head_at(low, start)
        continuation = head is None
        if continuation and not names:
            return None
        # a comma inside a name ("đoàn thể chính trị, xã hội"): the fragment joins the name before it
        k = start + (len(head) if head else 0)
        words, previous, end, stop, by_verb = 1, (head or "_").split()[-1], None, False, False
        while k < len(low):
            ch = low[k]
            if ch in ',;:.(!?\n"“”':
                end, stop = k, ch != ","
                break
            if ch == " ":
                k += 1
                continue
            joiner = phrase_at(low, k, joiners) if joiners_ok else None
            if joiner:
                end = k
                break
            if k > start and phrase_at(low, k, stops):
                end, stop = k, True
                break
            verb = cut_verb_at(text, low, k)
            if verb and previous not in name_nouns:
                end, stop, by_verb = k, True, True
                break
            word_end = k
            while word_end < len(low) and (low[word_end].isalnum() or low[word_end] in "-/"):
                word_end += 1
            previous = low[k:word_end]
            words += 1
            if words > (4 if continuation else MAX_ACTOR_WORDS) or word_end == k:
                return ActorList(names, pos, False) if names else None
            k = word_end
        if end is None:
            end, stop = len(low), True
        name_end = end
        while name_end > start and low[name_end - 1] == " ":
            name_end -= 1
        bare = low[start:name_end]
        previous_bare = low[names[-1][0] : names[-1][1]] if names else ""
        # "các sở, ban, ngành cấp tỉnh" is one actor: generic words written in lower case ("Ban Tuyên giáo,
        # Ban Dân vận" are two names)
        generic_head = head in generic and text[start : start + 1].islower()
        if names and (
            continuation
            or after_comma
            and (bare in generic or previous_bare in generic or generic_head and previous_generic)
        ):
            names[-1] = (names[-1][0], name_end)
        elif name_end > start:
            names.append((start, name_end))
            previous_generic = generic_head
        if stop:
            return ActorList(names, end, by_verb)
        # past the comma or joiner
        joiner = phrase_at(low, end, joiners) if low[end] != "," else None
        after_comma = joiner is None
        pos = end + (len(joiner) if joiner else 1)
        while pos < len(low) and low[pos] == " ":
            pos += 1
