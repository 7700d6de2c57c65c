"""Start a crawl run: select companies, then run Scrapy in a fresh child process.

Twisted's reactor cannot be restarted inside one process, so every crawl gets its own
process; callers (CLI, demo, tests) can crawl as often as they like.
"""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import dataclass, field

from ruhrindex.store import open_db, utcnow


@dataclass
class CrawlOptions:
    page_budget: int = 30
    max_depth: int = 3
    delay: float | None = None  # seconds between requests to one site; None: settings default
    proxy: str | None = None
    log_level: str = "INFO"
    progress: bool = True
    extra_settings: dict = field(default_factory=dict)
    warc: str | None = None  # also keep raw responses in this WARC file
    extract_workers: int | None = None  # extraction processes; None: settings default

    def scrapy_settings(self, db_path: str, run_id: int) -> dict:
        settings = {
            "RUHRINDEX_DB": db_path,
            "RUHRINDEX_RUN_ID": run_id,
            "RUHRINDEX_PAGE_BUDGET": self.page_budget,
            "RUHRINDEX_PROXY": self.proxy,
            "DEPTH_LIMIT": self.max_depth,
            "LOG_LEVEL": self.log_level,
        }
        if self.delay is not None:
            settings.update(DOWNLOAD_DELAY=self.delay,
                            AUTOTHROTTLE_START_DELAY=max(self.delay, 0.05),
                            AUTOTHROTTLE_MAX_DELAY=max(self.delay * 10, 1.0))
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


def crawl(db_path: str, ags: list[str] | None = None, options: CrawlOptions | None = None) -> int:
    """Crawl the companies of *ags* into the store at *db_path*; return the run id."""
    options = options or CrawlOptions()
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
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_run_scrapy,
                            args=(options.scrapy_settings(db_path, run_id), companies,
                                  options.page_budget, options.progress))
    child.start()
    child.join()
    status = open_db(db_path)["crawl_runs"].get(run_id)["status"]
    if child.exitcode != 0 or status != "finished":
        raise RuntimeError(f"crawl run {run_id} did not finish (exit code {child.exitcode}, "
                           f"status {status!r}); see the log above")
    return run_id


def _run_scrapy(settings: dict, companies: list[dict], page_budget: int, progress: bool) -> None:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from tqdm import tqdm

    from crawler import settings as project_settings
    from crawler.spiders.companies import CompanySpider

    merged = Settings()
    merged.setmodule(project_settings, priority="project")
    merged.update(settings, priority="cmdline")
    process = CrawlerProcess(merged)
    crawler = process.create_crawler(CompanySpider)
    bar = tqdm(total=None, unit="page", desc="crawling", disable=not progress)
    crawler.signals.connect(lambda *a, **k: bar.update(1), signal=signals.item_scraped, weak=False)
    process.crawl(crawler, companies=companies, page_budget=page_budget)
    process.start()
    bar.close()
