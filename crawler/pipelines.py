"""Item pipelines: extract each page and write it, its job ads and the outcomes to the store."""

from __future__ import annotations

from crawler.extract import extract
from crawler.jobs import find_job_ads
from ruhrindex.store import compress_html, open_db, utcnow


class StorePipeline:
    """Write pages (text plus compressed HTML) and job ads; outcomes when the spider closes.

    ``(run_id, url)`` is unique, so a page seen twice is stored once.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("RUHRINDEX_DB")
        self.run_id = crawler.settings.getint("RUHRINDEX_RUN_ID")
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.db = open_db(self.db_path)

    def process_item(self, item):
        spider = self.crawler.spider
        page = extract(item["html"], item["url"])
        cid = item["company_id"]
        with self.db.conn:
            self.db["pages"].insert(
                {"run_id": self.run_id, "company_id": cid, "url": item["url"],
                 "http_status": item["http_status"], "depth": item["depth"],
                 "fetched_at": utcnow(), "title": page.title, "lang": page.lang,
                 "date": page.date, "text": page.text, "html_gz": compress_html(item["html"])},
                ignore=True,
            )
            self.db["job_ads"].insert_all(
                ({"company_id": cid, "run_id": self.run_id, **ad}
                 for ad in find_job_ads(item["html"], item["url"], page.text)),
                ignore=True,
            )
        spider.pages_stored[cid] += 1
        if page.text:
            spider.pages_with_text.add(cid)
        return {"company_id": cid, "url": item["url"]}

    def close_spider(self):
        rows = self.crawler.spider.outcome_rows(self.run_id)
        with self.db.conn:
            self.db["crawl_outcomes"].upsert_all(rows, pk=("run_id", "company_id"))
