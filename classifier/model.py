"""The text classifier and its safe on-disk format.

A scikit-learn pipeline (TF-IDF words + characters + lexicon counts, optionally sentence
embeddings and age features -> logistic regression with Platt calibration) saved as plain
JSON: vocabularies, IDF weights, coefficients, calibration, threshold and the embedder spec
(embedder weights stay in their package or folder). Loading never unpickles,
so a model file from elsewhere cannot execute code; a SHA-256 over the payload refuses
files that were edited or truncated.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from classifier.embeddings import MAX_EMBED_CHARS, EmbedderError, load_embedder
from classifier.features import age_features, feature_union

FORMAT = "ruhrindex-text-model"
#: 2: calibration, embedder spec, feature set and age features joined the payload.
FORMAT_VERSION = 2
#: dual liblinear: 50x faster than lbfgs here (far more features than examples)
SOLVER = "liblinear"
#: words in more than a tenth of the training texts ("für", "unsere") are no evidence
_COMMON_IDF = float(np.log(10) + 1)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class ModelFileError(ValueError):
    """A model artifact that is missing, of another version, or altered."""


@dataclass(frozen=True)
class ModelSpec:
    """Everything besides the labels that decides what a trained model looks like."""

    lexicon: str
    embedder: str = "none"
    features: str = "both"
    age: bool = False
    c: float = 4.0

    def settings(self) -> dict:
        return {"lexicon": self.lexicon, "embedder": self.embedder, "features": self.features,
                "age": self.age, "c": self.c, "solver": SOLVER,
                "max_embed_chars": MAX_EMBED_CHARS}


def build_pipeline(spec: ModelSpec) -> Pipeline:
    return Pipeline([
        ("features", feature_union(spec.lexicon, spec.embedder, spec.features, spec.age)),
        ("clf", LogisticRegression(C=spec.c, class_weight="balanced", solver=SOLVER, dual=True,
                                   max_iter=5000)),
    ])


@dataclass
class TextModel:
    """A fitted pipeline plus Platt calibration of its scores and a decision threshold."""

    pipeline: Pipeline
    slope: float = 1.0
    offset: float = 0.0
    threshold: float = 0.5

    def decision(self, texts: list[str], years: list[int | None] | None = None) -> np.ndarray:
        """Linear scores; *years* (founding years from the company list) replace the age the
        text states wherever given, for models with age features."""
        union = self.pipeline.named_steps["features"]
        parts = dict(union.transformer_list)
        if years is None or "age" not in parts:
            return self.pipeline.decision_function(list(texts))
        site = parts["age"].transform(texts).toarray()
        ages = np.asarray([age_features(y) if y else row for y, row in zip(years, site, strict=True)])
        matrix = sparse.hstack([t.transform(list(texts)) for name, t in union.transformer_list
                                if name != "age"] + [sparse.csr_matrix(ages)]).tocsr()
        return self.pipeline.named_steps["clf"].decision_function(matrix)

    def predict_proba(self, texts: list[str], years: list[int | None] | None = None) -> np.ndarray:
        """Calibrated probability of class 1 for each text."""
        return calibrate(self.decision(texts, years), self.slope, self.offset)

    def use_embedding_cache(self, cache) -> None:
        """Look embeddings up in (and add them to) *cache*, e.g. the store's table."""
        for name, transformer in self.pipeline.named_steps["features"].transformer_list:
            if name == "embedding":
                transformer.cache = cache

    def explain(self, text: str, terms: int = 8, sentences: int = 3) -> dict:
        """Terms and sentences of *text* that pushed its score up most (coefficient x value),
        and the terms that pulled it down most.

        Only the word, character and lexicon features are attributed: embedding dimensions have
        no readable meaning, and scoring each sentence through them would cost an encoder call.
        """
        parts = self._interpretable_parts
        contributions: list[tuple[float, str]] = []
        for name, transformer, coef, names in parts:
            if name != "char":
                values = transformer.transform([text]).tocsr()
                common = (transformer.idf_ < _COMMON_IDF if name == "word"
                          else np.zeros(len(names), bool))
                contributions += [(values.data[k] * coef[j], str(names[j]))
                                  for k, j in enumerate(values.indices) if not common[j]]
        ranked = sorted(contributions, reverse=True)
        found = {"terms": [n for c, n in ranked if c > 0][:terms],
                 "against": [n for c, n in ranked[::-1] if c < 0][:terms], "sentences": []}
        chunks = [c.strip() for c in _SENTENCE.split(text) if len(c.strip()) > 20]
        if chunks and parts:
            scores = sum(transformer.transform(chunks) @ coef for _, transformer, coef, _ in parts)
            found["sentences"] = [chunks[i][:300] for i in np.argsort(-scores)[:sentences]
                                  if scores[i] > 0]
        return found

    @cached_property
    def _interpretable_parts(self) -> list[tuple[str, object, np.ndarray, np.ndarray]]:
        """(name, transformer, coefficients, feature names) of word, char and lexicon groups."""
        coef = self.pipeline.named_steps["clf"].coef_[0]
        transformers = self.pipeline.named_steps["features"].transformer_list
        names = {name: t.get_feature_names_out() for name, t in transformers
                 if name != "embedding"}
        widths = {name: len(n) for name, n in names.items()}
        widths["embedding"] = len(coef) - sum(widths.values())
        parts, start = [], 0
        for name, transformer in transformers:
            if name in ("word", "char", "lexicon"):
                parts.append((name, transformer, coef[start:start + widths[name]], names[name]))
            start += widths[name]
        return parts


