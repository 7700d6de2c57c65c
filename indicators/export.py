"""Write the indicator table as CSV that pandas, Excel and QGIS open as they are."""

from __future__ import annotations

import csv
from pathlib import Path

from indicators.aggregate import INDICATORS

COLUMNS = ["ags", "name", "district", "lat", "lon", *INDICATORS, "flag"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Round floats for readability; neutralise text that a spreadsheet would run as a formula."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[dict], path: Path, excel: bool = False) -> Path:
    """UTF-8 CSV; with *excel*, a BOM and ``;`` so German Excel opens it with umlauts intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig" if excel else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";" if excel else ",",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(row.get(k)) for k in COLUMNS} for row in rows)
    return path
