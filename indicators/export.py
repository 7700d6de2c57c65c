"""Write the municipality table as CSV, Parquet, GeoJSON or XLSX, ready for Excel and QGIS."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from indicators.aggregate import INDICATORS
from indicators.geo import centroids, feature_collection

COLUMNS = ["ags", "name", "district", "lat", "lon", *INDICATORS, "flag"]
FORMATS = ("csv", "parquet", "geojson", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Round floats for readability; neutralise text that a spreadsheet would run as a formula."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _prepare(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_csv(rows: list[dict], path: Path, excel: bool = False,
              columns: list[str] | None = None) -> Path:
    """UTF-8 CSV; with *excel*, a BOM and ``;`` so German Excel opens it with umlauts intact."""
    path = _prepare(path)
    columns = columns or COLUMNS
    with path.open("w", newline="", encoding="utf-8-sig" if excel else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=";" if excel else ",",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _cell(row.get(k)) for k in columns} for row in rows)
    return path


def _types(rows: list[dict], columns: list[str]) -> dict[str, str]:
    """'string' for identity and text columns, 'double' for every measured value."""
    return {c: "string" if c in ("ags", "name", "district", "flag")
            or any(isinstance(r.get(c), str) for r in rows) else "double" for c in columns}


def write_parquet(rows: list[dict], path: Path, columns: list[str]) -> Path:
    """Typed columns (AGS stays text with its leading zero; missing values are null)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = _types(rows, columns)
    arrays = {c: pa.array([None if r.get(c) is None else
                           (str(r[c]) if kinds[c] == "string" else float(r[c])) for r in rows],
                          type=pa.string() if kinds[c] == "string" else pa.float64())
              for c in columns}
    pq.write_table(pa.table(arrays), _prepare(path))
    return Path(path)


def write_xlsx(rows: list[dict], path: Path, columns: list[str],
               descriptions: dict[str, str] | None = None) -> Path:
    """One sheet of values (text neutralised against formulas) and one describing the columns."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Indikatoren"
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
    sheet.freeze_panes = "C2"
    legend = book.create_sheet("Spalten")
    legend.append(["column", "meaning"])
    for column in columns:
        legend.append([column, _cell((descriptions or {}).get(column, ""))])
    book.save(_prepare(path))
    return Path(path)


def write_geojson(rows: list[dict], path: Path, columns: list[str],
                  geometries: dict[str, dict] | None = None) -> Path:
    """RFC 7946 FeatureCollection: centroids, or the polygons passed in *geometries*."""
    properties = [c for c in columns if c not in ("lat", "lon")]
    collection = feature_collection(rows, properties, geometries or centroids())
    _prepare(path).write_text(json.dumps(collection, ensure_ascii=False, allow_nan=False),
                              encoding="utf-8")
    return Path(path)


def format_of(path: Path, given: str | None = None) -> str:
    """The export format: *given*, else from the file extension."""
    fmt = given or Path(path).suffix.lower().lstrip(".")
    fmt = {"json": "geojson", "pq": "parquet"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {path}; use --format "
                         f"{'|'.join(FORMATS)} or one of the extensions .csv .parquet "
                         ".geojson .xlsx")
    return fmt


def export_table(table, path: Path, fmt: str | None = None, excel: bool = False,
                 geometries: dict[str, dict] | None = None) -> Path:
    """Write an :class:`indicators.build.IndexTable` in the format of *path* (or *fmt*)."""
    from indicators.build import describe

    kind = format_of(path, fmt)
    if kind == "csv":
        return write_csv(table.rows, path, excel, table.columns)
    if kind == "parquet":
        return write_parquet(table.rows, path, table.columns)
    if kind == "xlsx":
        return write_xlsx(table.rows, path, table.columns,
                          {c: describe(c, table) for c in table.columns})
    return write_geojson(table.rows, path, table.columns, geometries)
