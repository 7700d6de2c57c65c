"""How many company sites one crawl process works on at once.

Scrapy keeps reading a spider's start requests while its downloader is busy, so a list of
thousands of companies would be queued at once: a disk queue, a downloader slot and a
robots.txt parser per site from the first minute on, and memory that grows with the list.
The spider opens a new site only when one of a bounded number of open sites is done, that is
when none of its requests is left: each ends in the callback, the errback or the scheduler's
``request_dropped`` signal.
"""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)


class OpenSites:
    """Requests still outstanding per open site, and a wait for room to open another."""

    def __init__(self, limit: int, patience: float = 30.0):
        self.limit = limit
        self.patience = patience  # seconds without a site ending before one more is opened
        self.outstanding: dict[str, int] = {}
        self._ended = asyncio.Event()

    def __len__(self) -> int:
        return len(self.outstanding)

    def add(self, cid: str, requests: int = 1) -> None:
        self.outstanding[cid] = self.outstanding.get(cid, 0) + requests

    def end(self, cid: str) -> None:
        """One request of *cid* has ended; the site closes with its last one."""
        left = self.outstanding.get(cid, 0) - 1
        if left > 0:
            self.outstanding[cid] = left
            return
        self.outstanding.pop(cid, None)
        self._ended.set()

    async def room(self) -> None:
        """Wait until fewer than *limit* sites are open.

        A request that ended unseen would hold its site open forever; after *patience*
        seconds without any site ending the wait gives up, so the crawl never stalls on it.
        """
        while len(self.outstanding) >= self.limit:
            self._ended.clear()
            try:
                await asyncio.wait_for(self._ended.wait(), self.patience)
            except TimeoutError:
                logger.debug("no site ended for %.0f s; opening one more", self.patience)
                return
