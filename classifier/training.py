"""Training and honest evaluation.

Quality figures are never measured on training data: stratified k-fold cross-validation gives
out-of-fold predictions for every example, and a stratified held-out split (never seen by the
model that is scored on it) gives a second figure. Intervals come from bootstrapping the
out-of-fold predictions. The shipped model is then fitted on all labels.
"""

from __future__ import annotations

import csv
import hashlib
import io
import platform
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split

from classifier.model import build_pipeline, save, to_payload
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
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary",
                                                 zero_division=0)
    return {"precision": float(p), "recall": float(r), "f1": float(f),
            "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))}


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


def cross_validate(task: Task, labels: Labels, folds: int = 5, seed: int = 0) -> dict:
    """Out-of-fold probabilities for every example, scored against the labels."""
    folds = min(folds, int(np.bincount(labels.y).min()))
    proba = np.zeros(len(labels.y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    texts = np.asarray(labels.texts, dtype=object)
    for train_idx, test_idx in splitter.split(texts, labels.y):
        model = build_pipeline(task.lexicon).fit(list(texts[train_idx]), labels.y[train_idx])
        proba[test_idx] = model.predict_proba(list(texts[test_idx]))[:, 1]
    return {"folds": folds, **evaluate_predictions(labels.y, proba, task.threshold, seed)}


def held_out(task: Task, labels: Labels, share: float = 0.2, seed: int = 0) -> dict:
    train_x, test_x, train_y, test_y = train_test_split(
        labels.texts, labels.y, test_size=share, stratify=labels.y, random_state=seed)
    model = build_pipeline(task.lexicon).fit(train_x, train_y)
    return {"share": share, **evaluate_predictions(test_y, model.predict_proba(test_x)[:, 1],
                                                  task.threshold, seed)}


def train(task: Task, labels: Labels, models_dir: Path = MODELS_DIR, folds: int = 5,
          seed: int = 0) -> Path:
    """Cross-validate, evaluate on a held-out split, fit on all labels, write artifact + card."""
    cv = cross_validate(task, labels, folds, seed)
    holdout = held_out(task, labels, seed=seed)
    model = build_pipeline(task.lexicon).fit(labels.texts, labels.y)
    payload = to_payload(model, task.lexicon, task.threshold)
    version = f"{date.today():%Y%m%d}-{labels.sha256[:8]}"
    meta = {
        "task": task.name, "version": version, "trained": date.today().isoformat(),
        "labels_file": Path(labels.path).name, "labels_sha256": labels.sha256,
        "examples": len(labels.y),
        "class_balance": {"0": int((labels.y == 0).sum()), "1": int((labels.y == 1).sum())},
        "threshold": task.threshold, "cross_validation": cv, "held_out": holdout,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "numpy": np.__version__},
    }
    folder = Path(models_dir) / task.name / version
    save(folder / "model.json", payload, meta)
    (folder / "MODEL_CARD.md").write_text(model_card(meta), encoding="utf-8")
    (Path(models_dir) / task.name / "LATEST").write_text(version + "\n", encoding="utf-8")
    return folder


def _line(name: str, figures: dict) -> str:
    ci = figures["ci90"]
    return (f"| {name} | {figures['n']} | " + " | ".join(
        f"{figures[k]:.3f} [{ci[k][0]:.2f}–{ci[k][1]:.2f}]"
        for k in ("precision", "recall", "f1", "accuracy")) + " |")


def model_card(meta: dict) -> str:
    cv, ho = meta["cross_validation"], meta["held_out"]
    (tn, fp), (fn, tp) = cv["confusion_matrix"]
    libraries = ", ".join(f"{k} {v}" for k, v in meta["libraries"].items())
    return f"""# Model card: {meta['task']} {meta['version']}

- Trained: {meta['trained']} on `{meta['labels_file']}` (sha256 `{meta['labels_sha256'][:16]}…`)
- Examples: {meta['examples']} (class 0: {meta['class_balance']['0']}, class 1: {meta['class_balance']['1']})
- Model: TF-IDF word 1-2-grams + character 3-5-grams + lexicon counts -> logistic regression
  (class-balanced); decision threshold {meta['threshold']}
- Libraries: {libraries}

## Quality (never measured on training data)

Figures with 90% bootstrap intervals.

| evaluation | n | precision | recall | F1 | accuracy |
|---|---|---|---|---|---|
{_line(f"{cv['folds']}-fold stratified cross-validation (out-of-fold)", cv)}
{_line(f"held-out split ({ho['share']:.0%}, model trained on the rest)", ho)}

Cross-validation confusion matrix: TN {tn}, FP {fp}, FN {fn}, TP {tp}.

## Caveats

The shipped labels are SYNTHETIC examples written by the ruhrindex team; figures on real
company sites and job ads will differ. Retrain on your own labels with `ruhrindex train`.
"""
