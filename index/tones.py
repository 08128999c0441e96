"""Tone-mark restoration for queries typed without them, learned from the corpus and a dictionary.

Consumes the normalized paragraph texts at build time and produces a small lexicon (saved as
`lexicon.json`): for each accent-folded syllable and each folded pair of adjacent syllables, the
accented form seen most often. Evidence from the indexed corpus comes first; the Vietnamese word list
shipped with underthesea (Hồ Ngọc Đức's dictionary, ~74k words) fills the gaps, so words the corpus
never uses ("gì", "phở") still get their marks. At query time "trach nhiem nguoi dung dau" becomes
"trách nhiệm người đứng đầu" for the dense retriever, which was trained on text with tone marks.
Pairs decide first (they disambiguate "dau" in "dung dau" vs "bat dau"); single syllables are the fallback.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

from index.analysis import SYLLABLE
from ingest.normalize import fold_accents

FORMAT_VERSION = 2


def _dictionary_words() -> list[str]:
    try:
        from underthesea.corpus import viet_dict_74K

        return viet_dict_74K.words
    except Exception:  # the word list is a bonus; the corpus alone still restores its own vocabulary
        return []


def _count(texts: Iterable[str], uni: dict[str, Counter], bi: dict[str, Counter]) -> None:
    for text in texts:
        accented = SYLLABLE.findall(text.lower())
        folded = [fold_accents(s) for s in accented]
        for a, f in zip(accented, folded):
            uni[f][a] += 1
        for i in range(len(accented) - 1):
            bi[f"{folded[i]} {folded[i + 1]}"][f"{accented[i]} {accented[i + 1]}"] += 1


def _best(corpus: Counter | None, dictionary: Counter | None) -> tuple[str, int, int]:
    """The form with the most corpus evidence, dictionary evidence breaking ties and filling gaps."""
    forms = set(corpus or ()) | set(dictionary or ())
    form = max(forms, key=lambda f: ((corpus or {}).get(f, 0), (dictionary or {}).get(f, 0), f))
    return form, (corpus or {}).get(form, 0), (dictionary or {}).get(form, 0)


class ToneRestorer:
    def __init__(self, unigrams: dict[str, str], bigrams: dict[str, tuple[str, int, int]], attested: set[str]):
        self.unigrams = unigrams  # "nhiem" -> "nhiệm"
        self.attested = attested  # folded syllables the corpus itself uses
        self.bigrams = bigrams  # "dung dau" -> ("đứng đầu", corpus count, dictionary count)

    @classmethod
    def learn(cls, texts: Iterable[str], use_dictionary: bool = True) -> "ToneRestorer":
        c_uni: dict[str, Counter] = defaultdict(Counter)
        c_bi: dict[str, Counter] = defaultdict(Counter)
        d_uni: dict[str, Counter] = defaultdict(Counter)
        d_bi: dict[str, Counter] = defaultdict(Counter)
        _count(texts, c_uni, c_bi)
        if use_dictionary:
            _count(_dictionary_words(), d_uni, d_bi)
        unigrams = {f: _best(c_uni.get(f), d_uni.get(f))[0] for f in set(c_uni) | set(d_uni)}
        bigrams: dict[str, tuple[str, int, int]] = {}
        for f in set(c_bi) | set(d_bi):
            form, corpus_count, dict_count = _best(c_bi.get(f), d_bi.get(f))
            # A pair that only repeats the single-syllable guesses adds nothing but size.
            if form != " ".join(unigrams[x] for x in f.split(" ")):
                bigrams[f] = (form, corpus_count, dict_count)
        return cls(unigrams, bigrams, set(c_uni))

    def restore(self, text: str) -> str:
        """Give each syllable written without diacritics its most likely accented form; others stay."""
        matches = list(SYLLABLE.finditer(text))
        if not matches:
            return text
        words = [m.group(0).lower() for m in matches]
        plain = [fold_accents(w) == w for w in words]
        chosen = list(words)
        for i, word in enumerate(words):
            if not plain[i]:
                continue
            best, evidence = self.unigrams.get(word, word), (0, 0)
            for j, mine in ((i - 1, 1), (i, 0)):  # pair with the left neighbour, then the right one
                if j < 0 or j + 1 >= len(words):
                    continue
                hit = self.bigrams.get(f"{fold_accents(words[j])} {fold_accents(words[j + 1])}")
                # Evidence order: a corpus pair, then the corpus's own syllable, then a dictionary pair.
                usable = hit and (hit[1] > 0 or word not in self.attested)
                if usable and (hit[1], hit[2]) > evidence:
                    form = hit[0].split(" ")
                    other = j if mine == 1 else j + 1
                    if plain[other] or form[1 - mine] == words[other]:  # respect marks the user did type
                        best, evidence = form[mine], (hit[1], hit[2])
            chosen[i] = best
        out, last = [], 0
        for m, word, lower in zip(matches, chosen, words):
            out.append(text[last : m.start()])
            out.append(m.group(0) if word == lower else word)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def save(self, path: Path) -> None:
        data = {"format_version": FORMAT_VERSION, "unigrams": self.unigrams, "attested": sorted(self.attested),
                "bigrams": {k: list(v) for k, v in self.bigrams.items()}}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "ToneRestorer":
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: lexicon format {data.get('format_version')}, expected {FORMAT_VERSION}")
        bigrams = {k: (v[0], int(v[1]), int(v[2])) for k, v in data["bigrams"].items()}
        return cls(data["unigrams"], bigrams, set(data["attested"]))
