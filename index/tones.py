"""Tone-mark restoration for queries typed without them, learned from the corpus and a dictionary.

Consumes the normalized paragraph texts at build time and produces a small lexicon (saved as
`lexicon.json`): for each accent-folded syllable the accented forms seen, with their counts, and the
count of each accented pair of adjacent syllables. Evidence from the indexed corpus comes first; the
Vietnamese word list shipped with underthesea (~74k words, weight DICTIONARY_WEIGHT) fills the gaps, and
general running text (underthesea's VLSP 2013 sentences, weight BACKGROUND_WEIGHT) tells everyday words
apart that a small corpus cannot ("ve" is "về" far more often than the "vệ" of "bảo vệ"). At query time
"trach nhiem nguoi dung dau" becomes "trách nhiệm người đứng đầu" for the dense retriever, which was
trained on text with tone marks: the accented sentence with the highest smoothed bigram probability,
found by Viterbi search (`_viterbi`). Why these weights and what else was tried:
docs/decisions/0002-tone-restoration.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from index.analysis import SYLLABLE
from ingest.normalize import fold_accents, normalize

FORMAT_VERSION = 3  # 3: only the counts the Viterbi search reads (the per-syllable choice's tables went)
MU = 20.0
DICTIONARY_WEIGHT = 0.1
BACKGROUND_WEIGHT = 0.3


def _dictionary_words() -> list[str]:
    try:
        from underthesea.corpus import viet_dict_74K

        return viet_dict_74K.words
    except Exception:  # the word list is a bonus; the corpus alone still restores its own vocabulary
        return []


def _background_sentences() -> list[str]:
    """General running Vietnamese text: the VLSP 2013 test sentences underthesea ships with its POS
    tagger (~2.1k sentences, ~97k syllables of news and legal prose; one token per line, tab-separated
    tags, a blank line between sentences). Empty when that file is not there."""
    try:
        import underthesea
    except ImportError:
        return []
    models = Path(underthesea.__file__).parent / "pipeline" / "pos_tag" / "models"
    sentences: list[str] = []
    for path in sorted(models.glob("*/test_output.txt"))[:1]:
        current: list[str] = []
        for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
            if line.strip():
                current.append(line.split("\t")[0])
            elif current:
                sentences.append(normalize(" ".join(current)))
                current = []
    return sentences


def _count(texts: Iterable[str], uni: dict[str, Counter], bi: dict[str, Counter]) -> None:
    for text in texts:
        accented = SYLLABLE.findall(text.lower())
        folded = [fold_accents(s) for s in accented]
        for a, f in zip(accented, folded):
            uni[f][a] += 1
        for i in range(len(accented) - 1):
            bi[f"{folded[i]} {folded[i + 1]}"][f"{accented[i]} {accented[i + 1]}"] += 1


class ToneRestorer:
    def __init__(self, forms: dict[str, dict[str, float]], pairs: dict[str, float]):
        self.forms = forms  # "dau" -> {"đầu": 120, "dấu": 3, ...} (corpus + dictionary + background)
        self.pairs = pairs  # "đứng đầu" -> 57 (corpus + dictionary + background)
        self.total = sum(sum(c.values()) for c in self.forms.values()) or 1
        self.form_count = {form: n for counts in self.forms.values() for form, n in counts.items()}

    @classmethod
    def learn(cls, texts: Iterable[str], use_dictionary: bool = True) -> ToneRestorer:
        c_uni: dict[str, Counter] = defaultdict(Counter)
        c_bi: dict[str, Counter] = defaultdict(Counter)
        d_uni: dict[str, Counter] = defaultdict(Counter)
        d_bi: dict[str, Counter] = defaultdict(Counter)
        b_uni: dict[str, Counter] = defaultdict(Counter)
        b_bi: dict[str, Counter] = defaultdict(Counter)
        _count(texts, c_uni, c_bi)
        if use_dictionary:
            _count(_dictionary_words(), d_uni, d_bi)
            _count(_background_sentences(), b_uni, b_bi)
        # The dictionary counts each word once, the corpus each occurrence: a dictionary entry weighs
        # DICTIONARY_WEIGHT of a corpus occurrence, so it fills gaps without outvoting the corpus.
        # General text (BACKGROUND_WEIGHT of a corpus occurrence) knows how often everyday words occur,
        # which a small corpus does not: "ve" is "về" far more often than the "vệ" of "bảo vệ".
        forms: dict[str, dict[str, float]] = {}
        for f in set(c_uni) | set(d_uni) | set(b_uni):
            counts = {w: float(n) for w, n in c_uni.get(f, Counter()).items()}
            for table, weight in ((d_uni, DICTIONARY_WEIGHT), (b_uni, BACKGROUND_WEIGHT)):
                for w, n in table.get(f, Counter()).items():
                    counts[w] = counts.get(w, 0.0) + weight * n
            forms[f] = counts
        pairs: dict[str, float] = {}
        for table, weight in ((c_bi, 1.0), (d_bi, DICTIONARY_WEIGHT), (b_bi, BACKGROUND_WEIGHT)):
            for counts in table.values():
                for pair, n in counts.items():
                    pairs[pair] = pairs.get(pair, 0.0) + weight * n
        return cls(forms, pairs)

    def _viterbi(self, words: list[str], plain: list[bool]) -> list[str]:
        """The accented sentence with the highest bigram language-model probability (Viterbi search).

        Candidates of a syllable typed without marks are the forms the corpus and dictionary use for it;
        a syllable typed with marks keeps them. P(w | v) = (c(v w) + MU * P(w)) / (c(v) + MU), Dirichlet
        smoothing of the pair counts toward the form's own frequency, so a pair never seen costs its
        form's unigram probability and a frequent pair ("về an" vs "vệ an") decides with its neighbours.
        """

        def candidates(i: int) -> list[str]:
            options = self.forms.get(words[i]) if plain[i] else None
            return list(options) if options else [words[i]]

        layers = [candidates(i) for i in range(len(words))]
        best = {w: (math.log(self._unigram(w)), [w]) for w in layers[0]}
        for options in layers[1:]:
            # _transition's terms that depend on one side only, once per form (the same arithmetic, so the
            # same scores); a path is extended only once it won (paths of a layer have the same length and
            # end apart, so comparing them decides as comparing them extended would).
            previous = [
                (f"{v} ", score, path, self.form_count.get(v, 0) + MU) for v, (score, path) in best.items()
            ]
            extended = {}
            for w in options:
                smoothing = MU * self._unigram(w)
                top_score, top_path = -math.inf, None
                for prefix, score, path, denominator in previous:
                    candidate = score + math.log((self.pairs.get(prefix + w, 0) + smoothing) / denominator)
                    if (
                        top_path is None
                        or candidate > top_score
                        or (candidate == top_score and path > top_path)
                    ):
                        top_score, top_path = candidate, path
                extended[w] = (top_score, top_path + [w])
            best = extended
        return max(best.values())[1]

    def _unigram(self, w: str) -> float:
        return (self.form_count.get(w, 0) + 0.5) / self.total

    def _transition(self, v: str, w: str) -> float:

        return math.log(
            (self.pairs.get(f"{v} {w}", 0) + MU * self._unigram(w)) / (self.form_count.get(v, 0) + MU)
        )

    def log_probability(self, forms: list[str]) -> float:
        """Log-probability of an accented syllable sequence under the model `_viterbi` maximizes."""

        if not forms:
            return 0.0
        return math.log(self._unigram(forms[0])) + sum(
            self._transition(v, w) for v, w in zip(forms, forms[1:])
        )

    def restore(self, text: str) -> str:
        """Give each syllable written without diacritics its most likely accented form; others stay."""
        matches = list(SYLLABLE.finditer(text))
        if not matches:
            return text
        words = [m.group(0).lower() for m in matches]
        plain = [fold_accents(w) == w for w in words]
        chosen = self._viterbi(words, plain)
        out, last = [], 0
        for m, word, lower in zip(matches, chosen, words):
            out.append(text[last : m.start()])
            out.append(m.group(0) if word == lower else word)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def save(self, path: Path) -> None:
        data = {"format_version": FORMAT_VERSION, "forms": self.forms, "pairs": self.pairs}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ToneRestorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{path}: lexicon format {data.get('format_version')}, expected {FORMAT_VERSION}"
            )
        return cls(data["forms"], data["pairs"])
