"""Pipeline speed on the bundled sample web, against the practical limit of extraction.

Run: python benchmarks/bench_pipeline.py
Prints pages/s of `ruhrindex crawl` (fetch + extract + store, in its child process) and of
`trafilatura.extract` alone on the same HTML in one process (the peer: the pipeline cannot be
faster than its extractor), their ratio, classifier throughput and peak RSS.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import trafilatura

from classifier.scoring import company_texts, load_model
from company_lists.importer import import_files
from company_lists.registry import load_into
from crawler.run import CrawlOptions, crawl
from ruhrindex.demo import write_company_lists
from ruhrindex.sample_web import VirtualHostServer, build_sites
from ruhrindex.store import decompress_html, open_db


def extraction_rate(pages: list[tuple[str, str]], **options) -> float:
    """Pages per second of ``trafilatura.extract(**options)`` alone on *pages* (url, html)."""
    start = time.perf_counter()
    for url, html in pages:
        trafilatura.extract(html, url=url, **options)
    return len(pages) / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        db = open_db(db_path)
        load_into(db)
        import_files(db, write_company_lists(Path(tmp) / "lists"))
        with VirtualHostServer(build_sites()) as server:
            start = time.perf_counter()
            crawl(str(db_path), None, CrawlOptions(delay=0.0, proxy=server.proxy_url,
                                                   log_level="ERROR", progress=False))
            crawl_s = time.perf_counter() - start
        db = open_db(db_path)
        pages = [(r["url"], decompress_html(r["html_gz"])) for r in db["pages"].rows]
        extract_rate = extraction_rate(pages)
        texts = list(company_texts(db).values())
        model = load_model("digital")
        start = time.perf_counter()
        model.model.predict_proba(texts)
        score_s = time.perf_counter() - start
    crawl_rate = len(pages) / crawl_s
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages: {len(pages)} from {len(texts)} sites (sample web, 127.0.0.1)")
    print(f"(a) ruhrindex crawl:          {crawl_rate:8.1f} pages/s  (wall {crawl_s:.1f} s, "
          "incl. process start and politeness delays of 0)")
    print(f"(c) trafilatura.extract only: {extract_rate:8.1f} pages/s  (peer: extraction limit)")
    print(f"ratio a/c: {crawl_rate / extract_rate:.2f}")
    print(f"digital classifier: {len(texts) / score_s:8.1f} companies/s")
    print(f"peak RSS: crawl process {child_rss:.0f} MiB, this process {self_rss:.0f} MiB")


if __name__ == "__main__":
    main()
