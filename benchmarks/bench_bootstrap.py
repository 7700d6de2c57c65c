"""Bootstrap speed: 53 municipalities x N companies x 1,000 replicates.

Run: python benchmarks/bench_bootstrap.py
Prints seconds for the vectorised bootstrap (every indicator, sub-index, index and rank)
against its peer, the same resampling written as a plain Python loop over replicates and
municipalities for one indicator (digital share) only, on the same SYNTHETIC companies.
"""

from __future__ import annotations

import time

import numpy as np

from company_lists.registry import municipalities
from indicators.bootstrap import intervals
from indicators.companies import CompanySample
from indicators.settings import IndexSettings

REPLICATES = 1000


def synthetic(companies: int, rng: np.random.Generator) -> CompanySample:
    ags = [m.ags for m in municipalities()]
    member = np.sort(rng.integers(0, len(ags), companies))
    p = rng.random(companies)
    ads = rng.integers(0, companies, companies // 2)
    return CompanySample(ags=ags, member=member, reached=(rng.random(companies) < 0.9) * 1.0,
                         digital_p=p, digital=(p > 0.5) * 1.0, startup_p=p * 0.2,
                         startup=(p > 0.9) * 1.0, ad_company=np.sort(ads),
                         ad_ai_p=rng.random(ads.size), ad_ai=(rng.random(ads.size) < 0.1) * 1.0)


def loop_peer(sample: CompanySample, rng: np.random.Generator) -> None:
    """One indicator, resampled municipality by municipality in Python."""
    groups = [np.flatnonzero(sample.member == m) for m in range(len(sample.ags))]
    for _ in range(REPLICATES):
        for members in groups:
            if members.size:
                pick = members[rng.integers(0, members.size, members.size)]
                reached = sample.reached[pick].sum()
                _ = (sample.reached[pick] * sample.digital[pick]).sum() / max(reached, 1)


def main() -> None:
    rng = np.random.default_rng(0)
    for companies in (2_000, 5_000, 20_000):
        sample = synthetic(companies, rng)
        for probabilities in (False, True):
            start = time.perf_counter()
            intervals(sample, IndexSettings(replicates=REPLICATES,
                                            classifier_probabilities=probabilities))
            vectorised = time.perf_counter() - start
            label = "+ classifier draws" if probabilities else "companies only  "
            print(f"{companies:>6} companies, {REPLICATES} replicates, {label}: "
                  f"{vectorised:6.2f} s (all indicators, scores, ranks)")
        start = time.perf_counter()
        loop_peer(sample, rng)
        print(f"{companies:>6} companies, peer: Python loop, digital share only: "
              f"{time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
