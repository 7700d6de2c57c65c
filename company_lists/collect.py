"""Turning open-data records into company-list rows, counting every record that is dropped.

OpenStreetMap and Wikidata records share the same path to a list row: pick a usable website,
key it by registered domain (one row per company site, as `companies import` demands) and
remember where the row came from. Every record is kept or counted under a drop reason, so the
summary adds up to the number of records seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ruhrindex.urls import InvalidURL, normalise_url, registered_domain

NO_WEBSITE = "no website"
INVALID_WEBSITE = "invalid website"
NO_NAME = "no name"
DUPLICATE_DOMAIN = "duplicate domain (merged into one row)"


@dataclass
class Collector:
    """Company rows of one municipality from one source, keyed by registered domain."""

    ags: str
    source: str
    seen: int = 0
    rows: dict[str, dict] = field(default_factory=dict)
    dropped: Counter = field(default_factory=Counter)

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1

    def add(self, record_id: str, name: str | None, websites: list[str], tags: str,
            sector: str | None = None, founding_year: int | None = None) -> None:
        """Add one record; *websites* are candidates in order of preference."""
        if not websites:
            return self.drop(NO_WEBSITE)
        if not name:
            return self.drop(NO_NAME)
        url = _first_valid(websites)
        if url is None:
            return self.drop(INVALID_WEBSITE)
        domain = registered_domain(url)
        source_id = f"{self.source}:{record_id}"
        if domain in self.rows:
            row = self.rows[domain]
            row["source_ids"] += f";{source_id}"
            row["source_tags"] = ";".join(dict.fromkeys(f"{row['source_tags']};{tags}".split(";")))
            return self.drop(DUPLICATE_DOMAIN)
        self.rows[domain] = {
            "company_id": f"{self.source}-{record_id.replace('/', '-')}", "name": name.strip(),
            "ags": self.ags, "website": url, "domain": domain, "founding_year": founding_year,
            "sector": sector, "source": self.source, "source_ids": source_id,
            "source_tags": tags,
        }

    def summary(self, label: str) -> str:
        kept = len(self.rows)
        lines = [f"{label}: {self.seen} seen, {kept} kept, {self.seen - kept} dropped"]
        lines += [f"  {count:>6}  {reason}" for reason, count in self.dropped.most_common()]
        return "\n".join(lines)


def _first_valid(websites: list[str]) -> str | None:
    for value in websites:
        # OSM allows several values separated by ';'; the first is the main site
        for part in value.split(";"):
            try:
                return normalise_url(part)
            except InvalidURL:
                continue
    return None
