"""`ruhrindex indicators export` and `ruhrindex report` on a small store."""

import csv
import json

import pytest
from click.testing import CliRunner

from company_lists.registry import load_into
from ruhrindex.cli import main
from ruhrindex.store import open_db
from tests.test_indicators import fill

CONFIG = """normalisation = "distance-to-best"
[bootstrap]
replicates = 50
seed = 4
[[indicator]]
name = "ai_job_ads_per_10000_employees"
subindex = "Beschäftigung"
"""


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.db"
    db = open_db(path)
    load_into(db)
    fill(db)
    db.conn.close()
    (tmp_path / "svb.csv").write_text("ags,employees\n05911000,30000\n", encoding="utf-8")
    (tmp_path / "index.toml").write_text(CONFIG, encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("name", ["i.csv", "i.parquet", "i.geojson", "i.xlsx"])
def test_export_infers_the_format(tmp_path, store, name):
    result = run("indicators", "export", tmp_path / name, "--db", store, "--replicates", 20)
    assert result.exit_code == 0, result.output
    assert "wrote 53 municipalities" in result.output and (tmp_path / name).stat().st_size


def test_export_with_config_and_denominators(tmp_path, store):
    out = tmp_path / "out.txt"
    result = run("indicators", "export", out, "--format", "csv", "--db", store, "--config",
                 tmp_path / "index.toml", "--denominators", tmp_path / "svb.csv")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        bochum = next(r for r in csv.DictReader(handle) if r["name"] == "Bochum")
    assert float(bochum["ai_job_ads_per_10000_employees"]) == pytest.approx(1 / 3)
    assert bochum["rank"] == "1" and bochum["index_lo"]


@pytest.mark.parametrize("args, message", [
    (["i.txt"], "cannot tell the format"),
    (["i.csv", "--config", "bad.toml"], "normalisation must be one of"),
    (["i.csv", "--denominators", "bad.csv"], "no 'ags' column"),
    (["i.geojson", "--boundaries", "bad.geojson"], "expected a GeoJSON FeatureCollection"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, store, args, message):
    (tmp_path / "bad.toml").write_text('normalisation = "rank"\n', encoding="utf-8")
    (tmp_path / "bad.csv").write_text("gemeinde,x\nBochum,1\n", encoding="utf-8")
    (tmp_path / "bad.geojson").write_text(json.dumps([]), encoding="utf-8")
    paths = [str(tmp_path / a) if a.startswith(("i.", "bad")) else a for a in args]
    result = run("indicators", "export", *paths, "--db", store)
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / args[0]).exists()


def test_export_refuses_an_empty_store(tmp_path):
    result = run("indicators", "export", tmp_path / "i.csv", "--db", tmp_path / "empty.db")
    assert result.exit_code == 1 and "import a company list first" in result.output


def test_report_command(tmp_path, store):
    out = tmp_path / "r.html"
    result = run("report", out, "--db", store, "--config", tmp_path / "index.toml",
                 "--denominators", tmp_path / "svb.csv", "--models-dir", tmp_path / "none")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "distance to the best" in text and "50 Bootstrap-Replikationen (Seed 4)" in text
    assert "svb.csv" in text and "ai_job_ads_per_10000_employees" in text
