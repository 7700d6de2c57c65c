"""The text classifier and its safe on-disk format.

A scikit-learn pipeline (TF-IDF words + characters + lexicon counts -> logistic regression)
saved as plain JSON: vocabularies, IDF weights and coefficients. Loading never unpickles,
so a model file from elsewhere cannot execute code; a SHA-256 over the payload refuses
files that were edited or truncated.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from classifier.features import LexiconCounts, char_vectorizer, feature_union, word_vectorizer

FORMAT = "ruhrindex-text-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model artifact that is missing, of another version, or altered."""


def build_pipeline(lexicon: str, c: float = 4.0) -> Pipeline:
    return Pipeline([
        ("features", feature_union(lexicon)),
        ("clf", LogisticRegression(C=c, class_weight="balanced", max_iter=5000)),
    ])


def explain(pipeline: Pipeline, text: str, top: int = 8) -> list[str]:
    """The features of *text* that pushed its score up most (coefficient x value)."""
    features = pipeline.named_steps["features"]
    values = features.transform([text]).tocsr()
    coef = pipeline.named_steps["clf"].coef_[0]
    names = features.get_feature_names_out()
    contributions = [(values.data[k] * coef[j], names[j]) for k, j in enumerate(values.indices)]
    positive = sorted((c for c in contributions if c[0] > 0), reverse=True)
    words = [n.split("__", 1)[1] for _, n in positive if n.startswith(("word__", "lexicon__"))]
    return words[:top]


def _vectorizer_state(vectorizer) -> dict:
    return {"vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
            "idf": vectorizer.idf_.tolist()}


def _restore_vectorizer(factory, state: dict):
    vectorizer = factory()
    vectorizer.set_params(vocabulary=state["vocabulary"])
    vectorizer._validate_vocabulary()
    vectorizer.idf_ = np.asarray(state["idf"])
    return vectorizer


def to_payload(pipeline: Pipeline, lexicon: str, threshold: float) -> dict:
    union = pipeline.named_steps["features"]
    clf = pipeline.named_steps["clf"]
    return {
        "lexicon": lexicon,
        "threshold": threshold,
        "word": _vectorizer_state(union.transformer_list[0][1]),
        "char": _vectorizer_state(union.transformer_list[1][1]),
        "coef": clf.coef_[0].tolist(),
        "intercept": float(clf.intercept_[0]),
        "classes": [int(c) for c in clf.classes_],
    }


def from_payload(payload: dict) -> Pipeline:
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion([
        ("word", _restore_vectorizer(word_vectorizer, payload["word"])),
        ("char", _restore_vectorizer(char_vectorizer, payload["char"])),
        ("lexicon", LexiconCounts(payload["lexicon"])),
    ])
    clf = LogisticRegression()
    clf.coef_ = np.asarray([payload["coef"]])
    clf.intercept_ = np.asarray([payload["intercept"]])
    clf.classes_ = np.asarray(payload["classes"])
    return Pipeline([("features", union), ("clf", clf)])


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


def load(path: Path) -> tuple[Pipeline, dict, dict]:
    """Read and verify a model file: (pipeline, payload, meta)."""
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
    return from_payload(payload), payload, document.get("meta", {})
