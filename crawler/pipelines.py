"""Item pipelines: write each analysed page, its job ads and the outcomes to the store."""

from __future__ import annotations

from twisted.internet.task import LoopingCall

from crawler.warc import WarcFile
from ruhrindex.store import open_db, utcnow


class StorePipeline:
    """Write pages (text plus compressed HTML) and job ads; outcomes when the spider closes.

    ``(run_id, url)`` is unique, so a page seen twice is stored once. The spider hands over
    pages already analysed in its process pool; the writes happen here, in the crawl
    process, a transaction per batch: one per page cost the reactor a tenth of its time.
    A batch is written at ``FLUSH_PAGES`` pages and every ``FLUSH_SECONDS``; a crawl killed
    before then fetches those pages again when it is resumed, since resuming goes by what
    the store holds. With ``RUHRINDEX_WARC`` the raw responses also go into that WARC file,
    with the same batch, so that it holds the pages the store holds.
    """

    FLUSH_PAGES = 100
    FLUSH_SECONDS = 1.0

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("RUHRINDEX_DB")
        self.run_id = crawler.settings.getint("RUHRINDEX_RUN_ID")
        self.db = None
        self.warc = None
        self.pages: list[dict] = []
        self.job_ads: list[dict] = []
        self.raw: list[tuple[str, dict]] = []
        self.timer = LoopingCall(self.flush)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = open_db(self.db_path)
        if self.crawler.settings.get("RUHRINDEX_WARC"):
            self.warc = WarcFile(self.warc_path(self.crawler.settings.get("RUHRINDEX_WARC")))
        self.timer.start(self.FLUSH_SECONDS, now=False)

    def warc_path(self, path: str) -> str:
        return path

    def process_item(self, item):
        spider = self.crawler.spider
        analysed = item["analysed"]
        page = analysed.page
        cid = item["company_id"]
        self.pages.append(
            {"run_id": self.run_id, "company_id": cid, "url": item["url"],
             "http_status": item["http_status"], "depth": item["depth"], "fetched_at": utcnow(),
             "title": page.title, "lang": page.lang, "date": page.date, "text": page.text,
             "html_gz": analysed.html_gz})
        self.job_ads += ({"company_id": cid, "run_id": self.run_id, **ad}
                         for ad in analysed.job_ads)
        if self.warc is not None:
            self.raw.append((item["url"], item["raw"]))
        if len(self.pages) >= self.FLUSH_PAGES:
            self.flush()
        spider.pages_stored[cid] += 1
        if page.text:
            spider.pages_with_text.add(cid)
        return {"company_id": cid, "url": item["url"]}

    def flush(self) -> None:
        """Write the pages and job ads collected since the last flush, in one transaction."""
        if not self.pages:
            return
        with self.db.conn:
            self.db["pages"].insert_all(self.pages, ignore=True)
            self.db["job_ads"].insert_all(self.job_ads, ignore=True)
        for url, raw in self.raw:
            self.warc.write(url, raw)
        self.pages, self.job_ads, self.raw = [], [], []

    def close_spider(self):
        self.timer.stop()
        self.flush()
        if self.warc is not None:
            self.warc.close()
        self.write_outcomes(self.crawler.spider.outcome_rows(self.run_id))

    def write_outcomes(self, rows: list[dict]) -> None:
        """Store one outcome per company; the spider marks the run finished or interrupted."""
        with self.db.conn:
            self.db["crawl_outcomes"].upsert_all(rows, pk=("run_id", "company_id"))
