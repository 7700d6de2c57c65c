"""Score every crawled company and job ad in the store, incrementally.

A score row remembers a hash of its input text and model version, so re-running
``ruhrindex classify`` after a new crawl or a retrain only scores what changed; embeddings are
kept per (embedder, text hash) in the store, so a retrain with the same embedder re-scores
without running the encoder again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from classifier.founding import extract_founding_year
from classifier.lexicon import matched_skills
from classifier.model import TextModel, load
from ruhrindex.config import MODELS_DIR, REFERENCE_YEAR
from ruhrindex.store import utcnow

MAX_CHARS = 30_000
#: texts scored per model call: the encoder is much faster on batches than one text at a time
BATCH = 16
_BOILERPLATE_URL = re.compile(r"datenschutz|privacy|cookie|agb", re.IGNORECASE)


@dataclass
class LoadedModel:
    model: TextModel
    version: str
    embedder: str

    @property
    def threshold(self) -> float:
        return self.model.threshold


def load_model(task: str, models_dir: Path = MODELS_DIR, path: Path | None = None) -> LoadedModel:
    """The model at *path*, or the latest version of *task* under *models_dir*."""
    if path is None:
        latest = Path(models_dir) / task / "LATEST"
        version = latest.read_text().strip() if latest.exists() else "missing"
        path = Path(models_dir) / task / version / "model.json"
    model, payload, meta = load(path)
    return LoadedModel(model, meta.get("version", Path(path).parent.name), payload["embedder"])


class StoreEmbeddingCache(MutableMapping):
    """The store's ``embeddings`` table as a mapping text-sha256 -> vector, for one embedder."""

    def __init__(self, db, embedder: str):
        self.db, self.embedder = db, embedder

    def __getitem__(self, key: str) -> np.ndarray:
        rows = list(self.db.query("select vector from embeddings where embedder = ? and "
                                  "text_sha256 = ?", [self.embedder, key]))
        if not rows:
            raise KeyError(key)
        return np.frombuffer(rows[0]["vector"], dtype=np.float32)

    def __setitem__(self, key: str, vector: np.ndarray) -> None:
        self.db["embeddings"].insert(
            {"embedder": self.embedder, "text_sha256": key, "dim": int(vector.shape[0]),
             "vector": np.asarray(vector, dtype=np.float32).tobytes(), "created_at": utcnow()},
            replace=True)

    def __delitem__(self, key: str) -> None:
        self.db["embeddings"].delete((self.embedder, key))

    def __iter__(self) -> Iterator[str]:
        return (r["text_sha256"] for r in self.db.query(
            "select text_sha256 from embeddings where embedder = ?", [self.embedder]))

    def __len__(self) -> int:
        return self.db.execute("select count(*) from embeddings where embedder = ?",
                               [self.embedder]).fetchone()[0]


def _with_store_cache(db, loaded: LoadedModel) -> LoadedModel:
    if loaded.embedder != "none":
        loaded.model.use_embedding_cache(StoreEmbeddingCache(db, loaded.embedder))
    return loaded


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def company_texts(db) -> dict[str, str]:
    """All page text per company from its most recent crawl run that stored pages."""
    texts: dict[str, list[str]] = {}
    rows = db.query("""
        select p.company_id, p.url, p.text from pages p
        join (select company_id, max(run_id) run_id from pages group by company_id) last
          on last.company_id = p.company_id and last.run_id = p.run_id
        order by p.company_id, p.depth, p.id""")
    for row in rows:
        if row["text"] and not _BOILERPLATE_URL.search(row["url"]):
            texts.setdefault(row["company_id"], []).append(row["text"])
    return {cid: "\n".join(parts)[:MAX_CHARS] for cid, parts in texts.items()}


def _stored_hashes(db, entity: str, task: str) -> dict[str, str]:
    return {r["entity_id"]: r["input_hash"] for r in db.query(
        "select entity_id, input_hash from scores where entity = ? and task = ?", [entity, task])}


def founding(listed: int | None, text: str) -> dict:
    """Founding year with its source; the company list takes precedence over the site."""
    if listed:
        return {"year": listed, "source": "company list", "evidence": None}
    found = extract_founding_year(text)
    if found is None:
        return {"year": None, "source": None, "evidence": None}
    return {"year": found.year, "source": "website", "evidence": found.evidence,
            "approximate": found.approximate}


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    return (items[start:start + size] for start in range(0, len(items), size))


