"""Indicators on a small hand-built store, checked against hand-computed values."""

import json

import pytest

from indicators.agscsv import AgsTableError, read_ags_table
from indicators.build import build_table
from indicators.companies import read_scores
from indicators.settings import IndexSettings


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
                             "score": 0.9 if asks_ai else 0.1, "label": int(asks_ai),
                             "details": json.dumps({"skills": []})})


def fill(db):
    # Bochum: 4 listed, 3 reached; digital 0.9, 0.2, 0.7 -> 2/3; one startup; ads: 1 of 3 AI
    add_company(db, "a", "05911000", digital=0.9, startup=0.9, ads=(True, False))
    add_company(db, "b", "05911000", digital=0.2, startup=0.0, ads=(False,))
    add_company(db, "c", "05911000", digital=0.7, startup=0.0)
    add_company(db, "d", "05911000", reached=False)
    # Unna: 1 listed, 0 reached
    add_company(db, "e", "05978036", reached=False)


def compute(db, denominators=None):
    return build_table(db, IndexSettings(replicates=0), denominators).rows


@pytest.fixture
def rows(db):
    fill(db)
    return {r["name"]: r for r in compute(db)}


def test_hand_computed_bochum(rows):
    bochum = rows["Bochum"]
    assert bochum["companies_listed"] == 4 and bochum["companies_reached"] == 3
    assert bochum["coverage"] == pytest.approx(0.75)
    assert bochum["digital_companies"] == 2
    assert bochum["digital_share"] == pytest.approx(2 / 3)
    assert bochum["mean_digital_affinity"] == pytest.approx((0.9 + 0.2 + 0.7) / 3)
    assert bochum["startups"] == 1 and bochum["startups_per_1000"] == pytest.approx(1000 / 3)
    assert bochum["startup_share"] == pytest.approx(1 / 3)
    assert bochum["job_ads"] == 3 and bochum["ai_job_ads"] == 1
    assert bochum["ai_job_ad_share"] == pytest.approx(1 / 3)
    assert bochum["ai_hiring_company_share"] == pytest.approx(1 / 3)
    assert "fewer than 5" in bochum["flag"]


def test_every_municipality_appears_unreached_and_unlisted_flagged(rows):
    assert len(rows) == 53
    unna = rows["Unna"]
    assert unna["companies_reached"] == 0 and unna["coverage"] == 0
    assert unna["digital_share"] is None and "fewer than 5" in unna["flag"]
    essen = rows["Essen"]
    assert essen["companies_listed"] == 0 and essen["job_ads"] == 0
    assert essen["coverage"] is None and essen["flag"] == "no companies listed"


def test_indicators_are_stored(db, rows):
    stored = {(r["ags"], r["indicator"]): r["value"] for r in db["indicators"].rows}
    assert stored[("05911000", "digital_share")] == pytest.approx(2 / 3)
    assert len({a for a, _ in stored}) == 53


def test_scores_are_read_from_the_scores_table(db):
    fill(db)
    scores = read_scores(db)
    assert scores.digital["a"] == (0.9, 1) and scores.startup["b"] == (0.0, 0)
    assert sorted(label for _, label in scores.ai_ads.values()) == [0, 0, 1]


def test_denominators_give_rates_per_10000(db, tmp_path):
    fill(db)
    path = tmp_path / "svb.csv"
    path.write_text("ags;employees\n05911000;20.000\n05978036;1234,5\n", encoding="utf-8-sig")
    table = read_ags_table(path)
    assert table["05911000"]["employees"] == 20_000
    bochum = {r["name"]: r for r in compute(db, table)}["Bochum"]
    assert bochum["startups_per_10000_employees"] == pytest.approx(0.5)    # 1 / 20,000
    assert bochum["job_ads_per_10000_employees"] == pytest.approx(1.5)     # 3 / 20,000
    assert bochum["digital_companies_per_10000_employees"] == pytest.approx(1.0)


@pytest.mark.parametrize("content, message", [
    ("gemeinde,employees\nBochum,1\n", "no 'ags' column"),
    ("ags,employees\n09162000,1\n", "not one of the 53"),
    ("ags,employees\n05911000,1\n05911000,2\n", "appears twice"),
    ("ags,employees\n05911000,viele\n", "column 'employees' is not a number"),
    ("ags,employees\n", "no rows"),
])
def test_bad_ags_tables_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AgsTableError, match=message):
        read_ags_table(path)


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
