"""Municipality geometries for GeoJSON and the report map: centroids, or user polygons.

GeoJSON follows RFC 7946: WGS84 longitude/latitude order, a FeatureCollection, and no
``crs`` member. Boundary files (e.g. the BKG VG250 municipalities exported as GeoJSON in
EPSG:4326) are matched to the registry by an AGS property.
"""

from __future__ import annotations

import json
from pathlib import Path

from company_lists.registry import municipalities

AGS_KEYS = ("ags", "AGS", "ags_8", "AGS_0", "gemeindeschluessel")


class BoundaryError(ValueError):
    """The boundary file cannot be used; the message says why."""


def centroids() -> dict[str, dict]:
    """Point geometry per AGS from the registry's centroids."""
    return {m.ags: {"type": "Point", "coordinates": [m.lon, m.lat]} for m in municipalities()}


def _ags_of(properties: dict) -> str | None:
    for key in AGS_KEYS:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()[:8].zfill(8)
    return None


def _check_lon_lat(geometry: dict, path: Path) -> None:
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [
        ring for polygon in geometry["coordinates"] for ring in polygon]
    for ring in rings:
        for point in ring:
            lon, lat = point[:2]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise BoundaryError(f"{path}: coordinate {point[:2]} is not longitude/latitude; "
                                    "reproject the file to WGS84 (EPSG:4326)")


def load_boundaries(path: Path) -> dict[str, dict]:
    """Polygon or MultiPolygon geometry per AGS for all 53 municipalities."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path}: not a readable GeoJSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryError(f"{path}: expected a GeoJSON FeatureCollection")
    wanted = {m.ags for m in municipalities()}
    shapes: dict[str, dict] = {}
    for feature in data.get("features", []):
        ags = _ags_of(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        if ags not in wanted:
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise BoundaryError(f"{path}: feature {ags} has geometry {geometry.get('type')!r}, "
                                "expected Polygon or MultiPolygon")
        _check_lon_lat(geometry, path)
        shapes[ags] = geometry
    missing = sorted(wanted - set(shapes))
    if missing:
        raise BoundaryError(f"{path}: no polygon for {len(missing)} municipalities (AGS "
                            f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}); "
                            f"features need an AGS property ({' or '.join(AGS_KEYS)})")
    return shapes


def feature_collection(rows: list[dict], columns: list[str],
                       geometries: dict[str, dict]) -> dict:
    """One Feature per row; the row's values (without lat/lon) become its properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": row["ags"], "geometry": geometries[row["ags"]],
         "properties": {c: row.get(c) for c in columns}} for row in rows]}
