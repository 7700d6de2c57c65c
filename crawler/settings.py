"""Scrapy settings for polite broad crawls of many small company sites.

Broad-crawl practice: high global concurrency, 1-2 requests at a time per site, AutoThrottle,
robots.txt obeyed, short timeouts and few retries with backoff (Retry-After honoured), no
cookies, a size cap on downloads (checked again after decompression), FIFO disk queues under
the run's JOBDIR so pending requests do not fill memory. Values prefixed ``RUHRINDEX_``
configure the project's own components.
"""

import os

from ruhrindex.config import USER_AGENT

BOT_NAME = "ruhrindex"
SPIDER_MODULES = ["crawler.spiders"]
USER_AGENT = USER_AGENT
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
REACTOR_THREADPOOL_MAXSIZE = 20
# Outputs of one response handled at once. A page yields one item and its links; Scrapy starts
# this many asyncio tasks per response, and the default 100 cost 15 % of the crawl's CPU.
CONCURRENT_ITEMS = 4
DNSCACHE_ENABLED = True
DNS_TIMEOUT = 10
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_PRIORITY_ADJUST = -10  # a retried request queues behind fresh ones: a simple backoff
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DOWNLOADER_STATS = False  # byte and request counts nobody reads, updated twice per request
LOG_LEVEL = "INFO"
DEPTH_LIMIT = 3  # checked by the spider itself (crawler/spiders/companies.py)
# Breadth-first inside each priority, as recommended for broad crawls; used on disk with JOBDIR.
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
METAREFRESH_ENABLED = True
METAREFRESH_MAXDELAY = 30

DOWNLOAD_HANDLERS = {"http": "crawler.handlers.PooledHTTPDownloadHandler",
                     "https": "crawler.handlers.PooledHTTPDownloadHandler"}
# Every middleware runs for every request or every output of every page. Off: Scrapy's own
# off-site filter (CompanyScopeMiddleware decides per company), HTTP auth (none is sent),
# referer headers, URL length (crawler/traps.py caps it), depth (the spider sets and checks
# depth itself, and every request it makes ends in a callback it counts) and a debugging aid
# for copied meta keys.
DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100): no robots.txt fetch for a refused request
    "crawler.middlewares.CompanyScopeMiddleware": 40,
    "crawler.middlewares.PrivateAddressMiddleware": 45,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.ForwardProxyMiddleware": 740,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    "crawler.warc.RawResponseMiddleware": 950,  # only with RUHRINDEX_WARC
}
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}

RUHRINDEX_DB = "ruhrindex.db"
RUHRINDEX_RUN_ID = None
RUHRINDEX_PAGE_BUDGET = 30
#: Sites one crawl process works on at once (crawler/pacing.py): enough to keep every
#: concurrent request busy, few enough that memory does not grow with the company list.
RUHRINDEX_OPEN_SITES = 128
#: Continue a run from what the store holds (pages, their links) instead of starting afresh.
RUHRINDEX_RESUME = False
#: Crawl hosts on loopback/private/link-local addresses (demo and tests only).
RUHRINDEX_ALLOW_PRIVATE = False
#: Longest Retry-After (seconds) worth waiting for; longer ones are recorded as HTTP errors.
RUHRINDEX_RETRY_AFTER_MAX = 30
#: An HTTP proxy for every request (corporate proxies; the demo's sample web).
RUHRINDEX_PROXY = None
#: Processes that extract text from pages while the crawl goes on (0: in the crawl process).
#: One core is left to the crawl process: its reactor needs about as much CPU per page as
#: the analysis of the page does.
RUHRINDEX_EXTRACT_WORKERS = max(1, (os.cpu_count() or 1) - 1)
#: Also keep every stored page's raw HTTP response in this WARC file (None: store only).
RUHRINDEX_WARC = None
#: The spider class a crawl process runs (the shared-run spider when crawling via Redis).
RUHRINDEX_SPIDER = "crawler.spiders.companies.CompanySpider"
