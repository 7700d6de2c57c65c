"""The stages after crawling, shared by the CLI commands and the demo."""

from __future__ import annotations

from pathlib import Path

from classifier.model import load
from classifier.scoring import aggregate_ai_demand, load_model, score_companies, score_job_ads
from indicators.build import IndexTable
from indicators.report import write_report
from ruhrindex.config import MODELS_DIR


def classify(db, models_dir: Path = MODELS_DIR, progress: bool = True) -> tuple[int, int]:
    """Score companies and job ads with the latest models; returns rows (re)scored."""
    companies = score_companies(db, load_model("digital", models_dir),
                                load_model("startup", models_dir), progress)
    ads = score_job_ads(db, load_model("ai-skills", models_dir), progress)
    aggregate_ai_demand(db)
    return companies, ads


def model_cards(models_dir: Path = MODELS_DIR) -> list[dict]:
    cards = []
    for task in ("digital", "startup", "ai-skills"):
        latest = Path(models_dir) / task / "LATEST"
        if latest.exists():
            cards.append(load(latest.parent / latest.read_text().strip() / "model.json")[2])
    return cards


def report(table: IndexTable, path: Path, models_dir: Path = MODELS_DIR, note: str = "",
           geometries: dict | None = None) -> Path:
    return write_report(table, path, model_cards(models_dir), note, geometries)
