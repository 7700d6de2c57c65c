"""A single self-contained HTML report: table, bar charts, a centroid map, methods.

Charts are inline SVG written here, so the file opens offline, in any browser, with no
JavaScript and no external assets.
"""

from __future__ import annotations

import html
from pathlib import Path

from company_lists.registry import municipalities
from indicators.aggregate import INDICATORS

CHARTS = [("digital_share", "Anteil digital-affiner Unternehmen"),
          ("startups_per_1000", "Startups je 1.000 erreichte Unternehmen"),
          ("ai_hiring_company_share", "Anteil Unternehmen mit KI-Stellenanzeigen"),
          ("coverage", "Abdeckung (erreichte / gelistete Unternehmen)")]


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def bar_chart(rows: list[dict], key: str, title: str) -> str:
    """Horizontal bars, one per municipality, sorted by value."""
    data = sorted(((r["name"], r.get(key)) for r in rows), key=lambda kv: -(kv[1] or 0))
    top = max((v or 0 for _, v in data), default=0) or 1
    unit = INDICATORS[key][1]
    height, label_w, bar_w = 22, 180, 360
    bars = []
    for i, (name, value) in enumerate(data):
        y = i * height + 30
        width = bar_w * (value or 0) / top
        bars.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(name)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{height - 6}">'
            f"<title>{html.escape(name)}: {_fmt(value, unit)}</title></rect>"
            f'<text x="{label_w + width + 4:.1f}" y="{y + 15}">{_fmt(value, unit)}</text>')
    total = len(data) * height + 40
    return (f'<figure><svg class="chart" role="img" aria-label="{html.escape(title)}" '
            f'viewBox="0 0 {label_w + bar_w + 90} {total}" width="{label_w + bar_w + 90}" '
            f'height="{total}"><text x="0" y="16" class="title">{html.escape(title)}</text>'
            + "".join(bars) + "</svg></figure>")


def centroid_map(rows: list[dict]) -> str:
    """All 53 Ruhr municipalities as dots at their centroids; measured ones sized by digital share."""
    everything = municipalities()
    lons = [m.lon for m in everything]
    lats = [m.lat for m in everything]
    w, h, pad = 640, 420, 30

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x = pad + (lon - min(lons)) / (max(lons) - min(lons)) * (w - 2 * pad)
        y = h - pad - (lat - min(lats)) / (max(lats) - min(lats)) * (h - 2 * pad)
        return x, y

    measured = {r["ags"]: r for r in rows}
    marks = []
    for m in everything:
        x, y = xy(m.lon, m.lat)
        row = measured.get(m.ags)
        if row is None:
            marks.append(f'<circle class="empty" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                         f"<title>{html.escape(m.name)}: keine Daten</title></circle>")
            continue
        share = row.get("digital_share") or 0
        marks.append(
            f'<circle class="measured" cx="{x:.1f}" cy="{y:.1f}" r="{5 + 20 * share:.1f}">'
            f"<title>{html.escape(m.name)}: {_fmt(share, 'share')} digital-affin</title></circle>"
            f'<text x="{x + 8:.1f}" y="{y - 8:.1f}">{html.escape(m.name)}</text>')
    return (f'<figure><svg class="map" role="img" aria-label="Karte der Gemeinden" '
            f'viewBox="0 0 {w} {h}" width="{w}" height="{h}">' + "".join(marks) + "</svg>"
            "<figcaption>Gemeinde-Mittelpunkte; Kreisgröße: Anteil digital-affiner "
            "Unternehmen (graue Punkte: nicht erhoben).</figcaption></figure>")


def table(rows: list[dict]) -> str:
    head = "".join(f"<th>{html.escape(k)}</th>" for k in ("Gemeinde", *INDICATORS, "Hinweis"))
    body = "".join(
        "<tr><td>" + html.escape(r["name"]) + "</td>"
        + "".join(f"<td>{_fmt(r.get(k), unit)}</td>" for k, (_, unit) in INDICATORS.items())
        + f"<td>{html.escape(r.get('flag') or '')}</td></tr>"
        for r in sorted(rows, key=lambda r: -(r.get("digital_share") or 0)))
    return f'<table id="indicators"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def methods(models: list[dict]) -> str:
    items = "".join(
        f"<li><b>{html.escape(m['task'])}</b> model {html.escape(m['version'])}: "
        f"{m['examples']} labelled examples, {m['cross_validation']['folds']}-fold "
        f"cross-validated F1 {m['cross_validation']['f1']:.2f}, held-out F1 "
        f"{m['held_out']['f1']:.2f}</li>" for m in models)
    definitions = "".join(f"<li><code>{k}</code>: {html.escape(d)}</li>"
                          for k, (d, _) in INDICATORS.items())
    return (f"<h2>Methoden</h2><p>Unternehmenswebsites wurden mit Scrapy gecrawlt, Texte mit "
            f"trafilatura extrahiert und mit den folgenden Modellen bewertet:</p><ul>{items}</ul>"
            f"<p>Indikatoren:</p><ul>{definitions}</ul>")


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px}
.bar{fill:#2a7ab0}.chart text,.map text{font-size:12px}.title{font-weight:bold;font-size:14px}
.measured{fill:#2a7ab0;fill-opacity:.6}.empty{fill:#bbb}.note{background:#fff3cd;padding:.6em}"""


def write_report(rows: list[dict], path: Path, models: list[dict], note: str = "") -> Path:
    charts = "".join(bar_chart(rows, key, title) for key, title in CHARTS)
    banner = f'<p class="note">{html.escape(note)}</p>' if note else ""
    document = (f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
                f"<title>ruhrindex – Digitalisierung der Unternehmen</title>"
                f"<style>{STYLE}</style></head><body><h1>ruhrindex: Digitalisierung der "
                f"Unternehmen je Gemeinde</h1>{banner}<h2>Rangfolge</h2>{table(rows)}"
                f"<h2>Karte</h2>{centroid_map(rows)}<h2>Indikatoren</h2>{charts}"
                f"{methods(models)}</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path
