"""Job ads on company sites: schema.org JobPosting first, German title conventions second.

Most German ads carry the gender marker "(m/w/d)" in the title; career portals add JSON-LD
``JobPosting`` for search engines. Both are read; an ad found both ways is one ad.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

from lxml.html import HtmlElement
from parsel import Selector

GENDER_MARK = re.compile(
    r"\(\s*[mwfdix]{1,3}\s*[/|,]\s*[mwfdix]{1,3}(?:\s*[/|,]\s*[mwfdix]{1,3})?\s*\)|"
    r"\b(?:m|w|d)/(?:m|w|d)/(?:m|w|d)\b|\*in\b|:in\b",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]+>")


def find_job_ads(tree: HtmlElement | None, url: str, text: str) -> list[dict]:
    """Job ads on one page (its parse, and its main *text*).

    Each ad: ``title, text, location, date_posted, source, fingerprint``.
    """
    if tree is None:
        return []
    selector = Selector(root=tree, type="html")
    ads = list(_json_ld(selector)) + list(_microdata(selector))
    if not ads:
        heading = " ".join(selector.css("h1 ::text").getall()).strip()
        if heading and GENDER_MARK.search(heading) and len(text) > 200:
            ads.append({"title": heading, "text": text, "location": None, "date_posted": None,
                        "source": "heading"})
    unique = {}
    for ad in ads:
        ad["title"] = " ".join((ad.get("title") or "").split())
        if not ad["title"]:
            continue
        ad["text"] = ad.get("text") or text
        ad["url"] = url
        ad["fingerprint"] = fingerprint(ad["title"], ad.get("location"))
        unique.setdefault(ad["fingerprint"], ad)
    return list(unique.values())


def fingerprint(title: str, location: str | None) -> str:
    key = f"{' '.join(title.lower().split())}|{(location or '').lower().strip()}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _json_ld(selector: Selector) -> Iterator[dict]:
    for raw in selector.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for node in _walk(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if "JobPosting" in types:
                yield {
                    "title": node.get("title"),
                    "text": _TAGS.sub(" ", str(node.get("description") or "")).strip(),
                    "location": _location(node.get("jobLocation")),
                    "date_posted": node.get("datePosted"),
                    "source": "json-ld",
                }


def _walk(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", []))


def _location(node) -> str | None:
    node = node[0] if isinstance(node, list) and node else node
    if isinstance(node, dict):
        address = node.get("address", node)
        if isinstance(address, dict):
            return address.get("addressLocality")
        return str(address)
    return node if isinstance(node, str) else None


def _microdata(selector: Selector) -> Iterator[dict]:
    for scope in selector.xpath('//*[contains(@itemtype, "schema.org/JobPosting")]'):
        def prop(name: str, scope=scope) -> str | None:
            value = scope.xpath(f'.//*[@itemprop="{name}"]')
            if not value:
                return None
            node = value[0]
            return (node.attrib.get("content") or " ".join(node.css("::text").getall())).strip()

        yield {"title": prop("title"), "text": prop("description"),
               "location": prop("addressLocality"), "date_posted": prop("datePosted"),
               "source": "microdata"}
