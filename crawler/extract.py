"""Text and metadata from raw HTML with trafilatura.

trafilatura is tuned for article bodies; short company pages (Impressum, contact) sometimes
yield no "main text", so its baseline extractor is the fallback: a page with words never
comes back empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import py3langid
import trafilatura
from trafilatura.settings import set_date_params

# htmldate's extensive search hands free text to dateparser, whose first call compiles the
# patterns of ~200 locales (10-20 s of CPU, blocking the crawl); meta tags, structured data
# and URL/text patterns still give the date.
_DATE_PARAMS = set_date_params(extensive=False)
_HTML_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.IGNORECASE)


@dataclass
class Extracted:
    title: str | None
    text: str
    lang: str | None
    date: str | None


def extract(html: str, url: str | None = None) -> Extracted:
    """Main text, title, language and date of one page (never raises on broken HTML)."""
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception:  # trafilatura on hostile input: fall back rather than lose the page
        doc = None
    title = date = None
    text = ""
    if doc is not None:
        title, date, text = doc.title, doc.date, doc.text or ""
    if len(text) < 200:
        _, baseline_text, _ = trafilatura.baseline(html)
        if len(baseline_text) > len(text):
            text = baseline_text
    return Extracted(title=title, text=text.strip(), lang=_language(html, text), date=date)


def _language(html: str, text: str) -> str | None:
    if len(text) >= 40:
        return py3langid.classify(text[:5000])[0]
    match = _HTML_LANG.search(html[:5000].encode("utf-8", "ignore"))
    return match.group(1).lower().decode() if match else None
