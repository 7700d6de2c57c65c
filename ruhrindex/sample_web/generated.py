"""Any number of SYNTHETIC company sites, for scale tests and the crawl benchmark.

The bundled sample web has 40 hand-written companies; measuring a crawl over thousands of
sites needs more. Sites here are generated deterministically from a seed with the sample
web's page template: a navigation, a home page linking to news and product pages, Impressum,
Karriere, and several paragraphs of German business prose per page. All invented.
"""

from __future__ import annotations

import html
import random

from ruhrindex.sample_web import Resource, Site, _page

_TRADES = ["Metallbau", "Elektrotechnik", "Softwareentwicklung", "Logistik", "Bäckerei",
           "Steuerberatung", "Sanitärtechnik", "Druckerei", "Maschinenbau", "Gartenbau",
           "Datenanalyse", "Zahntechnik", "Autohaus", "Architektur", "Reinigungsdienst"]
_SENTENCES = [
    "Seit über zwanzig Jahren betreuen wir Kundinnen und Kunden im gesamten Ruhrgebiet.",
    "Unser Team aus erfahrenen Fachkräften plant jedes Projekt von der ersten Skizze an.",
    "Wir setzen auf kurze Wege, feste Ansprechpartner und verlässliche Termine.",
    "Mit moderner Ausstattung fertigen wir Einzelstücke ebenso wie größere Serien.",
    "Qualität entsteht bei uns durch sorgfältige Prüfung nach jedem Arbeitsschritt.",
    "Gerne beraten wir Sie persönlich in unseren Räumen oder direkt bei Ihnen vor Ort.",
    "Für Unternehmen aus Handel, Industrie und Verwaltung entwickeln wir passende Lösungen.",
    "Unsere Auszubildenden lernen alle Bereiche des Betriebs gründlich kennen.",
    "Nachhaltigkeit ist uns wichtig: Wir sparen Energie und vermeiden unnötige Transporte.",
    "Aktuelle Informationen zu Öffnungszeiten und Angeboten finden Sie auf dieser Seite.",
    "Im vergangenen Jahr haben wir unsere Werkstatt erweitert und neue Maschinen angeschafft.",
    "Digitale Werkzeuge helfen uns, Aufträge schneller und transparenter abzuwickeln.",
    "Bei Fragen zur Rechnung oder zum Liefertermin erreichen Sie uns werktags telefonisch.",
    "Wir arbeiten eng mit Partnern aus der Region zusammen und bilden gemeinsam weiter.",
    "Jede Anfrage beantworten wir innerhalb von zwei Werktagen mit einem klaren Angebot.",
    "Unsere Kundschaft schätzt die ehrliche Beratung und die saubere Ausführung.",
    "Zum Jubiläum laden wir alle Nachbarn zu einem Tag der offenen Tür ein.",
    "Die Wartung Ihrer Anlagen übernehmen wir zu festen Preisen und ohne lange Wartezeiten.",
]


# What real company pages carry besides their text: a theme's CSS and a tracking/consent script.
_HEAD = ("<style>" + "".join(f".block-{i}{{margin:{i % 7}px;padding:{i % 5}em;color:#{i:03x}}}"
                             for i in range(150)) + "</style><script>" +
         "".join(f"window.cfg{i}={{id:{i},consent:false,region:'ruhr'}};" for i in range(150))
         + "</script>")


def _prose(rng: random.Random, paragraphs: int) -> str:
    return "".join("<p>" + " ".join(rng.sample(_SENTENCES, 4)) + "</p>"
                   for _ in range(paragraphs))


def generated_site(number: int, pages: int = 20) -> tuple[str, Site]:
    """Host name and site of generated company *number*, with *pages* HTML pages (>= 7)."""
    rng = random.Random(number)
    trade = _TRADES[number % len(_TRADES)]
    host = f"www.firma-{number:05d}.test"
    company = {"name": f"{trade} Beispiel {number} GmbH", "host": host, "jobs": [{}],
               "home": f"{trade} aus dem Ruhrgebiet.", "offer_title": "Leistungen"}
    extra = [f"/aktuelles/meldung-{k}" if k % 2 else f"/leistungen/bereich-{k}"
             for k in range(max(pages - 7, 0))]
    links = "".join(f'<li><a href="{path}">{html.escape(path.rsplit("/", 1)[-1])}</a></li>'
                    for path in extra)
    name = html.escape(company["name"])
    site: Site = {"/": _page(company, "Start", f"<h1>{name}</h1>{_prose(rng, 4)}<ul>{links}</ul>",
                             _HEAD)}
    for path, title in [("/ueber-uns", "Über uns"), ("/leistungen", "Leistungen"),
                        ("/karriere", "Karriere"), ("/kontakt", "Kontakt"),
                        ("/impressum", "Impressum"), ("/datenschutz", "Datenschutz"),
                        *((p, p.rsplit("/", 1)[-1].replace("-", " ").title()) for p in extra)]:
        site[path] = _page(company, title, f"<h1>{title}</h1>{_prose(rng, rng.randint(3, 8))}",
                           _HEAD)
    site["/robots.txt"] = Resource(200, "text/plain", b"User-agent: *\nAllow: /\n")
    return host, site


def generated_sites(count: int, pages: int = 20) -> dict[str, Site]:
    return dict(generated_site(number, pages) for number in range(count))
