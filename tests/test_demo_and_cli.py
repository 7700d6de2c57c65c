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


@pytest.mark.parametrize("command", [[], ["companies", "import"], ["crawl"], ["classify"],
                                     ["train"], ["evaluate"], ["indicators", "export"],
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
