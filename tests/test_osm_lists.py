"""Company lists from saved Overpass answers and .osm.pbf extracts (all data synthetic)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import osmium
import pytest
import sqlite_utils
from click.testing import CliRunner
from osmium.osm.mutable import Node, Relation, Way

from company_lists.importer import import_files, read_company_csv
from company_lists.osm import (
    OSMDataError,
    classify,
    elements_from_pbf,
    parse_overpass,
    read_overpass_file,
    select_companies,
)
from ruhrindex import store
from ruhrindex.cli import main

DATA = Path(__file__).parent / "data" / "open_data"
BOCHUM, HERNE = "05911000", "05916000"


def run(*args: str):
    return CliRunner().invoke(main, ["companies", *args], prog_name="ruhrindex")


def read_rows(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["company_id"]: row for row in csv.DictReader(handle)}


def test_must_show_saved_overpass_answer_to_list_with_provenance_and_summary(tmp_path, db):
    result = run("fetch-osm", "-m", "Bochum", "--from-file", str(DATA / "overpass_bochum.json"),
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    print(result.output)
    summary = result.output.splitlines()
    assert summary[0] == "Bochum (05911000): 16 seen, 7 kept, 9 dropped"
    counts = {reason: int(n) for n, reason in (line.split(maxsplit=1) for line in summary[1:6])}
    assert counts == {"public amenity (kept with --include-amenities)": 3,
                      "duplicate domain (merged into one row)": 2, "invalid website": 2,
                      "not business-like": 1, "no name": 1}
    path = tmp_path / f"osm-{BOCHUM}.csv"
    rows = read_rows(path)
    assert set(rows) == {"osm-node-9000001001", "osm-way-900002001", "osm-node-9000001003",
                         "osm-relation-90003001", "osm-way-900002002", "osm-node-9000001009",
                         "osm-node-9000001011"}
    bakery = rows["osm-node-9000001001"]  # three elements of one bakery chain, one row
    assert bakery["source_ids"] == ("osm:node/9000001001;osm:node/9000001002;"
                                    "osm:way/900002003")
    assert bakery["website"] == "https://www.kornblume-baeckerei.test/"
    assert bakery["source_tags"] == "website;shop=bakery" and bakery["source"] == "osm"
    it_firm = rows["osm-way-900002001"]
    assert it_firm["source_tags"] == "contact:website;office=it"
    assert it_firm["website"] == "http://datenwerk-ruhr.test/" and it_firm["ags"] == BOCHUM
    assert rows["osm-node-9000001003"]["source_tags"] == "url;craft=electrician"
    assert rows["osm-node-9000001011"]["name"] == "Frischmarkt"  # from brand
    # the list passes validation and import unchanged, provenance included
    report = import_files(db, [path])
    assert not report.problems and len(report.rows) == 7
    stored = db["companies"].get("osm-node-9000001001")
    assert stored["source"] == "osm" and stored["source_ids"].count("osm:") == 3


def test_old_store_gains_provenance_columns(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.MIGRATIONS[0](old)
    old.execute("PRAGMA user_version = 1")
    old.conn.close()
    columns = store.open_db(path)["companies"].columns_dict
    assert {"source", "source_ids", "source_tags"} <= set(columns)


def test_include_amenities_keeps_public_places(tmp_path):
    result = run("fetch-osm", "-m", BOCHUM, "--from-file", str(DATA / "overpass_bochum.json"),
                 "--out", str(tmp_path), "--include-amenities")
    assert "16 seen, 10 kept, 6 dropped" in result.output
    names = {r["name"] for r in read_rows(tmp_path / f"osm-{BOCHUM}.csv").values()}
    assert {"Grundschule Am Park", "St. Beispiel", "Bürgerbüro"} <= names


@pytest.mark.parametrize(("tags", "kind"), [
    ({"shop": "bakery"}, "business"),
    ({"office": "it"}, "business"),
    ({"office": "government"}, "public"),
    ({"office": "association"}, "public"),
    ({"craft": "carpenter"}, "business"),
    ({"man_made": "works"}, "business"),
    ({"amenity": "pharmacy"}, "business"),
    ({"amenity": "townhall"}, "public"),
    ({"amenity": "school", "shop": "books"}, "business"),  # a shop tag decides
    ({"leisure": "park"}, "public"),
    ({"tourism": "hotel"}, "business"),
    ({"tourism": "museum"}, "public"),
    ({"landuse": "industrial", "name": "Gewerbegebiet Nord"}, "business"),
    ({"landuse": "industrial"}, "other"),  # unnamed: an area, not a firm
    ({"highway": "bus_stop"}, "other"),
])
def test_classification_rule(tags, kind):
    assert classify(tags)[0] == kind


def test_odd_elements_are_counted_not_fatal():
    data = {"elements": [{"type": "node", "id": 1},
                         {"type": "node", "id": 2, "tags": ["shop", "bakery"]},
                         {"type": "node", "id": 3, "tags": {"shop": "bakery", "name": 7,
                                                            "website": "sieben.test"}},
                         "not an element"]}
    collector = select_companies(parse_overpass(data), BOCHUM)
    assert collector.seen == 3 and collector.dropped == {"no website": 2}
    assert next(iter(collector.rows.values()))["name"] == "7"


def test_several_websites_take_the_first_valid(tmp_path):
    elements = [{"type": "node", "id": 1, "tags": {
        "shop": "florist", "name": "Blume", "website": "not a site;https://blume.test",
        "url": "https://other.test"}}]
    row = next(iter(select_companies(elements, BOCHUM).rows.values()))
    assert row["website"] == "https://blume.test/"


@pytest.mark.parametrize(("content", "message"), [
    (b"<html>busy</html>", "is not valid JSON"),
    (b'{"version": 0.6}', "no 'elements' list"),
    ((DATA / "overpass_timeout_remark.json").read_bytes(), "incomplete: runtime error"),
])
def test_bad_saved_answers_are_refused_and_write_nothing(tmp_path, content, message):
    saved = tmp_path / "answer.json"
    saved.write_bytes(content)
    with pytest.raises(OSMDataError, match=message):
        read_overpass_file(saved)
    result = run("fetch-osm", "-m", BOCHUM, "--from-file", str(saved), "--out",
                 str(tmp_path / "lists"))
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "lists").exists()


@pytest.mark.parametrize(("args", "message"), [
    ([], "name at least one --municipality"),
    (["-m", "Köln"], "unknown municipality"),
    (["-m", "Bochum", "-m", "Herne", "--from-file", str(DATA / "overpass_empty.json")],
     "name exactly one --municipality"),
    (["-m", "Bochum", "--from-file", str(DATA / "overpass_empty.json"),
      "--pbf", str(DATA / "overpass_empty.json")], "either --from-file or --pbf"),
    (["-m", "Bochum", "--boundary", str(DATA / "overpass_empty.json")], "use it with --pbf"),
])
def test_fetch_osm_usage_errors(tmp_path, args, message):
    result = run("fetch-osm", *args, "--out", str(tmp_path))
    assert result.exit_code == 2 and message in result.output


def build_pbf(path: Path) -> Path:
    """A tiny extract: Bochum as a square boundary, Herne beside it, firms inside and out."""
    writer = osmium.SimpleWriter(str(path))
    corners = {1: (7.0, 51.0), 2: (7.2, 51.0), 3: (7.2, 51.2), 4: (7.0, 51.2),
               5: (7.4, 51.0), 6: (7.4, 51.2),
               # a hole in Bochum (an enclave) and a small building outline
               7: (7.15, 51.15), 8: (7.18, 51.15), 9: (7.18, 51.18), 10: (7.15, 51.18),
               11: (7.05, 51.05), 12: (7.06, 51.05), 13: (7.06, 51.06)}
    for node_id, (lon, lat) in corners.items():
        writer.add_node(Node(id=node_id, location=(lon, lat), tags={}))
    firms = {
        100: ((7.1, 51.1), {"shop": "bakery", "name": "Bäckerei Innen", "website": "innen.test"}),
        101: ((7.3, 51.1), {"craft": "roofer", "name": "Dach Herne", "website": "dach.test"}),
        102: ((7.6, 51.1), {"shop": "bakery", "name": "Weit Weg", "website": "weitweg.test"}),
        103: ((7.16, 51.16), {"office": "it", "name": "Im Loch", "website": "loch.test"}),
        104: ((7.1, 51.12), {"amenity": "school", "name": "Schule", "website": "schule.test"}),
        105: ((7.11, 51.11), {"shop": "bakery", "name": "Ohne Website"}),
    }
    for node_id, (location, tags) in firms.items():
        writer.add_node(Node(id=node_id, location=location, tags=tags))
    writer.add_way(Way(id=200, nodes=[1, 2, 3, 4, 1], tags={}))
    writer.add_way(Way(id=201, nodes=[2, 5, 6, 3, 2], tags={}))
    writer.add_way(Way(id=202, nodes=[7, 8, 9, 10, 7], tags={}))
    writer.add_way(Way(id=203, nodes=[11, 12, 13, 11], tags={
        "building": "industrial", "name": "Werk Eins", "website": "https://werk-eins.test"}))
    writer.add_way(Way(id=204, nodes=[11, 12, 13, 11], tags={}))
    writer.add_relation(Relation(id=300, members=[("w", 200, "outer"), ("w", 202, "inner")],
                                 tags={"type": "boundary", "boundary": "administrative",
                                       "admin_level": "6", "name": "Bochum",
                                       "de:amtlicher_gemeindeschluessel": BOCHUM}))
    writer.add_relation(Relation(id=301, members=[("w", 201, "outer")],
                                 tags={"type": "boundary", "boundary": "administrative",
                                       "admin_level": "6", "name": "Herne",
                                       "de:amtlicher_gemeindeschluessel": HERNE}))
    writer.add_relation(Relation(id=302, members=[("w", 204, "outer")],
                                 tags={"type": "multipolygon", "man_made": "works",
                                       "name": "Zeche Beispiel", "website": "zeche.test"}))
    writer.close()
    return path


def test_pbf_elements_are_placed_by_the_boundary_relation(tmp_path):
    found, outside = elements_from_pbf(build_pbf(tmp_path / "ruhr.osm.pbf"), [BOCHUM, HERNE])
    ids = {ags: sorted(f"{e['type']}/{e['id']}" for e in elements)
           for ags, elements in found.items()}
    assert ids == {BOCHUM: ["node/100", "node/104", "relation/302", "way/203"],
                   HERNE: ["node/101"]}
    assert outside == 2  # node 102 east of Herne, node 103 in Bochum's hole


def test_cli_pbf_writes_lists_for_each_municipality(tmp_path):
    pbf = build_pbf(tmp_path / "ruhr.osm.pbf")
    result = run("fetch-osm", "-m", "Bochum", "-m", "Herne", "--pbf", str(pbf),
                 "--out", str(tmp_path / "lists"))
    assert result.exit_code == 0, result.output
    assert "2 elements with a website not used: outside the chosen" in result.output
    assert "Bochum (05911000): 4 seen, 3 kept, 1 dropped" in result.output
    rows = read_rows(tmp_path / "lists" / f"osm-{BOCHUM}.csv")
    assert {r["name"] for r in rows.values()} == {"Bäckerei Innen", "Werk Eins", "Zeche Beispiel"}
    assert rows["osm-relation-302"]["source_tags"] == "website;man_made=works"
    assert not read_company_csv(tmp_path / "lists" / f"osm-{HERNE}.csv").problems


def test_pbf_without_the_boundary_is_a_clear_error(tmp_path):
    pbf = build_pbf(tmp_path / "ruhr.osm.pbf")
    result = run("fetch-osm", "-m", "Dortmund", "--pbf", str(pbf), "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no boundary relation with de:amtlicher_gemeindeschluessel 05913000" in result.output


def test_pbf_filtered_by_a_geojson_boundary(tmp_path):
    pbf = build_pbf(tmp_path / "ruhr.osm.pbf")
    square = [[7.25, 51.0], [7.7, 51.0], [7.7, 51.2], [7.25, 51.2], [7.25, 51.0]]
    geojson = tmp_path / "dortmund.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                          "coordinates": [square]}}]}))
    result = run("fetch-osm", "-m", "Dortmund", "--pbf", str(pbf), "--boundary", str(geojson),
                 "--out", str(tmp_path / "lists"))
    assert result.exit_code == 0, result.output
    names = {r["name"] for r in read_rows(tmp_path / "lists" / "osm-05913000.csv").values()}
    assert names == {"Dach Herne", "Weit Weg"}


@pytest.mark.parametrize("content", ['{"type": "Point", "coordinates": [7.1, 51.1]}',
                                     '{"type": "Polygon"}', "[1, 2]", "no json"])
def test_bad_geojson_boundary_is_a_clear_error(tmp_path, content):
    geojson = tmp_path / "bad.geojson"
    geojson.write_text(content)
    result = run("fetch-osm", "-m", "Dortmund", "--pbf", str(build_pbf(tmp_path / "r.osm.pbf")),
                 "--boundary", str(geojson), "--out", str(tmp_path / "lists"))
    assert result.exit_code == 1 and "is not a GeoJSON polygon" in result.output
    assert not (tmp_path / "lists").exists()


def test_corrupt_pbf_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"this is no protobuf " * 10)
    with pytest.raises(OSMDataError, match="cannot read .* as an OSM extract"):
        elements_from_pbf(bad, [BOCHUM])

