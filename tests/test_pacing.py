"""Open-site pacing: a bounded number of sites in work, whatever the length of the list."""

from __future__ import annotations

import asyncio

from crawler.pacing import OpenSites
from crawler.run import CrawlOptions, crawl
from ruhrindex.sample_web import VirtualHostServer
from ruhrindex.sample_web.generated import generated_sites


def test_a_site_closes_with_its_last_request_and_makes_room():
    async def scenario():
        sites = OpenSites(limit=2)
        sites.add("a")
        sites.add("b", 2)
        waiting = asyncio.create_task(sites.room())
        await asyncio.sleep(0.01)
        assert not waiting.done()  # two sites open, limit 2
        sites.end("b")
        await asyncio.sleep(0.01)
        assert not waiting.done()  # b still has a request out
        sites.add("a")  # a page of a yields a link before it ends
        sites.end("a")
        sites.end("b")
        await asyncio.wait_for(waiting, 1)
        return dict(sites.outstanding)

    assert asyncio.run(scenario()) == {"a": 1}


def test_an_unseen_end_does_not_stall_the_crawl():
    async def scenario():
        sites = OpenSites(limit=1, patience=0.05)
        sites.add("lost")
        await asyncio.wait_for(sites.room(), 1)
        sites.end("never-opened")  # an end without a start is ignored
        return len(sites)

    assert asyncio.run(scenario()) == 1


def test_crawl_works_on_at_most_the_open_sites_limit(tmp_path, db, import_companies):
    sites = generated_sites(6, pages=4)
    import_companies(db, {host.split(".")[1]: f"http://{host}/" for host in sites})
    with VirtualHostServer(sites) as server:
        crawl(str(tmp_path / "test.db"), None,
              CrawlOptions(delay=0.0, proxy=server.proxy_url, allow_private=True,
                           log_level="ERROR", progress=False,
                           extra_settings={"RUHRINDEX_OPEN_SITES": 2}))
        hosts = [hit.split("/")[0] for hit in server.hits]
    assert db["pages"].count == sum(len(pages) - 1 for pages in sites.values())  # no robots.txt
    # a site is open from its first request to its last; the server saw at most two at once
    span = {host: (hosts.index(host), len(hosts) - hosts[::-1].index(host)) for host in sites}
    assert max(sum(first <= n < last for first, last in span.values())
               for n in range(len(hosts))) == 2
