"""The bundled sample web: SYNTHETIC company websites for the demo and the tests.

Every company in ``companies.json`` is fictional and lives on the reserved ``.test`` domain.
:func:`build_sites` renders each one into a small site (home, Über uns, Leistungen, Karriere
with job ads, Impressum, Kontakt, Datenschutz, robots.txt, a PDF); :class:`VirtualHostServer`
serves them all from one port on 127.0.0.1 as an HTTP proxy would, so crawled URLs keep their
real shape (``http://www.firma.test/impressum``) and nothing leaves the machine.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SAMPLE_JSON = Path(__file__).with_name("companies.json")
SYNTHETIC_NOTE = "Synthetische Beispieldaten (SYNTHETIC SAMPLE DATA): fiktives Unternehmen."
_CITIES = {"05913000": ("44137", "Dortmund"), "05113000": ("45127", "Essen"),
           "05911000": ("44787", "Bochum"), "05112000": ("47051", "Duisburg"),
           "05513000": ("45879", "Gelsenkirchen"), "05562032": ("45657", "Recklinghausen"),
           "05954036": ("58452", "Witten"), "05978036": ("59423", "Unna")}


@dataclass(frozen=True)
class Resource:
    """One canned answer; the optional fields make a server behave badly on purpose."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (a slow site)
    byte_delay: float = 0.0  # seconds between body bytes (a tarpit)


#: Pages generated on request (calendars, endless listings) get the path with its query.
PageMaker = Callable[[str], Resource]
#: Paths to resources; a key ending in ``/*`` serves every path below it from a PageMaker.
Site = dict[str, Resource | PageMaker]


@cache
def sample() -> dict:
    return json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))


def company_rows() -> list[dict]:
    """The demo's company list (sites that work and a few that do not), as CSV rows."""
    data = sample()
    rows = []
    for company in data["companies"] + data["unreachable"] + data["robots_disallowed"]:
        rows.append({"company_id": company["id"], "name": company["name"],
                     "ags": company["ags"], "website": f"http://{company['host']}/",
                     "founding_year": "", "employees": "",
                     "sector": company.get("sector", "")})
    return rows


def build_sites() -> dict[str, Site]:
    """Render every working sample company into a site keyed by host name."""
    data = sample()
    sites = {c["host"]: _render_company(c) for c in data["companies"]}
    for company in data["robots_disallowed"]:
        site = _render_company({**company, "home": "Regionale Nachrichten aus Bochum.",
                                "about": "", "offer_title": "Verlag", "offer": "", "jobs": []})
        site["/robots.txt"] = Resource(200, "text/plain", b"User-agent: *\nDisallow: /\n")
        sites[company["host"]] = site
    return sites


def _slug(text: str) -> str:
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60]


def _page(company: dict, title: str, body: str, head_extra: str = "") -> Resource:
    name = html.escape(company["name"])
    nav = "".join(
        f'<li><a href="{href}">{label}</a></li>'
        for href, label in [("/", "Start"), ("/ueber-uns", "Über uns"),
                            ("/leistungen", html.escape(company.get("offer_title", "Leistungen"))),
                            ("/karriere", "Karriere"), ("/kontakt", "Kontakt"),
                            ("/impressum", "Impressum"), ("/datenschutz", "Datenschutz")]
        if href != "/karriere" or company.get("jobs")
    )
    document = f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)} | {name}</title>
