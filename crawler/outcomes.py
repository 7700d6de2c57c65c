"""What became of each company site: one status per company and run, with a readable message.

Coverage figures are only honest if every company that was not reached says why; the statuses
separate the site's fault (parked, HTTP error, binary garbage) from the network's (DNS,
timeout) and from our own rules (robots.txt, private address, size cap).
"""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

#: Every status a company can end a run with; the README's outcome table mirrors this.
STATUSES = {
    "ok": "pages with text stored",
    "empty": "pages stored but without text (JavaScript-only or blank site)",
    "parked": "parked or for-sale domain, nothing stored",
    "binary": "binary data served as HTML, nothing stored",
    "not_html": "the start URL is no HTML page",
    "http_error": "the start page answered with an HTTP error status",
    "redirect_loop": "the start URL redirects in a circle",
    "redirected_offsite": "the start URL redirects beyond the one new domain followed",
    "dns_failure": "the host name does not resolve",
    "unreachable": "connection refused or lost",
    "timeout": "no complete answer within DOWNLOAD_TIMEOUT",
    "too_large": "the start page exceeds DOWNLOAD_MAXSIZE (compressed or decompressed)",
    "robots_disallowed": "robots.txt forbids the start page",
    "refused_private": "the host resolves to a loopback/private/link-local/multicast address",
    "no_pages": "nothing could be stored, for no recorded reason",
    "error": "any other failure (see message)",
}


class PrivateAddressRefused(IgnoreRequest):
    """The host resolves to an address a public-web crawl must not touch."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect that would leave the company's site."""


def classify_failure(failure) -> tuple[str, str]:
    """Map a failed request to ``(status, message)``."""
    error, url = failure.value, failure.request.url
    if failure.check(HttpError):
        response = error.response
        message = f"HTTP {response.status} at {url}"
        if retry_after := response.headers.get("Retry-After"):
            message += f" (Retry-After: {retry_after.decode('latin-1')})"
        return "http_error", message
    kinds = [
        ((PrivateAddressRefused,), "refused_private"),
        ((OffsiteRedirect,), "redirected_offsite"),
        ((DNSLookupError, CannotResolveHostError), "dns_failure"),
        ((TimeoutError, TCPTimedOutError, DownloadTimeoutError), "timeout"),
        ((ConnectionRefusedError, DownloadConnectionRefusedError), "unreachable"),
        ((DownloadCancelledError, CancelledError), "too_large"),
    ]
    for types, status in kinds:
        if failure.check(*types):
            return status, f"{error} ({url})"
    text = str(error)
    if "DOWNLOAD_MAXSIZE" in text:
        return "too_large", text
    if "robots.txt" in text:
        return "robots_disallowed", f"{text}: {url}"
    if "max redirections" in text:
        return "redirect_loop", f"{url} redirects more than REDIRECT_MAX_TIMES times"
    return "error", f"{failure.type.__name__}: {text} ({url})"


_PARKING = re.compile(
    r"domain(?: [\w.-]+)? (?:kann (?:erworben|gekauft) werden|k[öo]nnen sie (?:erwerben|kaufen)|"
    r"steht zum verkauf|ist zu verkaufen|wurde (?:soeben )?registriert|is for sale|"
    r"may be for sale|is parked)|buy this domain|domain (?:parking|geparkt)|sedoparking|"
    r"parkingcrew|bodis\.com|dan\.com/buy|hugedomains\.com|afternic\.com",
    re.IGNORECASE,
)
#: Parking pages are short; a long page that mentions domains (a web hoster) is a real site.
PARKED_MAX_TEXT = 3000


def is_parked(visible_text: str, html: str) -> bool:
    """A parked or for-sale domain page (registrar placeholder, Sedo and similar)."""
    return len(visible_text) <= PARKED_MAX_TEXT and bool(
        _PARKING.search(visible_text) or _PARKING.search(html[:100_000]))


_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc")
_CONTROL = bytes(sorted(set(range(32)) - {9, 10, 12, 13}))


def looks_binary(body: bytes) -> bool:
    """True for bodies that are no text whatever the Content-Type says (NULs, control bytes)."""
    sample = body[:4096]
    if not sample:
        return False
    if sample.startswith(_MAGIC) or b"\x00" in sample:
        return True
    # counted in C (bytes.translate drops them) rather than byte by byte: this runs per page
    # on the crawl's reactor
    control = len(sample) - len(sample.translate(None, _CONTROL))
    return control > len(sample) * 0.05
