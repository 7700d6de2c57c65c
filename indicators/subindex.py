"""Sub-indices, the overall index and ranks from normalised indicators.

Aggregation is the weighted arithmetic mean (OECD/JRC Handbook, section 6). Where a
municipality lacks an indicator (no job ads, no official figure) its sub-index score is the
mean over the indicators it has, with their weights rescaled to sum to one. The overall index
needs every sub-index: a municipality without company data is not ranked on official
statistics alone. No score means no rank rather than an invented one. Works on any leading
axes (bootstrap replicates).
"""

from __future__ import annotations

import re

import numpy as np

from indicators.normalise import normalise
from indicators.settings import IndexSettings, SettingsError

OVERALL = "index"


def slug(name: str) -> str:
    """Column-safe ASCII name: "Beschäftigung" -> "beschaeftigung"."""
    text = name.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def score_column(subindex: str) -> str:
    return f"score_{slug(subindex)}"


def weighted_mean(parts: np.ndarray, weights: np.ndarray, complete: bool = False) -> np.ndarray:
    """Mean over the last axis of *parts* (…, K), skipping NaN and rescaling the weights;
    with *complete*, NaN wherever any part is missing."""
    present = ~np.isnan(parts)
    mass = (present * weights).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mass > 0, np.where(present, parts, 0.0) @ weights
                        / np.where(mass > 0, mass, 1), np.nan)
    return np.where(present.all(-1), mean, np.nan) if complete else mean


def ranks(scores: np.ndarray) -> np.ndarray:
    """1 = best along the last axis; ties share the better rank; no score, no rank (NaN)."""
    s = np.asarray(scores, dtype=float)
    better = (s[..., None, :] > s[..., :, None]).sum(-1)
    return np.where(np.isnan(s), np.nan, 1.0 + better)


def index_values(values: dict[str, np.ndarray], settings: IndexSettings) -> dict[str, np.ndarray]:
    """Sub-index scores, the overall index and every rank, for values (…, M)."""
    missing = [s.name for s in settings.indicators if s.name not in values]
    if missing:
        raise SettingsError(f"indicator(s) {', '.join(missing)} not available: not built in, "
                            "not a denominator rate and not a column of the external CSV")
    scores = {}
    for subindex in settings.subindices:
        weights = settings.weights_of(subindex)
        specs = [s for s in settings.indicators if s.subindex == subindex]
        parts = np.stack([normalise(values[s.name], settings.normalisation, s.direction)
                          for s in specs], axis=-1)
        scores[score_column(subindex)] = weighted_mean(parts, np.array([weights[s.name]
                                                                        for s in specs]))
    overall = settings.overall_weights()
    scores[OVERALL] = weighted_mean(np.stack([scores[score_column(s)] for s in overall], -1),
                                    np.array(list(overall.values())), complete=True)
    return {**scores, **{name.replace("score_", "rank_") if name != OVERALL else "rank":
                         ranks(v) for name, v in scores.items()}}
