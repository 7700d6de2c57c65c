"""Merging the user's list with OSM and Wikidata lists; saved Wikidata results (synthetic)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from company_lists.importer import import_files, read_company_csv
from company_lists.merge import merge_files, names_differ, normalise_name
from company_lists.wikidata import WikidataError, read_result_file
from ruhrindex.cli import main

DATA = Path(__file__).parent / "data" / "open_data"
BOCHUM = "05911000"
HEADER = "company_id,name,ags,website,founding_year,employees,sector\n"


def run(*args: str):
    return CliRunner().invoke(main, ["companies", *args], prog_name="ruhrindex")


@pytest.mark.parametrize(("name", "key"), [
    ("Müller & Co. GmbH", "mueller"),
    ("MUELLER GmbH & Co. KG", "mueller"),
    ("Elektro Funke e.K.", "elektro funke"),
    ("Café Crème mbH", "cafe creme"),
    ("Straßenbau Ruhr AG", "strassenbau ruhr"),
    ("Datenwerk UG (haftungsbeschränkt)", "datenwerk"),
])
def test_normalise_name(name, key):
    assert normalise_name(name) == key


def test_names_differ_only_when_clearly_different():
    assert not names_differ("Bäckerei Kornblume", "Kornblume Filiale Mitte")
    assert not names_differ("Datenwerk Ruhr GmbH", "Datenwerk Ruhr")
    assert names_differ("Zahnarztpraxis Dr. Weiß", "Frischmarkt")


@pytest.fixture
def sources(tmp_path):
    """The user's list plus the OSM and Wikidata lists built from the saved answers."""
    lists = tmp_path / "lists"
    assert run("fetch-osm", "-m", BOCHUM, "--from-file", str(DATA / "overpass_bochum.json"),
               "--out", str(lists)).exit_code == 0
    assert run("fetch-wikidata", "--from-file", str(DATA / "wikidata_ruhr.json"),
               "--out", str(lists)).exit_code == 0
    user = tmp_path / "mine.csv"
    user.write_text(HEADER + "\n".join([
        "u1,Stahlguss Westfalen,05911000,https://stahlguss-westfalen.test/werk,,500,",
        "u2,Kornblume Backstube,05916000,kornblume-baeckerei.test,,,",
        "u3,Trattoria Ponte,05911000,ponte-trattoria.test,,,",
        "u4,Zahnarztpraxis Dr. Weiß,05911000,frischmarkt.test,,,",
        "u5,Schreinerei Holzwurm,05911000,holzwurm.test,1990,4,Handwerk",
    ]) + "\n", encoding="utf-8")
    return [user, *sorted(lists.glob("*.csv"))]


def test_merge_user_list_wins_keeps_provenance_and_reports_conflicts(sources, tmp_path, db):
    out = tmp_path / "merged.csv"
    result = run("merge", *map(str, sources), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "merged 15 rows (7 osm, 5 user, 3 wikidata) into 9 companies; 3 conflicts" \
        in result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {row["company_id"]: row for row in csv.DictReader(handle)}
    steel = rows["u1"]  # user, Wikidata and OSM rows of one works, joined by domain
    assert steel["name"] == "Stahlguss Westfalen"
    assert steel["website"] == "https://stahlguss-westfalen.test/werk"
    assert steel["founding_year"] == "1921" and steel["employees"] == "500"
    assert steel["sector"] == "man_made=works"
    assert steel["source"] == "user;wikidata;osm"
    assert steel["source_ids"] == (f"user:{sources[0]}:2;wikidata:Q990000001;"
                                   "osm:relation/90003001")
    it_firm = rows["wikidata-Q990000005"]  # Wikidata beats OSM
    assert it_firm["source"] == "wikidata;osm" and it_firm["founding_year"] == "2019"
    assert rows["u3"]["website"] == "http://ponte-trattoria.test/"  # same name, user's site
    assert "osm-node-9000001009" not in rows
    lines = result.output.splitlines()
    assert "  05911000 Bochum                            7  (osm 6, user 4, wikidata 2)" in lines
    assert "  05916000 Herne                             1  (osm 1, user 1)" in lines
    assert "  05113000 Essen                             1  (wikidata 1)" in lines
    conflicts = [line for line in result.output.splitlines() if line.startswith("conflict:")]
    assert len(conflicts) == 3
    assert any("kornblume-baeckerei.test in two municipalities" in c and "05911000" in c
               for c in conflicts)
    assert any("same name, different websites" in c and "trattoria-ponte.test" in c
               for c in conflicts)
    assert any("frischmarkt.test under clearly different names" in c for c in conflicts)
    report = import_files(db, [out])
    assert not report.problems and db["companies"].count == 9


def test_merge_is_stable_when_run_on_its_own_output(sources, tmp_path):
    first = merge_files(sources)
    out = tmp_path / "merged.csv"
    assert run("merge", *map(str, sources), "--out", str(out)).exit_code == 0
    again = merge_files([out, *sources[1:]])
    assert [(r["company_id"], r["domain"]) for r in again.rows] == \
        [(r["company_id"], r["domain"]) for r in first.rows]
    assert again.rows[0]["source"] == first.rows[0]["source"]


def test_merge_reports_bad_rows_and_reused_ids(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + "c1,Alpha,05911000,alpha.test,,,\nc2,Beta,05911000,,,,\n",
                     encoding="utf-8")
    second.write_text(HEADER + "c1,Gamma,05913000,gamma.test,,,\n", encoding="utf-8")
    out = tmp_path / "merged.csv"
    result = run("merge", str(first), str(second), "--out", str(out))
    assert result.exit_code == 1
    assert f"{first}:3: error: missing website" in result.output
    assert "company_id 'c1' used by several companies; gamma.test renamed to 'c1~2'" \
        in result.output
    report = read_company_csv(out)
    assert not report.problems
    assert {r["company_id"] for r in report.rows} == {"c1", "c1~2"}


def test_saved_wikidata_result_without_municipality_uses_all_in_file(tmp_path):
    result = run("fetch-wikidata", "--from-file", str(DATA / "wikidata_ruhr.json"),
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["wikidata-05113000.csv",
                                                             "wikidata-05911000.csv"]
    assert "Essen (05113000): 2 seen, 1 kept, 1 dropped" in result.output


@pytest.mark.parametrize(("content", "message"), [
    (b"SPARQL-QUERY: parse error", "is not valid JSON"),
    (b'{"head": {"vars": ["company", "companyLabel"]}, "results": {"bindings": []}}',
     r"lacks variable\(s\) ags, website"),
    (b'{"boolean": true}', "needs head.vars and results.bindings"),
])
def test_bad_saved_wikidata_results_are_refused(tmp_path, content, message):
    saved = tmp_path / "result.json"
    saved.write_bytes(content)
    with pytest.raises(WikidataError, match=message):
        read_result_file(saved)
    result = run("fetch-wikidata", "--from-file", str(saved), "--out", str(tmp_path / "lists"))
    assert result.exit_code == 1 and "No list was written" in result.output
    assert not (tmp_path / "lists").exists()
