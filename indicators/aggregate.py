"""Aggregate company and job-ad scores into one row of indicators per municipality.

Shares are taken over companies whose site was reached, not over all listed companies: an
unreachable site says nothing about how digital a firm is. Coverage (reached / listed) is
reported beside every share so readers can judge it, and thin municipalities are flagged.
"""

from __future__ import annotations

from ruhrindex.store import utcnow

MIN_REACHED = 5

#: name -> (description, unit); the export's column order.
INDICATORS: dict[str, tuple[str, str]] = {
    "companies_listed": ("companies in the imported list", "count"),
    "companies_reached": ("companies whose website yielded text", "count"),
    "coverage": ("companies reached / companies listed", "share"),
    "digital_share": ("share of reached companies classified digital-affine", "share"),
    "mean_digital_affinity": ("mean digital-affinity probability of reached companies", "0-1"),
    "startups": ("reached companies < 10 years old with a digital business model", "count"),
    "startups_per_1000": ("startups per 1,000 reached companies", "rate"),
    "job_ads": ("job ads found on company websites", "count"),
    "ai_job_ads": ("job ads asking for AI skills", "count"),
    "ai_job_ad_share": ("share of job ads asking for AI skills", "share"),
    "ai_hiring_company_share": ("share of reached companies with >= 1 ad asking for AI skills",
                                "share"),
}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def compute(db) -> list[dict]:
    """Compute, store and return the indicator rows of every municipality with companies."""
    rows = []
    query = """
        with reached as (
            select distinct p.company_id from pages p where length(coalesce(p.text, '')) > 0
        ), ai_ads as (
            select j.company_id, count(*) n_ads, sum(coalesce(s.label, 0)) n_ai
            from job_ads j left join scores s
              on s.entity = 'job_ad' and s.entity_id = cast(j.id as text) and s.task = 'ai-skills'
            group by j.company_id
        )
        select m.ags, m.name, m.district, m.lat, m.lon,
            count(c.company_id) listed,
            count(r.company_id) reached,
            sum(case when r.company_id is not null then d.label end) digital,
            avg(case when r.company_id is not null then d.score end) mean_affinity,
            sum(case when r.company_id is not null then st.label end) startups,
            sum(coalesce(a.n_ads, 0)) job_ads,
            sum(coalesce(a.n_ai, 0)) ai_ads,
            sum(case when r.company_id is not null and a.n_ai > 0 then 1 else 0 end) ai_firms
        from municipalities m
        join companies c on c.ags = m.ags
        left join reached r on r.company_id = c.company_id
        left join scores d on d.entity = 'company' and d.entity_id = c.company_id
                          and d.task = 'digital'
        left join scores st on st.entity = 'company' and st.entity_id = c.company_id
                           and st.task = 'startup'
        left join ai_ads a on a.company_id = c.company_id
        group by m.ags order by m.ags"""
    for r in db.query(query):
        reached = r["reached"]
        startups = r["startups"] or 0
        values = {
            "companies_listed": r["listed"],
            "companies_reached": reached,
            "coverage": _ratio(reached, r["listed"]),
            "digital_share": _ratio(r["digital"] or 0, reached),
            "mean_digital_affinity": r["mean_affinity"],
            "startups": startups,
            "startups_per_1000": None if not reached else 1000 * startups / reached,
            "job_ads": r["job_ads"],
            "ai_job_ads": r["ai_ads"],
            "ai_job_ad_share": _ratio(r["ai_ads"], r["job_ads"]),
            "ai_hiring_company_share": _ratio(r["ai_firms"], reached),
        }
        flag = f"fewer than {MIN_REACHED} companies reached" if reached < MIN_REACHED else ""
        rows.append({"ags": r["ags"], "name": r["name"], "district": r["district"],
                     "lat": r["lat"], "lon": r["lon"], **values, "flag": flag})
    now = utcnow()
    with db.conn:
        db.execute("delete from indicators")
        db["indicators"].insert_all(
            {"ags": row["ags"], "indicator": name, "value": row[name], "computed_at": now}
            for row in rows for name in INDICATORS
        )
    return rows
