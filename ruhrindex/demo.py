"""`ruhrindex demo`: the whole pipeline against the bundled SYNTHETIC sample web on 127.0.0.1."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from company_lists.importer import import_files
from company_lists.registry import load_into
from crawler.run import CrawlOptions, crawl
from crawler.summary import crawl_summary, format_summary
from indicators.build import build_table
from indicators.export import export_table
from ruhrindex import pipeline
from ruhrindex.config import MODELS_DIR
from ruhrindex.sample_web import VirtualHostServer, build_sites, company_rows
from ruhrindex.store import open_db

NOTE = ("SYNTHETISCHE DEMO-DATEN: alle Unternehmen sind fiktiv (Beispiel-Web auf 127.0.0.1); "
        "die Zahlen zeigen nur, wie ruhrindex arbeitet.")


def write_company_lists(folder: Path) -> list[Path]:
    """One CSV per municipality, as users keep them."""
    by_ags: dict[str, list[dict]] = {}
    for row in company_rows():
        by_ags.setdefault(row["ags"], []).append(row)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ags, rows in sorted(by_ags.items()):
        path = folder / f"companies_{ags}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def run_demo(out: Path, models_dir: Path = MODELS_DIR, progress: bool = True) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "ruhrindex-demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    load_into(db)
    lists = write_company_lists(out / "company_lists")
    report = import_files(db, lists)
    click.echo(f"imported {len(report.rows)} synthetic companies from {len(lists)} lists")
    with VirtualHostServer(build_sites()) as server:
        click.echo(f"sample web served on {server.proxy_url}; crawling …")
        options = CrawlOptions(page_budget=30, delay=0.0, proxy=server.proxy_url,
                               allow_private=True, log_level="WARNING", progress=progress)
        run_id = crawl(str(db_path), None, options)
    db = open_db(db_path)
    pages = db["pages"].count_where("run_id = ?", [run_id])
    click.echo(f"crawl run {run_id}: {pages} pages, {db['job_ads'].count} job ads")
    click.echo(format_summary(crawl_summary(db, run_id)))
    pipeline.classify(db, models_dir, progress)
    table = build_table(db)
    exports = {f"indicators ({fmt})": export_table(table, out / f"indicators.{fmt}")
               for fmt in ("csv", "parquet", "geojson")}
    html_path = pipeline.report(table, out / "report.html", models_dir, NOTE)
    return {"database": db_path, **exports, "report": html_path}
