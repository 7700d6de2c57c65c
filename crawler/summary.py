"""Per-municipality coverage of a crawl run: how many companies were reached, and why not.

Indicators from a municipality where half the sites failed mean less than from one where all
were reached; this summary is the figure to check before trusting them.
"""

from __future__ import annotations

from collections import Counter

REACHED = ("ok", "empty")


def crawl_summary(db, run_id: int) -> list[dict]:
    """One row per municipality: companies, reached, coverage, pages per company, outcomes."""
    rows = db.query(
        "select c.ags, m.name, o.status, o.pages from crawl_outcomes o "
        "join companies c on c.company_id = o.company_id "
        "join municipalities m on m.ags = c.ags where o.run_id = ? order by m.name", [run_id])
    by_ags: dict[str, dict] = {}
    for row in rows:
        entry = by_ags.setdefault(row["ags"], {"ags": row["ags"], "municipality": row["name"],
                                               "companies": 0, "reached": 0, "pages": 0,
                                               "outcomes": Counter()})
        entry["companies"] += 1
        entry["reached"] += row["status"] in REACHED
        entry["pages"] += row["pages"] or 0
        entry["outcomes"][row["status"]] += 1
    for entry in by_ags.values():
        entry["coverage"] = entry["reached"] / entry["companies"]
        entry["pages_per_company"] = entry["pages"] / entry["companies"]
        entry["outcomes"] = dict(entry["outcomes"].most_common())
    return list(by_ags.values())


def format_summary(rows: list[dict]) -> str:
    """A plain-text table for the terminal."""
    lines = [f"{'municipality':<28} {'companies':>9} {'reached':>7} {'coverage':>8} "
             f"{'pages/co.':>9}  outcomes"]
    for row in rows:
        outcomes = ", ".join(f"{status} {n}" for status, n in row["outcomes"].items())
        lines.append(f"{row['municipality'][:28]:<28} {row['companies']:>9} {row['reached']:>7} "
                     f"{row['coverage']:>8.0%} {row['pages_per_company']:>9.1f}  {outcomes}")
    return "\n".join(lines)
