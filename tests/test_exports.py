"""Export round trips: CSV (Excel options), Parquet, XLSX, GeoJSON with centroids or polygons."""

import csv
import json

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from company_lists.registry import municipalities
from indicators.build import build_table
from indicators.export import export_table, format_of, write_csv
from indicators.geo import BoundaryError, load_boundaries
from indicators.settings import IndexSettings
from tests.test_indicators import fill


@pytest.fixture
def table(db):
    fill(db)
    built = build_table(db, IndexSettings(replicates=100, seed=3))
    for row in built.rows:                       # a text cell a spreadsheet would execute
        if row["name"] == "Dortmund":
            row["name"] = "=HYPERLINK(\"http://x\")"
    return built


def _by_ags(records):
    return {r["ags"]: r for r in records}


def test_csv_round_trip_plain_and_excel(tmp_path, table):
    plain = export_table(table, tmp_path / "i.csv")
    with plain.open(encoding="utf-8", newline="") as handle:
        data = _by_ags(csv.DictReader(handle))
    assert len(data) == 53 and list(data["05911000"]) == table.columns
    assert float(data["05911000"]["digital_share"]) == pytest.approx(2 / 3, abs=1e-6)
    assert data["05113000"]["digital_share"] == ""               # Essen: no companies
    assert data["05913000"]["name"].startswith("'=")              # neutralised
    excel = export_table(table, tmp_path / "x.csv", excel=True)
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with excel.open(encoding="utf-8-sig", newline="") as handle:
        rows = _by_ags(csv.DictReader(handle, delimiter=";"))
    assert rows["05911000"]["name"] == "Bochum" and rows["05117000"]["name"] == "Mülheim an der Ruhr"


def test_write_csv_keeps_its_plain_signature(tmp_path, table):
    path = write_csv(table.rows, tmp_path / "c.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("ags,name,district,lat,lon,companies_listed")


def test_parquet_round_trip(tmp_path, table):
    read = pq.read_table(export_table(table, tmp_path / "i.parquet"))
    assert read.column_names == table.columns and read.num_rows == 53
    assert str(read.schema.field("ags").type) == "string"
    data = _by_ags(read.to_pylist())
    assert data["05112000"]["ags"] == "05112000"                  # leading zero kept
    assert data["05911000"]["digital_share"] == pytest.approx(2 / 3)
    assert data["05113000"]["digital_share"] is None
    assert data["05911000"]["rank"] == next(r["rank"] for r in table.rows if r["ags"] == "05911000")


def test_xlsx_round_trip_with_column_legend(tmp_path, table):
    book = load_workbook(export_table(table, tmp_path / "i.xlsx"))
    sheet = book["Indikatoren"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == table.columns and len(rows) == 54
    data = _by_ags(dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert data["05911000"]["digital_share"] == pytest.approx(2 / 3, abs=1e-6)
    assert data["05913000"]["name"].startswith("'=")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    legend = dict(book["Spalten"].iter_rows(min_row=2, values_only=True))
    assert set(legend) == set(table.columns) and all(legend.values())
    assert "90% bootstrap interval of digital_share" in legend["digital_share_lo"]


def _valid_geometry(geometry):
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return 6.0 < lon < 8.5 and 51.0 < lat < 52.0                # the Ruhr, lon first
    ring = geometry["coordinates"][0]
    return ring[0] == ring[-1] and len(ring) >= 4


def test_geojson_centroids(tmp_path, table):
    data = json.loads(export_table(table, tmp_path / "i.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert len(data["features"]) == 53
    assert all(f["type"] == "Feature" and _valid_geometry(f["geometry"])
               for f in data["features"])
    bochum = next(f for f in data["features"] if f["properties"]["ags"] == "05911000")
    assert bochum["geometry"]["coordinates"] == [7.2162, 51.4818]
    assert bochum["properties"]["digital_share"] == pytest.approx(2 / 3)
    assert "lat" not in bochum["properties"]


def square(lon, lat, d=0.02):
    return [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
            [lon - d, lat - d]]


def boundary_file(tmp_path, skip=(), key="AGS", scale=1.0):
    features = [{"type": "Feature", "properties": {key: m.ags, "GEN": m.name},
                 "geometry": {"type": "Polygon",
                              "coordinates": [[[x * scale, y * scale]
                                               for x, y in square(m.lon, m.lat)]]}}
                for m in municipalities() if m.ags not in skip]
    path = tmp_path / "gemeinden.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def test_geojson_polygons_from_a_boundary_file(tmp_path, table):
    shapes = load_boundaries(boundary_file(tmp_path, key="ags"))
    out = export_table(table, tmp_path / "p.geojson", geometries=shapes)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {f["geometry"]["type"] for f in data["features"]} == {"Polygon"}
    assert all(_valid_geometry(f["geometry"]) for f in data["features"])


@pytest.mark.parametrize("problem, message", [
    ("missing", "no polygon for 1 municipalities"),
    ("projected", "not longitude/latitude"),
    ("not json", "not a readable GeoJSON"),
    ("list", "expected a GeoJSON FeatureCollection"),
])
def test_bad_boundary_files_are_refused_clearly(tmp_path, problem, message):
    if problem == "missing":
        path = boundary_file(tmp_path, skip={"05911000"})
    elif problem == "projected":
        path = boundary_file(tmp_path, scale=100_000)      # metres, e.g. EPSG:25832
    else:
        path = tmp_path / "b.geojson"
        path.write_text("{" if problem == "not json" else "[]", encoding="utf-8")
    with pytest.raises(BoundaryError, match=message):
        load_boundaries(path)


def test_format_from_extension_or_option():
    assert format_of("a.XLSX") == "xlsx" and format_of("a.json") == "geojson"
    assert format_of("a.txt", "csv") == "csv"
    with pytest.raises(ValueError, match="cannot tell the format"):
        format_of("a.txt")
