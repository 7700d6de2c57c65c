"""A crawl killed with SIGKILL and resumed ends with the pages of a crawl never interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.run import CrawlOptions, crawl, job_dir, resume
from ruhrindex.cli import main
from ruhrindex.sample_web import Resource, VirtualHostServer

REPO = Path(__file__).resolve().parents[1]
SITES, PAGES = 5, 9
TEXT = "Wir planen, bauen und warten Heizungsanlagen für Gewerbe und Wohnbau im Revier. " * 3


def slow_sites() -> dict:
    def page(title: str, links: str = "") -> Resource:
        body = f"<html><body><h1>{title}</h1><p>{TEXT}</p>{links}</body></html>"
        return Resource(200, "text/html; charset=utf-8", body.encode(), delay=0.2)

    sites = {}
    for n in range(SITES):
        links = "".join(f"<a href='/seite-{i}'>Seite {i}</a>" for i in range(1, PAGES))
        sites[f"www.slow{n}.test"] = {"/": page("Start", links),
                                      **{f"/seite-{i}": page(f"Seite {i}")
                                         for i in range(1, PAGES)}}
    return sites


def stored(store, run_id: int) -> list[str]:
    return [r["url"] for r in store["pages"].rows_where("run_id = ?", [run_id])]


def test_killed_crawl_resumes_without_losing_or_repeating_pages(tmp_path, db, import_companies):
    import_companies(db, {f"slow{n}": f"http://www.slow{n}.test/" for n in range(SITES)})
    db_path = str(tmp_path / "test.db")
    with VirtualHostServer(slow_sites()) as server:
        command = [sys.executable, "-m", "ruhrindex", "crawl", "--db", db_path, "-m", "Bochum",
                   "--proxy", server.proxy_url, "--allow-private", "--delay", "0", "--quiet",
                   "--log-level", "ERROR"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        # a session of its own, so the kill takes Scrapy's child process along, as kill -9
        # of a job or an out-of-memory kill would
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while db["pages"].count < 8 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        before_kill = set(stored(db, 1))
        assert 8 <= len(before_kill) < SITES * PAGES, "the kill came too late to test resuming"
        assert db["crawl_runs"].get(1)["status"] == "running"
        hits_before = len(server.hits)

        options = CrawlOptions(delay=0.0, proxy=server.proxy_url, allow_private=True,
                               log_level="ERROR", progress=False)
        resume(db_path, 1, options)
        refetched = {hit for hit in server.hits[hits_before:] if not hit.endswith("robots.txt")}
        uninterrupted = crawl(db_path, None, options)

    resumed = stored(db, 1)
    assert len(resumed) == len(set(resumed)) == SITES * PAGES
    assert set(resumed) == set(stored(db, uninterrupted))
    # pages stored before the kill were not fetched again
    assert not refetched & {url.removeprefix("http://") for url in before_kill}
    outcomes = list(db["crawl_outcomes"].rows_where("run_id = 1"))
    assert {(r["status"], r["pages"]) for r in outcomes} == {("ok", PAGES)}
    assert db["crawl_runs"].get(1)["status"] == "finished"
    assert not job_dir(db_path, 1).exists()


def test_resume_fetches_a_homepage_whose_inner_pages_were_stored_first(tmp_path, db,
                                                                      import_companies):
    """Pages are stored as their extraction ends, so a kill can leave inner pages without
    their homepage; the resumed run must still reach the homepage's other links."""
    import_companies(db, {f"slow{n}": f"http://www.slow{n}.test/" for n in range(2)})
    db_path = str(tmp_path / "test.db")
    with VirtualHostServer(slow_sites()) as server:
        options = CrawlOptions(delay=0.0, proxy=server.proxy_url, allow_private=True,
                               log_level="ERROR", progress=False)
        run_id = crawl(db_path, None, options)
        complete = set(stored(db, run_id))
        lost = ["http://www.slow0.test/", *(f"http://www.slow0.test/seite-{i}" for i in (1, 2))]
        with db.conn:
            db.execute(f"delete from pages where run_id = ? and url in ({', '.join('?' * 3)})",
                       [run_id, *lost])
            db["crawl_runs"].update(run_id, {"status": "interrupted"})
        hits_before = len(server.hits)
        resume(db_path, run_id, options)
        refetched = {hit for hit in server.hits[hits_before:] if not hit.endswith("robots.txt")}
    assert set(stored(db, run_id)) == complete
    assert len(complete) == 2 * PAGES
    assert refetched == {url.removeprefix("http://") for url in lost}


def test_resume_refuses_finished_and_unknown_runs(tmp_path, db, import_companies):
    import_companies(db, {"a": "http://www.a.test/"})
    db_path = str(tmp_path / "test.db")
    with VirtualHostServer({"www.a.test": {"/": Resource(200, "text/html", b"<p>Hallo</p>")}}) \
            as server:
        run_id = crawl(db_path, None, CrawlOptions(delay=0.0, proxy=server.proxy_url,
                                                   allow_private=True, progress=False,
                                                   log_level="ERROR"))
    with pytest.raises(ValueError, match="already finished"):
        resume(db_path, run_id)
    with pytest.raises(ValueError, match="no crawl run 99"):
        resume(db_path, 99)


def test_cli_resume_needs_a_known_run_and_no_selection(tmp_path, db):
    db_path = str(tmp_path / "test.db")
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "--db", db_path, "--resume", "99"])
    assert result.exit_code == 1 and "no crawl run 99" in result.output
    result = runner.invoke(main, ["crawl", "--db", db_path, "--resume", "1", "-m", "Bochum"])
    assert result.exit_code == 2 and "--resume" in result.output


def test_crawl_stopped_early_is_interrupted_and_resumable(tmp_path, db, import_companies):
    import_companies(db, {f"slow{n}": f"http://www.slow{n}.test/" for n in range(2)})
    db_path = str(tmp_path / "test.db")
    with VirtualHostServer(slow_sites()) as server:
        options = CrawlOptions(delay=0.0, proxy=server.proxy_url, allow_private=True,
                               log_level="ERROR", progress=False)
        stopping = replace(options, extra_settings={"CLOSESPIDER_ITEMCOUNT": 3,
                                                     "CONCURRENT_REQUESTS": 2})
        with pytest.raises(RuntimeError, match="--resume 1"):
            crawl(db_path, None, stopping)
        assert db["crawl_runs"].get(1)["status"] == "interrupted"
        assert 3 <= len(stored(db, 1)) < 2 * PAGES
        resume(db_path, 1, options)
    assert len(stored(db, 1)) == 2 * PAGES
    assert db["crawl_runs"].get(1)["status"] == "finished"
