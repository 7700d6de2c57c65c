"""The bootstrap: reproducible, resampling within municipalities, and honest coverage."""

from dataclasses import replace

import numpy as np
import pytest

from company_lists.registry import municipalities
from indicators.bootstrap import intervals, resample_indices
from indicators.build import build_table
from indicators.companies import CompanySample
from indicators.settings import IndexSettings
from tests.test_indicators import fill

AGS = [m.ags for m in municipalities()]


def simulated(per_municipality: int, true_share: np.ndarray, rng) -> CompanySample:
    """SYNTHETIC companies: every one reached, digital-affine with its municipality's share."""
    member = np.repeat(np.arange(len(AGS)), per_municipality)
    digital = (rng.random(member.size) < true_share[member]).astype(float)
    ads = np.arange(member.size)[::4]            # every fourth company has one job ad
    return CompanySample(ags=AGS, member=member, reached=np.ones(member.size),
                         digital_p=digital, digital=digital, startup_p=np.zeros(member.size),
                         startup=np.zeros(member.size), ad_company=ads,
                         ad_ai_p=np.full(ads.size, 0.5), ad_ai=(ads % 8 == 0).astype(float))


def test_resampling_stays_within_each_municipality():
    sample = simulated(5, np.full(len(AGS), 0.5), np.random.default_rng(1))
    idx = resample_indices(sample, 20, np.random.default_rng(2))
    assert np.array_equal(sample.member[idx], np.broadcast_to(sample.member, idx.shape))


def test_same_seed_same_intervals_other_seed_other_intervals():
    sample = simulated(30, np.linspace(0.1, 0.9, len(AGS)), np.random.default_rng(3))
    first = intervals(sample, IndexSettings(replicates=200, seed=7))
    again = intervals(sample, IndexSettings(replicates=200, seed=7))
    other = intervals(sample, IndexSettings(replicates=200, seed=8))
    assert all(np.array_equal(first[k], again[k], equal_nan=True) for k in first)
    assert not np.array_equal(first["digital_share"], other["digital_share"])
    for name in ("rank", "rank_unternehmen", "rank_beschaeftigung"):
        low, high = first[name]
        assert np.all((low >= 1) & (low <= high) & (high <= len(AGS)))
    assert {"score_unternehmen", "score_beschaeftigung", "index"} <= set(first)


def test_interval_covers_the_true_share_at_about_the_nominal_rate():
    # 4 simulated data sets x 53 municipalities = 212 samples of 80 companies each, with true
    # shares between 0.1 and 0.6. A 90% interval should miss about 10% of them. With 212
    # samples the standard error of the observed coverage is sqrt(.9 * .1 / 212) = 0.021, and
    # the percentile bootstrap of a proportion under-covers by about one point at n = 80, so
    # [0.82, 0.97] (roughly -3.5 / +3.3 standard errors) accepts a correct interval and
    # rejects one that is much too narrow or too wide (a 75% interval would fail).
    rng = np.random.default_rng(2026)
    truth = np.linspace(0.1, 0.6, len(AGS))
    hits = []
    for data_set in range(4):
        sample = simulated(80, truth, rng)
        low, high = intervals(sample, IndexSettings(replicates=1000, seed=data_set))[
            "digital_share"]
        hits.extend((low <= truth) & (truth <= high))
    coverage = np.mean(hits)
    assert 0.82 <= coverage <= 0.97, coverage


def test_classifier_probabilities_widen_the_intervals():
    sample = simulated(40, np.zeros(len(AGS)), np.random.default_rng(4))
    sample = replace(sample, digital_p=np.full(sample.size, 0.3))   # unsure, all decided "no"
    fixed = intervals(sample, IndexSettings(replicates=300))["digital_share"]
    drawn = intervals(sample, IndexSettings(replicates=300, classifier_probabilities=True))[
        "digital_share"]
    assert np.all(fixed == 0)
    assert np.all((drawn[0] < 0.3) & (drawn[0] > 0.05) & (drawn[1] > 0.3) & (drawn[1] < 0.6))
    ads_fixed = intervals(sample, IndexSettings(replicates=300))["ai_job_ad_share"]
    ads_drawn = intervals(sample, IndexSettings(replicates=300, classifier_probabilities=True))[
        "ai_job_ad_share"]
    assert np.all(ads_drawn[1] - ads_drawn[0] >= ads_fixed[1] - ads_fixed[0])


def test_thin_municipalities_keep_their_intervals_and_flags(db):
    fill(db)
    table = build_table(db, IndexSettings(replicates=300, seed=1))
    bochum = next(r for r in table.rows if r["name"] == "Bochum")
    assert bochum["flag"] and bochum["digital_share_lo"] <= bochum["digital_share"]
    assert bochum["digital_share"] <= bochum["digital_share_hi"]
    assert bochum["coverage_lo"] < bochum["coverage_hi"]     # 3 of 4 reached, resampled
    assert "companies_listed_lo" not in table.columns
    again = build_table(db, IndexSettings(replicates=300, seed=1))
    assert again.rows == table.rows


def test_no_replicates_no_interval_columns(db):
    fill(db)
    table = build_table(db, IndexSettings(replicates=0))
    assert not table.interval_columns and not any(c.endswith("_lo") for c in table.columns)


@pytest.mark.parametrize("confidence", [0.5, 0.9])
def test_wider_confidence_wider_interval(confidence):
    sample = simulated(50, np.full(len(AGS), 0.4), np.random.default_rng(5))
    low, high = intervals(sample, IndexSettings(replicates=400, confidence=confidence))[
        "digital_share"]
    width = np.mean(high - low)
    # binomial s.e. at p = .4, n = 50 is .069: 90% -> about 0.23 wide, 50% -> about 0.09
    assert width == pytest.approx(0.23 if confidence == 0.9 else 0.093, abs=0.04)
