"""Fetching company lists over HTTP from a real server on 127.0.0.1 replaying API answers.

The answers are the synthetic fixtures in tests/data/open_data/ (see its README), sent with the
status codes and headers the real Overpass and Wikidata services use.
"""

from __future__ import annotations

import csv
import threading
import time
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from company_lists.http_client import FetchError, PoliteClient, _parse_retry_after
from company_lists.importer import read_company_csv
from company_lists.osm import fetch_overpass
from company_lists.wikidata import SPARQL_JSON, fetch_wikidata
from ruhrindex.cli import main
from ruhrindex.config import USER_AGENT

DATA = Path(__file__).parent / "data" / "open_data"
JSON = {"Content-Type": "application/json"}
BOCHUM = "05911000"
DROP = 0  # scripted "status": close the connection without an answer


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


class Replay:
    """Answers requests with a script of (status, headers, body[, delay]); records each request."""

    def __init__(self) -> None:
        self.script: list[tuple] = []
        self.requests: list[dict] = []
        self.url = ""

    def answer(self, status: int, body: bytes, headers: dict | None = None,
               delay: float = 0.0) -> None:
        self.script.append((status, headers or {}, body, delay))


@pytest.fixture
def server():
    replay = Replay()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            replay.requests.append({"method": self.command, "path": self.path,
                                    "headers": dict(self.headers), "body": body,
                                    "at": time.monotonic()})
            status, headers, payload, delay = (replay.script.pop(0) if replay.script else
                                               (500, {}, b"nothing scripted", 0.0))
            time.sleep(delay)
            if status == DROP:
                self.close_connection = True
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{httpd.server_address[1]}/api/interpreter"
    yield replay
    httpd.shutdown()
    httpd.server_close()


def client(tmp_path: Path, **options) -> PoliteClient:
    settings = {"cache_dir": tmp_path / "cache", "backoff": 0.01, "min_interval": 0.0,
                "retries": 2, "timeout": 5.0, **options}
    return PoliteClient(**settings)


def test_overpass_query_is_posted_with_user_agent_and_elements_come_back(server, tmp_path):
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    elements = fetch_overpass(client(tmp_path), server.url, BOCHUM)
    assert len(elements) == 16
    request = server.requests[0]
    assert request["method"] == "POST"
    assert request["headers"]["User-Agent"] == USER_AGENT and "+http" in USER_AGENT
    query = urllib.parse.parse_qs(request["body"].decode())["data"][0]
    assert f'"de:amtlicher_gemeindeschluessel"="{BOCHUM}"' in query
    assert "out center tags;" in query and 'nwr["contact:website"](area.municipality);' in query


def test_cache_hit_sends_no_second_request(server, tmp_path):
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    first = fetch_overpass(client(tmp_path), server.url, BOCHUM)
    again = client(tmp_path)
    assert fetch_overpass(again, server.url, BOCHUM) == first
    assert len(server.requests) == 1 and again.requests_sent == 0
    # another municipality is another query: not served from the cache
    server.answer(200, fixture("overpass_empty.json"), JSON)
    assert fetch_overpass(again, server.url, "05913000") == []
    assert len(server.requests) == 2


def test_429_waits_as_told_by_retry_after_then_succeeds(server, tmp_path):
    server.answer(429, b"Too Many Requests", {"Retry-After": "1"})
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    waits: list[float] = []
    polite = client(tmp_path, sleep=lambda s: (waits.append(s), time.sleep(s)))
    assert len(fetch_overpass(polite, server.url, BOCHUM)) == 16
    assert waits == [1.0]
    assert server.requests[1]["at"] - server.requests[0]["at"] >= 0.95


def test_retry_after_beyond_patience_fails_at_once(server, tmp_path):
    server.answer(429, b"Too Many Requests", {"Retry-After": "3600"})
    with pytest.raises(FetchError, match="server asks to wait 3600 s"):
        client(tmp_path, max_wait=60).fetch_json(server.url, {"q": "1"})
    assert len(server.requests) == 1


def test_retry_after_in_seconds_or_as_http_date():
    assert _parse_retry_after("7") == 7.0
    assert _parse_retry_after(formatdate(time.time() + 30, usegmt=True)) == pytest.approx(30, abs=1.5)
    assert _parse_retry_after(None) is None and _parse_retry_after("soon") is None


def test_damaged_cache_entry_is_fetched_again(server, tmp_path):
    server.answer(200, b'{"n": 1}', JSON)
    server.answer(200, b'{"n": 2}', JSON)
    assert client(tmp_path).fetch_json(server.url, {"q": "1"}) == {"n": 1}
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_bytes(b"{trunc")
    assert client(tmp_path).fetch_json(server.url, {"q": "1"}) == {"n": 2}


