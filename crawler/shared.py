"""Scale-out: several crawl processes share one crawl run through Redis (scrapy-redis).

The run's request queue and duplicate filter live in Redis (scrapy-redis scheduler, persisted),
so any worker may fetch any page and no page is fetched twice. What a single crawl process
keeps in memory and must hold across workers lives in Redis too:

- the per-site page budget: a set of claimed URLs per company, claimed atomically (a Lua
  script), so a budget of 30 means 30 across all workers;
- when the run is done: the queue is empty and no worker is busy. A worker marks itself busy
  in the same atomic step that takes a request from the queue, and idle only when its own
  downloads and pages are all finished, so no worker leaves while another may still add work.

A seed step (:func:`seed`) queues the start requests and the run's configuration; workers
(:func:`run_worker`, ``ruhrindex crawl-worker``) need nothing but the Redis URL, the run id
and the store. Requests are pickled into Redis (scrapy-redis's format): use a Redis server
that only the crawl's machines can reach.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.pipelines import StorePipeline
from crawler.run import run_processes
from crawler.spiders.companies import CompanySpider
from crawler.traps import canonical
from ruhrindex.store import open_db

#: A busy mark outlives a worker that died without saying so, but not forever.
BUSY_SECONDS = 600

_CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
return found[1]
"""
_FINISHED = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. worker) == 1 then return 0 end
end
return 1
"""


class SharedRunError(Exception):
    """The Redis server or the shared run is not usable; the message says why."""


@dataclass
class SharedRun:
    """The Redis keys of one crawl run, and the atomic steps workers take on them."""

    server: redis.Redis
    run_id: int
    worker: str = ""

    @classmethod
    def connect(cls, url: str, run_id: int) -> SharedRun:
        try:
            server = redis.Redis.from_url(url)
            server.ping()
        except (ValueError, redis.RedisError) as exc:
            raise SharedRunError(f"cannot use Redis at {url}: {exc}") from None
        return cls(server, run_id, f"{socket.gethostname()}-{os.getpid()}")

    def key(self, name: str) -> str:
        return f"ruhrindex:run:{self.run_id}:{name}"

    def claim(self, company_id: str, url: str, budget: int) -> bool:
        """Reserve *url* for crawling unless it is taken or the company's budget is spent."""
        return bool(self.server.eval(_CLAIM, 1, self.key(f"claimed:{company_id}"), url, budget))

    def pop(self, queue_key: str) -> bytes | None:
        """Take the most urgent request and mark this worker busy, in one atomic step."""
        return self.server.eval(_POP, 2, queue_key, self.key(f"busy:{self.worker}"),
                                BUSY_SECONDS)

    def join(self) -> None:
        self.server.sadd(self.key("workers"), self.worker)

    def idle(self) -> None:
        self.server.delete(self.key(f"busy:{self.worker}"))

    def finished(self) -> bool:
        return bool(self.server.eval(_FINISHED, 2, self.key("requests"), self.key("workers"),
                                     self.key("busy:")))

    def count_page(self) -> None:
        self.server.hincrby(self.key("pages_by_worker"), self.worker, 1)

    def pages_by_worker(self) -> dict[str, int]:
        return {k.decode(): int(v)
                for k, v in self.server.hgetall(self.key("pages_by_worker")).items()}

    def save_config(self, config: dict) -> None:
        if not self.server.set(self.key("config"), json.dumps(config), nx=True):
            raise SharedRunError(f"run {self.run_id} is already seeded in this Redis database")

    def load_config(self) -> dict:
        raw = self.server.get(self.key("config"))
        if raw is None:
            raise SharedRunError(f"run {self.run_id} is not seeded in this Redis database; "
                                 "start it with `ruhrindex crawl --redis URL` first")
        return json.loads(raw)

    def expire(self, seconds: int) -> None:
        """Let the run's keys go after *seconds*; a finished run needs none of them."""
        for key in self.server.scan_iter(match=self.key("*")):
            self.server.expire(key, seconds)


def scrapy_settings(redis_url: str, run_id: int) -> dict:
    """Settings that put a crawl process on the shared run."""
    shared = SharedRun(server=None, run_id=run_id)  # only for the key names
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.shared.SharedScheduler",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": shared.key("requests"),
        "SCHEDULER_DUPEFILTER_KEY": shared.key("dupefilter"),
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "RUHRINDEX_SPIDER": "crawler.shared.SharedCompanySpider",
        "ITEM_PIPELINES": {"crawler.shared.SharedStorePipeline": 300},
    }