def calibrate(scores: np.ndarray, slope: float, offset: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(slope * np.asarray(scores) + offset)))


def _vectorizer_state(vectorizer) -> dict:
    return {"vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
            "idf": vectorizer.idf_.tolist()}


def _restore_vectorizer(vectorizer, state: dict):
    vectorizer.set_params(vocabulary=state["vocabulary"])
    vectorizer._validate_vocabulary()
    vectorizer.idf_ = np.asarray(state["idf"])
    return vectorizer


def to_payload(model: TextModel, spec: ModelSpec) -> dict:
    union = model.pipeline.named_steps["features"]
    clf = model.pipeline.named_steps["clf"]
    vectorizers = {name: _vectorizer_state(t) for name, t in union.transformer_list
                   if name in ("word", "char")}
    return {**spec.settings(), **vectorizers, "threshold": model.threshold,
            "calibration": {"slope": model.slope, "offset": model.offset},
            "coef": clf.coef_[0].tolist(), "intercept": float(clf.intercept_[0]),
            "classes": [int(c) for c in clf.classes_]}


def spec_of(payload: dict) -> ModelSpec:
    return ModelSpec(payload["lexicon"], payload["embedder"], payload["features"],
                     payload["age"], payload["c"])


def from_payload(payload: dict) -> TextModel:
    """Rebuild the model; raises EmbedderError if its embedder is not available here."""
    spec = spec_of(payload)
    if spec.embedder != "none" and spec.features != "tfidf":
        load_embedder(spec.embedder)
    pipeline = build_pipeline(spec)
    union = pipeline.named_steps["features"]
    union.transformer_list = [
        (name, _restore_vectorizer(transformer, payload[name]) if name in ("word", "char")
         else transformer)
        for name, transformer in union.transformer_list]
    clf = pipeline.named_steps["clf"]
    clf.coef_ = np.asarray([payload["coef"]])
    clf.intercept_ = np.asarray([payload["intercept"]])
    clf.classes_ = np.asarray(payload["classes"])
    calibration = payload["calibration"]
    return TextModel(pipeline, calibration["slope"], calibration["offset"], payload["threshold"])


def _digest(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def save(path: Path, payload: dict, meta: dict) -> str:
    """Write a model file; returns its payload digest."""
    digest = _digest(payload)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "meta": meta,
                "sha256": digest, "payload": payload}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return digest


def load(path: Path) -> tuple[TextModel, dict, dict]:
    """Read and verify a model file: (model, payload, meta)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"no model file at {path}; train one with `ruhrindex train`") from exc
    except ValueError as exc:
        raise ModelFileError(f"{path} is not a ruhrindex model file (invalid JSON)") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a ruhrindex model file")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has model format version {document.get('format_version')}, this ruhrindex "
            f"reads version {FORMAT_VERSION}; retrain with `ruhrindex train`")
    payload = document.get("payload")
    if not isinstance(payload, dict) or _digest(payload) != document.get("sha256"):
        raise ModelFileError(f"{path} failed its integrity check (content altered); refusing it")
    try:
        model = from_payload(payload)
    except EmbedderError as exc:
        raise ModelFileError(f"{path} needs embedder {payload.get('embedder')!r}, which is not "
                             f"available here: {exc}") from exc
    return model, payload, document.get("meta", {})
