"""Scale-out: two crawl workers share one run through a real redis-server on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from company_lists.importer import import_files
from crawler.run import CrawlOptions, crawl
from crawler.shared import SharedRun, SharedRunError, run_worker
from ruhrindex.sample_web import Resource, VirtualHostServer
from ruhrindex.sample_web.generated import generated_sites


@pytest.fixture
def redis_url(tmp_path, system_tool):
    binary = system_tool("redis-server", debian_package="redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


def _import(db, tmp_path: Path, sites: dict) -> None:
    rows = "company_id,name,ags,website\n" + "".join(
        f"{host.split('.')[1]},{host},05911000,http://{host}/\n" for host in sites)
    listing = tmp_path / "list.csv"
    listing.write_text(rows, encoding="utf-8")
    assert not import_files(db, [listing]).errors


def _crawl(tmp_path: Path, sites: dict, **options) -> tuple[int, list[str]]:
    with VirtualHostServer(sites) as server:
        run_id = crawl(str(tmp_path / "test.db"), None,
                       CrawlOptions(delay=0.0, proxy=server.proxy_url, log_level="ERROR",
                                    progress=False, **options))
        return run_id, [hit for hit in server.hits if not hit.endswith("/robots.txt")]


def _pages(db, run_id: int) -> dict[str, tuple]:
    return {r["url"]: (r["company_id"], r["title"], r["text"])
            for r in db["pages"].rows_where("run_id = ?", [run_id])}


def test_two_workers_crawl_each_page_once_and_match_a_single_worker(tmp_path, db, redis_url):
    # slow pages: a worker that finds the queue empty at its start looks again on Scrapy's
    # 5-second heartbeat, and the run must last long enough for both workers to take part
    sites = {host: {path: replace(resource, delay=0.3) for path, resource in pages.items()}
             for host, pages in generated_sites(8, pages=12).items()}
    _import(db, tmp_path, sites)
    shared_run, shared_hits = _crawl(tmp_path, sites, redis_url=redis_url, workers=2,
                                     extra_settings={"CONCURRENT_REQUESTS": 4})
    single_run, _ = _crawl(tmp_path, sites)

    assert [hit for hit, n in Counter(shared_hits).items() if n > 1] == []
    by_worker = SharedRun.connect(redis_url, shared_run).pages_by_worker()
    assert len(by_worker) == 2 and all(n > 0 for n in by_worker.values())
    assert sum(by_worker.values()) == len(shared_hits) == 8 * 12
    assert _pages(db, shared_run) == _pages(db, single_run)
    outcomes = {run: {r["company_id"]: (r["status"], r["pages"])
                      for r in db["crawl_outcomes"].rows_where("run_id = ?", [run])}
                for run in (shared_run, single_run)}
    assert outcomes[shared_run] == outcomes[single_run] == {
        host.split(".")[1]: ("ok", 12) for host in sites}


def _fan_site(name: str) -> dict:
    """Home links to six sections, each section to two pages of its own."""
    def page(links: list[str]) -> Resource:
        anchors = "".join(f"<a href='{link}'>{link}</a>" for link in links)
        return Resource(200, "text/html; charset=utf-8",
                        f"<html><body><p>{name} Seite</p>{anchors}</body></html>".encode())

    site = {"/": page([f"/s{k}" for k in range(6)])}
    for k in range(6):
        site[f"/s{k}"] = page([f"/s{k}/a", f"/s{k}/b"])
        site[f"/s{k}/a"] = site[f"/s{k}/b"] = page([])
    return site


def test_page_budget_holds_across_workers(tmp_path, db, redis_url):
    # a worker that has not parsed a site's homepage would, left to its own count, schedule
    # the section pages' links: only the shared count stops it
    sites = {f"www.fan{n}.test": _fan_site(f"fan{n}") for n in range(6)}
    _import(db, tmp_path, sites)
    # two requests at a time per worker, so neither worker can take the whole queue at once
    run_id, hits = _crawl(tmp_path, sites, redis_url=redis_url, workers=2, page_budget=5,
                          extra_settings={"CONCURRENT_REQUESTS": 2})
    assert all(n > 0 for n in SharedRun.connect(redis_url, run_id).pages_by_worker().values())
    counts = Counter(cid for cid, _, _ in _pages(db, run_id).values())
    assert counts == {host.split(".")[1]: 5 for host in sites}
    assert len(hits) == len(set(hits)) == 6 * 5


def test_a_worker_needs_a_seeded_run_and_a_reachable_redis(tmp_path, db, redis_url):
    with pytest.raises(SharedRunError, match="not seeded"):
        run_worker(str(tmp_path / "test.db"), redis_url, 99)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(SharedRunError, match="cannot use Redis"):
        run_worker(str(tmp_path / "test.db"), f"redis://127.0.0.1:{closed_port}/0", 1)
    with pytest.raises(SharedRunError, match="cannot use Redis"):
        run_worker(str(tmp_path / "test.db"), "http://not-redis/", 1)
    with pytest.raises(SharedRunError, match="cannot use Redis"):
        crawl(str(tmp_path / "test.db"), None,
              CrawlOptions(redis_url=f"redis://127.0.0.1:{closed_port}/0", progress=False))
    assert db["crawl_runs"].count == 0


def test_several_workers_without_redis_are_refused_before_a_run_starts(tmp_path, db):
    with pytest.raises(ValueError, match="through Redis"):
        crawl(str(tmp_path / "test.db"), None, CrawlOptions(workers=2, progress=False))
    assert db["crawl_runs"].count == 0