def seed(redis_url: str, run_id: int, companies: list[dict], page_budget: int,
         settings: dict) -> dict:
    """Queue the start requests of *companies* and the run's configuration in Redis.

    Returns the crawl settings every worker of the run uses (also saved in Redis, without the
    store path, which each worker names itself).
    """
    shared = SharedRun.connect(redis_url, run_id)
    run_settings = {**settings, **scrapy_settings(redis_url, run_id)}
    shared.save_config({"companies": companies, "page_budget": page_budget,
                        "settings": {k: v for k, v in run_settings.items()
                                     if k not in ("RUHRINDEX_DB", "LOG_LEVEL")}})
    spider = SharedCompanySpider(companies=companies, page_budget=page_budget)
    queue = PriorityQueue(shared.server, spider, shared.key("requests"))
    dupefilter = RFPDupeFilter(shared.server, shared.key("dupefilter"))

    for request in (spider.start_request(cid, c) for cid, c in spider.companies.items()):
        shared.claim(request.meta["company_id"], canonical(request.url), page_budget)
        dupefilter.request_seen(request)
        queue.push(request)
    print(f"run {run_id} queued in Redis; more workers on this machine may join it: ruhrindex "
          f"crawl-worker --redis {redis_url} --run {run_id} --db {settings['RUHRINDEX_DB']}",
          file=sys.stderr)
    return run_settings


def run_worker(db_path: str, redis_url: str, run_id: int, processes: int = 1,
               log_level: str = "INFO", progress: bool = True) -> None:
    """Join seeded run *run_id* with *processes* crawl processes writing to the store *db_path*.

    Workers of one run share one store, so they run on the machine that holds it (see the
    README on several machines).
    """
    shared = SharedRun.connect(redis_url, run_id)
    config = shared.load_config()
    if open_db(db_path)["crawl_runs"].count_where("run_id = ?", [run_id]) == 0:
        raise SharedRunError(f"run {run_id} is not in the store {db_path}; workers write to "
                             "the store the run was started with")
    settings = {**config["settings"], "RUHRINDEX_DB": db_path, "LOG_LEVEL": log_level}
    run_processes(db_path, run_id,
                  [(settings, config["companies"], config["page_budget"], progress)] * processes)


def finish(redis_url: str, run_id: int) -> dict[str, int]:
    """After the run: pages stored per worker; the run's keys expire after a day."""
    shared = SharedRun.connect(redis_url, run_id)
    pages = shared.pages_by_worker()
    shared.expire(24 * 3600)
    return pages


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, taking requests with the run's atomic pop-and-mark-busy."""

    def open(self, spider):
        super().open(spider)
        spider.shared.join()

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        data = self.spider.shared.pop(self.queue.key)
        if data is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        return self.queue._decode_request(data)


class SharedCompanySpider(CompanySpider):
    """The company spider on a shared run: budget claims and the end of the run in Redis."""

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.shared = SharedRun.connect(crawler.settings.get("REDIS_URL"),
                                          crawler.settings.getint("RUHRINDEX_RUN_ID"))
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    async def start(self):
        """Set up every company's state; the start requests themselves are already queued."""
        for _ in self.site_requests():
            pass
        return
        yield  # an async generator that yields nothing

    def _follow(self, links, cid: str, depth: int):
        for request in super()._follow(links, cid, depth):
            if self.shared.claim(cid, canonical(request.url), self.page_budget):
                yield request

    def on_idle(self) -> None:
        """Stay open while other workers may still add requests to the shared queue."""
        self.shared.idle()
        if not self.shared.finished():
            raise DontCloseSpider


class SharedStorePipeline(StorePipeline):
    """The store pipeline for one of several workers writing the same run.

    Each worker saw only some pages of a company, so outcomes are merged with what other
    workers wrote: the most informative status wins and the page count comes from the store.
    """

    _RANK = {"ok": 3, "empty": 2, "no_pages": 0}  # any other status (a failure) ranks 1

    @classmethod
    def _rank(cls, row: dict) -> int:
        return cls._RANK.get(row["status"], 1)

    def warc_path(self, path: str) -> str:
        # one WARC file per worker: records of two processes must not interleave
        return f"{path.removesuffix('.warc.gz')}-{self.crawler.spider.shared.worker}.warc.gz"

    def process_item(self, item):
        stored = super().process_item(item)
        self.crawler.spider.shared.count_page()
        return stored

    def write_outcomes(self, rows: list[dict]) -> None:
        conn = self.db.conn
        with conn:
            conn.execute("BEGIN IMMEDIATE")  # read-merge-write without another worker between
            old = {r["company_id"]: r
                   for r in self.db["crawl_outcomes"].rows_where("run_id = ?", [self.run_id])}
            pages = dict(conn.execute("select company_id, count(*) from pages where run_id = ? "
                                      "group by company_id", [self.run_id]).fetchall())
            merged = []
            for row in rows:
                best = old.get(row["company_id"])
                best = row if best is None or self._rank(row) > self._rank(best) else dict(best)
                merged.append({**best, "pages": pages.get(row["company_id"], 0)})
            self.db["crawl_outcomes"].upsert_all(merged, pk=("run_id", "company_id"))
