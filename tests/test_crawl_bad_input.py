"""Hostile and broken sites, served for real on 127.0.0.1: each ends in a recorded status.

One crawl run covers most cases (one virtual host each) so the suite stays fast; cases that
need the crawler to connect directly (refused connections, DNS, private addresses) run
without the proxy.
"""

from __future__ import annotations

import gzip
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from company_lists.registry import load_into
from crawler.run import CrawlOptions, crawl
from crawler.summary import crawl_summary
from ruhrindex.cli import main
from ruhrindex.sample_web import Resource, VirtualHostServer
from ruhrindex.store import open_db

HTML = "text/html; charset=utf-8"
TEXT = ("Unser Familienbetrieb fertigt Fenster und Türen aus Holz und Aluminium und berät "
        "Bauherren im ganzen Ruhrgebiet persönlich. ") * 4


def page(body: str, head: str = "", status: int = 200) -> Resource:
    document = f"<html lang='de'><head><title>T</title>{head}</head><body>{body}</body></html>"
    return Resource(status, HTML, document.encode("utf-8"))


def redirect(location: str, status: int = 302) -> Resource:
    return Resource(status, HTML, b"", headers=(("Location", location),))


def calendar(path_and_query: str) -> Resource:
    """An endless event calendar: every month links the next and previous month and days."""
    parts = urlsplit(path_and_query)
    year, month = map(int, parse_qs(parts.query).get("monat", ["2026-11"])[0].split("-"))
    links = [f"/kalender?monat={y}-{m:02d}" for y, m in
             [(year + (month == 12), month % 12 + 1), (year - (month == 1), (month - 2) % 12 + 1)]]
    links += [f"/kalender/{year}/{month:02d}/{day:02d}" for day in (1, 8, 15)]
    return page(f"<h1>Termine {year}-{month:02d}</h1><p>{TEXT}</p>"
                + "".join(f"<a href='{link}'>Termine</a>" for link in links))


def sites() -> dict:
    real_pages = {path: page(f"<h1>{path}</h1><p>{TEXT}</p>")
                  for path in ("/impressum", "/ueber-uns", "/leistungen")}
    return {
        "www.notfound.test": {"/": page("<h1>Nicht gefunden</h1>", status=404)},
        "www.crash.test": {"/": page("<h1>Interner Fehler</h1>", status=500)},
        "www.busy.test": {"/": Resource(503, HTML, b"busy", headers=(("Retry-After", "1"),))},
        "www.loop.test": {"/": redirect("/b"), "/b": redirect("/")},
        "www.old-name.test": {"/": redirect("http://www.new-name.test/", 301)},
        "www.new-name.test": {"/": page(f"<p>{TEXT}</p><a href='/impressum'>Impressum</a>"),
                              "/impressum": page(f"<h1>Impressum</h1><p>{TEXT}</p>")},
        "www.hopper.test": {"/": redirect("http://www.hop-one.test/")},
        "www.hop-one.test": {"/": redirect("http://www.hop-two.test/")},
        "www.hop-two.test": {"/": page(TEXT)},
        "www.partner.test": {"/": page(f"<p>{TEXT}</p><a href='/partner'>Partner</a>"),
                             "/partner": redirect("http://www.elsewhere.test/")},
        "www.elsewhere.test": {"/": page(TEXT)},
        "www.tarpit.test": {"/": Resource(200, HTML, b"<html>" + b" " * 60, byte_delay=1.0)},
        "www.huge.test": {"/": Resource(200, HTML, b"<p>" + b"x" * (50 * 2**20))},
        "www.bomb.test": {"/": Resource(200, HTML, gzip.compress(bytes(64 * 2**20)),
                                        headers=(("Content-Encoding", "gzip"),))},
        "www.pixels.test": {"/": Resource(200, HTML, b"\x89PNG\r\n\x1a\n" + bytes(range(256)))},
        "www.refresh.test": {
            "/": page("Sie werden weitergeleitet.",
                      head='<meta http-equiv="refresh" content="0; url=/willkommen">'),
            "/willkommen": page(f"<h1>Willkommen</h1><p>{TEXT}</p>")},
        "www.parked.test": {"/": page("<h1>parked.test</h1><p>Diese Domain kann erworben "
                                      "werden. Jetzt Preis anfragen!</p>")},
        "www.forsale.test": {"/": page("<p>This domain is for sale.</p>",
                                       head="<script src='http://sedoparking.com/x.js'></script>")},
        "www.events.test": {
            "/": page(f"<p>{TEXT}</p><a href='/kalender'>Kalender</a>"
                      "<a href='/?PHPSESSID=a1b2c3'>Start</a>"
                      "<a href='/leistungen?utm_source=newsletter&sid=77'>Leistungen</a>"
                      "<a href='/impressum'>Impressum</a><a href='/ueber-uns'>Über uns</a>"),
            "/kalender": calendar, "/kalender/*": calendar, **real_pages},
    }


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    store = open_db(folder / "bad.db")
    load_into(store)
    hosts = [h for h in sites() if h not in ("www.new-name.test", "www.hop-one.test",
                                             "www.hop-two.test", "www.elsewhere.test")]
    listing = folder / "list.csv"
    listing.write_text("company_id,name,ags,website\n" + "".join(
        f"{h.split('.')[1]},{h},05911000,http://{h}/\n" for h in hosts), encoding="utf-8")
    from company_lists.importer import import_files
    assert not import_files(store, [listing]).errors
    settings = {"RETRY_TIMES": 1, "DOWNLOAD_TIMEOUT": 2, "RUHRINDEX_RETRY_AFTER_MAX": 5}
    with VirtualHostServer(sites()) as server:
        run_id = crawl(str(folder / "bad.db"), ["05911000"],
                       CrawlOptions(delay=0.0, proxy=server.proxy_url, allow_private=True,
                                    log_level="ERROR", progress=False, extra_settings=settings))
        hits = list(zip(server.hits, server.hit_times, strict=True))
    outcomes = {r["company_id"]: r for r in store["crawl_outcomes"].rows_where(
        "run_id = ?", [run_id])}
    return store, outcomes, hits


