"""Actors of mandates: the bodies that lead, coordinate, assign or receive reports.

Consumes resources/actor_heads.txt (how a body's name begins, its level words), resources/actors.tsv
(known bodies and their aliases) and index/resources/abbreviations.tsv (UBND, MTTQ, ...; read as a
file, not through `index`, so data still flows one way); produces `actor_key()` (one normalized key per
body: "Đảng uỷ Công an Trung ương" and "ĐUCATW" -> "dang-uy-cong-an-trung-uong"), `actor_level()`,
`display_name()` and `is_unnamed()`. Reading the actors listed in a sentence is ingest/actor_lists.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ingest.normalize import fold_accents, normalize
from ingest.phrases import heads

ABBREVIATIONS = Path(__file__).resolve().parent.parent / "index" / "resources" / "abbreviations.tsv"
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


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
