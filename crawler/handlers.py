"""The HTTP download handler, with a connection pool that also suits crawls through a proxy."""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class PooledHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, keeping up to CONCURRENT_REQUESTS idle connections per host.

    Scrapy keeps CONCURRENT_REQUESTS_PER_DOMAIN (here 2) idle connections per host, and every
    request through an HTTP proxy (a corporate proxy, the demo's sample web) goes to the same
    host, the proxy: nearly every request opened and closed a TCP connection of its own. How
    many requests a site gets at once is left to the downloader's per-site slots; for direct
    connections the larger pool changes nothing, since no site has more connections open.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = crawler.settings.getint("CONCURRENT_REQUESTS")