def test_504_busy_page_is_retried_then_a_clear_error(server, tmp_path):
    for _ in range(3):
        server.answer(504, fixture("overpass_504.html"), {"Content-Type": "text/html"})
    waits: list[float] = []
    with pytest.raises(FetchError) as caught:
        fetch_overpass(client(tmp_path, sleep=waits.append), server.url, BOCHUM)
    error = caught.value
    assert len(server.requests) == 3 and waits == [0.01, 0.02]  # exponential backoff
    assert error.status == 504 and error.endpoint == server.url
    assert "gave up after 3 attempt(s)" in str(error)
    assert "too busy to handle your request" in str(error) and "Try again later" in str(error)
    assert not (tmp_path / "cache").exists()  # errors are never cached


def test_client_timeout_is_retried_then_reported(server, tmp_path):
    server.answer(200, b"{}", JSON, delay=1.0)
    server.answer(200, b"{}", JSON, delay=1.0)
    with pytest.raises(FetchError, match=r"no answer in 0.3 s") as caught:
        client(tmp_path, timeout=0.3, retries=1).fetch_json(server.url, {"q": "1"})
    assert caught.value.status == "timeout"


def test_dropped_connection_is_retried(server, tmp_path):
    server.answer(DROP, b"")
    server.answer(200, b'{"ok": true}', JSON)
    assert client(tmp_path).fetch_json(server.url, {"q": "1"}) == {"ok": True}
    assert len(server.requests) == 2


def test_malformed_json_is_a_clear_error_and_not_cached(server, tmp_path):
    server.answer(200, b'{"elements": [{"type": "node", "id": 1', JSON)
    with pytest.raises(FetchError, match="not valid JSON") as caught:
        fetch_overpass(client(tmp_path), server.url, BOCHUM)
    assert "--endpoint" in caught.value.hint
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    assert len(fetch_overpass(client(tmp_path), server.url, BOCHUM)) == 16


def test_json_that_is_not_an_object_is_an_error(server, tmp_path):
    server.answer(200, b'["elements"]', JSON)
    with pytest.raises(FetchError, match="answer is JSON but a list, not an object"):
        client(tmp_path).fetch_json(server.url, {"q": "1"})


def test_answer_cut_short_by_server_timeout_is_an_error(server, tmp_path):
    server.answer(200, fixture("overpass_timeout_remark.json"), JSON)
    with pytest.raises(FetchError, match="incomplete: runtime error: Query timed out"):
        fetch_overpass(client(tmp_path), server.url, BOCHUM)
    assert not (tmp_path / "cache").exists()


def test_refusal_is_not_retried(server, tmp_path):
    server.answer(400, b"<p><strong>Error</strong>: line 2: parse error: unknown type</p>")
    with pytest.raises(FetchError, match="line 2: parse error") as caught:
        fetch_overpass(client(tmp_path), server.url, BOCHUM)
    assert caught.value.status == 400 and len(server.requests) == 1


def test_unreachable_endpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FetchError, match="cannot connect") as caught:
        client(tmp_path).fetch_json("http://127.0.0.1:9/api", {"q": "1"})
    assert "Check the endpoint URL" in caught.value.hint


def test_rate_limit_spaces_requests_to_one_endpoint(server, tmp_path):
    server.answer(200, b"{}", JSON)
    server.answer(200, b"{}", JSON)
    polite = client(tmp_path, min_interval=0.3)
    polite.fetch_json(server.url, {"q": "1"})
    polite.fetch_json(server.url, {"q": "2"})
    assert server.requests[1]["at"] - server.requests[0]["at"] >= 0.28


def test_wikidata_query_asks_for_sparql_json(server, tmp_path):
    server.answer(200, fixture("wikidata_ruhr.json"), {"Content-Type": SPARQL_JSON})
    bindings = fetch_wikidata(client(tmp_path), server.url, [BOCHUM, "05113000"])
    assert len(bindings) == 6
    request = server.requests[0]
    assert request["method"] == "GET" and request["headers"]["Accept"] == SPARQL_JSON
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)["query"][0]
    assert 'VALUES ?ags { "05113000" "05911000" }' in query and "wdt:P439" in query
    assert "wd:Q4830453" in query and "wd:Q6881511" in query and "wdt:P856" in query


def test_wikidata_answer_without_bindings_is_an_error(server, tmp_path):
    server.answer(200, b'{"head": {"vars": ["company"]}}', JSON)
    with pytest.raises(FetchError, match="needs head.vars and results.bindings"):
        fetch_wikidata(client(tmp_path), server.url, [BOCHUM])


def run(*args: str):
    return CliRunner().invoke(main, ["companies", *args], prog_name="ruhrindex")


