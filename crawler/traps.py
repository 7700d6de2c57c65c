"""Canonical URLs and per-site limits that keep a crawl out of crawler traps.

Company sites generate endless URL spaces: calendars with a "next month" link, listings with
every filter combination, session ids in every link, the same path nested again and again by
relative links. A page budget alone would stop such a site, but only after spending the whole
budget on the trap; these limits stop the trap early so the budget goes to real pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that name a session or a campaign, never a different page.
_SESSION = """phpsessid sid sessionid session_id session jsessionid aspsessionid
    cfid cftoken fbclid gclid dclid gbraid wbraid msclkid yclid mc_cid mc_eid _ga _gl igshid
    wt_mc srsltid"""
SESSION_PARAMS = frozenset(_SESSION.split())
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|phpsessid)=[^/?#]*", re.IGNORECASE)
_CALENDAR = """year jahr month monat day tag date datum week woche kw cal
    calendar kalender"""
_CALENDAR_PARAMS = frozenset(_CALENDAR.split())
_DATE_IN_PATH = re.compile(r"(?:^|[/_-])(?:19|20)\d\d[/_-](?:0?[1-9]|1[0-2])(?:$|[/_-])")
_DATE_VALUE = re.compile(r"^(?:19|20)\d\d(?:[-_/.]?\d\d){0,2}$")


def canonical(url: str) -> str:
    """Canonical form used to count and deduplicate pages.

    Drops fragments, session and tracking parameters (``utm_*``, ``PHPSESSID``, ``;jsessionid``)
    and sorts the query, so one page reached through many links counts once.
    """
    parts = urlsplit(_PATH_SESSION.sub("", url))
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key.lower() not in SESSION_PARAMS and not key.lower().startswith("utm_")]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(sorted(query)), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def is_calendar(url: str) -> bool:
    """Does the URL address a date (``/2026/11/``, ``?monat=11``, ``?date=2026-11-23``)?"""
    parts = urlsplit(url)
    if _DATE_IN_PATH.search(parts.path):
        return True
    return any(key.lower() in _CALENDAR_PARAMS or _DATE_VALUE.match(value)
               for key, value in parse_qsl(parts.query))


@dataclass(frozen=True)
class TrapLimits:
    max_path_depth: int = 8
    max_segment_repeats: int = 2  # /a/b/a/b is fine, /a/b/a/b/a is a relative-link loop
    max_query_variants: int = 8  # different queries on one path
    max_calendar_pages: int = 3
    max_url_length: int = 2083  # the longest URL browsers have historically accepted


class SiteTraps:
    """Counts one site's URLs by pattern and refuses those beyond the limits."""

    def __init__(self, limits: TrapLimits = TrapLimits()):
        self.limits = limits
        self.queries: dict[str, set[str]] = defaultdict(set)
        self.calendar_pages = 0

    def refusal(self, url: str) -> str | None:
        """Why *url* (canonical) would be a trap, or None if it may be crawled."""
        if len(url) > self.limits.max_url_length:
            return f"URL longer than {self.limits.max_url_length} characters"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.limits.max_path_depth:
            return f"path deeper than {self.limits.max_path_depth} levels"
        if segments and max(map(segments.count, segments)) > self.limits.max_segment_repeats:
            return "path repeats itself"
        variants = self.queries.get(parts.path, set())
        if parts.query and parts.query not in variants and \
                len(variants) >= self.limits.max_query_variants:
            return f"more than {self.limits.max_query_variants} query variants of {parts.path}"
        if is_calendar(url) and self.calendar_pages >= self.limits.max_calendar_pages:
            return f"more than {self.limits.max_calendar_pages} calendar pages"
        return None

    def record(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.query:
            self.queries[parts.path].add(parts.query)
        if is_calendar(url):
            self.calendar_pages += 1
