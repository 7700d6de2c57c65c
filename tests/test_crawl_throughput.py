"""Extraction in worker processes and the WARC option, against the sample web on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from company_lists.importer import import_files
from crawler.extract import extract
from crawler.offload import AnalysisPool
from crawler.run import CrawlOptions, crawl
from ruhrindex.sample_web import VirtualHostServer, build_sites
from ruhrindex.store import decompress_html

HOSTS = ["www.datenwerk-analytics.test", "www.kraemer-stahlbau.test"]


def _import(db, tmp_path: Path) -> None:
    rows = "company_id,name,ags,website\n" + "".join(
        f"c{i},C{i},05911000,http://{host}/\n" for i, host in enumerate(HOSTS))
    listing = tmp_path / "list.csv"
    listing.write_text(rows, encoding="utf-8")
    assert not import_files(db, [listing]).errors


def _crawl(tmp_path: Path, **options) -> int:
    with VirtualHostServer(build_sites()) as server:
        return crawl(str(tmp_path / "test.db"), None,
                     CrawlOptions(delay=0.0, proxy=server.proxy_url, log_level="ERROR",
                                  progress=False, **options))


def test_pool_extraction_stores_what_in_process_extraction_stores(tmp_path, db):
    _import(db, tmp_path)
    pooled = _crawl(tmp_path, extract_workers=2)
    inline = _crawl(tmp_path, extract_workers=0)
    rows = {run: {r["url"]: (r["title"], r["lang"], r["text"])
                  for r in db["pages"].rows_where("run_id = ?", [run])}
            for run in (pooled, inline)}
    assert len(rows[pooled]) >= 10
    assert rows[pooled] == rows[inline]
    # and both equal extracting the stored HTML again in this process
    for row in db["pages"].rows_where("run_id = ?", [pooled]):
        page = extract(decompress_html(row["html_gz"]), row["url"])
        assert (page.title, page.lang, page.text) == rows[pooled][row["url"]]


def test_analysis_pool_replaced_mid_crawl_answers_every_page():
    pages = [(f"<html><body><h1>Seite {n}</h1><p>{'Wir liefern Stahl. ' * 30}</p>"
              "</body></html>", f"http://www.s.test/{n}") for n in range(7)]
    pool = AnalysisPool(workers=1, pages_per_pool=3)

    async def run_all():
        return await asyncio.gather(*(pool.analyse(html, url) for html, url in pages))

    try:
        results = asyncio.run(asyncio.wait_for(run_all(), timeout=120))
    finally:
        pool.close()
    assert [r.page.text for r in results] == [extract(html, url).text for html, url in pages]
    assert pool.submitted == 7


def test_warc_holds_every_stored_page_and_reads_back(tmp_path, db):
    _import(db, tmp_path)
    warc = tmp_path / "pages.warc.gz"
    run_id = _crawl(tmp_path, warc=str(warc))
    stored = {r["url"]: decompress_html(r["html_gz"])
              for r in db["pages"].rows_where("run_id = ?", [run_id])}
    records = {}
    with warc.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "response":
                assert record.http_headers.get_statuscode() == "200"
                assert "text/html" in record.http_headers.get_header("Content-Type")
                records[record.rec_headers.get_header("WARC-Target-URI")] = (
                    record.content_stream().read().decode("utf-8"))
    assert len(stored) >= 10
    assert records == stored
