"""Website normalisation and registered-domain keys.

Company lists carry websites in every shape ("www.firma.de", "HTTP://Firma.de/", "müller.de").
We crawl a normalised URL and deduplicate companies by registered domain, so www and non-www,
http and https, and sub-pages of one site count as one company.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import tldextract

# The bundled suffix list only: looking up a fresh list would leave the machine.
# RFC 2606/6761 reserve .test/.example/.localhost; the sample web lives on .test.
_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, extra_suffixes=("test", "example", "localhost")
)
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidURL(ValueError):
    """A website entry that cannot be turned into a crawlable URL."""


def normalise_url(raw: str) -> str:
    """Return a canonical ``http(s)://host/path`` URL or raise :class:`InvalidURL`.

    Adds a missing scheme (http; servers redirect to https themselves), lower-cases and
    IDNA-encodes the host, drops default ports, fragments and a trailing slash on sub-paths.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidURL("empty website")
    if "@" in text and "://" not in text:
        raise InvalidURL(f"looks like an e-mail address, not a website: {text!r}")
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(f"unsupported scheme {parts.scheme!r} in {raw!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"bad port in {raw!r}") from exc
    host = _normalise_host(parts.hostname or "", raw)
    scheme = parts.scheme.lower()
    netloc = host
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _normalise_host(host: str, raw: str) -> str:
    host = host.strip(".").lower()
    if not host:
        raise InvalidURL(f"no host in {raw!r}")
    if _is_ip(host):
        return host
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidURL(f"host {host!r} is not a valid domain name") from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidURL(f"host {host!r} is not a valid domain name")
    if not _EXTRACT(ascii_host).suffix:
        raise InvalidURL(f"host {host!r} has no known public suffix")
    return ascii_host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def registered_domain(url_or_host: str) -> str:
    """The registrable domain (``firma.de`` for ``https://shop.www.firma.de/x``); IPs as is."""
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    return _host_domain((host or "").lower().strip("."))


@lru_cache(maxsize=50_000)
def _host_domain(host: str) -> str:
    """Cached per host: the crawl asks for every request, and a site has few host names."""
    if _is_ip(host):
        return host
    parts = _EXTRACT(host)
    if not parts.suffix or not parts.domain:
        return host
    return f"{parts.domain}.{parts.suffix}"
