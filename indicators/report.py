"""A single self-contained HTML report: ranking, bar charts with intervals, a map, coverage and
a methods section written from the settings actually used.

Charts are inline SVG written here, so the file opens offline, in any browser, with no
JavaScript and no external assets.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from company_lists.registry import municipalities
from indicators.build import IndexTable, describe
from indicators.normalise import DESCRIPTIONS
from indicators.subindex import score_column

BAR_H, LABEL_W, PLOT_W, VALUE_W = 20, 190, 380, 130


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit in ("score", "rate"):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _esc(value) -> str:
    return html.escape(str(value))


def bar_chart(items: list[tuple[str, float, float | None, float | None]], title: str,
              unit: str = "score") -> str:
    """Horizontal bars sorted by value, with whiskers from the interval's lower to upper bound."""
    items = sorted((i for i in items if i[1] is not None), key=lambda i: -i[1])
    ends = [x for _, v, lo, hi in items for x in (v, lo, hi) if x is not None]
    low, high = min([0.0, *ends]), max([0.0, *ends])
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return LABEL_W + PLOT_W * (value - low) / span

    parts = []
    for n, (label, value, lo, hi) in enumerate(items):
        y = 30 + n * BAR_H
        left, right = sorted((x(0.0), x(value)))
        interval = f" (Intervall {_fmt(lo, unit)} – {_fmt(hi, unit)})" if lo is not None else ""
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end">{_esc(label)}</text>'
            f'<rect class="bar" x="{left:.1f}" y="{y + 3}" width="{max(right - left, 0.5):.1f}" '
            f'height="{BAR_H - 6}"><title>{_esc(label)}: {_fmt(value, unit)}{interval}</title>'
            "</rect>")
        if lo is not None and hi is not None:
            mid = y + BAR_H / 2
            parts.append(
                f'<g class="whisker"><line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{mid}" '
                f'y2="{mid}"/><line x1="{x(lo):.1f}" x2="{x(lo):.1f}" y1="{mid - 5}" '
                f'y2="{mid + 5}"/><line x1="{x(hi):.1f}" x2="{x(hi):.1f}" y1="{mid - 5}" '
                f'y2="{mid + 5}"/></g>')
        parts.append(f'<text x="{LABEL_W + PLOT_W + 8}" y="{y + 14}">{_fmt(value, unit)}</text>')
    height = 40 + len(items) * BAR_H
    width = LABEL_W + PLOT_W + VALUE_W
    axis = (f'<line class="axis" x1="{x(0.0):.1f}" x2="{x(0.0):.1f}" y1="26" '
            f'y2="{height - 8}"/>')
    empty = "" if items else '<text x="0" y="44">keine Werte</text>'
    return (f'<figure><svg class="chart" role="img" aria-label="{_esc(title)}" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}"><text x="0" y="16" class="title">{_esc(title)}</text>{axis}'
            + "".join(parts) + empty + "</svg></figure>")


