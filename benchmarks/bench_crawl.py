"""Crawl throughput and memory on many generated sites, against trafilatura's own crawler.

Run: python benchmarks/bench_crawl.py [--sites 200 2000] [--pages 20] [--no-peers] [--workers N]
Serves N SYNTHETIC company sites x P pages from 127.0.0.1 (an asyncio server in its own
process, measured alone first) and reports pages/s and peak RSS (whole process tree) for
  (a) `ruhrindex crawl` (the CLI, in a subprocess, at most 2 requests per site at a time;
      with --workers N, N crawl processes sharing the run through a throwaway redis-server),
  (b) trafilatura's focused crawler (trafilatura.spider.focused_crawler) per site, then
      trafilatura.fetch_url + trafilatura.extract on the pages it visited, sites in parallel
      threads as trafilatura's CLI does (--parallel default), one request per site at a time,
  (c) trafilatura.extract alone on the HTML (a) stored, in one process (the extraction limit),
      by default and with fast=True (the mode (a) uses),
and the ratios a/c and a/b. Peers run at the first size only; (a) runs at every size, for
peak RSS from small to large crawls.

Fairness: both reach the same server with the same host names (www.firma-00001.test).
(a) uses the server as its HTTP proxy, as the demo does. trafilatura only speaks SOCKS to
proxies, and its URL filter (courlan) drops links on bare IP addresses, so in (b)'s process
names under .test resolve to 127.0.0.1 (a stand-in for a hosts file) and it requests
http://www.firma-00001.test:PORT/ directly; the server routes by the Host header.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from bench_pipeline import extraction_rate

from company_lists.importer import import_files
from company_lists.registry import load_into
from ruhrindex.sample_web import Resource
from ruhrindex.sample_web.generated import generated_sites
from ruhrindex.store import decompress_html, open_db

NOT_FOUND = Resource(404, "text/html", b"<html><body><h1>Nicht gefunden</h1></body></html>")
UNKNOWN = Resource(502, "text/plain", b"unknown host")


# --- the site server ---------------------------------------------------------------------

def _serve(count: int, pages: int, control) -> None:
    asyncio.run(_serve_async(generated_sites(count, pages), control))


async def _serve_async(sites: dict, control) -> None:
    hits = [0]

    async def handle(reader, writer):
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                _, target, version = request_line.split(" ", 2)
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines if line)}
                parts = urlsplit(target)
                host = parts.hostname if parts.scheme else headers.get("host", "").split(":")[0]
                site = sites.get(host)
                resource = UNKNOWN if site is None else site.get(
                    parts.path.rstrip("/") or "/", NOT_FOUND)
                writer.write(f"HTTP/1.1 {resource.status} X\r\nContent-Type: "
                             f"{resource.content_type}\r\nContent-Length: {len(resource.body)}"
                             "\r\n\r\n".encode() + resource.body)
                await writer.drain()
                hits[0] += 1
                if version == "HTTP/1.0" or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    html_pages = sum(r.content_type.startswith("text/html")
                     for site in sites.values() for r in site.values())
    control.send((server.sockets[0].getsockname()[1], list(sites), html_pages))
    loop = asyncio.get_running_loop()
    while (await loop.run_in_executor(None, control.recv)) == "hits":
        control.send(hits[0])


class SiteServer:
    """The generated sites, served from a separate process (so it has a core of its own)."""

    def __init__(self, count: int, pages: int):
        self.control, child_end = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(count, pages, child_end), daemon=True)

    def __enter__(self) -> SiteServer:
        self.process.start()
        self.port, self.hosts, self.html_pages = self.control.recv()
        self.proxy_url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc) -> None:
        self.control.send("stop")
        self.process.join(10)

    def hits(self) -> int:
        self.control.send("hits")
        return self.control.recv()


def _fetch_all(urls: list[str], proxy: str) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    for url in urls:
        opener.open(url).read()


def server_rate(server: SiteServer, urls: list[str], threads: int = 8) -> float:
    """Requests/s the server answers to a simple threaded client (one connection per request)."""
    chunks = [urls[i::threads] for i in range(threads)]
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(partial(_fetch_all, proxy=server.proxy_url), chunks))
    return len(urls) / (time.perf_counter() - start)


# --- memory of a process tree ------------------------------------------------------------

def _tree_rss_mib(root: int) -> tuple[float, float]:
    """RSS of *root* and its descendants: the sum and the largest single process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    sizes, todo = [0], [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]))
        except OSError:
            continue
    return sum(sizes) / 1024, max(sizes) / 1024


