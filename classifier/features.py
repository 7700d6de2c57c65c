"""Feature extraction: TF-IDF word and character n-grams, lexicon counts, sentence embeddings
and, for the startup task, the company's age as stated on its site."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifier.embeddings import load_embedder
from classifier.founding import extract_founding_year
from classifier.lexicon import AI_PATTERNS, DIGITAL_PATTERNS, match_terms
from ruhrindex.config import REFERENCE_YEAR

LEXICONS = {"digital": DIGITAL_PATTERNS, "ai": AI_PATTERNS}


class LexiconCounts(BaseEstimator, TransformerMixin):
    """log(1 + matches) per lexicon category; stateless, so nothing to fit or store."""

    def __init__(self, lexicon: str = "digital"):
        self.lexicon = lexicon

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        patterns = LEXICONS[self.lexicon]
        names = list(patterns)
        rows = []
        for text in texts:
            counts = match_terms(text, patterns)
            rows.append([np.log1p(counts.get(name, 0)) for name in names])
        return sparse.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), len(names)))

    def get_feature_names_out(self, input_features=None):
        return np.array([f"lexicon:{name}" for name in LEXICONS[self.lexicon]], dtype=object)


def word_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True,
                           min_df=1, max_features=20000, token_pattern=r"(?u)\b\w[\w-]+\b")


def char_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True,
                           sublinear_tf=True, min_df=1, max_features=30000)


class EmbeddingFeatures(BaseEstimator, TransformerMixin):
    """Sentence-embedding vectors; the weights live in the embedder, so nothing is fitted here.

    ``cache`` (set by the scorer to the store's embedding table) avoids embedding a text twice.
    """

    def __init__(self, embedder: str = "none"):
        self.embedder = embedder
        self.cache = None

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        return sparse.csr_matrix(load_embedder(self.embedder).encode(list(texts), self.cache))

    def get_feature_names_out(self, input_features=None):
        return np.array(["embedding"], dtype=object)


#: Startups are younger than this many years (the index's definition).
STARTUP_MAX_AGE = 10


def age_features(year: int | None, reference_year: int = REFERENCE_YEAR) -> list[float]:
    """[age known, younger than STARTUP_MAX_AGE, age in decades capped at 5]."""
    if year is None:
        return [0.0, 0.0, 0.0]
    age = reference_year - year
    return [1.0, float(age < STARTUP_MAX_AGE), min(age, 50) / 10]


class AgeFeatures(BaseEstimator, TransformerMixin):
    """The company's age from the founding year its text states (see classifier.founding)."""

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        rows = []
        for text in texts:
            found = extract_founding_year(text)
            rows.append(age_features(found.year if found else None))
        return sparse.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), 3))

    def get_feature_names_out(self, input_features=None):
        return np.array(["age known", "younger than 10 years", "age (decades)"], dtype=object)


#: which feature groups a model uses: "tfidf" (words, characters, lexicon), "embeddings", "both".
FEATURE_SETS = ("tfidf", "embeddings", "both")


def feature_union(lexicon: str, embedder: str = "none", features: str = "both",
                  age: bool = False) -> FeatureUnion:
    parts = []
    if features in ("tfidf", "both") or embedder == "none":
        parts += [("word", word_vectorizer()), ("char", char_vectorizer()),
                  ("lexicon", LexiconCounts(lexicon))]
    if features in ("embeddings", "both") and embedder != "none":
        parts.append(("embedding", EmbeddingFeatures(embedder)))
    if age:
        parts.append(("age", AgeFeatures()))
    return FeatureUnion(parts)
