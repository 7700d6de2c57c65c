"""Which links of a company site to follow first.

A page budget of ~30 per firm only works if the informative pages come first: Impressum
(legal form, register entry, founding), about-us, careers and job ads, products and services.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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

