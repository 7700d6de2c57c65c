"""Downloader middlewares of the project."""

from __future__ import annotations


class ForwardProxyMiddleware:
    """Send every request, robots.txt included, through ``RUHRINDEX_PROXY`` when it is set.

    Scrapy's own proxy support reads ``request.meta["proxy"]``, but robots.txt requests are
    created by Scrapy without our meta; setting it here covers them too.
    """

    def __init__(self, proxy: str | None):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("RUHRINDEX_PROXY"))

    def process_request(self, request, spider=None):
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy
        return None
