"""Page analysis (trafilatura, job ads, compression) in worker processes, off the reactor.

Extraction costs far more CPU than fetching; run on the reactor thread it stalls every
download for tens of milliseconds per page. A process pool lets the crawl keep fetching while
pages are analysed on the other cores. Only plain data crosses the process boundary; the
SQLite writes stay in the crawl process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from crawler.extract import Extracted, extract
from crawler.jobs import find_job_ads
from ruhrindex.store import compress_html

#: A worker is replaced after this many pages, so memory that lxml and trafilatura's caches
#: keep cannot grow without bound over a crawl of thousands of sites.
TASKS_PER_WORKER = 2000


@dataclass
class Analysed:
    page: Extracted
    job_ads: list[dict]
    html_gz: bytes


def analyse(html: str, url: str) -> Analysed:
    """Everything the store keeps about one page, computed from its HTML alone."""
    page = extract(html, url)
    return Analysed(page=page, job_ads=find_job_ads(html, url, page.text),
                    html_gz=compress_html(html))


def default_workers() -> int:
    return os.cpu_count() or 1


class AnalysisPool:
    """A process pool whose results are awaited on the reactor's asyncio loop.

    ``workers=0`` analyses in the calling process (for debugging and profiling).
    """

    def __init__(self, workers: int):
        self.executor = None
        if workers > 0:
            # spawn, not fork: the crawl process runs threads (DNS, reactor) that a fork
            # would copy in an undefined state.
            self.executor = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=TASKS_PER_WORKER)

    async def analyse(self, html: str, url: str) -> Analysed:
        if self.executor is None:
            return analyse(html, url)
        return await asyncio.wrap_future(self.executor.submit(analyse, html, url))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
