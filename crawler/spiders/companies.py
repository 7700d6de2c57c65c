"""One spider over many company sites: homepage first, then the most informative links.

Per-site state (allowed domains, pages scheduled) lives on the spider, keyed by company id;
requests carry only that id, so they stay serialisable for disk queues.
"""

from __future__ import annotations

from collections import defaultdict

import scrapy
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from crawler.links import canonical, is_asset, link_value
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
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.outcome: dict[str, dict] = {}
        self.pages_stored: dict[str, int] = defaultdict(int)
        self.pages_with_text: set[str] = set()

    async def start(self):
        for cid, company in self.companies.items():
            self.seen[cid].add(canonical(company["website"]))
            self.outcome[cid] = {"status": "pending", "start_url": company["website"],
                                 "final_url": None, "message": None}
            yield scrapy.Request(company["website"], callback=self.parse, errback=self.failed,
                                 meta={"company_id": cid, "start": True}, priority=100)

    def parse(self, response):
        cid = response.meta["company_id"]
        domain = registered_domain(response.url)
        if domain not in self.allowed[cid]:
            if response.meta.get("start"):
                # The start URL moved to a new domain (rebranding, merger): follow it once.
                self.allowed[cid].add(domain)
                self.outcome[cid]["message"] = f"start URL redirected to {domain}"
            else:
                self._note(cid, "redirected_offsite", f"{response.url} is off-site")
                return
        if response.meta.get("start"):
            self.outcome[cid]["final_url"] = response.url
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get("Content-Type") or b"text/html"
        ).lower():
            self._note(cid, "not_html", f"{response.url} is not HTML")
            return
        yield {"company_id": cid, "url": response.url, "http_status": response.status,
               "depth": response.meta.get("depth", 0), "html": response.text}
        yield from self._follow(response, cid)

    def _follow(self, response: TextResponse, cid: str):
        candidates = {}
        for anchor in response.css("a[href]"):
            href = anchor.attrib["href"].strip()
            if href.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            url = canonical(response.urljoin(href))
            if not url.startswith(("http://", "https://")) or is_asset(url):
                continue
            if registered_domain(url) not in self.allowed[cid] or url in self.seen[cid]:
                continue
            text = " ".join(anchor.css("::text").getall())
            candidates[url] = max(candidates.get(url, -999), link_value(url, text))
        for url, value in sorted(candidates.items(), key=lambda kv: -kv[1]):
            if len(self.seen[cid]) >= self.page_budget:
                break
            self.seen[cid].add(url)
            yield response.follow(url, callback=self.parse, errback=self.failed,
                                  meta={"company_id": cid}, priority=value)

    def failed(self, failure):
        cid = failure.request.meta["company_id"]
        if failure.check(HttpError):
            status = failure.value.response.status
            kind, message = f"http_{status}", f"HTTP {status} at {failure.request.url}"
        elif failure.check(DNSLookupError):
            kind, message = "dns_failure", str(failure.value)
        elif failure.check(TimeoutError, TCPTimedOutError):
            kind, message = "timeout", str(failure.value)
        elif failure.check(ConnectionRefusedError):
            kind, message = "unreachable", str(failure.value)
        elif "robots.txt" in str(failure.value):
            kind, message = "robots_disallowed", str(failure.value)
        else:
            kind, message = "error", f"{failure.type.__name__}: {failure.value}"
        if failure.request.meta.get("start"):
            self._note(cid, kind, message)
        self.logger.info("%s: %s", cid, message)

    def _note(self, cid: str, status: str, message: str) -> None:
        if self.outcome[cid]["status"] == "pending":
            self.outcome[cid].update(status=status, message=message)