def _colour(value: float | None, low: float, high: float) -> str:
    """Light to dark blue by score; grey where there is no score."""
    if value is None:
        return "#c8c8c8"
    t = (value - low) / (high - low) if high > low else 0.5
    start, end = (222, 235, 247), (8, 69, 148)
    return "#" + "".join(f"{round(a + t * (b - a)):02x}" for a, b in zip(start, end, strict=True))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def municipality_map(table: IndexTable, geometries: dict[str, dict] | None = None) -> str:
    """All 53 municipalities, coloured by the overall index: centroid markers or polygons."""
    w, h, pad = 640, 460, 20
    points = [(m.lon, m.lat) for m in municipalities()]
    if geometries:
        points = [tuple(p[:2]) for g in geometries.values() for r in _rings(g) for p in r]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    aspect = math.cos(math.radians((lat0 + lat1) / 2))   # equirectangular, true at mid-latitude
    scale = min((w - 2 * pad) / ((lon1 - lon0) * aspect or 1), (h - 2 * pad) / ((lat1 - lat0) or 1))
    h = round(2 * pad + (lat1 - lat0) * scale)   # no empty band below the region

    def xy(lon: float, lat: float) -> str:
        return f"{pad + (lon - lon0) * aspect * scale:.1f},{pad + (lat1 - lat) * scale:.1f}"

    scores = [r["index"] for r in table.rows if r.get("index") is not None]
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    marks = []
    for row in table.rows:
        tip = (f"<title>{_esc(row['name'])}: Index {_fmt(row.get('index'), 'score')}, "
               f"Abdeckung {_fmt(row.get('coverage'), 'share')}</title>")
        fill = _colour(row.get("index"), low, high)
        if geometries:
            path = " ".join("M" + " L".join(xy(*p[:2]) for p in ring) + " Z"
                            for ring in _rings(geometries[row["ags"]]))
            marks.append(f'<path class="area" data-ags="{row["ags"]}" d="{path}" '
                         f'fill="{fill}">{tip}</path>')
        else:
            cx, cy = xy(row["lon"], row["lat"]).split(",")
            radius = 7 if row.get("index") is not None else 4
            marks.append(f'<circle class="marker" data-ags="{row["ags"]}" cx="{cx}" cy="{cy}" '
                         f'r="{radius}" fill="{fill}">{tip}</circle>')
        if row.get("index") is not None:
            lx, ly = xy(row["lon"], row["lat"]).split(",")
            marks.append(f'<text x="{float(lx) + 9:.1f}" y="{float(ly) + 4:.1f}">'
                         f"{_esc(row['name'])}</text>")
    kind = "Gemeindegrenzen" if geometries else "Gemeinde-Mittelpunkte"
    return (f'<figure><svg class="map" role="img" aria-label="Karte der Gemeinden" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}">' + "".join(marks) + f"</svg><figcaption>{kind}; Farbe: Gesamtindex "
            f"(hell {_fmt(low, 'score')} bis dunkel {_fmt(high, 'score')}; grau: nicht bewertet)."
            "</figcaption></figure>")


