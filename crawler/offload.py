"""Page analysis (links, trafilatura, job ads, compression) in worker processes, off the reactor.

Extraction costs far more CPU than fetching; run on the reactor thread it stalls every
download for tens of milliseconds per page. A process pool lets the crawl keep fetching while
pages are analysed on the other cores. Only plain data crosses the process boundary; the
SQLite writes stay in the crawl process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from crawler.extract import Extracted, extract, load_html
from crawler.jobs import find_job_ads
from crawler.links import Link, page_links
from crawler.outcomes import is_parked
from ruhrindex.store import compress_html

#: The pool is replaced after this many pages, so memory that lxml and trafilatura's caches
#: keep cannot grow without bound over a crawl of thousands of sites. (Not the executor's
#: max_tasks_per_child: on Python 3.11 a pool whose workers retire that way can hang.)
PAGES_PER_POOL = 5000
WARM_UP = "<html><head><title>Start</title></head><body><p>Guten Tag.</p></body></html>"


@dataclass
class Analysed:
    page: Extracted
    job_ads: list[dict]
    html_gz: bytes
    links: list[Link]
    parked: bool  # a parked or for-sale domain (checked on start pages only)


def analyse(html: str, url: str, start: bool = False) -> Analysed:
    """Everything the crawl needs from one page, computed from its HTML alone.

    The page is parsed once; links, job ads and extraction all read that parse
    (trafilatura works on a copy).
    """
    tree = load_html(html)
    parked = start and is_parked(
        " ".join(tree.xpath("//body//text()")) if tree is not None else "", html)
    page = extract(html, url, tree)
    return Analysed(page=page, job_ads=find_job_ads(tree, url, page.text),
                    html_gz=compress_html(html), links=page_links(tree, url), parked=parked)


class AnalysisPool:
    """A process pool whose results are awaited on the reactor's asyncio loop.

    ``workers=0`` analyses in the calling process (for debugging and profiling).
    """

    def __init__(self, workers: int, pages_per_pool: int = PAGES_PER_POOL):
        self.workers, self.pages_per_pool = workers, pages_per_pool
        self.submitted = 0
        self.executor = self._new_executor() if workers > 0 else None
        self.handover: asyncio.Future | None = None  # the retired pool, until its workers exit

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn, not fork: the crawl process runs threads (DNS, reactor) that a fork would
        # copy in an undefined state.
        return ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("spawn"))

    def warm_up(self) -> None:
        """Start every worker now: each loads its libraries and models (about a second)
        while the crawl fetches robots.txt files, not when the first pages arrive."""
        for _ in range(self.workers):
            self.executor.submit(analyse, WARM_UP, "http://warm-up.invalid/")

    async def analyse(self, html: str, url: str, start: bool = False) -> Analysed:
        if self.executor is None:
            return analyse(html, url, start)
        self.submitted += 1
        if self.submitted % self.pages_per_pool == 0:
            # pages already submitted finish in the old pool; new ones wait until its workers
            # have exited, so old and new workers never hold memory side by side
            retired, self.executor = self.executor, self._new_executor()
            self.handover = asyncio.ensure_future(asyncio.to_thread(retired.shutdown, wait=True))
        if self.handover is not None:
            await asyncio.shield(self.handover)
            self.handover = None
        return await asyncio.wrap_future(self.executor.submit(analyse, html, url, start))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