def urls_of(store, company_id: str) -> set[str]:
    return {r["url"] for r in store["pages"].rows_where("company_id = ?", [company_id])}


@pytest.mark.parametrize(("company", "status", "message"), [
    ("notfound", "http_error", "HTTP 404"),
    ("crash", "http_error", "HTTP 500"),
    ("busy", "http_error", "Retry-After: 1"),
    ("loop", "redirect_loop", "REDIRECT_MAX_TIMES"),
    ("hopper", "redirected_offsite", "www.hop-two.test"),
    ("tarpit", "timeout", "took longer than 2.0 seconds"),
    ("huge", "too_large", "download max size"),
    ("bomb", "too_large", "DOWNLOAD_MAXSIZE"),
    ("pixels", "binary", "binary data"),
    ("parked", "parked", "parked"),
    ("forsale", "parked", "parked"),
])
def test_each_bad_site_ends_in_a_recorded_status_and_stores_nothing(bad_crawl, company, status,
                                                                    message):
    store, outcomes, _ = bad_crawl
    outcome = outcomes[company]
    assert (outcome["status"], outcome["pages"]) == (status, 0)
    assert message in outcome["message"]
    assert not urls_of(store, company)


def test_the_crawl_goes_on_past_bad_sites(bad_crawl):
    store, outcomes, _ = bad_crawl
    assert outcomes["events"]["status"] == "ok" and outcomes["partner"]["status"] == "ok"
    assert len(outcomes) == 15
    assert store["crawl_runs"].get(1)["status"] == "finished"


def test_retry_after_is_honoured_before_giving_up(bad_crawl):
    _, _, hits = bad_crawl
    times = [t for url, t in hits if url == "www.busy.test/"]
    assert len(times) == 2 and times[1] - times[0] >= 0.95
    crash = [url for url, _ in hits if url == "www.crash.test/"]
    assert len(crash) == 2  # RETRY_TIMES = 1


def test_start_url_moving_to_a_new_domain_is_followed_once_and_recorded(bad_crawl):
    store, outcomes, hits = bad_crawl
    moved = outcomes["old-name"]
    assert moved["status"] == "ok" and moved["final_url"] == "http://www.new-name.test/"
    assert "redirected to new-name.test" in moved["message"]
    assert urls_of(store, "old-name") == {"http://www.new-name.test/",
                                          "http://www.new-name.test/impressum"}
    assert not any(url.startswith("www.hop-two.test") for url, _ in hits)


def test_inner_page_redirecting_off_site_is_not_followed(bad_crawl):
    store, _, hits = bad_crawl
    assert urls_of(store, "partner") == {"http://www.partner.test/"}
    assert not any(url.startswith("www.elsewhere.test") for url, _ in hits)


