"""Actors of mandates: the bodies that lead, coordinate, assign or receive reports.

Consumes resources/actor_heads.txt (how a body's name begins, its level words), resources/actors.tsv
(known bodies and their aliases) and index/resources/abbreviations.tsv (UBND, MTTQ, ...; read as a
file, not through `index`, so data still flows one way); produces `actor_key()` (one normalized key per
body: "Đảng uỷ Công an Trung ương" and "ĐUCATW" -> "dang-uy-cong-an-trung-uong"), `actor_level()`,
`display_name()` and `read_actor_list()`, which reads "A, B và các cơ quan liên quan" at a position of a
sentence into actor names and tells where the action after them begins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from ingest.normalize import fold_accents, normalize

ABBREVIATIONS = Path(__file__).resolve().parent.parent / "index" / "resources" / "abbreviations.tsv"
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
MAX_ACTOR_WORDS = 16


def read_sections(name: str) -> dict[str, list[str]]:
    """`[section]` blocks of an ingest resource file -> normalized, lower-cased phrases."""
    raw = resources.files("ingest.resources").joinpath(name).read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(normalize(line).lower())
    return sections


@lru_cache(maxsize=1)
def heads() -> dict[str, list[str]]:
    return read_sections("actor_heads.txt")


@lru_cache(maxsize=1)
def verbs() -> dict[str, list[str]]:
    return read_sections("mandate_verbs.txt")


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    table = {}
    if ABBREVIATIONS.is_file():
        for line in ABBREVIATIONS.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                short, expansion = (normalize(p.strip()) for p in line.split("\t", 1))
                table[short] = expansion
    return table


def expand_capitals(text: str) -> str:
    """Abbreviations written in capitals ("UBND tỉnh", "Đảng ủy CA tỉnh") -> their expansion."""
    table = _abbreviations()
    return _WORD.sub(
        lambda m: table.get(m.group(0), m.group(0)) if m.group(0).isupper() else m.group(0), text
    )


def _plain_key(name: str) -> str:
    text = expand_capitals(normalize(name)).lower()
    text = re.sub(r"\(.*?\)", " ", text).strip()
    determiners = set(heads().get("determiners", []))
    while text.split(" ", 1)[0] in determiners and " " in text:  # "các cấp ủy" -> "cấp ủy", not "ủy"
        text = text.split(" ", 1)[1].strip()
    for phrase in heads().get("level:all", []):  # "chính quyền các cấp" = "chính quyền"
        text = re.sub(rf"(?<=\w)\s+{re.escape(phrase)}(?!\w)", " ", text)
    words = fold_accents(text).replace("-", " ").split()
    return "-".join(w for w in (re.sub(r"[^a-z0-9]", "", w) for w in words) if w)


@dataclass(frozen=True)
class KnownActor:
    key: str
    name: str
    aliases: tuple[str, ...]
    level: str


@lru_cache(maxsize=1)
def registry() -> dict[str, KnownActor]:
    """Known bodies by key (resources/actors.tsv); every alias key maps to its body."""
    raw = resources.files("ingest.resources").joinpath("actors.tsv").read_text(encoding="utf-8")
    by_key: dict[str, KnownActor] = {}
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")] + ["", ""]
        name, aliases, level = normalize(parts[0]), tuple(a for a in parts[1].split("|") if a), parts[2]
        actor = KnownActor(_plain_key(name), name, aliases, level)
        for form in (name, *aliases):
            by_key.setdefault(_plain_key(form), actor)
    return by_key


@lru_cache(maxsize=1 << 14)
def actor_key(name: str) -> str:
    plain = _plain_key(name)
    known = registry().get(plain)
    return known.key if known else plain


@lru_cache(maxsize=1 << 14)
def display_name(name: str) -> str:
    """The registry's name of a body, else the name as written without "các"/"mỗi" in front."""
    known = registry().get(_plain_key(name))
    if known:
        return known.name[:1].upper() + known.name[1:]
    words = normalize(name).split()
    determiners = set(heads().get("determiners", []))
    while len(words) > 1 and words[0].lower() in determiners:
        words = words[1:]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1 << 14)
