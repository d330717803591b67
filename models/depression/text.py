"""Bag of character n-grams (TF-IDF, sublinear tf, l2 rows) in plain numpy, serialisable.

Used twice: alone it is the floor (a logistic regression on the transcript's characters);
inside the model it is the text component. Whitespace and punctuation are dropped, so the
same answer typed with or without spaces gives the same vector.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_KEEP = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]")


def _clean(text: str) -> str:
    return "".join(_KEEP.findall(text.lower()))


def char_ngrams(text: str, n_max: int) -> Counter[str]:
    s = _clean(text)
    grams: Counter[str] = Counter()
    for n in range(1, n_max + 1):
        grams.update(s[i:i + n] for i in range(len(s) - n + 1))
    return grams


@dataclass
class CharNgrams:
    vocabulary: dict[str, int]
    idf: np.ndarray
    n_max: int

    @classmethod
    def fit(cls, texts: Sequence[str], n_max: int = 2, min_df: int = 2) -> CharNgrams:
        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(char_ngrams(t, n_max)))
        terms = sorted(g for g, c in df.items() if c >= min_df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in terms])
        return cls({g: i for i, g in enumerate(terms)}, idf, n_max)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.vocabulary)))
        for r, t in enumerate(texts):
            for g, c in char_ngrams(t, self.n_max).items():
                j = self.vocabulary.get(g)
                if j is not None:
                    out[r, j] = 1.0 + math.log(c)
        out *= self.idf
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)