def test_meta_refresh_is_followed_within_the_site(bad_crawl):
    store, outcomes, _ = bad_crawl
    assert urls_of(store, "refresh") == {"http://www.refresh.test/willkommen"}
    assert outcomes["refresh"]["final_url"] == "http://www.refresh.test/willkommen"


def test_calendar_trap_and_session_ids_are_cut_short(bad_crawl):
    store, outcomes, hits = bad_crawl
    urls = urls_of(store, "events")
    assert {"http://www.events.test/impressum", "http://www.events.test/ueber-uns",
            "http://www.events.test/leistungen"} <= urls
    calendar_pages = [u for u in urls if "kalender?" in u or "kalender/" in u]
    assert 1 <= len(calendar_pages) <= 3  # without the limit: 10+ reachable within depth 3
    assert not any("PHPSESSID" in url or "utm_" in url for url, _ in hits)
    assert [url for url, _ in hits].count("www.events.test/leistungen") == 1
    assert outcomes["events"]["pages"] == len(urls) < 30


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
        return sock.getsockname()[1]


def _outcomes(store, run_id: int) -> dict[str, dict]:
    return {r["company_id"]: r for r in store["crawl_outcomes"].rows_where("run_id = ?",
                                                                           [run_id])}


def test_private_addresses_are_refused_unless_allowed(tmp_path, db, import_companies):
    site = {"/": page(f"<p>{TEXT}</p>")}
    with VirtualHostServer({"127.0.0.1": site}) as server:
        port = server.httpd.server_address[1]
        import_companies(db, {"local": f"http://127.0.0.1:{port}/",
                              "byname": "http://www.intranet.test/",
                              "router": "http://router.firma.test/",
                              "nohost": "http://www.nohost.test/"})
        options = CrawlOptions(delay=0.0, log_level="ERROR", progress=False,
                               extra_settings={"RETRY_TIMES": 0,
                                               "DNS_RESOLVER": "hosts_resolver.HostsResolver"})
        refused_run = crawl(str(tmp_path / "test.db"), None, options)
        hits_without_switch = list(server.hits)
        options.allow_private = True
        allowed_run = crawl(str(tmp_path / "test.db"), None, options)
    refused = _outcomes(db, refused_run)
    assert refused["local"]["status"] == "refused_private"
    assert "refused: 127.0.0.1 resolves to private address" in refused["local"]["message"]
    # names are checked with the crawl's own resolver, the one its downloads use
    assert "www.intranet.test resolves to private address 127.0.0.1" in refused["byname"]["message"]
    assert refused["router"]["status"] == "refused_private"
    assert hits_without_switch == []  # not even robots.txt was fetched
    assert refused["nohost"]["status"] == "dns_failure"
    assert _outcomes(db, allowed_run)["local"]["status"] == "ok"


def test_connection_refused_is_unreachable(tmp_path, db, import_companies):
    import_companies(db, {"closed": f"http://127.0.0.2:{_closed_port()}/"})
    run_id = crawl(str(tmp_path / "test.db"), None,
                   CrawlOptions(delay=0.0, allow_private=True, log_level="ERROR",
                                progress=False, extra_settings={"RETRY_TIMES": 0}))
    outcome = _outcomes(db, run_id)["closed"]
    assert outcome["status"] == "unreachable" and "127.0.0.2" in outcome["message"]


def test_crawl_summary_gives_coverage_per_municipality(bad_crawl):
    store, outcomes, _ = bad_crawl
    [row] = crawl_summary(store, 1)
    reached = [cid for cid, o in outcomes.items() if o["pages"]]
    assert sorted(reached) == ["events", "old-name", "partner", "refresh"]
    assert (row["municipality"], row["companies"], row["reached"]) == ("Bochum", 15, 4)
    assert row["coverage"] == pytest.approx(4 / 15)
    assert row["pages_per_company"] == pytest.approx(sum(o["pages"] for o in
                                                         outcomes.values()) / 15)
    assert row["outcomes"]["http_error"] == 3 and row["outcomes"]["parked"] == 2
    path = store.execute("pragma database_list").fetchone()[2]
    result = CliRunner().invoke(main, ["crawl-summary", "--db", path])
    assert result.exit_code == 0, result.output
    assert "crawl run 1" in result.output and "27%" in result.output
    assert "too_large 2" in result.output
