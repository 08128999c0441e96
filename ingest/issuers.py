"""Where a cited document's issuer stops and its title begins.

Consumes the text that follows "của" / "do" in a citation ("Ủy ban nhân dân tỉnh An Giang quy định mức
hỗ trợ ..."); produces the issuer's length in characters, so that the title (trích yếu) is what follows.
An issuer is made of organ names (resources/issuing_bodies.txt, with the place names after those marked
"+"), capitalised words, and the lower-case words inside a name opened by an unknown capitalised word
("Sở Tài chính") or standing before a place ("Bảo hiểm xã hội tỉnh"); it stops at a word that opens a title (resources/title_openers.txt), at a reference
stop word ("về", "ngày", "đã", ...), at punctuation, and at any lower-case word after a place name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.normalize import fold_accents, normalize
from ingest.orgnames import match_organ

# compared with tone marks, lower case: folded "tai" is also "Tài" of "Sở Tài chính"
STOP_WORDS = frozenset(
    (
        "về",
        "khóa",
        "khoá",
        "ban",
        "bằng",
        "để",
        "nhằm",
        "trong",
        "theo",
        "với",
        "đã",
        "cho",
        "tại",
        "là",
        "số",
        "ngày",
        "được",
        "đến",
        "đối",
        "này",
        "thì",
        "sẽ",
        "đang",
        "vừa",
        "năm",
        "tháng",
        "và",
        "các",
        "những",
        "khi",
        "sau",
        "trước",
    )
)
MAX_LOWER_RUN = 3  # lower-case words inside one unknown name ("Sở Giáo dục và Đào tạo" has two in a row)
MAX_WORDS = 16
_TOKEN = re.compile(r"[^\s,;:()\"“”.]+|[,;:()\"“”]|\.(?=\s|$)")


@lru_cache(maxsize=1)
def title_openers() -> tuple[frozenset[str], frozenset[str]]:
    """One-word and two-word title openers, folded."""
    raw = resources.files("ingest.resources").joinpath("title_openers.txt").read_text(encoding="utf-8")
    words = [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    return frozenset(w for w in words if " " not in w), frozenset(w for w in words if " " in w)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _place_next(words: list[str], k: int) -> bool:
    hit = match_organ(words, k) if k < len(words) else None
    return bool(
        hit and hit[2] and hit[0] == 1 and words[k] in ("tỉnh", "huyện", "xã", "phường", "quận", "thị")
    )


def issuer_length(text: str) -> int:
    """Characters of `text` (what follows "của ") that name the issuer; 0 when it does not open with one."""
    tokens = [(m.group(0), m.end()) for m in _TOKEN.finditer(text)]
    words = [normalize(t).lower() for t, _ in tokens]
    folded = [fold_accents(w) for w in words]
    singles, pairs = title_openers()
    end = 0
    k = 0
    after_place = False  # the words since the last organ name are a place name ("tỉnh An Giang")
    in_unknown = False  # inside a name opened by a capitalised word no list knows ("Sở Tài chính")
    lower_run = 0
    while k < len(tokens) and k < MAX_WORDS:
        word, stop_at = tokens[k]
        if not re.match(r"[^\W_]", word) and word != "-":
            break  # punctuation ends the issuer
        if word == "-":  # "Lao động - Thương binh và Xã hội"
            if k + 1 < len(tokens) and _capitalised(tokens[k + 1][0]) and in_unknown:
                k += 1
                continue
            break
        hit = match_organ(words, k)
        if hit:
            size, _name, place = hit
            k += size
            end = tokens[k - 1][1]
            after_place, in_unknown, lower_run = place, False, 0
            continue
        two = " ".join(folded[k : k + 2])
        opener = folded[k] in singles or two in pairs
        stop = words[k] in STOP_WORDS
        if _capitalised(word) and not (word.isupper() and end == 0 and stop):
            if word.isupper() and end and (opener or stop):
                break  # all capitals: "... BAN BÍ THƯ VỀ TĂNG CƯỜNG"
            k += 1
            end = stop_at
            in_unknown = not after_place or in_unknown
            lower_run = 0
            continue
        if after_place and not opener and not stop and _place_next(words, k + 1):
            k += 1  # "Bảo hiểm xã hội tỉnh ...", "Khối Cơ quan tỉnh": a name word, then the place
            end = stop_at
            continue
        if opener or stop and words[k] != "và" or after_place or not in_unknown:
            break
        if words[k] == "và" and not (k + 1 < len(tokens) and _capitalised(tokens[k + 1][0])):
            break
        lower_run += 1
        if lower_run > MAX_LOWER_RUN:
            break
        k += 1
        # a lower-case word counts only when a capitalised one follows it or it closes the unknown name
        if k < len(tokens) and not _capitalised(tokens[k][0]) and lower_run >= 2:
            continue
        end = stop_at
    return end
