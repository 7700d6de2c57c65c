"""Percentile-bootstrap intervals for every indicator, sub-index score and rank.

Each replicate resamples the companies of every municipality with replacement (the list is
a sample of the local economy, and which firms it holds drives the figures). Optionally each
company's and job ad's decision is also redrawn from its classifier probability, which
propagates classification error under the assumption that the probabilities are calibrated.
Replicates are evaluated in vectorised blocks by the same code as the point estimate, so 53
municipalities x thousands of companies x 1,000 replicates take seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from indicators.aggregate import (
    company_features,
    group_sums,
    indicator_values,
    listed,
    per_capita,
)
from indicators.companies import CompanySample
from indicators.settings import IndexSettings
from indicators.subindex import index_values

BLOCK_CELLS = 2_000_000   # replicates x companies per block: bounds memory to ~100 MB


def resample_indices(sample: CompanySample, replicates: int,
                     rng: np.random.Generator) -> np.ndarray:
    """(B, N) company indices, each drawn from the company's own municipality."""
    counts = np.bincount(sample.member, minlength=len(sample.ags))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n = counts[sample.member]
    return starts[sample.member] + (rng.random((replicates, sample.size)) * n).astype(int)


def _block(sample: CompanySample, b: int, rng: np.random.Generator,
           draw_decisions: bool) -> dict[str, np.ndarray]:
    if draw_decisions:
        u = rng.random((b, sample.size))   # one draw for both: a startup is digital-affine
        digital = (u < sample.digital_p).astype(float)
        startup = (u < sample.startup_p).astype(float)
        ai_ads = sample.ads_per_company((rng.random((b, len(sample.ad_ai_p)))
                                         < sample.ad_ai_p).astype(float))
    else:
        digital, startup = sample.digital, sample.startup
        ai_ads = sample.ads_per_company(sample.ad_ai[None])[0]
    idx = resample_indices(sample, b, rng)
    sums = {k: group_sums(v[idx] if v.ndim == 1 else np.take_along_axis(v, idx, axis=1), sample)
            for k, v in company_features(sample, digital, startup, ai_ads).items()}
    return indicator_values(sums, listed(sample))


def replicates(sample: CompanySample, settings: IndexSettings, denominators: dict | None = None,
               external: dict[str, np.ndarray] | None = None) -> Iterator[dict[str, np.ndarray]]:
    """Blocks of replicate values (b, M) for every indicator, score and rank."""
    rng = np.random.default_rng(settings.seed)
    block = max(1, BLOCK_CELLS // max(sample.size, 1))
    done = 0
    while done < settings.replicates:
        b = min(block, settings.replicates - done)
        values = _block(sample, b, rng, settings.classifier_probabilities)
        values.update(per_capita(values, sample, denominators or {}))
        values.update({k: np.broadcast_to(v, (b, len(v))) for k, v in (external or {}).items()})
        values.update(index_values(values, settings))
        yield values
        done += b


def intervals(sample: CompanySample, settings: IndexSettings, denominators: dict | None = None,
              external: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """``{name: (2, M) array}`` of lower and upper percentile bounds; {} without replicates."""
    blocks: dict[str, list[np.ndarray]] = {}
    for values in replicates(sample, settings, denominators, external):
        for name, v in values.items():
            blocks.setdefault(name, []).append(np.asarray(v))
    alpha = (1 - settings.confidence) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN: no interval
        return {name: np.stack([_bound(np.concatenate(parts), alpha, "lower"),
                                _bound(np.concatenate(parts), 1 - alpha, "higher")])
                for name, parts in blocks.items()}


def _bound(draws: np.ndarray, q: float, method: str) -> np.ndarray:
    """An observed replicate value at or beyond the quantile: ranks and counts stay whole
    numbers, and the interval errs on the wide side."""
    return np.nanquantile(draws, q, axis=0, method=method)
