"""Raw pages as WARC (ISO 28500), the web archive format, next to the store.

The store keeps each page's HTML gzip-compressed; a WARC file keeps the HTTP response as it
came (status line, headers, body bytes), readable by every web-archive tool, so text can be
extracted again with other settings or tools without crawling again.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: Headers that describe the transfer, not the body Scrapy hands over (already decoded).
_TRANSFER_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


class RawResponseMiddleware:
    """Spider middleware: attach the raw HTTP response to each page item when WARC is on."""

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("RUHRINDEX_WARC"):
            raise NotConfigured  # not in the chain every page's outputs pass
        return cls()

    def process_spider_output(self, response: Response, result, spider=None):
        for element in result:
            yield self._attach(response, element)

    async def process_spider_output_async(self, response: Response, result, spider=None):
        async for element in result:
            yield self._attach(response, element)

    def _attach(self, response: Response, element):
        if isinstance(element, dict):  # a page item, not a request
            element["raw"] = raw_response(response)
        return element


def raw_response(response: Response) -> dict:
    headers = [(k.decode("latin-1"), v.decode("latin-1"))
               for k, values in response.headers.items() for v in values
               if k.decode("latin-1").lower() not in _TRANSFER_HEADERS]
    return {"status": response.status, "headers": headers, "body": response.body}


class WarcFile:
    """Append gzip-compressed WARC response records to one file."""

    def __init__(self, path: str | Path):
        self.handle = Path(path).open("ab")  # noqa: SIM115 (open for the whole crawl)
        self.writer = WARCWriter(self.handle, gzip=True)

    def write(self, url: str, raw: dict) -> None:
        http_headers = StatusAndHeaders(str(raw["status"]), raw["headers"], protocol="HTTP/1.1")
        record = self.writer.create_warc_record(url, "response", payload=BytesIO(raw["body"]),
                                                http_headers=http_headers)
        self.writer.write_record(record)

    def close(self) -> None:
        self.handle.close()