<meta name="description" content="{html.escape(company.get('home', '')[:150])}">{head_extra}
</head><body>
<header><a href="/" class="logo"><img src="/assets/logo.png" alt="{name}"></a>
<nav><ul>{nav}</ul></nav></header>
<main>{body}</main>
<footer><p>{name} · <a href="/impressum">Impressum</a> · <a href="/datenschutz">Datenschutz</a>
· <a href="/downloads/preisliste.pdf">Preisliste (PDF)</a>
· <a href="http://www.handwerk-ruhr-portal.test/">Regionalportal</a></p>
<p class="note">{SYNTHETIC_NOTE}</p></footer>
</body></html>"""
    return Resource(200, "text/html; charset=utf-8", document.encode("utf-8"))


def _render_company(company: dict) -> Site:
    postcode, city = _CITIES[company["ags"]]
    name = html.escape(company["name"])
    paragraphs = lambda text: "".join(  # noqa: E731
        f"<p>{html.escape(s.strip())}</p>" for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", text)
        if s.strip())
    jobs = company.get("jobs", [])
    site: Site = {
        "/": _page(company, "Start", f"<h1>{name}</h1>{paragraphs(company['home'])}"
                   f'<p><a href="/ueber-uns">Mehr über uns</a></p>'),
        "/ueber-uns": _page(company, "Über uns",
                            f"<h1>Über uns</h1>{paragraphs(company['about'])}"),
        "/leistungen": _page(company, company["offer_title"],
                             f"<h1>{html.escape(company['offer_title'])}</h1>"
                             f"{paragraphs(company['offer'])}"),
        "/kontakt": _page(company, "Kontakt",
                          f"<h1>Kontakt</h1><p>{name}<br>Hauptstraße {len(name) % 90 + 1}<br>"
                          f"{postcode} {city}</p><p>Telefon 0231 000000-0</p>"
                          '<form action="/kontakt" method="post"><textarea name="msg"></textarea>'
                          "<button>Senden</button></form>"),
        "/impressum": _page(company, "Impressum", _impressum(company, postcode, city)),
        "/datenschutz": _page(company, "Datenschutz",
                              "<h1>Datenschutzerklärung</h1><p>Wir verarbeiten personenbezogene "
                              "Daten nur im Rahmen der DSGVO. Diese Website setzt keine "
                              "Tracking-Cookies.</p>"),
        "/robots.txt": Resource(200, "text/plain", b"User-agent: *\nDisallow: /kontakt?\n"),
        "/assets/logo.png": Resource(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        "/downloads/preisliste.pdf": Resource(200, "application/pdf", b"%PDF-1.4\n%synthetic\n"),
    }
    if jobs:
        items = "".join(f'<li><a href="/karriere/{_slug(j["title"])}">{html.escape(j["title"])}'
                        "</a></li>" for j in jobs)
        site["/karriere"] = _page(company, "Karriere",
                                  f"<h1>Karriere bei {name}</h1><p>Werden Sie Teil unseres "
                                  f"Teams in {city}.</p><ul>{items}</ul>")
        for job in jobs:
            site[f"/karriere/{_slug(job['title'])}"] = _job_page(company, job, city)
    return site


def _impressum(company: dict, postcode: str, city: str) -> str:
    name = html.escape(company["name"])
    register = ""
    if re.search(r"GmbH|AG\b|KG\b", company["name"]):
        kind = "HRB" if "GmbH" in company["name"] or company["name"].endswith("AG") else "HRA"
        register = (f"<p>Registergericht: Amtsgericht {city}<br>Registernummer: {kind} "
                    f"{1000 + sum(map(ord, company['id'])) * 7}</p>")
    return (f"<h1>Impressum</h1><p>Angaben gemäß § 5 DDG</p><p>{name}<br>Hauptstraße "
            f"{len(name) % 90 + 1}<br>{postcode} {city}</p>{register}"
            f"<p>Vertreten durch die Geschäftsführung. Kontakt: info@{company['host']}</p>"
            "<p>Umsatzsteuer-ID gemäß § 27a UStG: DE000000000</p>")


def _job_page(company: dict, job: dict, city: str) -> Resource:
    head = ""
    if job.get("jsonld"):
        posting = {"@context": "https://schema.org", "@type": "JobPosting",
                   "title": job["title"], "description": job["text"], "datePosted": "2026-10-01",
                   "hiringOrganization": {"@type": "Organization", "name": company["name"]},
                   "jobLocation": {"@type": "Place", "address": {
                       "@type": "PostalAddress", "addressLocality": city}}}
        head = ('\n<script type="application/ld+json">'
                + json.dumps(posting, ensure_ascii=False) + "</script>")
    body = (f"<h1>{html.escape(job['title'])}</h1><p>Standort: {city}</p>"
            f"<h2>Ihre Aufgaben und Ihr Profil</h2><p>{html.escape(job['text'])}</p>"
            f"<p>Bewerbungen bitte an jobs@{company['host']}.</p>")
    return _page(company, job["title"], body, head)


class VirtualHostServer:
    """Serve many sites from one 127.0.0.1 port, answering proxy-style absolute-URI requests.

    Unknown hosts get 502 (what a proxy answers for a dead domain), unknown paths 404.
    ``hits`` lists every requested ``host/path?query``, ``hit_times`` when it came, and
    ``connections`` counts the TCP connections (HTTP/1.1: one can carry many requests).
    """

    def __init__(self, sites: dict[str, Site]):
        self.sites = sites
        self.hits: list[str] = []
        self.hit_times: list[float] = []
        self.connections = 0
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> VirtualHostServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers and proxies do

            def setup(self):
                super().setup()
                server.connections += 1

            def do_GET(self):  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
                path = parts.path if parts.scheme else self.path.split("?")[0]
                query = f"?{parts.query}" if parts.query else ""
                server.hits.append(f"{host}{path}{query}")
                server.hit_times.append(time.monotonic())
                site = server.sites.get(host)
                if site is None:
                    resource = Resource(502, "text/plain", b"unknown host")
                else:
                    resource = _lookup(site, path.rstrip("/") or "/", path + query)
                time.sleep(resource.delay)
                self.send_response(resource.status)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Content-Length", str(len(resource.body)))
                for name, value in resource.headers:
                    self.send_header(name, value)
                self.end_headers()
                try:
                    if resource.byte_delay:
                        for byte in resource.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(resource.byte_delay)
                    else:
                        self.wfile.write(resource.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up on a tarpit or an oversized body, as it should

            def log_message(self, *args):
                pass

        return Handler


_NOT_FOUND = Resource(404, "text/html", b"<html><body><h1>Nicht gefunden</h1></body></html>")


def _lookup(site: Site, path: str, path_and_query: str) -> Resource:
    found = site.get(path)
    if found is None:
        prefixes = [key for key in site if key.endswith("/*") and path.startswith(key[:-1])]
        if not prefixes:
            return _NOT_FOUND
        found = site[max(prefixes, key=len)]
    return found if isinstance(found, Resource) else found(path_and_query)