def actor_level(name: str, key: str | None = None) -> str:
    known = registry().get(_plain_key(name))
    if known and known.level:
        return known.level
    low = " " + normalize(name).lower() + " "
    for level in ("all", "commune", "district", "province", "central"):
        if any(f" {w} " in low for w in heads().get(f"level:{level}", [])):
            return level
    return ""


@lru_cache(maxsize=1 << 14)
def is_unnamed(name: str) -> bool:
    low = normalize(name).lower()
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low) for w in heads().get("unnamed", []))


# -- reading actor phrases inside a sentence -------------------------------------------------------


class PhraseSet:
    """Phrases looked up by their first word, longest first: which one starts at a position of a text."""

    def __init__(self, phrases):
        self.phrases = sorted(set(phrases), key=len, reverse=True)
        self.by_first: dict[str, list[str]] = {}
        for phrase in self.phrases:
            self.by_first.setdefault(
                _FIRST_WORD.match(phrase).group(0) if _FIRST_WORD.match(phrase) else phrase, []
            ).append(phrase)

    def __iter__(self):
        return iter(self.phrases)

    def at(self, low: str, pos: int) -> str | None:
        word = _FIRST_WORD.match(low, pos)
        if word is None or (pos > 0 and low[pos - 1].isalnum()):
            return None
        for phrase in self.by_first.get(word.group(0), ()):
            end = pos + len(phrase)
            if low.startswith(phrase, pos) and (
                end == len(low) or not low[end].isalnum() or not phrase[-1].isalnum()
            ):
                return phrase
        return None


_FIRST_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _phrase_at(low: str, pos: int, phrases) -> str | None:
    if isinstance(phrases, PhraseSet):
        return phrases.at(low, pos)
    for phrase in phrases:
        if low.startswith(phrase, pos) and (
            pos + len(phrase) == len(low) or not low[pos + len(phrase)].isalnum()
        ):
            if pos == 0 or not low[pos - 1].isalnum():
                return phrase
    return None


@cache
def _sorted(section_file: str, section: str) -> PhraseSet:
    table = heads() if section_file == "heads" else verbs()
    return PhraseSet(table.get(section, []))


def head_at(low: str, pos: int) -> str | None:
    """The actor head starting at `pos` of the lower-cased text, or None ("ban hành" is no head)."""
    if _phrase_at(low, pos, _sorted("heads", "not_heads")):
        return None
    return _phrase_at(low, pos, _sorted("heads", "heads"))


def cut_verb_at(text: str, low: str, pos: int) -> str | None:
    """An action verb at `pos` (written in lower case: "Cục Xây dựng ..." is a name) that ends an actor."""
    if pos < len(text) and text[pos].isupper():
        return None
    return _phrase_at(low, pos, _cut_verbs())


@lru_cache(maxsize=1)
def _cut_verbs() -> PhraseSet:
    table = verbs()
    return PhraseSet(set(table.get("action", [])) | set(table.get("imperative_starts", [])))


def skip_determiners(low: str, pos: int) -> int:
    while True:
        word = _phrase_at(low, pos, _sorted("heads", "determiners"))
        if not word:
            return pos
        pos += len(word)
        while pos < len(low) and low[pos] == " ":
            pos += 1


@lru_cache(maxsize=2)
def _stops(object_list: bool) -> PhraseSet:
    return PhraseSet(
        list(_sorted("verbs", "not_after_actor"))
        + (list(_sorted("heads", "name_stops")) if object_list else [])
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
    joiners = _sorted("verbs", "joiners")
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
            joiner = _phrase_at(low, k, joiners) if joiners_ok else None
            if joiner:
                end = k
                break
            if k > start and _phrase_at(low, k, stops):
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
        joiner = _phrase_at(low, end, joiners) if low[end] != "," else None
        after_comma = joiner is None
        pos = end + (len(joiner) if joiner else 1)
        while pos < len(low) and low[pos] == " ":
            pos += 1
