"""Downloader middlewares of the project."""

from __future__ import annotations

import ipaddress
from contextlib import suppress
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.outcomes import OffsiteRedirect, PrivateAddressRefused
from ruhrindex.urls import registered_domain


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


class CompanyScopeMiddleware:
    """Keep every request, redirects and meta refreshes included, on its company's site.

    Scrapy follows redirects inside the downloader, so an off-site check in the spider would
    come after the off-site page was already fetched. Here each request is checked before it
    leaves: the start URL may move to one new domain (rebranding, merger), which is then
    added to the company's site; any other step off the site is refused.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        cid = request.meta.get("company_id")
        if cid is None:  # robots.txt requests belong to the request that caused them
            return None
        spider = self.crawler.spider
        domain = registered_domain(request.url)
        if domain in spider.allowed[cid]:
            return None
        if request.meta.get("start") and request.meta.get("redirect_urls") \
                and not spider.moved_to.get(cid):
            spider.moved_to[cid] = domain
            spider.allowed[cid].add(domain)
            return None
        origin = (request.meta.get("redirect_urls") or ["?"])[0]
        raise OffsiteRedirect(f"redirect from {origin} to {request.url} leaves the site")


class PrivateAddressMiddleware:
    """Refuse hosts that resolve to loopback, private, link-local, multicast or reserved IPs.

    A company list is outside input: an entry like ``http://192.168.0.1/`` or a domain pointing
    at 127.0.0.1 must not make the crawler probe the network it runs in. The target host name
    is checked (also behind a proxy); a name that does not resolve here is left to the
    downloader or the proxy, which report it. Off with ``RUHRINDEX_ALLOW_PRIVATE`` (the demo
    and the tests serve their sites on 127.0.0.1).
    """

    def __init__(self):
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("RUHRINDEX_ALLOW_PRIVATE"):
            raise NotConfigured
        return cls()

    async def process_request(self, request, spider=None):
        host = urlsplit(request.url).hostname or ""
        if host not in self.verdicts:
            self.verdicts[host] = non_public_address(await _addresses(host))
        if address := self.verdicts[host]:
            raise PrivateAddressRefused(f"refused: {host} resolves to private address {address}")
        return None


async def _addresses(host: str) -> list[str]:
    """The address the downloader will connect to, from the crawl's own DNS resolver.

    Scrapy's resolver (``DNS_RESOLVER``: one A query, ``DNS_TIMEOUT``, cached) is what the
    download itself uses, so the check costs no second lookup and sees the same address.
    A direct ``getaddrinfo`` on a small thread pool stalled the whole crawl on slow lookups.
    """
    from twisted.internet import reactor  # the running one; importing it early installs one

    with suppress(ValueError):
        return [str(ipaddress.ip_address(host))]  # an address literal needs no lookup
    try:
        return [await maybe_deferred_to_future(reactor.resolve(host))]
    except (DNSLookupError, defer.TimeoutError, OSError, UnicodeError):
        return []


def non_public_address(addresses: list[str]) -> str | None:
    """The first address a public-web crawl must not contact, if any."""
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if not address.is_global or address.is_multicast:
            return text
    return None


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 with ``Retry-After`` is retried only after that wait.

    Waits longer than ``RUHRINDEX_RETRY_AFTER_MAX`` seconds are not worth holding a crawl for:
    such a response is given up at once and recorded with its Retry-After value.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RUHRINDEX_RETRY_AFTER_MAX")

    async def process_response(self, request, response, spider=None):
        wait = retry_after(response)
        if wait is None or request.meta.get("dont_retry") \
                or response.status not in self.retry_http_codes:
            return super().process_response(request, response)
        if wait > self.max_wait:
            return response
        await sleep(wait)
        return self._retry(request, f"HTTP {response.status}, Retry-After {wait:g} s") or response


def retry_after(response) -> float | None:
    """Seconds a response asks us to wait (delta-seconds or an HTTP date), or None."""
    value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
