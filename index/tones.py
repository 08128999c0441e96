"""Tone-mark restoration for queries typed without them, learned from the indexed corpus itself.

Consumes the normalized paragraph texts at build time and produces a small lexicon (saved as
`lexicon.json`): for each accent-folded syllable and each folded pair of adjacent syllables, the
accented form seen most often in the corpus. At query time "trach nhiem nguoi dung dau" becomes
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

FORMAT_VERSION = 1


class ToneRestorer:
    def __init__(self, unigrams: dict[str, str], bigrams: dict[str, tuple[str, int]]):
        self.unigrams = unigrams  # "nhiem" -> "nhiệm"
        self.bigrams = bigrams  # "dung dau" -> ("đứng đầu", count)

    @classmethod
    def learn(cls, texts: Iterable[str], min_pair_count: int = 2) -> "ToneRestorer":
        uni: dict[str, Counter] = defaultdict(Counter)
        bi: dict[str, Counter] = defaultdict(Counter)
        for text in texts:
            accented = SYLLABLE.findall(text.lower())
            folded = [fold_accents(s) for s in accented]
            for a, f in zip(accented, folded):
                uni[f][a] += 1
            for i in range(len(accented) - 1):
                bi[f"{folded[i]} {folded[i + 1]}"][f"{accented[i]} {accented[i + 1]}"] += 1
        unigrams = {f: forms.most_common(1)[0][0] for f, forms in uni.items()}
        bigrams: dict[str, tuple[str, int]] = {}
        for f, forms in bi.items():
            form, count = forms.most_common(1)[0]
            total = sum(forms.values())
            # A pair that only repeats the single-syllable guesses adds nothing but size.
            if total >= min_pair_count and form != " ".join(unigrams[x] for x in f.split(" ")):
                bigrams[f] = (form, total)
        return cls(unigrams, bigrams)

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
            best, best_count = self.unigrams.get(word, word), 0
            for j, mine in ((i - 1, 1), (i, 0)):  # pair with the left neighbour, then the right one
                if j < 0 or j + 1 >= len(words):
                    continue
                key = f"{fold_accents(words[j])} {fold_accents(words[j + 1])}"
                hit = self.bigrams.get(key)
                if hit and hit[1] > best_count:
                    form = hit[0].split(" ")
                    other = j if mine == 1 else j + 1
                    # Respect what the user did type with marks.
                    if plain[other] or form[1 - mine] == words[other]:
                        best, best_count = form[mine], hit[1]
            chosen[i] = best
        out, last = [], 0
        for m, word, lower in zip(matches, chosen, words):
            out.append(text[last : m.start()])
            out.append(m.group(0) if word == lower else word)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def save(self, path: Path) -> None:
        data = {"format_version": FORMAT_VERSION, "unigrams": self.unigrams,
                "bigrams": {k: [v[0], v[1]] for k, v in self.bigrams.items()}}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "ToneRestorer":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["unigrams"], {k: (v[0], int(v[1])) for k, v in data["bigrams"].items()})
