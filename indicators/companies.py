"""Per-company inputs of the indicators, as numpy arrays grouped by municipality.

The indicators, the bootstrap and the report all start from this one table, so a point
estimate and its replicates are computed by the same code. Classifier outputs are read in
:func:`read_scores` alone, so a change of task names or score semantics is made in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from company_lists.registry import municipalities

#: scores-table task whose decision marks a company as digital-affine / a startup.
DIGITAL_TASK = "digital"
STARTUP_TASK = "startup"
#: scores-table task whose decision marks a job ad as asking for AI skills.
AI_TASK = "ai-skills"


@dataclass(frozen=True)
class Scores:
    """Classifier probability and decision per entity id (0 / 0.0 where unscored)."""

    digital: dict[str, tuple[float, int]]
    startup: dict[str, tuple[float, int]]
    ai_ads: dict[str, tuple[float, int]]


def read_scores(db) -> Scores:
    """Read the classifier outputs the indicators use from the ``scores`` table."""
    found: dict[tuple[str, str], dict[str, tuple[float, int]]] = {
        ("company", DIGITAL_TASK): {}, ("company", STARTUP_TASK): {}, ("job_ad", AI_TASK): {}}
    for r in db.query("select entity, entity_id, task, score, label from scores"):
        target = found.get((r["entity"], r["task"]))
        if target is not None:
            target[r["entity_id"]] = (float(r["score"] or 0.0), int(r["label"] or 0))
    return Scores(found[("company", DIGITAL_TASK)], found[("company", STARTUP_TASK)],
                  found[("job_ad", AI_TASK)])


@dataclass(frozen=True)
class CompanySample:
    """Companies sorted by municipality; ``member[i]`` is the municipality index of company i."""

    ags: list[str]                 # the 53 municipalities, registry order
    member: np.ndarray             # (N,) int
    reached: np.ndarray            # (N,) 0/1
    digital_p: np.ndarray          # (N,) probability
    digital: np.ndarray            # (N,) 0/1 decision
    startup_p: np.ndarray
    startup: np.ndarray
    ad_company: np.ndarray         # (A,) company index of each job ad
    ad_ai_p: np.ndarray            # (A,) probability the ad asks for AI skills
    ad_ai: np.ndarray              # (A,) 0/1 decision

    @property
    def size(self) -> int:
        return len(self.member)

    def ads_per_company(self, ad_values: np.ndarray) -> np.ndarray:
        """Sum a per-ad quantity (…, A) to a per-company one (…, N), in one bincount."""
        lead = ad_values.shape[:-1]
        rows = int(np.prod(lead))
        target = (np.arange(rows)[:, None] * self.size + self.ad_company).ravel()
        sums = np.bincount(target, weights=ad_values.reshape(rows, -1).ravel(),
                           minlength=rows * self.size)
        return sums.reshape(*lead, self.size)


def load_sample(db) -> CompanySample:
    """All listed companies with reach, scores and job ads; unscored counts as not positive."""
    ags = [m.ags for m in municipalities()]
    position = {a: i for i, a in enumerate(ags)}
    scores = read_scores(db)
    reached_ids = {r["company_id"] for r in db.query(
        "select distinct company_id from pages where length(coalesce(text, '')) > 0")}
    companies = sorted((position[r["ags"]], r["company_id"]) for r in db.query(
        "select company_id, ags from companies") if r["ags"] in position)
    index = {cid: i for i, (_, cid) in enumerate(companies)}
    ads = [(index[r["company_id"]], *scores.ai_ads.get(str(r["id"]), (0.0, 0)))
           for r in db.query("select id, company_id from job_ads") if r["company_id"] in index]

    def column(values, dtype=float) -> np.ndarray:
        return np.fromiter(values, dtype=dtype, count=len(companies))

    ids = [cid for _, cid in companies]
    ad_table = np.array(ads, dtype=float).reshape(-1, 3)
    return CompanySample(
        ags=ags, member=column((m for m, _ in companies), int),
        reached=column(float(c in reached_ids) for c in ids),
        digital_p=column(scores.digital.get(c, (0.0, 0))[0] for c in ids),
        digital=column(scores.digital.get(c, (0.0, 0))[1] for c in ids),
        startup_p=column(scores.startup.get(c, (0.0, 0))[0] for c in ids),
        startup=column(scores.startup.get(c, (0.0, 0))[1] for c in ids),
        ad_company=ad_table[:, 0].astype(int), ad_ai_p=ad_table[:, 1], ad_ai=ad_table[:, 2])
