"""One spider over many company sites: homepage first, then the most informative links.

Each page is parsed and extracted in a process pool (``crawler.offload``), which also returns
its links; the crawl process itself never parses HTML, so its reactor only downloads,
schedules and writes.

Per-site state (allowed domains, URLs scheduled, trap counters, pages stored) lives on the
spider, keyed by company id; requests carry only that id and plain flags, so they pickle into
the disk queues. On resume the state is rebuilt from the store, the one record that survives
a killed process: the stored pages, and the links in their stored HTML for the frontier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import scrapy
from scrapy import signals
from scrapy.http import TextResponse

from crawler.extract import load_html
from crawler.links import Link, page_links
from crawler.offload import AnalysisPool
from crawler.outcomes import classify_failure, looks_binary
from crawler.pacing import OpenSites
from crawler.traps import SiteTraps, canonical
from ruhrindex.store import decompress_html, open_db, utcnow
from ruhrindex.urls import registered_domain


class CompanySpider(scrapy.Spider):
    name = "companies"

    def __init__(self, companies: list[dict], page_budget: int = 30, **kwargs):
        super().__init__(**kwargs)
        self.companies = {c["company_id"]: c for c in companies}
        self.page_budget = int(page_budget)
        self.allowed: dict[str, set[str]] = {
            cid: {c["domain"]} for cid, c in self.companies.items()
        }
        self.moved_to: dict[str, str] = {}
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.traps: dict[str, SiteTraps] = defaultdict(SiteTraps)
        self.outcome: dict[str, dict] = {
            cid: {"status": "pending", "start_url": c["website"], "final_url": None,
                  "message": None} for cid, c in self.companies.items()
        }
        self.pages_stored: dict[str, int] = defaultdict(int)
        self.pages_with_text: set[str] = set()
        self.pool: AnalysisPool | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.pool = AnalysisPool(crawler.settings.getint("RUHRINDEX_EXTRACT_WORKERS"))
        spider.open_sites = OpenSites(crawler.settings.getint("RUHRINDEX_OPEN_SITES"))
        crawler.signals.connect(spider.dropped, signal=signals.request_dropped)
        # not before the spider opens: a crawl that fails to start would leave workers behind
        crawler.signals.connect(spider.pool.warm_up, signal=signals.spider_opened)
        return spider

    async def start(self):
        """Each site's first requests, opening a site only when there is room for it."""
        for cid, requests in self.site_requests():
            await self.open_sites.room()
            self.open_sites.add(cid, len(requests))
            for request in requests:
                yield request

    def site_requests(self) -> Iterator[tuple[str, list[scrapy.Request]]]:
        """Per site with work left: its homepage request, or on resume its frontier."""
        resumed = self._restore() if self.settings.getbool("RUHRINDEX_RESUME") else {}
        for cid, company in self.companies.items():
            requests = resumed[cid] if cid in resumed else [self.start_request(cid, company)]
            if requests:
                yield cid, requests

    def start_request(self, cid: str, company: dict) -> scrapy.Request:
        """The homepage request of one company, recorded as seen."""
        url = canonical(company["website"])
        self.seen[cid].add(url)
        self.traps[cid].record(url)
        # dont_filter: a redirect loop then runs into REDIRECT_MAX_TIMES and is reported
        return scrapy.Request(company["website"], callback=self.parse, errback=self.failed,
                              meta={"company_id": cid, "start": True}, dont_filter=True)

    async def parse(self, response):
        cid = response.meta["company_id"]
        try:
            async for output in self._parse(response, cid):
                if isinstance(output, scrapy.Request):
                    self.open_sites.add(cid)
                yield output
        finally:
            self.open_sites.end(cid)

    async def _parse(self, response, cid: str):
        start = response.meta.get("start", False)
        if start:
            self.outcome[cid]["final_url"] = response.url
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get("Content-Type") or b"text/html"
        ).lower():
            self._note(cid, start, "not_html", f"{response.url} is not HTML")
            return
        if looks_binary(response.body):
            self._note(cid, start, "binary", f"{response.url} is binary data served as HTML")
            return
        # parsing and extraction happen in the pool, while the reactor goes on downloading
        analysed = await self.pool.analyse(response.text, response.url, start)
        if analysed.parked:
            self._note(cid, start, "parked", f"{response.url} is a parked or for-sale domain")
            return
        depth = response.meta.get("depth", 0)
        yield {"company_id": cid, "url": response.url, "http_status": response.status,
               "depth": depth, "analysed": analysed}
        if self._may_follow(depth):
            for request in self._follow(analysed.links, cid, depth + 1):
                yield request

    def _may_follow(self, depth: int) -> bool:
        """Links of a page at *depth* are within DEPTH_LIMIT (0: no limit).

        Checked here rather than left to Scrapy's depth middleware, which drops requests
        without a trace, so every request the spider yields ends in a callback or errback.
        """
        limit = self.settings.getint("DEPTH_LIMIT")
        return not limit or depth < limit

    def _follow(self, links: list[Link], cid: str, depth: int):
        """Schedule a page's best links within the site's budget and trap limits."""
        candidates = [link for link in links
                      if link.domain in self.allowed[cid] and link.url not in self.seen[cid]]
        # best first: the budget goes to the most informative links, and the FIFO queue of the
        # site fetches them in this order (one queue per site and depth, not per link value,
        # keeps the disk queues few)
        for link in sorted(candidates, key=lambda link: link.value, reverse=True):
            if len(self.seen[cid]) >= self.page_budget:
                break
            if reason := self.traps[cid].refusal(link.url):
                self.logger.debug("%s: skipping %s (%s)", cid, link.url, reason)
                continue
            self.seen[cid].add(link.url)
            self.traps[cid].record(link.url)
            yield scrapy.Request(link.url, callback=self.parse, errback=self.failed,
                                 meta={"company_id": cid, "depth": depth})

    def failed(self, failure):
        cid = failure.request.meta["company_id"]
        self.open_sites.end(cid)
        status, message = classify_failure(failure)
        self._note(cid, failure.request.meta.get("start", False), status, message)
        self.logger.info("%s: %s", cid, message)

    def dropped(self, request, spider=None) -> None:
        """The scheduler refused a request (a redirect to a page already fetched)."""
        if "company_id" in request.meta:
            self.open_sites.end(request.meta["company_id"])

    def _note(self, cid: str, start: bool, status: str, message: str) -> None:
        """Record why the start page failed; failures of inner pages are only logged."""
        if start and self.outcome[cid]["status"] == "pending":
            self.outcome[cid].update(status=status, message=message)

    def _restore(self) -> dict[str, list[scrapy.Request]]:
        """Rebuild per-site state from the pages stored so far; return each site's frontier."""
        db = open_db(self.settings.get("RUHRINDEX_DB"))
        run_id = self.settings.getint("RUHRINDEX_RUN_ID")
        rows = db.query("select company_id, url, depth, text, html_gz from pages "
                        "where run_id = ? order by id", [run_id])
        stored = [row for row in rows if row["company_id"] in self.companies]
        for row in stored:
            cid, url = row["company_id"], row["url"]
            self.seen[cid].add(canonical(url))
            self.traps[cid].record(canonical(url))
            self.allowed[cid].add(registered_domain(url))
            self.pages_stored[cid] += 1
            if row["text"]:
                self.pages_with_text.add(cid)
            if row["depth"] == 0:
                self.outcome[cid]["final_url"] = url
        frontier: dict[str, list[scrapy.Request]] = defaultdict(list)
        for cid in {row["company_id"] for row in stored}:
            if self.allowed[cid] != {self.companies[cid]["domain"]}:
                self.moved_to[cid] = next(iter(self.allowed[cid] - {self.companies[cid]["domain"]}))
            if self.outcome[cid]["final_url"] is None:
                # pages are written as their extraction ends, so an inner page can be stored
                # before its homepage; the homepage is fetched again to find the other links
                frontier[cid].append(self.start_request(cid, self.companies[cid]))
            else:
                self.seen[cid].add(canonical(self.companies[cid]["website"]))
        for row in stored:
            if not self._may_follow(row["depth"]):
                continue
            links = page_links(load_html(decompress_html(row["html_gz"])), row["url"])
            frontier[row["company_id"]] += self._follow(links, row["company_id"], row["depth"] + 1)
        db.conn.close()
        self.logger.info("resuming: %d pages of %d sites stored, %d requests to go", len(stored),
                         len(frontier), sum(map(len, frontier.values())))
        return frontier

    def closed(self, reason: str) -> None:
        """Mark the run finished only if it ran out of work; a shutdown leaves it to resume."""
        self.pool.close()
        finished = reason == "finished"
        db = open_db(self.settings.get("RUHRINDEX_DB"))
        with db.conn:
            db["crawl_runs"].update(self.settings.getint("RUHRINDEX_RUN_ID"),
                                    {"finished_at": utcnow() if finished else None,
                                     "status": "finished" if finished else "interrupted"})
        db.conn.close()

    def outcome_rows(self, run_id: int) -> list[dict]:
        """One crawl_outcomes row per company, from what was stored and what went wrong."""
        rows = []
        for cid, outcome in self.outcome.items():
            pages = self.pages_stored.get(cid, 0)
            status, message = outcome["status"], outcome["message"]
            if pages:
                status = "ok" if cid in self.pages_with_text else "empty"
                if status == "empty":
                    message = "pages without text: JavaScript-only or blank site"
            elif status == "pending":
                status, message = "no_pages", "no page could be stored"
            if cid in self.moved_to:
                message = "; ".join(filter(None, [f"start URL redirected to {self.moved_to[cid]}",
                                                  message]))
            rows.append({"run_id": run_id, "company_id": cid, "status": status, "pages": pages,
                         "start_url": outcome["start_url"], "final_url": outcome["final_url"],
                         "message": message})
        return rows
