"""Aggregate company and job-ad scores into one row of indicators per municipality.

Shares are taken over companies whose site was reached, not over all listed companies: an
unreachable site says nothing about how digital a firm is. Coverage (reached / listed) is
reported beside every share so readers can judge it, and thin municipalities are flagged.
All 53 municipalities get a row; one without listed companies has counts 0 and no shares.

The formulas work on arrays with any leading axes, so the bootstrap evaluates thousands of
replicates with the very code that gives the point estimate.
"""

from __future__ import annotations

import math

import numpy as np

from company_lists.registry import by_ags
from indicators.companies import CompanySample
from ruhrindex.store import utcnow

MIN_REACHED = 5

#: name -> (description, unit); the export's column order.
INDICATORS: dict[str, tuple[str, str]] = {
    "companies_listed": ("companies in the imported list", "count"),
    "companies_reached": ("companies whose website yielded text", "count"),
    "coverage": ("companies reached / companies listed", "share"),
    "digital_companies": ("reached companies classified digital-affine", "count"),
    "digital_share": ("share of reached companies classified digital-affine", "share"),
    "mean_digital_affinity": ("mean digital-affinity probability of reached companies", "0-1"),
    "startups": ("reached companies < 10 years old with a digital business model", "count"),
    "startups_per_1000": ("startups per 1,000 reached companies", "rate"),
    "startup_share": ("share of reached companies that are startups", "share"),
    "job_ads": ("job ads found on company websites", "count"),
    "ai_job_ads": ("job ads asking for AI skills", "count"),
    "ai_job_ad_share": ("share of job ads asking for AI skills", "share"),
    "ai_hiring_company_share": ("share of reached companies with >= 1 ad asking for AI skills",
                                "share"),
}
#: counts that a user denominator (e.g. employees) turns into rates per 10,000.
PER_CAPITA = ("digital_companies", "startups", "job_ads", "ai_job_ads")


def company_features(sample: CompanySample, digital: np.ndarray, startup: np.ndarray,
                     ai_ads: np.ndarray) -> dict[str, np.ndarray]:
    """Per-company quantities, (N,) or (…, N) where decisions vary, whose municipality sums
    give every indicator."""
    reached = sample.reached
    n_ads = np.bincount(sample.ad_company, minlength=sample.size).astype(float)
    return {"reached": reached, "digital": reached * digital,
            "affinity": reached * sample.digital_p, "startup": reached * startup,
            "ads": n_ads, "ai_ads": ai_ads, "ai_firm": reached * (ai_ads > 0)}


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, scale * numerator / np.where(denominator > 0,
                                                                       denominator, 1), np.nan)


def indicator_values(sums: dict[str, np.ndarray], listed: np.ndarray) -> dict[str, np.ndarray]:
    """Every indicator from municipality sums (…, M) of the company features."""
    reached = sums["reached"]
    return {
        "companies_listed": np.broadcast_to(listed.astype(float), reached.shape),
        "companies_reached": reached,
        "coverage": _ratio(reached, listed),
        "digital_companies": sums["digital"],
        "digital_share": _ratio(sums["digital"], reached),
        "mean_digital_affinity": _ratio(sums["affinity"], reached),
        "startups": sums["startup"],
        "startups_per_1000": _ratio(sums["startup"], reached, 1000.0),
        "startup_share": _ratio(sums["startup"], reached),
        "job_ads": sums["ads"],
        "ai_job_ads": sums["ai_ads"],
        "ai_job_ad_share": _ratio(sums["ai_ads"], sums["ads"]),
        "ai_hiring_company_share": _ratio(sums["ai_firm"], reached),
    }


def listed(sample: CompanySample) -> np.ndarray:
    return np.bincount(sample.member, minlength=len(sample.ags)).astype(float)


def group_sums(values: np.ndarray, sample: CompanySample) -> np.ndarray:
    """Sum company values (…, N) per municipality (…, M); companies are sorted by municipality,
    so each municipality is one contiguous run and ``add.reduceat`` does it in one pass."""
    counts = listed(sample)
    out = np.zeros((*values.shape[:-1], len(sample.ags)))
    present = np.flatnonzero(counts)
    if present.size:
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
        out[..., present] = np.add.reduceat(values, starts[present], axis=-1)
    return out


def per_capita(values: dict[str, np.ndarray], sample: CompanySample,
               denominators: dict[str, dict[str, float]]) -> dict[str, np.ndarray]:
    """``<count>_per_10000_<column>`` for each denominator column (NaN where it is missing)."""
    columns = sorted({c for row in denominators.values() for c in row})
    rates = {}
    for column in columns:
        base = np.array([denominators.get(a, {}).get(column, np.nan) for a in sample.ags])
        for count in PER_CAPITA:
            rates[f"{count}_per_10000_{column}"] = _ratio(values[count], np.nan_to_num(base),
                                                         10_000.0)
    return rates


def point_values(sample: CompanySample, denominators: dict | None = None) -> dict[str, np.ndarray]:
    """Indicators (M,) from the classifiers' decisions, plus per-capita rates if given."""
    ai_ads = sample.ads_per_company(sample.ad_ai[None])[0]
    features = company_features(sample, sample.digital, sample.startup, ai_ads)
    values = indicator_values({k: group_sums(v, sample) for k, v in features.items()},
                              listed(sample))
    return {**values, **per_capita(values, sample, denominators or {})}


def flag(listed: float, reached: float, min_reached: int = MIN_REACHED) -> str:
    if not listed:
        return "no companies listed"
    return f"fewer than {min_reached} companies reached" if reached < min_reached else ""


def _plain(value: float) -> float | int | None:
    if math.isnan(value):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def rows_from(sample: CompanySample, values: dict[str, np.ndarray],
              min_reached: int = MIN_REACHED) -> list[dict]:
    """One dict per municipality: identity, every value (None where undefined), flag."""
    registry = by_ags()
    rows = []
    for i, ags in enumerate(sample.ags):
        m = registry[ags]
        row = {"ags": ags, "name": m.name, "district": m.district, "lat": m.lat, "lon": m.lon}
        row.update({k: _plain(float(v[i])) for k, v in values.items()})
        row["flag"] = flag(row["companies_listed"], row["companies_reached"], min_reached)
        rows.append(row)
    return rows


def store(db, rows: list[dict], names) -> None:
    """Replace the ``indicators`` table with these values."""
    now = utcnow()
    with db.conn:
        db.execute("delete from indicators")
        db["indicators"].insert_all(
            {"ags": row["ags"], "indicator": name, "value": row.get(name), "computed_at": now}
            for row in rows for name in names)
