"""The 53 municipalities of the Regionalverband Ruhr, keyed by official municipality key (AGS)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGISTRY_CSV = Path(__file__).with_name("municipalities.csv")


@dataclass(frozen=True)
class Municipality:
    ags: str
    name: str
    district: str
    district_type: str
    lat: float
    lon: float


@cache
def municipalities() -> tuple[Municipality, ...]:
    with REGISTRY_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Municipality(row["ags"], row["name"], row["district"], row["district_type"],
                         float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(handle)
        )


def by_ags() -> dict[str, Municipality]:
    return {m.ags: m for m in municipalities()}


def resolve(name_or_ags: str) -> Municipality:
    """Find a municipality by AGS or (case-insensitive) name; raise ``KeyError`` with choices."""
    key = name_or_ags.strip()
    for m in municipalities():
        if key == m.ags or key.casefold() == m.name.casefold():
            return m
    raise KeyError(
        f"unknown municipality {name_or_ags!r}; use an 8-digit AGS or one of: "
        + ", ".join(m.name for m in municipalities())
    )


def load_into(db) -> None:
    """Write the registry into the store's municipalities table (idempotent)."""
    db["municipalities"].upsert_all((m.__dict__ for m in municipalities()), pk="ags")
