"""From the store to the finished municipality table: indicators, index, intervals, flags."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indicators.aggregate import INDICATORS, point_values, rows_from, store
from indicators.bootstrap import intervals
from indicators.companies import CompanySample, load_sample
from indicators.settings import IndexSettings
from indicators.subindex import index_values, score_column

IDENTITY = ["ags", "name", "district", "lat", "lon"]
NO_INTERVAL = {"companies_listed"}   # fixed by the list, not estimated


@dataclass
class IndexTable:
    """One row per municipality and the column order every export uses."""

    rows: list[dict]
    columns: list[str]
    settings: IndexSettings
    denominators_source: str = ""
    interval_columns: list[str] = field(default_factory=list)


def external_arrays(sample: CompanySample, settings: IndexSettings) -> dict[str, np.ndarray]:
    columns = sorted({c for row in settings.external.values() for c in row})
    return {c: np.array([settings.external.get(a, {}).get(c, np.nan) for a in sample.ags])
            for c in columns}


def build_table(db, settings: IndexSettings | None = None, denominators: dict | None = None,
                denominators_source: str = "") -> IndexTable:
    """Compute everything, store the values in the ``indicators`` table and return the table."""
    settings = settings or IndexSettings()
    sample = load_sample(db)
    external = external_arrays(sample, settings)
    values = {**point_values(sample, denominators), **external}
    values.update(index_values(values, settings))
    bounds = intervals(sample, settings, denominators, external) if settings.replicates else {}
    estimated = [k for k in values if k not in external and k not in NO_INTERVAL]
    lo_hi = {f"{k}_{end}": bounds[k][i] for k in estimated if k in bounds
             for i, end in enumerate(("lo", "hi"))}
    rows = rows_from(sample, {**values, **lo_hi}, settings.min_reached)
    store(db, rows, [k for k in values if k in INDICATORS or k.startswith(("score_", "index"))
                     or "_per_10000_" in k])
    columns = [*IDENTITY, *values, *lo_hi, "flag"]
    return IndexTable(rows, columns, settings, denominators_source, list(lo_hi))


IDENTITY_TEXT = {"ags": "official municipality key (8 digits)", "name": "municipality",
                 "district": "district (Kreis) or independent city",
                 "lat": "centroid latitude (WGS84)", "lon": "centroid longitude (WGS84)",
                 "index": "overall index: weighted mean of the sub-index scores",
                 "rank": "rank of the overall index (1 = best)",
                 "flag": "why a municipality's figures are thin (shown, not hidden)"}


def describe(column: str, table: IndexTable) -> str:
    """A one-line meaning for every export column (the XLSX legend and the report)."""
    for end, word in (("_lo", "lower"), ("_hi", "upper")):
        if column.endswith(end) and column[:-3] in table.columns:
            return (f"{word} bound of the {round(100 * table.settings.confidence)}% bootstrap "
                    f"interval of {column[:-3]}")
    if column in IDENTITY_TEXT:
        return IDENTITY_TEXT[column]
    if column in INDICATORS:
        return INDICATORS[column][0]
    if "_per_10000_" in column:
        count, base = column.split("_per_10000_")
        return f"{count} per 10,000 {base} (denominator from {table.denominators_source})"
    if column.startswith(("score_", "rank_")):
        names = {score_column(s): s for s in table.settings.subindices}
        name = names.get("score_" + column.split("_", 1)[1], column)
        return f"sub-index {name}: " + ("score" if column[0] == "s" else "rank (1 = best)")
    return f"official statistic from {table.settings.external_source}"