def watch_peak_rss(pid: int, alive) -> tuple[float, float]:
    """Peak RSS of *pid* with all its descendants, and of its largest single process."""
    peak = largest = 0.0
    while alive():
        total, single = _tree_rss_mib(pid)
        peak, largest = max(peak, total), max(largest, single)
        time.sleep(0.2)
    return peak, largest


def run_measured(target, *args) -> tuple[object, float, tuple[float, float]]:
    """Run *target(*args, queue)* in a fresh process: its result, seconds and peak tree RSS."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    start = time.perf_counter()
    child.start()
    peak = watch_peak_rss(child.pid, lambda: child.is_alive() and queue.empty())
    result = queue.get()
    seconds = time.perf_counter() - start
    child.join()
    return result, seconds, peak


# --- (a) ruhrindex crawl -----------------------------------------------------------------

class ThrowawayRedis:
    """A redis-server on a free 127.0.0.1 port that keeps nothing on disk, for --workers."""

    def __init__(self, folder: Path):
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        self.url = f"redis://127.0.0.1:{port}/0"
        self.command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", str(folder)]

    def __enter__(self) -> ThrowawayRedis:
        import redis

        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        client, deadline = redis.Redis.from_url(self.url), time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(10)


def ruhrindex_crawl(server: SiteServer, folder: Path, workers: int = 1) -> tuple[
        Path, int, float, tuple[float, float]]:
    db_path = folder / "crawl.db"
    db = open_db(db_path)
    load_into(db)
    listing = folder / "companies.csv"
    with listing.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["company_id", "name", "ags", "website"])
        writer.writerows([host.split(".")[1], host, "05911000", f"http://{host}/"]
                         for host in server.hosts)
    import_files(db, [listing])
    command = [sys.executable, "-m", "ruhrindex", "crawl", "--all", "--db", str(db_path),
               "--proxy", server.proxy_url, "--delay", "0", "--quiet", "--log-level", "ERROR"]
    with contextlib.ExitStack() as stack:
        if workers > 1:
            redis_url = stack.enter_context(ThrowawayRedis(folder)).url
            command += ["--redis", redis_url, "--workers", str(workers)]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        peak = watch_peak_rss(process.pid, lambda: process.poll() is None)
        seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"ruhrindex crawl failed with exit code {process.returncode}")
    return db_path, open_db(db_path)["pages"].count, seconds, peak


# --- (b) trafilatura's crawler, (c) extraction alone -------------------------------------

def _trafilatura_site(homepage: str, budget: int, config) -> int:
    from trafilatura import extract, fetch_url
    from trafilatura.spider import focused_crawler

    todo, known = focused_crawler(homepage, max_seen_urls=budget, config=config)
    visited = [url for url in known if url not in set(todo)]
    for url in visited:
        html = fetch_url(url, config=config)
        if html:
            extract(html, url=url)
    return len(visited)


def _resolve_test_names_locally() -> None:
    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        local = isinstance(host, str) and host.endswith(".test")
        return resolve("127.0.0.1" if local else host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def trafilatura_crawl(homepages: list[str], budget: int, queue) -> None:
    from trafilatura.settings import PARALLEL_CORES, use_config

    _resolve_test_names_locally()
    config = use_config()
    config.set("DEFAULT", "SLEEP_TIME", "0")  # the same pace as (a): no pause between pages
    config.set("DEFAULT", "SSRF_PROTECTION", "off")  # the sites live on 127.0.0.1
    with ThreadPoolExecutor(PARALLEL_CORES) as pool:
        queue.put(sum(pool.map(partial(_trafilatura_site, budget=budget, config=config),
                               homepages)))


def extract_only(db_path: str, queue) -> None:
    from crawler.offload import analyse

    pages = [(r["url"], decompress_html(r["html_gz"])) for r in open_db(db_path)["pages"].rows]
    analyse(*pages[0][::-1])  # the first call loads the language model
    start = time.perf_counter()
    for url, html in pages:
        analyse(html, url)
    full = len(pages) / (time.perf_counter() - start)
    queue.put((len(pages), extraction_rate(pages), extraction_rate(pages, fast=True), full))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[200],
                        help="site counts to crawl; peers run at the first (default: 200)")
    parser.add_argument("--pages", type=int, default=20,
                        help="HTML pages per site, at least 7 (default: 20)")
    parser.add_argument("--no-peers", action="store_true",
                        help="measure (a) only, e.g. for peak RSS from 200 to 2,000 sites")
    parser.add_argument("--workers", type=int, default=1,
                        help="crawl processes for (a); more than 1 share the run through a "
                             "throwaway redis-server, which must be installed (default: 1)")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} cores); "
          "all sites are SYNTHETIC, served on 127.0.0.1")
    for number, count in enumerate(args.sites):
        with SiteServer(count, args.pages) as server, tempfile.TemporaryDirectory() as tmp:
            hosts = server.hosts
            probe = [f"http://{h}/{p}" for h in hosts[:50] for p in ("", "impressum", "kontakt")]
            print(f"\n{count} sites, {server.html_pages} HTML pages "
                  f"({server.html_pages / count:.0f} per site)")
            print(f"server alone:    {server_rate(server, probe * 4):8.0f} requests/s "
                  "(8 client threads, new connection per request)")
            db_path, pages, seconds, (peak, largest) = ruhrindex_crawl(server, Path(tmp),
                                                                       args.workers)
            crawl_rate = pages / seconds
            print(f"(a) ruhrindex crawl x{args.workers}:     {crawl_rate:8.1f} pages/s  {pages} pages in "
                  f"{seconds:.1f} s (wall, incl. process start), peak RSS {peak:.0f} MiB "
                  f"(largest process {largest:.0f} MiB)")
            if number or args.no_peers:
                continue
            homepages = [f"http://{host}:{server.port}/" for host in hosts]
            visited, seconds, (peak_b, _) = run_measured(trafilatura_crawl, homepages, args.pages)
            peer_rate = visited / seconds
            print(f"(b) trafilatura crawler:    {peer_rate:8.1f} pages/s  {visited} pages in "
                  f"{seconds:.1f} s, peak RSS {peak_b:.0f} MiB")
            (extracted, rate, fast, full), _, (peak_c, _) = run_measured(extract_only,
                                                                          str(db_path))
            print(f"(c) trafilatura.extract:    {rate:8.1f} pages/s  {extracted} pages, one "
                  f"process, peak RSS {peak_c:.0f} MiB")
            print(f"    the same, fast=True:    {fast:8.1f} pages/s  (trafilatura's mode that (a) "
                  "uses: no readability/jusText comparison)")
            print(f"    per-page work of (a):   {full:8.1f} pages/s  (fast extraction + title, "
                  "date, language, links, job ads, gzip: crawler.offload.analyse, one process)")
            print(f"a/c = {crawl_rate / rate:.2f} (target >= 0.8)   "
                  f"a/b = {crawl_rate / peer_rate:.2f} (target >= 2)   "
                  f"a/c with fast=True = {crawl_rate / fast:.2f}")
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
