"""Feature extraction: TF-IDF word and character n-grams plus interpretable lexicon counts."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifier.lexicon import AI_PATTERNS, DIGITAL_PATTERNS, match_terms

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


def feature_union(lexicon: str) -> FeatureUnion:
    return FeatureUnion([("word", word_vectorizer()), ("char", char_vectorizer()),
                         ("lexicon", LexiconCounts(lexicon))])
