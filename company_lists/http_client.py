"""A polite HTTP client for the open-data APIs (Overpass, Wikidata SPARQL).

Both services are run by volunteers on shared servers and publish usage policies: identify
yourself, do not hammer, back off when told to. The client therefore sends an identifying
User-Agent with a contact, spaces requests to one endpoint, retries only on "busy" answers
(429, 503, 504, timeouts, dropped connections) with exponential backoff that honours
``Retry-After``, and caches successful answers on disk so a rerun costs the servers nothing.
Standard library only: urllib covers all of this and adds no dependency.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TypeVar

from company_lists.listfile import write_atomically
from ruhrindex.config import CACHE_DIR, USER_AGENT

_TAG = re.compile(r"<[^>]*>")
_ERROR = re.compile(r"\bError\s*:\s*")
T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 503, 504})


class FetchError(RuntimeError):
    """A request that did not yield usable data; says where, what and what to do."""

    def __init__(self, endpoint: str, status: int | str, problem: str, hint: str) -> None:
        self.endpoint, self.status, self.problem, self.hint = endpoint, status, problem, hint
        super().__init__(f"{endpoint}: {problem} (status {status}). {hint}")


def _object(data: object) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"answer is JSON but a {type(data).__name__}, not an object")
    return data


@dataclass
class PoliteClient:
    """GET/POST JSON with retries, a per-endpoint rate limit and a disk cache."""

    user_agent: str = USER_AGENT
    timeout: float = 200.0
    retries: int = 3
    backoff: float = 5.0
    max_wait: float = 300.0
    min_interval: float = 1.0
    cache_dir: Path | None = CACHE_DIR
    sleep: Callable[[float], None] = time.sleep
    requests_sent: int = 0
    _last_request: dict[str, float] = field(default_factory=dict)

    def fetch_json(self, endpoint: str, params: dict[str, str], method: str = "GET",
                   accept: str = "application/json", parse: Callable[[object], T] = _object) -> T:
        """The answer decoded and checked by *parse*; from the cache when already answered.

        *parse* raises ``ValueError`` for an answer of the wrong shape; such an answer, like
        any error, is not cached.
        """
        query = urllib.parse.urlencode(sorted(params.items()))
        cache_file = self._cache_file(method, endpoint, query)
        if cache_file is not None and cache_file.exists():
            try:
                return parse(json.loads(cache_file.read_bytes()))
            except ValueError:  # damaged by hand or disk: forget it and ask again
                cache_file.unlink()
        body = self._request(endpoint, query, method, accept)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            start = body[:120].decode("utf-8", errors="replace").strip()
            raise FetchError(endpoint, 200, f"answer is not valid JSON ({exc}); it starts with "
                             f"{start!r}", "The server may be overloaded or the endpoint URL "
                             "may be wrong; check --endpoint and try again later.") from None
        try:
            result = parse(data)
        except (ValueError, TypeError) as exc:
            raise FetchError(endpoint, 200, str(exc), "Try again later, or check that "
                             "--endpoint points to the right API.") from None
        if cache_file is not None:
            write_atomically(cache_file, body)
        return result

    def _cache_file(self, method: str, endpoint: str, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{method} {endpoint}?{query}".encode()).hexdigest()
        return Path(self.cache_dir) / "http" / f"{key}.json"

    def _request(self, endpoint: str, query: str, method: str, accept: str) -> bytes:
        headers = {"User-Agent": self.user_agent, "Accept": accept}
        for attempt in range(self.retries + 1):
            self._wait_turn(endpoint)
            if method == "POST":
                request = urllib.request.Request(endpoint, data=query.encode(), headers=headers,
                                                 method="POST")
            else:
                request = urllib.request.Request(f"{endpoint}?{query}", headers=headers)
            self.requests_sent += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                status, retry_after = exc.code, exc.headers.get("Retry-After")
                detail = _excerpt(exc.read())
                if status not in RETRY_STATUSES:
                    raise FetchError(endpoint, status, f"request refused: {detail}",
                                     _hint_for(status)) from None
            except (urllib.error.URLError, TimeoutError) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                if not isinstance(reason, TimeoutError):
                    raise FetchError(endpoint, "no answer", f"cannot connect: {reason}",
                                     "Check the endpoint URL and your network or proxy.") from None
                status, retry_after, detail = "timeout", None, f"no answer in {self.timeout:g} s"
            except (ConnectionError, http.client.HTTPException) as exc:
                status, retry_after, detail = "connection lost", None, repr(exc)
            if attempt == self.retries:
                break
            self.sleep(self._delay(endpoint, attempt, retry_after, status))
        raise FetchError(endpoint, status, f"server busy, gave up after {self.retries + 1} "
                         f"attempt(s): {detail}", "Try again later, or use another endpoint "
                         "(--endpoint) or a saved file (--from-file).")

    def _delay(self, endpoint: str, attempt: int, retry_after: str | None, status) -> float:
        delay = self.backoff * 2 ** attempt
        asked = _parse_retry_after(retry_after)
        if asked is not None:
            if asked > self.max_wait:
                raise FetchError(endpoint, status, f"server asks to wait {asked:.0f} s",
                                 "Try again later; the server's quota for you is used up.")
            delay = max(delay, asked) if status != 429 else asked
        return min(delay, self.max_wait)

    def _wait_turn(self, endpoint: str) -> None:
        last = self._last_request.get(endpoint)
        if last is not None:
            pause = self.min_interval - (time.monotonic() - last)
            if pause > 0:
                self.sleep(pause)
        self._last_request[endpoint] = time.monotonic()


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _hint_for(status: int) -> str:
    if status == 400:
        return "The server rejected the query; the message above says why."
    if status in (401, 403):
        return "The server refuses this client; check its usage policy and RUHRINDEX_CONTACT."
    if status == 404:
        return "Check the endpoint URL (--endpoint)."
    return "Try again later or use another endpoint (--endpoint)."


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = " ".join(_TAG.sub(" ", body.decode("utf-8", errors="replace")).split())
    # Overpass error pages open with a licence note; the message follows "Error:"
    text = _ERROR.split(text, maxsplit=1)[-1]
    return text[:limit] + ("…" if len(text) > limit else "") or "(empty answer)"


def read_saved_json(path: Path, parse: Callable[[object], T], error: type[ValueError],
                    hint: str) -> T:
    """Parse a saved API answer with the same *parse* the live fetch uses.

    Reading from a file must fail like a bad live answer would: with *error*, naming the file.
    """
    try:
        data = json.loads(Path(path).read_bytes())
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path} is not valid JSON ({exc}); {hint}") from None
    try:
        return parse(data)
    except error as exc:
        raise error(f"{path}: {exc}") from None