def fetch_args(server, tmp_path: Path, out: Path) -> list[str]:
    return ["--endpoint", server.url, "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
            "--backoff", "0.01", "--min-interval", "0", "--retries", "1"]


def test_cli_fetch_osm_writes_a_list_import_accepts(server, tmp_path):
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    out = tmp_path / "lists"
    result = run("fetch-osm", "-m", "Bochum", *fetch_args(server, tmp_path, out))
    assert result.exit_code == 0, result.output
    assert "Bochum (05911000): 16 seen, 7 kept, 9 dropped" in result.output
    report = read_company_csv(out / f"osm-{BOCHUM}.csv")
    assert not report.problems and len(report.rows) == 7
    assert {r["source"] for r in report.rows} == {"osm"}


def test_cli_failure_never_overwrites_a_good_list(server, tmp_path):
    out = tmp_path / "lists"
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    assert run("fetch-osm", "-m", BOCHUM, *fetch_args(server, tmp_path, out)).exit_code == 0
    good = (out / f"osm-{BOCHUM}.csv").read_bytes()
    server.answer(200, fixture("overpass_timeout_remark.json"), JSON)
    for _ in range(2):
        server.answer(504, fixture("overpass_504.html"), {"Content-Type": "text/html"})
    args = [*fetch_args(server, tmp_path, out), "--no-cache"]
    cut_short = run("fetch-osm", "-m", BOCHUM, *args)
    busy = run("fetch-osm", "-m", BOCHUM, *args)
    for result in (cut_short, busy):
        assert result.exit_code == 1
        assert "not written (an existing list stays as it was)" in result.output
    assert "incomplete" in cut_short.output and "server busy" in busy.output
    assert (out / f"osm-{BOCHUM}.csv").read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == [f"osm-{BOCHUM}.csv"]  # no temp files left


def test_cli_several_municipalities_one_failing(server, tmp_path):
    out = tmp_path / "lists"
    server.answer(200, fixture("overpass_bochum.json"), JSON)
    server.answer(502, b"Bad Gateway")
    result = run("fetch-osm", "-m", "Bochum", "-m", "Herne", "--quiet",
                 *fetch_args(server, tmp_path, out))
    assert result.exit_code == 1 and "1 municipality list(s) not written" in result.output
    assert "Herne" in result.output and (out / f"osm-{BOCHUM}.csv").exists()
    assert not (out / "osm-05916000.csv").exists()


def test_cli_empty_area_gives_empty_list_and_message(server, tmp_path):
    server.answer(200, fixture("overpass_empty.json"), JSON)
    out = tmp_path / "lists"
    result = run("fetch-osm", "-m", "Hattingen", *fetch_args(server, tmp_path, out))
    assert result.exit_code == 0, result.output
    assert "no elements with a website" in result.output and "0 seen, 0 kept" in result.output
    path = out / "osm-05954016.csv"
    assert path.read_text(encoding="utf-8").splitlines() == [
        "company_id,name,ags,website,founding_year,employees,sector,source,source_ids,"
        "source_tags"]
    assert read_company_csv(path).problems == []


def test_cli_fetch_wikidata(server, tmp_path):
    server.answer(200, fixture("wikidata_ruhr.json"), {"Content-Type": SPARQL_JSON})
    out = tmp_path / "lists"
    result = run("fetch-wikidata", "-m", "Bochum", "-m", "Essen",
                 *fetch_args(server, tmp_path, out))
    assert result.exit_code == 0, result.output
    assert "Bochum (05911000): 3 seen, 2 kept, 1 dropped" in result.output
    assert "Essen (05113000): 2 seen, 1 kept, 1 dropped" in result.output
    with (out / f"wikidata-{BOCHUM}.csv").open(encoding="utf-8") as handle:
        rows = {r["company_id"]: r for r in csv.DictReader(handle)}
    steel = rows["wikidata-Q990000001"]
    assert steel["source_ids"] == "wikidata:Q990000001" and steel["founding_year"] == "1921"
    assert steel["website"] == "https://www.stahlguss-westfalen.test/"


def test_cli_fetch_wikidata_busy_endpoint_writes_nothing(server, tmp_path):
    server.answer(503, b"Service Unavailable", {"Retry-After": "0"})
    server.answer(503, b"Service Unavailable", {"Retry-After": "0"})
    out = tmp_path / "lists"
    result = run("fetch-wikidata", "--all", *fetch_args(server, tmp_path, out))
    assert result.exit_code == 1 and "No list was written" in result.output
    assert not out.exists()


@pytest.mark.parametrize("command", ["fetch-osm", "fetch-wikidata", "merge"])
def test_open_data_commands_teach_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output
    assert f"ruhrindex companies {command}" in result.output
