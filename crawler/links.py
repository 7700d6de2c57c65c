"""Which links of a company site to follow first.

A page budget of ~30 per firm only works if the informative pages come first: Impressum
(legal form, register entry, founding), about-us, careers and job ads, products and services.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.traps import canonical
from ruhrindex.urls import registered_domain

_ASSETS = """7z avi bmp css csv doc docx eps exe gif gz ico jpeg jpg js json m4a mov mp3 mp4 mpeg
    mpg ods odt ogg otf pdf png ppt pptx rar rss svg tar tif tiff ttf txt wav webm webp woff woff2
    xls xlsx xml zip"""
ASSET_EXTENSIONS = frozenset(_ASSETS.split())

# (weight, pattern) on URL path and anchor text; the highest matching weight wins.
_VALUE = [
    (50, r"impressum|imprint|legal[-_ ]?notice|anbieterkennzeichnung"),
    (45, r"karriere|jobs?\b|stellen|stellenangebot|career|vacanc|ausbildung|(m/w/d)"),
    (40, r"[üu]ber[-_ ]?uns|ueber[-_ ]?uns|unternehmen|about|wir[-_ ]sind|team|geschichte|"
         r"historie|history|company"),
    (35, r"leistung|produkt|l[öo]sung|angebot|service|portfolio|products?|solutions?|"
         r"sortiment|kompetenz|referenz"),
    (20, r"news|aktuelles|presse|blog|projekt"),
    (-30, r"datenschutz|privacy|agb|cookie|login|anmelden|warenkorb|cart|checkout|"
          r"newsletter|suche|search|sitemap|print|drucken"),
]
_VALUE_RE = [(w, re.compile(p, re.IGNORECASE)) for w, p in _VALUE]


def link_value(url: str, anchor: str = "") -> int:
    """Rank a link by how likely it leads to a page that informs the indicators."""
    path = urlsplit(url).path
    haystack = f"{path} {anchor}"
    weights = [w for w, pattern in _VALUE_RE if pattern.search(haystack)]
    base = max(weights) if weights else 0
    if any(w < 0 for w in weights):
        base = min(weights)
    return base - 2 * path.count("/")


def is_asset(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return "." in path.rsplit("/", 1)[-1] and path.rsplit(".", 1)[-1] in ASSET_EXTENSIONS



class Link(NamedTuple):
    url: str  # absolute and canonical
    domain: str  # registered domain, to check the link against the company's site
    value: int  # link_value of the URL and the anchor text


_NOT_PAGES = ("mailto:", "tel:", "javascript:", "#")


def page_links(tree: HtmlElement | None, page_url: str) -> list[Link]:
    """The page's links to other pages (no assets, no mail or phone links), best value kept.

    Runs in the analysis workers on the tree they parse anyway, so the crawl process never
    parses HTML itself. A page that could not be parsed (*tree* None) has no links.
    """
    if tree is None:
        return []
    base = page_url
    for href in tree.xpath("//base/@href")[:1]:
        with suppress(ValueError):  # a broken <base> leaves the page's own URL as base
            base = urljoin(page_url, href.strip())
    links: dict[str, Link] = {}
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(_NOT_PAGES):
            continue
        try:
            target = _target(urljoin(base, href))
        except ValueError:  # a malformed address (bad port, broken IPv6 literal)
            continue
        if target is None:
            continue
        url, domain = target
        value = _cached_value(url, " ".join(anchor.text_content().split()))
        if url not in links or links[url].value < value:
            links[url] = Link(url, domain, value)
    return list(links.values())


# The navigation repeats on every page of a site: canonical form, domain and value of a link
# are computed once per worker, not once per page (a third of the time spent on links).
@lru_cache(maxsize=20_000)
def _target(absolute: str) -> tuple[str, str] | None:
    """Canonical URL and registered domain of a followable link, None for anything else."""
    url = canonical(absolute)
    if not url.startswith(("http://", "https://")) or is_asset(url):
        return None
    return url, registered_domain(url)


_cached_value = lru_cache(maxsize=20_000)(link_value)
