"""URL canonicalisation, trap limits, parking and binary detection, Retry-After parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy.http import Response

from crawler.extract import load_html
from crawler.links import link_value, page_links
from crawler.middlewares import non_public_address, retry_after
from crawler.outcomes import is_parked, looks_binary
from crawler.traps import SiteTraps, TrapLimits, canonical, is_calendar


@pytest.mark.parametrize(("raw", "expected"), [
    ("http://a.test/p?b=2&a=1#top", "http://a.test/p?a=1&b=2"),
    ("http://a.test/p?PHPSESSID=abc&x=1", "http://a.test/p?x=1"),
    ("http://a.test/p;jsessionid=0AB12?x=1", "http://a.test/p?x=1"),
    ("http://a.test/p?utm_source=nl&utm_medium=mail&fbclid=1&gclid=2", "http://a.test/p"),
    ("http://a.test/p?sid=9&seite=2", "http://a.test/p?seite=2"),
])
def test_canonical_drops_session_and_tracking_parameters(raw, expected):
    assert canonical(raw) == expected


@pytest.mark.parametrize(("url", "calendar"), [
    ("http://a.test/kalender?monat=2026-11", True),
    ("http://a.test/events/2026/11/23", True),
    ("http://a.test/termine?date=20261123", True),
    ("http://a.test/news/2026-03-meldung", True),
    ("http://a.test/produkte?seite=2", False),
    ("http://a.test/ueber-uns/geschichte-seit-1920", False),
])
def test_calendar_urls_are_recognised(url, calendar):
    assert is_calendar(url) is calendar


def test_site_traps_cap_calendar_pages_query_variants_and_path_loops():
    traps = SiteTraps(TrapLimits(max_query_variants=3, max_calendar_pages=2))
    for month in (1, 2):
        url = f"http://a.test/kalender?monat=2026-{month:02d}"
        assert traps.refusal(url) is None
        traps.record(url)
    assert "calendar" in traps.refusal("http://a.test/kalender?monat=2026-03")
    for page in (1, 2, 3):
        traps.record(f"http://a.test/liste?seite={page}")
    assert "query variants" in traps.refusal("http://a.test/liste?seite=4")
    assert traps.refusal("http://a.test/liste?seite=1") is None  # a known variant is fine
    assert traps.refusal("http://a.test/a/b/a/b") is None
    assert "repeats" in traps.refusal("http://a.test/a/b/a/b/a")
    assert "deeper" in traps.refusal("http://a.test/" + "/".join("abcdefghij"))
    assert traps.refusal("http://a.test/?q=" + "x" * 2000) is None
    assert "longer" in traps.refusal("http://a.test/?q=" + "x" * 2100)


def test_parked_pages_are_recognised_but_real_sites_mentioning_domains_are_not():
    assert is_parked("Diese Domain kann erworben werden. Preis anfragen.", "")
    assert is_parked("Welcome", "<script src='https://sedoparking.com/frmpark.js'></script>")
    assert is_parked("The domain firma.test is for sale!", "")
    hoster = "Wir sind Ihr Webhoster im Ruhrgebiet. " * 100 + "Diese Domain steht zum Verkauf."
    assert not is_parked(hoster, "")
    assert not is_parked("Schreinerei Müller: Möbel nach Maß seit 1950.", "")


def test_binary_bodies_are_recognised_and_legacy_encodings_are_not():
    assert looks_binary(b"%PDF-1.7\n...")
    assert looks_binary(bytes(range(256)) * 4)
    assert looks_binary(bytes(range(1, 32)) * 20 + b"<p>text</p>" * 20)  # control bytes, no NUL
    assert not looks_binary(b"\x1b[0m" + b"<p>Text</p>" * 30)  # a stray escape is no binary
    assert not looks_binary("<p>Öffnungszeiten der Bäckerei</p>".encode("iso-8859-1"))
    assert not looks_binary("<p>„Preise“ in €</p>".encode("windows-1252"))
    assert not looks_binary(b"")


def test_non_public_addresses():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "224.0.0.1",
                    "::1", "fe80::1", "fc00::1", "0.0.0.0", "100.64.0.1"):
        assert non_public_address([address]) == address
    assert non_public_address(["93.184.216.34", "2606:2800:220:1::1"]) is None
    assert non_public_address(["93.184.216.34", "10.0.0.1"]) == "10.0.0.1"


def test_retry_after_reads_seconds_and_http_dates():
    def response(value: str) -> Response:
        return Response("http://a.test/", status=503, headers={"Retry-After": value})

    assert retry_after(response("120")) == 120
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 < retry_after(response(later)) <= 60
    assert retry_after(response("soon")) is None
    assert retry_after(Response("http://a.test/", status=503)) is None


def test_page_links_resolve_rank_and_skip_what_is_no_page():
    html = """<html><head><base href="http://www.firma.test/de/"></head><body>
      <a href="kontakt?utm_source=x">Kontakt</a> <a href="/impressum">Rechtliches</a>
      <a href="/impressum#top">Impressum</a> <a href="mailto:info@firma.test">Mail</a>
      <a href="tel:+49201">Anruf</a> <a href="/prospekt.pdf">PDF</a> <a href="#oben">oben</a>
      <a href="http://[::1">kaputt</a> <a href="ftp://www.firma.test/x">FTP</a>
      <a href="https://shop.firma.test/">Shop</a> <a>ohne Ziel</a></body></html>"""
    links = {link.url: link for link in page_links(load_html(html), "http://www.firma.test/")}
    assert set(links) == {"http://www.firma.test/de/kontakt", "http://www.firma.test/impressum",
                          "https://shop.firma.test/"}
    # one entry per page, with the best value of its anchors
    assert links["http://www.firma.test/impressum"].value == link_value(
        "http://www.firma.test/impressum", "Impressum")
    assert {link.domain for link in links.values()} == {"firma.test"}
