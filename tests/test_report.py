"""The HTML report: self-contained, methods from the settings, and rendered by a real browser."""

import re
import subprocess
from html.parser import HTMLParser

import pytest
from PIL import Image

from indicators.build import build_table
from indicators.geo import load_boundaries
from indicators.report import write_report
from indicators.settings import IndexSettings
from tests.test_exports import boundary_file
from tests.test_indicators import add_company, fill

CARD = {"task": "digital", "version": "v1", "examples": 300,
        "cross_validation": {"folds": 5, "f1": 0.81}, "held_out": {"f1": 0.78}}


@pytest.fixture
def table(db):
    fill(db)
    for n in range(6):                           # Dortmund: 6 reached, 2 digital, 1 AI ad
        add_company(db, f"do{n}", "05913000", digital=0.9 if n < 2 else 0.1,
                    ads=(n == 0, False))
    return build_table(db, IndexSettings(replicates=200, seed=11, normalisation="zscore"))


class Elements(HTMLParser):
    """Count elements by tag and class in a (browser-serialised) document."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs).get("class") or ""))

    def count(self, tag, css=""):
        return sum(1 for t, c in self.seen if t == tag and css in c.split() + [""] * (not css))


def parsed(text):
    elements = Elements()
    elements.feed(text)
    return elements


def test_report_is_self_contained_and_states_its_methods(tmp_path, table):
    path = write_report(table, tmp_path / "r.html", models=[CARD], note="SYNTHETISCH")
    text = path.read_text(encoding="utf-8")
    assert "SYNTHETISCH" in text and "<script" not in text
    assert not re.search(r"(src|href)=|url\(|@import", text)
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "z-scores" in text and "200 Bootstrap-Replikationen (Seed 11)" in text
    assert "90%-Perzentilintervalle" in text and "weniger als 5 erreichten" in text
    assert "kreuzvalidierter F1 0.81" in text and "<code>ai_job_ad_share</code>" in text
    elements = parsed(text)
    assert elements.count("svg", "chart") == 4        # index, 2 sub-indices, coverage
    assert elements.count("circle", "marker") == 53
    assert elements.count("tr") == 1 + 3 + 1 + 5      # ranking: Bochum, Dortmund, Unna


def test_report_map_uses_boundary_polygons(tmp_path, table):
    shapes = load_boundaries(boundary_file(tmp_path))
    text = write_report(table, tmp_path / "p.html", [], geometries=shapes).read_text("utf-8")
    elements = parsed(text)
    assert elements.count("path", "area") == 53 and elements.count("circle", "marker") == 0
    assert "Gemeindegrenzen" in text


def chromium(binary, tmp_path, *args):
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120)


def test_report_renders_in_headless_chromium(tmp_path, table, system_tool):
    binary = system_tool("chromium", "chromium-browser", debian_package="chromium")
    page = write_report(table, tmp_path / "r.html", [CARD]).as_uri()
    dom = chromium(binary, tmp_path, "--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    elements = parsed(dom.stdout)
    assert elements.count("svg", "chart") == 4 and elements.count("svg", "map") == 1
    # index and 2 sub-indices: Bochum and Dortmund (Unna reached none, so has no score);
    # coverage: all three municipalities with listed companies
    assert elements.count("rect", "bar") == 3 * 2 + 3
    assert elements.count("g", "whisker") == 3 * 2 + 3
    assert elements.count("circle", "marker") == 53
    shot = tmp_path / "r.png"
    result = chromium(binary, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page)
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200                  # text, bars, whiskers, map markers, shading
    blue = sum(n for n, (r, g, b) in colours if b > 120 and b > r + 40)
    assert blue > 2000                         # the bars and markers are painted
