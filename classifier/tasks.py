"""The trainable tasks: which lexicon, which shipped labels, which decision threshold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Task:
    name: str
    lexicon: str
    labels: Path
    threshold: float = 0.5
    description: str = ""


TASKS = {
    "digital": Task("digital", "digital", DATA_DIR / "digital.csv",
                    description="company text -> digital affinity (1: digital-affine firm)"),
    "ai-skills": Task("ai-skills", "ai", DATA_DIR / "ai_skills.csv",
                      description="job ad -> asks for AI skills (1) or not (0)"),
}


def get_task(name: str) -> Task:
    if name == "startup":
        raise KeyError("startup status is derived, not trained: founding year < 10 years ago "
                       "plus the 'digital' model; retrain 'digital' to change it")
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}") from None
