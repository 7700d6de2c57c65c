"""The end-to-end demo and the command line."""

import csv
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ruhrindex.cli import main
from ruhrindex.sample_web import sample


def test_demo_end_to_end(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "ruhrindex", "demo", "--out", str(out),
                             "--quiet"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(out / "indicators.csv") in result.stdout
    with (out / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    demo_ags = {c["ags"] for c in sample()["companies"]}
    assert len(rows) == 53 and len(demo_ags) >= 6
    assert {r["ags"] for r in rows if int(r["companies_listed"])} == demo_ags
    by_name = {r["name"]: r for r in rows}
    assert float(by_name["Dortmund"]["coverage"]) < 1  # one dead site in Dortmund's list
    assert sum(int(r["ai_job_ads"]) for r in rows) >= 5
    assert all(0 <= float(r["digital_share"]) <= 1 for r in rows if r["digital_share"])
    assert all(float(r["rank_lo"]) <= float(r["rank_hi"]) for r in rows if r["rank"])
    assert (out / "indicators.parquet").stat().st_size and (out / "indicators.geojson").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "SYNTHETISCHE DEMO-DATEN" in html and "<svg" in html
    explained = subprocess.run([sys.executable, "-m", "ruhrindex", "explain", "DO-004", "--db",
                                str(out / "ruhrindex-demo.db")], capture_output=True, text=True,
                               timeout=120)
    assert explained.returncode == 0, explained.stderr[-2000:]
    assert "digital affinity" in explained.stdout and "sentence:" in explained.stdout
    assert re.search(r"startup\s+(yes|no)", explained.stdout) and "age:" in explained.stdout


@pytest.mark.parametrize("command", [[], ["companies", "import"], ["crawl"], ["classify"],
                                     ["train"], ["evaluate"], ["explain"], ["indicators", "export"],
                                     ["report"], ["demo"]])
def test_every_command_teaches_with_an_example(command):
    result = CliRunner().invoke(main, [*command, "--help"], prog_name="ruhrindex")
    assert result.exit_code == 0
    assert "Example" in result.output and re.search(r"\n\s+ruhrindex \w", result.output)


def test_crawl_rejects_unknown_municipality(tmp_path):
    result = CliRunner().invoke(main, ["crawl", "-m", "Köln", "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "unknown municipality" in result.output


def test_validate_exit_status_and_problem_csv(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("company_id,name,ags,website\n1,A,05911000,\n", encoding="utf-8")
    problems = tmp_path / "problems.csv"
    result = CliRunner().invoke(main, ["companies", "validate", str(bad),
                                       "--problems-csv", str(problems)])
    assert result.exit_code == 1 and "bad.csv:2: error: missing website" in result.output
    assert "missing website" in problems.read_text(encoding="utf-8")


def test_train_refuses_bad_labels_with_clear_error(tmp_path):
    labels = tmp_path / "l.csv"
    labels.write_text("text\nnur Text\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["train", "--task", "digital", "--labels", str(labels),
                                       "--models-dir", str(tmp_path / "m")])
    assert result.exit_code == 1 and "missing column(s) label" in result.output
    assert not (tmp_path / "m").exists()


def test_evaluate_scores_a_file_the_model_never_saw(tmp_path):
    from classifier.training import read_labels

    full = read_labels("classifier/data/ai_skills.csv")
    rows = list(zip(full.texts, full.y.tolist(), strict=True))
    train_rows, test_rows = rows[0::3], rows[1::3]  # disjoint thirds
    files = {}
    for name, part in (("train", train_rows), ("test", test_rows)):
        with (tmp_path / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([("text", "label"), *part])
        files[name] = str(tmp_path / f"{name}.csv")
    models = str(tmp_path / "m")
    result = CliRunner().invoke(main, ["train", "--task", "ai-skills", "--labels", files["train"],
                                       "--embedder", "none", "--folds", "3", "--models-dir", models])
    assert result.exit_code == 0, result.output
    assert not set(t for t, _ in test_rows) & set(t for t, _ in train_rows)
    result = CliRunner().invoke(main, ["evaluate", "--task", "ai-skills", "--labels", files["test"],
                                       "--models-dir", models])
    assert result.exit_code == 0, result.output
    assert f"(n={len(test_rows)})" in result.output and "embedder none" in result.output
    f1 = float(re.search(r"f1\s+([\d.]+)", result.output).group(1))
    assert 0.5 < f1 <= 1


def test_train_refuses_unknown_embedder_before_training(tmp_path):
    result = CliRunner().invoke(main, ["train", "--task", "startup", "--embedder",
                                       str(tmp_path / "nothing"), "--models-dir",
                                       str(tmp_path / "m")])
    assert result.exit_code == 1 and "neither an installed model package" in result.output
    assert not (tmp_path / "m").exists()


def test_explain_unknown_company_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["explain", "XX-1", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "no company 'XX-1'" in result.output