def score_companies(db, digital: LoadedModel, startup: LoadedModel, progress: bool = True,
                    reference_year: int = REFERENCE_YEAR) -> int:
    """Digital affinity (with evidence) and startup status for every crawled company."""
    listed = {r["company_id"]: r["founding_year"] for r in db.query(
        "select company_id, founding_year from companies")}
    known = _stored_hashes(db, "company", "startup")
    todo = []
    for cid, text in sorted(company_texts(db).items()):
        input_hash = _hash(text, digital.version, startup.version, str(listed.get(cid)),
                           str(reference_year))
        if known.get(cid) != input_hash:
            todo.append((cid, text, input_hash))
    digital, startup = _with_store_cache(db, digital), _with_store_cache(db, startup)
    with tqdm(total=len(todo), desc="scoring companies", unit="company",
              disable=not progress) as bar:
        for batch in _batches(todo):
            texts = [text for _, text, _ in batch]
            p_digital = digital.model.predict_proba(texts)
            p_startup = startup.model.predict_proba(texts, [listed.get(c) for c, _, _ in batch])
            rows = []
            for (cid, text, input_hash), pd, ps in zip(batch, p_digital, p_startup, strict=True):
                found = founding(listed.get(cid), text)
                age = reference_year - found["year"] if found["year"] else None
                base = {"entity": "company", "entity_id": cid, "input_hash": input_hash,
                        "scored_at": utcnow()}
                rows += [
                    {**base, "task": "digital", "model": digital.version, "score": float(pd),
                     "label": int(pd >= digital.threshold),
                     "details": json.dumps(digital.model.explain(text), ensure_ascii=False)},
                    {**base, "task": "startup", "model": startup.version, "score": float(ps),
                     "label": int(ps >= startup.threshold),
                     "details": json.dumps({"founding": found, "age": age,
                                            "digital_probability": float(pd),
                                            "startup_probability": float(ps)},
                                           ensure_ascii=False)}]
            db["scores"].upsert_all(rows, pk=("entity", "entity_id", "task"))
            bar.update(len(batch))
    return len(todo)


def score_job_ads(db, ai: LoadedModel, progress: bool = True) -> int:
    """AI-skill demand (probability, decision, matched skills) for every job ad."""
    known = _stored_hashes(db, "job_ad", "ai-skills")
    todo = []
    for ad in db.query("select id, title, text from job_ads order by id"):
        text = f"{ad['title']}\n{ad['text'] or ''}"
        input_hash = _hash(text, ai.version)
        if known.get(str(ad["id"])) != input_hash:
            todo.append((str(ad["id"]), text, input_hash))
    ai = _with_store_cache(db, ai)
    with tqdm(total=len(todo), desc="scoring job ads", unit="ad", disable=not progress) as bar:
        for batch in _batches(todo):
            proba = ai.model.predict_proba([text for _, text, _ in batch])
            db["scores"].upsert_all([
                {"entity": "job_ad", "entity_id": ad_id, "task": "ai-skills",
                 "model": ai.version, "score": float(p), "label": int(p >= ai.threshold),
                 "input_hash": input_hash, "scored_at": utcnow(),
                 "details": json.dumps({"skills": matched_skills(text)}, ensure_ascii=False)}
                for (ad_id, text, input_hash), p in zip(batch, proba, strict=True)],
                pk=("entity", "entity_id", "task"))
            bar.update(len(batch))
    return len(todo)


def aggregate_ai_demand(db) -> int:
    """Per company: share of its ads asking for AI skills (score), any such ad (label)."""
    rows = []
    for r in db.query("""
            select j.company_id, count(*) n, sum(s.label) asking,
                   group_concat(case when s.label = 1 then s.details end, '\x1e') details
            from job_ads j join scores s on s.entity = 'job_ad' and s.task = 'ai-skills'
                 and s.entity_id = cast(j.id as text)
            group by j.company_id"""):
        skills = sorted({skill for d in (r["details"] or "").split("\x1e") if d
                         for skill in json.loads(d)["skills"]})
        rows.append({"entity": "company", "entity_id": r["company_id"], "task": "ai-skills",
                     "model": "aggregate", "score": r["asking"] / r["n"],
                     "label": int(r["asking"] > 0), "input_hash": None, "scored_at": utcnow(),
                     "details": json.dumps({"ads": r["n"], "asking": r["asking"],
                                            "skills": skills}, ensure_ascii=False)})
    db["scores"].upsert_all(rows, pk=("entity", "entity_id", "task"))
    return len(rows)
