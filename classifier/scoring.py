"""Score every crawled company and job ad in the store, incrementally.

A score row remembers a hash of its input text and model version, so re-running
``ruhrindex classify`` after a new crawl or a retrain only scores what changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from classifier.founding import extract_founding_year
from classifier.lexicon import matched_skills
from classifier.model import explain, load
from ruhrindex.config import MODELS_DIR, REFERENCE_YEAR
from ruhrindex.store import utcnow

MAX_CHARS = 30_000
STARTUP_MAX_AGE = 10
_BOILERPLATE_URL = re.compile(r"datenschutz|privacy|cookie|agb", re.IGNORECASE)


@dataclass
class LoadedModel:
    pipeline: object
    threshold: float
    version: str


def load_model(task: str, models_dir: Path = MODELS_DIR, path: Path | None = None) -> LoadedModel:
    """The model at *path*, or the latest version of *task* under *models_dir*."""
    if path is None:
        latest = Path(models_dir) / task / "LATEST"
        version = latest.read_text().strip() if latest.exists() else "missing"
        path = Path(models_dir) / task / version / "model.json"
    pipeline, payload, meta = load(path)
    return LoadedModel(pipeline, payload["threshold"], meta.get("version", Path(path).parent.name))


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


def score_companies(db, digital: LoadedModel, progress: bool = True,
                    reference_year: int = REFERENCE_YEAR) -> int:
    """Digital affinity and startup status for every crawled company; returns rows written."""
    texts = company_texts(db)
    founding_listed = {r["company_id"]: r["founding_year"] for r in db.query(
        "select company_id, founding_year from companies")}
    known = _stored_hashes(db, "company", "digital")
    written = 0
    for cid, text in tqdm(sorted(texts.items()), desc="scoring companies", unit="company",
                          disable=not progress):
        input_hash = _hash(text, digital.version, str(founding_listed.get(cid)),
                           str(reference_year))
        if known.get(cid) == input_hash:
            continue
        proba = float(digital.pipeline.predict_proba([text])[0, 1])
        is_digital = proba >= digital.threshold
        founding = _founding(founding_listed.get(cid), text)
        age = reference_year - founding["year"] if founding["year"] else None
        startup = bool(age is not None and age < STARTUP_MAX_AGE and is_digital)
        now = utcnow()
        db["scores"].upsert_all([
            {"entity": "company", "entity_id": cid, "task": "digital", "model": digital.version,
             "score": proba, "label": int(is_digital), "input_hash": input_hash, "scored_at": now,
             "details": json.dumps({"evidence": explain(digital.pipeline, text)},
                                   ensure_ascii=False)},
            {"entity": "company", "entity_id": cid, "task": "startup", "model": digital.version,
             "score": proba if age is not None and age < STARTUP_MAX_AGE else 0.0,
             "label": int(startup), "input_hash": input_hash, "scored_at": now,
             "details": json.dumps({**founding, "age": age}, ensure_ascii=False)},
        ], pk=("entity", "entity_id", "task"))
        written += 1
    return written


def _founding(listed: int | None, text: str) -> dict:
    if listed:
        return {"year": listed, "source": "company list", "evidence": None}
    found = extract_founding_year(text)
    if found is None:
        return {"year": None, "source": None, "evidence": None}
    return {"year": found.year, "source": "website", "evidence": found.evidence,
            "approximate": found.approximate}


def score_job_ads(db, ai: LoadedModel, progress: bool = True) -> int:
    """AI-skill demand for every job ad; returns rows written."""
    known = _stored_hashes(db, "job_ad", "ai-skills")
    ads = list(db.query("select id, title, text from job_ads order by id"))
    written = 0
    for ad in tqdm(ads, desc="scoring job ads", unit="ad", disable=not progress):
        text = f"{ad['title']}\n{ad['text'] or ''}"
        input_hash = _hash(text, ai.version)
        if known.get(str(ad["id"])) == input_hash:
            continue
        proba = float(ai.pipeline.predict_proba([text])[0, 1])
        db["scores"].upsert(
            {"entity": "job_ad", "entity_id": str(ad["id"]), "task": "ai-skills",
             "model": ai.version, "score": proba, "label": int(proba >= ai.threshold),
             "input_hash": input_hash, "scored_at": utcnow(),
             "details": json.dumps({"skills": matched_skills(text)}, ensure_ascii=False)},
            pk=("entity", "entity_id", "task"))
        written += 1
    return written
