"""Indicators on a small hand-built store, checked against hand-computed values."""

import csv
import json

import pytest

from indicators.aggregate import compute
from indicators.export import write_csv
from indicators.report import write_report


def add_company(db, cid, ags, reached=True, digital=None, startup=None, ads=()):
    db["companies"].insert({"company_id": cid, "name": cid, "ags": ags,
                            "website": f"http://{cid}.de/", "domain": f"{cid}.de"})
    if reached:
        db["pages"].insert({"run_id": 1, "company_id": cid, "url": f"http://{cid}.de/",
                            "text": "Text"})
    for task, value in (("digital", digital), ("startup", startup)):
        if value is not None:
            db["scores"].insert({"entity": "company", "entity_id": cid, "task": task,
                                 "score": value, "label": int(value >= 0.5)})
    for n, asks_ai in enumerate(ads):
        ad_id = db["job_ads"].insert({"company_id": cid, "url": f"http://{cid}.de/{n}",
                                      "title": f"ad {n}", "fingerprint": f"{cid}{n}"}).last_pk
        db["scores"].insert({"entity": "job_ad", "entity_id": str(ad_id), "task": "ai-skills",
                             "score": float(asks_ai), "label": int(asks_ai),
                             "details": json.dumps({"skills": []})})


@pytest.fixture
def rows(db):
    # Bochum: 4 listed, 3 reached; digital 0.9, 0.2, 0.7 -> 2/3; one startup; ads: 1 of 3 AI
    add_company(db, "a", "05911000", digital=0.9, startup=0.9, ads=(True, False))
    add_company(db, "b", "05911000", digital=0.2, startup=0.0, ads=(False,))
    add_company(db, "c", "05911000", digital=0.7, startup=0.0)
    add_company(db, "d", "05911000", reached=False)
    # Unna: 1 listed, 0 reached
    add_company(db, "e", "05978036", reached=False)
    return {r["name"]: r for r in compute(db)}


def test_hand_computed_bochum(rows):
    bochum = rows["Bochum"]
    assert bochum["companies_listed"] == 4 and bochum["companies_reached"] == 3
    assert bochum["coverage"] == pytest.approx(0.75)
    assert bochum["digital_share"] == pytest.approx(2 / 3)
    assert bochum["mean_digital_affinity"] == pytest.approx((0.9 + 0.2 + 0.7) / 3)
    assert bochum["startups"] == 1 and bochum["startups_per_1000"] == pytest.approx(1000 / 3)
    assert bochum["job_ads"] == 3 and bochum["ai_job_ads"] == 1
    assert bochum["ai_job_ad_share"] == pytest.approx(1 / 3)
    assert bochum["ai_hiring_company_share"] == pytest.approx(1 / 3)
    assert "fewer than 5" in bochum["flag"]


def test_unreached_municipality_is_flagged_not_hidden(rows):
    unna = rows["Unna"]
    assert unna["companies_reached"] == 0 and unna["coverage"] == 0
    assert unna["digital_share"] is None and unna["flag"]
    assert set(rows) == {"Bochum", "Unna"}


def test_indicators_are_stored(db, rows):
    stored = {(r["ags"], r["indicator"]): r["value"] for r in db["indicators"].rows}
    assert stored[("05911000", "digital_share")] == pytest.approx(2 / 3)


def test_csv_exports_open_in_pandas_style_readers_and_excel(tmp_path, rows):
    plain = write_csv(list(rows.values()), tmp_path / "i.csv")
    with plain.open(encoding="utf-8", newline="") as handle:
        data = list(csv.DictReader(handle))
    assert {d["ags"] for d in data} == {"05911000", "05978036"}  # leading zero kept
    excel = write_csv([{**rows["Bochum"], "name": "=HYPERLINK(1)"}], tmp_path / "x.csv", excel=True)
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    assert b"'=HYPERLINK" in raw


def test_report_is_self_contained_html(tmp_path, rows):
    path = write_report(list(rows.values()), tmp_path / "r.html", models=[], note="SYNTHETIC")
    text = path.read_text(encoding="utf-8")
    assert text.count("<svg") == 5 and "Bochum" in text and "SYNTHETIC" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text


def test_ai_demand_is_aggregated_per_company(db):
    from classifier.scoring import aggregate_ai_demand

    add_company(db, "a", "05911000", ads=(True, False, False, True))
    add_company(db, "b", "05911000", ads=(False,))
    db["scores"].update(("job_ad", "1", "ai-skills"),
                        {"details": json.dumps({"skills": ["deep learning"]})})
    assert aggregate_ai_demand(db) == 2
    rows = {r["entity_id"]: r for r in db.query(
        "select * from scores where entity = 'company' and task = 'ai-skills'")}
    assert rows["a"]["score"] == 0.5 and rows["a"]["label"] == 1
    assert json.loads(rows["a"]["details"]) == {"ads": 4, "asking": 2, "skills": ["deep learning"]}
    assert rows["b"]["score"] == 0 and rows["b"]["label"] == 0
