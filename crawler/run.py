"""Start or resume a crawl run: select companies, then run Scrapy in a fresh child process.

Twisted's reactor cannot be restarted inside one process, so every crawl gets its own
process; callers (CLI, demo, tests) can crawl as often as they like.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from ruhrindex.store import open_db, utcnow


@dataclass
class CrawlOptions:
    page_budget: int = 30
    max_depth: int = 3
    delay: float | None = None  # seconds between requests to one site; None: settings default
    proxy: str | None = None
    allow_private: bool = False  # crawl hosts on loopback/private addresses (demo, tests)
    log_level: str = "INFO"
    progress: bool = True
    extra_settings: dict = field(default_factory=dict)
    warc: str | None = None  # also keep raw responses in this WARC file
    extract_workers: int | None = None  # extraction processes; None: settings default
    redis_url: str | None = None  # share the run through this Redis (crawler/shared.py)
    workers: int = 1  # crawl processes on this machine (more than one needs redis_url)

    def scrapy_settings(self, db_path: str, run_id: int) -> dict:
        settings = {
            "RUHRINDEX_DB": db_path,
            "RUHRINDEX_RUN_ID": run_id,
            "RUHRINDEX_PAGE_BUDGET": self.page_budget,
            "RUHRINDEX_PROXY": self.proxy,
            "RUHRINDEX_ALLOW_PRIVATE": self.allow_private,
            "DEPTH_LIMIT": self.max_depth,
            "LOG_LEVEL": self.log_level,
        }
        if self.delay is not None:
            settings.update(DOWNLOAD_DELAY=self.delay,
                            AUTOTHROTTLE_START_DELAY=max(self.delay, 0.05),
                            AUTOTHROTTLE_MAX_DELAY=max(self.delay * 10, 1.0))
        if not self.redis_url:  # a shared run keeps its queue in Redis instead
            settings["JOBDIR"] = str(job_dir(db_path, run_id))
        if self.warc:
            settings["RUHRINDEX_WARC"] = self.warc
        if self.extract_workers is not None:
            settings["RUHRINDEX_EXTRACT_WORKERS"] = self.extract_workers
        settings.update(self.extra_settings)
        return settings


def select_companies(db, ags: list[str] | None = None) -> list[dict]:
    """Companies of the given municipalities (all if *ags* is empty) that have a website."""
    where, params = "website is not null", []
    if ags:
        where += f" and ags in ({', '.join('?' * len(ags))})"
        params = list(ags)
    return list(db["companies"].rows_where(where, params, order_by="company_id",
                                           select="company_id, website, domain"))


def job_dir(db_path: str, run_id: int) -> Path:
    """Scrapy's JOBDIR of a run (disk request queues), in a folder beside the store."""
    return Path(f"{db_path}.jobs") / f"run-{run_id}"


def crawl(db_path: str, ags: list[str] | None = None, options: CrawlOptions | None = None) -> int:
    """Crawl the companies of *ags* into the store at *db_path*; return the run id."""
    options = options or CrawlOptions()
    if options.workers != 1 and not options.redis_url:
        raise ValueError("several crawl workers share a run through Redis: give a Redis URL")
    if options.redis_url:
        from crawler.shared import SharedRun

        SharedRun.connect(options.redis_url, 0)  # an unusable Redis fails before a run exists
    db = open_db(db_path)
    companies = select_companies(db, ags)
    if not companies:
        raise ValueError("no companies with a website for this selection; import a list first")
    run_id = db["crawl_runs"].insert(
        {"started_at": utcnow(), "status": "running", "companies": len(companies),
         "settings": json.dumps({"ags": ags or "all", "page_budget": options.page_budget,
                                 "max_depth": options.max_depth, "delay": options.delay})}
    ).last_pk
    db.conn.close()
    settings = options.scrapy_settings(db_path, run_id)
    if options.redis_url:
        from crawler.shared import seed

        settings = seed(options.redis_url, run_id, companies, options.page_budget, settings)
    run_processes(db_path, run_id, [(settings, companies, options.page_budget,
                                     options.progress)] * options.workers)
    if options.redis_url:
        from crawler.shared import finish

        finish(options.redis_url, run_id)
    return run_id


def resume(db_path: str, run_id: int, options: CrawlOptions | None = None) -> int:
    """Continue run *run_id* after it was killed: nothing stored is fetched or stored again.

    The store is the record of progress; Scrapy's JOBDIR is consistent only after a clean
    shutdown, so it is emptied and the frontier rebuilt from the stored pages' links. The run's
    own selection, page budget and depth apply; *options* give the rest (proxy, delay, ...).
    """
    db = open_db(db_path)
    run = db["crawl_runs"].get(run_id) if db["crawl_runs"].count_where(
        "run_id = ?", [run_id]) else None
    if run is None:
        raise ValueError(f"no crawl run {run_id} in {db_path}")
    if run["status"] == "finished":
        raise ValueError(f"crawl run {run_id} has already finished; nothing to resume")
    saved = json.loads(run["settings"])
    ags = None if saved["ags"] == "all" else saved["ags"]
    companies = select_companies(db, ags)
    db["crawl_runs"].update(run_id, {"status": "running"})
    db.conn.close()
    shutil.rmtree(job_dir(db_path, run_id), ignore_errors=True)
    options = options or CrawlOptions()
    options = replace(options, page_budget=saved["page_budget"], max_depth=saved["max_depth"],
                      extra_settings={**options.extra_settings, "RUHRINDEX_RESUME": True})
    run_processes(db_path, run_id, [(options.scrapy_settings(db_path, run_id), companies,
                                     options.page_budget, options.progress)])
    return run_id


def run_processes(db_path: str, run_id: int, jobs: list[tuple]) -> None:
    """Run one Scrapy process per job (arguments of ``_run_scrapy``) and check the run."""
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_run_scrapy, args=job) for job in jobs]
    for child in children:
        child.start()
    for child in children:
        child.join()
    status = open_db(db_path)["crawl_runs"].get(run_id)["status"]
    codes = [child.exitcode for child in children]
    if any(codes) or status != "finished":
        raise RuntimeError(f"crawl run {run_id} did not finish (exit codes {codes}, "
                           f"status {status!r}); see the log above, then continue it with "
                           f"`ruhrindex crawl --resume {run_id}`")
    shutil.rmtree(job_dir(db_path, run_id), ignore_errors=True)
    parent = job_dir(db_path, run_id).parent
    if parent.exists() and not any(parent.iterdir()):
        parent.rmdir()


def _run_scrapy(settings: dict, companies: list[dict], page_budget: int, progress: bool) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object
    from tqdm import tqdm

    from crawler import settings as project_settings

    merged = Settings()
    merged.setmodule(project_settings, priority="project")
    merged.update(settings, priority="cmdline")
    process = CrawlerProcess(merged)
    crawler = process.create_crawler(load_object(merged.get("RUHRINDEX_SPIDER")))
    bar = tqdm(total=None, unit="page", desc="crawling", disable=not progress)
    crawler.signals.connect(lambda *a, **k: bar.update(1), signal=signals.item_scraped, weak=False)
    process.crawl(crawler, companies=companies, page_budget=page_budget)
    process.start()
    bar.close()
