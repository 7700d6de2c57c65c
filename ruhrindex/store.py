"""The embedded SQLite store: one file, schema created and migrated by code.

Every stage reads from and writes to this file, so a pipeline can be stopped and resumed at any
stage. Migrations are numbered functions applied in order; ``PRAGMA user_version`` remembers the
last one applied, so an old database is upgraded in place on first open.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _v1(db: sqlite_utils.Database) -> None:
    db["municipalities"].create(
        {"ags": str, "name": str, "district": str, "district_type": str, "lat": float,
         "lon": float},
        pk="ags",
    )
    db["companies"].create(
        {"company_id": str, "name": str, "ags": str, "website": str, "domain": str,
         "founding_year": int, "employees": int, "sector": str, "source_file": str,
         "source_line": int, "imported_at": str},
        pk="company_id", foreign_keys=[("ags", "municipalities", "ags")],
    )
    db["companies"].create_index(["domain"], unique=True)
    db["companies"].create_index(["ags"])
    db["company_rejects"].create(
        {"id": int, "source_file": str, "source_line": int, "reason": str, "raw": str,
         "rejected_at": str},
        pk="id",
    )
    db["crawl_runs"].create(
        {"run_id": int, "started_at": str, "finished_at": str, "status": str,
         "companies": int, "settings": str},
        pk="run_id",
    )
    db["pages"].create(
        {"id": int, "run_id": int, "company_id": str, "url": str, "http_status": int,
         "depth": int, "fetched_at": str, "title": str, "lang": str, "date": str, "text": str,
         "html_gz": bytes},
        pk="id", foreign_keys=[("company_id", "companies", "company_id")],
    )
    db["pages"].create_index(["run_id", "url"], unique=True)
    db["pages"].create_index(["company_id"])
    db["crawl_outcomes"].create(
        {"run_id": int, "company_id": str, "status": str, "pages": int, "start_url": str,
         "final_url": str, "message": str},
        pk=("run_id", "company_id"),
    )
    db["job_ads"].create(
        {"id": int, "company_id": str, "run_id": int, "url": str, "title": str, "text": str,
         "location": str, "date_posted": str, "source": str, "fingerprint": str},
        pk="id", foreign_keys=[("company_id", "companies", "company_id")],
    )
    db["job_ads"].create_index(["company_id", "fingerprint"], unique=True)
    db["scores"].create(
        {"entity": str, "entity_id": str, "task": str, "model": str, "score": float,
         "label": int, "details": str, "input_hash": str, "scored_at": str},
        pk=("entity", "entity_id", "task"),
    )
    db["indicators"].create(
        {"ags": str, "indicator": str, "value": float, "computed_at": str},
        pk=("ags", "indicator"),
    )


def _v2_company_provenance(db: sqlite_utils.Database) -> None:
    """Company lists built from open data say which source(s) each row came from."""
    db["companies"].add_column("source", str)
    db["companies"].add_column("source_ids", str)
    db["companies"].add_column("source_tags", str)


def _v3_embeddings(db: sqlite_utils.Database) -> None:
    """Sentence embeddings per (embedder, text sha256), so re-scoring skips the encoder."""
    db["embeddings"].create(
        {"embedder": str, "text_sha256": str, "dim": int, "vector": bytes, "created_at": str},
        pk=("embedder", "text_sha256"),
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1, _v2_company_provenance, _v3_embeddings,
]


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating and migrating if needed) the store at *path*, in WAL mode."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    if db.journal_mode != "wal":
        db.enable_wal()
    # in WAL mode NORMAL survives a killed process; only a power cut may lose the last commits
    # (FULL would fsync on every commit: one per page during a crawl)
    db.execute("PRAGMA synchronous = NORMAL")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migrate in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            migrate(db)
            db.execute(f"PRAGMA user_version = {number}")
    return db


def compress_html(html: str | bytes) -> bytes:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return gzip.compress(data, compresslevel=6)


def decompress_html(blob: bytes) -> str:
    return gzip.decompress(blob).decode("utf-8", errors="replace")
