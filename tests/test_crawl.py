"""Scrapy against real HTTP servers on 127.0.0.1 serving the sample web and broken sites."""

from __future__ import annotations

import pytest

from company_lists.importer import import_files
from crawler.run import CrawlOptions, crawl
from ruhrindex.sample_web import Resource, VirtualHostServer, build_sites
from ruhrindex.sample_web.generated import generated_sites

HTML = "text/html; charset=utf-8"


def page(body: str, charset: str = "utf-8", head: str = "") -> Resource:
    document = f"<html lang='de'><head><title>T</title>{head}</head><body>{body}</body></html>"
    return Resource(200, f"text/html; charset={charset}", document.encode(charset))


LONG = ("Wir fertigen Präzisionsteile für den Maschinenbau und beraten unsere Kunden "
        "persönlich in allen Fragen der Fertigung. ") * 4


def sites() -> dict:
    return {
        "www.good.test": {
            "/": page(f"<p>{LONG}</p><a href='/impressum'>Impressum</a>"
                      "<a href='/karriere'>Karriere</a><a href='/ueber-uns'>Über uns</a>"
                      "<a href='/files/katalog.pdf'>Katalog</a>"
                      "<a href='http://www.elsewhere.test/'>Partner</a>"
                      "<a href='/datenschutz'>Datenschutz</a>"),
            "/impressum": page("<h1>Impressum</h1><p>Good GmbH, Amtsgericht Bochum HRB 123</p>"),
            "/ueber-uns": page(f"<h1>Über uns</h1><p>{LONG}</p>"),
            "/datenschutz": page(f"<p>{LONG}</p>"),
            "/karriere": page(f"<h1>Elektroniker (m/w/d)</h1><p>{LONG}</p>"),
            "/files/katalog.pdf": Resource(200, "application/pdf", b"%PDF-1.4"),
        },
        "www.latin.test": {"/": page(f"<p>Öffnungszeiten der Bäckerei: {LONG}</p>",
                                     charset="iso-8859-1")},
        "www.cp1252.test": {"/": page(f"<p>Preise in € – „Spezialitäten“ für Groß und Klein. "
                                      f"{LONG}</p>", charset="windows-1252")},
        "www.broken.test": {"/": Resource(200, HTML, b"<html><body><div><p>" + LONG.encode()
                                          + b"<table><tr><td>unclosed <b>tags")},
        "www.gone.test": {"/": Resource(410, HTML, b"gone")},
        "www.js-only.test": {"/": Resource(200, HTML, b"<html><body><div id='app'></div>"
                                           b"<script>render()</script></body></html>")},
        "www.binary.test": {"/": Resource(200, HTML, bytes(range(256)) * 64)},
        "www.closed.test": {"/": page(LONG),
                            "/robots.txt": Resource(200, "text/plain",
                                                    b"User-agent: *\nDisallow: /\n")},
    }


@pytest.fixture
def crawled(tmp_path, db):
    rows = "company_id,name,ags,website\n" + "\n".join(
        f"{host.split('.')[1]},{host},05911000,http://{host}/" for host in [*sites(), "www.dead.test"])
    listing = tmp_path / "list.csv"
    listing.write_text(rows + "\n", encoding="utf-8")
    assert not import_files(db, [listing]).errors
    with VirtualHostServer(sites()) as server:
        run_id = crawl(str(tmp_path / "test.db"), ["05911000"],
                       CrawlOptions(delay=0.0, proxy=server.proxy_url, log_level="ERROR",
                                    progress=False, extra_settings={"RETRY_TIMES": 0}))
        hits = list(server.hits)
    return db, run_id, hits


def test_outcomes_of_good_and_broken_sites(crawled):
    db, run_id, _ = crawled
    status = {r["company_id"]: r["status"] for r in db["crawl_outcomes"].rows_where(
        "run_id = ?", [run_id])}
    assert status == {"good": "ok", "latin": "ok", "cp1252": "ok", "broken": "ok",
                      "gone": "http_error", "js-only": "empty", "binary": "binary",
                      "closed": "robots_disallowed", "dead": "http_error"}


def test_pages_stay_on_site_skip_assets_and_keep_html(crawled):
    db, _, hits = crawled
    urls = {r["url"] for r in db["pages"].rows_where("company_id = 'good'")}
    assert {"http://www.good.test/", "http://www.good.test/impressum",
            "http://www.good.test/karriere"} <= urls
    assert not any("elsewhere" in h or h.endswith(".pdf") for h in hits)
    from ruhrindex.store import decompress_html
    row = next(db["pages"].rows_where("url = 'http://www.good.test/impressum'"))
    assert "HRB 123" in decompress_html(row["html_gz"]) and "HRB 123" in row["text"]


def test_legacy_encodings_come_out_right(crawled):
    db, _, _ = crawled
    latin = next(db["pages"].rows_where("company_id = 'latin'"))["text"]
    cp1252 = next(db["pages"].rows_where("company_id = 'cp1252'"))["text"]
    assert "Öffnungszeiten der Bäckerei" in latin
    assert "€" in cp1252 and "„Spezialitäten“" in cp1252


def test_job_ad_found_by_title_convention(crawled):
    db, _, _ = crawled
    ads = list(db["job_ads"].rows_where("company_id = 'good'"))
    assert [a["title"] for a in ads] == ["Elektroniker (m/w/d)"]


def test_sample_web_crawl_respects_page_budget(tmp_path, db):
    rows = "company_id,name,ags,website\nbig,Big,05911000,http://www.datenwerk-analytics.test/\n"
    listing = tmp_path / "l.csv"
    listing.write_text(rows, encoding="utf-8")
    import_files(db, [listing])
    with VirtualHostServer(build_sites()) as server:
        crawl(str(tmp_path / "test.db"), None,
              CrawlOptions(page_budget=3, delay=0.0, proxy=server.proxy_url,
                           log_level="ERROR", progress=False))
    urls = [r["url"] for r in db["pages"].rows]
    assert len(urls) == 3
    # the most informative pages come first: Impressum and Karriere beat Datenschutz
    assert "http://www.datenwerk-analytics.test/impressum" in urls
    assert "http://www.datenwerk-analytics.test/karriere" in urls


def test_a_crawl_that_cannot_start_is_an_error_not_an_empty_success(tmp_path, db):
    listing = tmp_path / "l.csv"
    listing.write_text("company_id,name,ags,website\na,A,05911000,http://www.a.test/\n",
                       encoding="utf-8")
    import_files(db, [listing])
    broken = {"ITEM_PIPELINES": {"crawler.pipelines.DoesNotExist": 300}}
    with pytest.raises(RuntimeError, match="did not finish"):
        crawl(str(tmp_path / "test.db"), None,
              CrawlOptions(log_level="CRITICAL", progress=False, extra_settings=broken))


def test_requests_through_a_proxy_share_its_connections(tmp_path, db, import_companies):
    # 30 sites at once through one proxy: Scrapy's own handler keeps 2 idle connections per
    # host, the proxy, and opened 127 connections for these 240 requests
    hosts = generated_sites(30, 7)
    import_companies(db, {host.split(".")[1]: f"http://{host}/" for host in hosts})
    with VirtualHostServer(hosts) as server:
        crawl(str(tmp_path / "test.db"), None,
              CrawlOptions(delay=0.0, proxy=server.proxy_url, log_level="ERROR",
                           progress=False))
    assert db["pages"].count == 30 * 7
    assert server.connections <= len(server.hits) / 4
