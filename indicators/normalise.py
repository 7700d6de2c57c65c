"""Normalisation of indicators across municipalities (OECD/JRC Handbook on Constructing
Composite Indicators, 2008, section 5).

Each method maps raw values along the last axis (the municipalities) so that higher is
better; ``direction=-1`` turns an indicator where less is better around first. NaN (no data)
stays NaN and is ignored when the reference values (min, max, mean, best) are taken. Leading
axes are independent, so a stack of bootstrap replicates is normalised in one call.
"""

from __future__ import annotations

import warnings

import numpy as np


def _quiet(function, values: np.ndarray) -> np.ndarray:
    """nan-aware reduction over the last axis; an all-NaN slice gives NaN without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(values, axis=-1, keepdims=True)


def min_max(values: np.ndarray, direction: int = 1) -> np.ndarray:
    """0 (worst) to 100 (best); a constant indicator gives everyone 50, the midpoint."""
    x = direction * np.asarray(values, dtype=float)
    low, high = _quiet(np.nanmin, x), _quiet(np.nanmax, x)
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(span > 0, 100.0 * (x - low) / np.where(span > 0, span, 1), 50.0)
    return np.where(np.isnan(x), np.nan, np.clip(scaled, 0.0, 100.0))   # clip rounding only


def z_score(values: np.ndarray, direction: int = 1) -> np.ndarray:
    """Standard deviations above the mean (population s.d.); a constant indicator gives 0."""
    x = direction * np.asarray(values, dtype=float)
    mean, sd = _quiet(np.nanmean, x), _quiet(np.nanstd, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1), 0.0)
    return np.where(np.isnan(x), np.nan, scaled)


def distance_to_best(values: np.ndarray, direction: int = 1) -> np.ndarray:
    """Per cent of the best value: 100 * x / max (or 100 * min / x where less is better).

    A ratio to the leader, as in the Handbook's "distance to a reference"; it needs
    non-negative values, which all shares, rates and counts here are. Where the best value
    is 0 everyone is at the best (100).
    """
    x = np.asarray(values, dtype=float)
    if np.any(x < 0):
        raise ValueError("distance-to-best needs non-negative values; use min-max or z-score")
    with np.errstate(divide="ignore", invalid="ignore"):
        if direction >= 0:
            best = _quiet(np.nanmax, x)
            scaled = np.where(best > 0, 100.0 * x / np.where(best > 0, best, 1), 100.0)
        else:
            best = _quiet(np.nanmin, x)
            scaled = np.where(x > 0, 100.0 * best / np.where(x > 0, x, 1), 100.0)
    return np.where(np.isnan(x), np.nan, scaled)


METHODS = {"minmax": min_max, "zscore": z_score, "distance-to-best": distance_to_best}
DESCRIPTIONS = {
    "minmax": "min-max scaling to 0-100 (worst measured municipality 0, best 100)",
    "zscore": "z-scores (standard deviations above the mean of the measured municipalities)",
    "distance-to-best": "distance to the best (value in per cent of the leading municipality)",
}


def normalise(values: np.ndarray, method: str = "minmax", direction: int = 1) -> np.ndarray:
    try:
        function = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown normalisation {method!r}; choose one of "
                         + ", ".join(METHODS)) from None
    return function(values, direction)
