import csv
import re

from company_lists.registry import REGISTRY_CSV, municipalities, resolve

DISTRICT_PREFIX = {"Kreis Wesel": "05170", "Kreis Recklinghausen": "05562",
                   "Ennepe-Ruhr-Kreis": "05954", "Kreis Unna": "05978"}


def test_exactly_53_municipalities_with_unique_valid_ags():
    rows = municipalities()
    assert len(rows) == 53
    keys = [m.ags for m in rows]
    assert len(set(keys)) == 53
    assert all(re.fullmatch(r"05\d{6}", k) for k in keys)


def test_districts_and_independent_cities():
    rows = municipalities()
    independent = [m for m in rows if m.district_type == "kreisfreie Stadt"]
    assert len(independent) == 11
    assert all(m.ags.endswith("000") and m.district == m.name for m in independent)
    counts = {d: sum(m.district == d for m in rows) for d in DISTRICT_PREFIX}
    assert counts == {"Kreis Wesel": 13, "Kreis Recklinghausen": 10, "Ennepe-Ruhr-Kreis": 9,
                      "Kreis Unna": 10}
    for m in rows:
        if m.district in DISTRICT_PREFIX:
            assert m.ags.startswith(DISTRICT_PREFIX[m.district]), m


def test_centroids_lie_in_the_ruhr_area():
    for m in municipalities():
        assert 51.2 < m.lat < 51.8 and 6.3 < m.lon < 7.9, m


def test_file_is_plain_utf8_csv():
    with REGISTRY_CSV.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["ags", "name", "district", "district_type", "lat", "lon"]


def test_resolve_by_name_or_key():
    assert resolve("bochum").ags == "05911000"
    assert resolve("05978036").name == "Unna"
    try:
        resolve("Köln")
    except KeyError as exc:
        assert "unknown municipality" in str(exc)
    else:
        raise AssertionError("Köln is not in the Ruhr area")