def ranking(table: IndexTable) -> str:
    subs = table.settings.subindices
    has_ci = "rank_lo" in table.columns
    head = ["Rang", *(["Rang 90%"] if has_ci else []), "Gemeinde", "Index",
            *(["Index 90%"] if has_ci else []), *subs, "erreicht / gelistet", "Abdeckung",
            "Hinweis"]
    rows = sorted((r for r in table.rows if r["companies_listed"]),
                  key=lambda r: (r.get("rank") is None, r.get("rank") or 0, r["name"]))

    def interval(row, key, unit) -> list[str]:
        if not has_ci:
            return []
        lo, hi = row.get(f"{key}_lo"), row.get(f"{key}_hi")
        return [f"{_fmt(lo, unit)}–{_fmt(hi, unit)}" if lo is not None else "–"]

    body = []
    for r in rows:
        cells = [_fmt(r.get("rank")), *interval(r, "rank", ""), r["name"],
                 _fmt(r.get("index"), "score"), *interval(r, "index", "score"),
                 *(_fmt(r.get(score_column(s)), "score") for s in subs),
                 f"{r['companies_reached']} / {r['companies_listed']}",
                 _fmt(r.get("coverage"), "share"), r.get("flag") or ""]
        body.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    return (f'<table id="ranking"><thead><tr>{"".join(f"<th>{_esc(h)}</th>" for h in head)}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _items(table: IndexTable, key: str) -> list[tuple]:
    return [(r["name"], r.get(key), r.get(f"{key}_lo"), r.get(f"{key}_hi")) for r in table.rows]


def methods(table: IndexTable, models: list[dict]) -> str:
    s = table.settings
    overall = s.overall_weights()
    indicator_rows = "".join(
        f"<tr><td>{_esc(spec.subindex)}</td><td><code>{_esc(spec.name)}</code></td>"
        f"<td>{_esc(describe(spec.name, table))}</td>"
        f"<td>{'höher ist besser' if spec.direction > 0 else 'niedriger ist besser'}</td>"
        f"<td>{s.weights_of(spec.subindex)[spec.name]:.3f}</td></tr>" for spec in s.indicators)
    sub_weights = ", ".join(f"{_esc(k)} {v:.3f}" for k, v in overall.items())
    boot = (f"{s.replicates} Bootstrap-Replikationen (Seed {s.seed}): Unternehmen werden je "
            f"Gemeinde mit Zurücklegen gezogen"
            + ("; zusätzlich wird jede Klassifikator-Entscheidung aus ihrer Wahrscheinlichkeit "
               "neu gezogen" if s.classifier_probabilities else "")
            + f". Angegeben sind {round(100 * s.confidence)}%-Perzentilintervalle für jeden "
              "Indikator, Teilindex, Index und Rang."
            if s.replicates else "Keine Intervalle (0 Bootstrap-Replikationen).")
    cards = "".join(
        f"<li><b>{_esc(m['task'])}</b> Modell {_esc(m['version'])}: {m['examples']} gelabelte "
        f"Beispiele, {m['cross_validation']['folds']}-fach kreuzvalidierter F1 "
        f"{m['cross_validation']['f1']:.2f}, F1 auf zurückgehaltenen Daten "
        f"{m['held_out']['f1']:.2f}</li>" for m in models) or "<li>keine Modellkarten</li>"
    sources = "".join(f"<li>{label}: {_esc(value)}</li>" for label, value in (
        ("Konfiguration", s.source), ("Nenner je 10.000", table.denominators_source),
        ("Amtliche Statistik", s.external_source)) if value)
    return (
        "<h2>Methoden</h2><p>Unternehmenswebsites wurden mit Scrapy gecrawlt, Texte mit "
        "trafilatura extrahiert und mit den folgenden Modellen bewertet:</p>"
        f"<ul>{cards}</ul><p>Anteile beziehen sich auf erreichte Unternehmen. Gemeinden mit "
        f"weniger als {s.min_reached} erreichten Unternehmen werden markiert, nicht "
        f"ausgeblendet.</p><p>Normalisierung: {_esc(DESCRIPTIONS[s.normalisation])}. "
        "Aggregation: gewichtetes arithmetisches Mittel der normalisierten Indikatoren je "
        "Teilindex (fehlende Werte: Gewichte der vorhandenen neu skaliert), dann der "
        f"Teilindizes zum Gesamtindex (Gewichte: {sub_weights}; nur bei vollständigen "
        "Teilindizes). Rang 1 = bester Wert; "
        "Gleichstände teilen den besseren Rang.</p>"
        '<table id="weights"><thead><tr><th>Teilindex</th><th>Indikator</th><th>Bedeutung'
        f"</th><th>Richtung</th><th>Gewicht</th></tr></thead><tbody>{indicator_rows}</tbody>"
        f"</table><p>Unsicherheit: {boot}</p><ul>{sources}</ul>")


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1150px;color:#222}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0}td,th{border:1px solid #ccc;
padding:2px 6px}th{background:#eef3f8}.bar{fill:#3a7fc0}.whisker line{stroke:#222;
stroke-width:1.4}.axis{stroke:#888}.chart text,.map text{font-size:11px}.title{font-weight:
bold;font-size:14px}.map .marker,.map .area{stroke:#333;stroke-width:.6}.charts{display:flex;
flex-wrap:wrap;gap:1em}.note{background:#fff3cd;padding:.6em;border:1px solid #e0c36a}"""


def write_report(table: IndexTable, path: Path, models: list[dict], note: str = "",
                 geometries: dict[str, dict] | None = None) -> Path:
    subs = [(score_column(s), f"Teilindex {s}") for s in table.settings.subindices]
    charts = "".join(bar_chart(_items(table, key), title) for key, title in
                     [("index", "Gesamtindex"), *subs])
    coverage = bar_chart(_items(table, "coverage"), "Abdeckung: erreichte / "
                         "gelistete Unternehmen", "share")
    unlisted = sorted(r["name"] for r in table.rows if not r["companies_listed"])
    banner = f'<p class="note">{_esc(note)}</p>' if note else ""
    document = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        "<title>ruhrindex – Digitalisierung der Unternehmen</title>"
        f"<style>{STYLE}</style></head><body><h1>ruhrindex: Digitalisierung der Unternehmen je "
        f"Gemeinde</h1>{banner}<h2>Rangfolge</h2>{ranking(table)}"
        f"<p>Ohne gelistete Unternehmen ({len(unlisted)}): {_esc(', '.join(unlisted)) or '–'}"
        "</p><h2>Karte</h2>"
        f"{municipality_map(table, geometries)}<h2>Teilindizes</h2>"
        f'<div class="charts">{charts}</div><h2>Abdeckung</h2>{coverage}'
        f"{methods(table, models)}</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path
