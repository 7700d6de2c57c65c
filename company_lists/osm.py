"""Company lists from OpenStreetMap: Overpass API answers, saved answers and .osm.pbf extracts.

Which elements count as companies (the rule, applied to the element's tags in this order):

1. business: any ``office`` (except public offices such as ``government``, ``association``,
   ``religion``), ``craft``, ``shop``, ``industrial`` or ``company`` tag; ``man_made=works``;
   commercial amenities, lodging and leisure (restaurants, cafés, pharmacies, banks, doctors,
   hotels, fitness centres, …, see ``COMMERCIAL``); a named ``landuse`` or ``building`` of an
   industrial, commercial or retail kind.
2. public amenity: any other ``amenity``, ``leisure``, ``tourism``, ``historic``, ``club`` or
   ``healthcare`` tag, or a public ``office`` (schools, town halls, churches, parks, museums,
   clubs, …); kept only with ``include_amenities``.
3. anything else (stops, places, routes that carry a website) is not business-like.

Names come from ``name``, else ``brand``; websites from ``website``, ``contact:website``,
``url`` in that order. Several elements with one registered domain (chain branches, a shop
mapped as node and building) become one row that lists every element in ``source_ids``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from company_lists.collect import NO_WEBSITE, Collector
from company_lists.http_client import PoliteClient, read_saved_json

WEBSITE_KEYS = ("website", "contact:website", "url")
BUSINESS_KEYS = ("office", "craft", "shop", "industrial", "company")
PUBLIC_OFFICES = frozenset({"government", "religion", "association", "ngo", "political_party",
                            "educational_institution", "diplomatic", "quango"})
COMMERCIAL = {
    "amenity": frozenset({"restaurant", "cafe", "bar", "pub", "fast_food", "biergarten",
                          "ice_cream", "car_rental", "car_wash", "fuel", "pharmacy", "bank",
                          "doctors", "dentist", "veterinary", "cinema", "nightclub",
                          "driving_school", "bureau_de_change", "coworking_space"}),
    "tourism": frozenset({"hotel", "motel", "guest_house", "hostel", "apartment",
                          "camp_site"}),
    "leisure": frozenset({"fitness_centre", "bowling_alley", "escape_game", "amusement_arcade",
                          "sauna", "trampoline_park"}),
}
NAMED_COMMERCIAL_AREAS = {
    "landuse": frozenset({"industrial", "commercial", "retail"}),
    "building": frozenset({"industrial", "commercial", "retail", "office", "warehouse"}),
}
PUBLIC_KEYS = ("amenity", "leisure", "tourism", "historic", "club", "healthcare", "office")
PUBLIC_AMENITY = "public amenity (kept with --include-amenities)"
NOT_BUSINESS = "not business-like"
OUTSIDE = "outside the chosen municipalities, or without a location"


class OSMDataError(ValueError):
    """Overpass or .osm.pbf data that cannot be used, with what to do about it."""


def overpass_query(ags: str, timeout: int = 180) -> str:
    """Overpass QL: elements with a website inside the boundary carrying the AGS."""
    selectors = "\n".join(f'  nwr["{key}"](area.municipality);' for key in WEBSITE_KEYS)
    return (f"[out:json][timeout:{timeout}];\n"
            f'area["boundary"="administrative"]["de:amtlicher_gemeindeschluessel"="{ags}"]'
            f"->.municipality;\n(\n{selectors}\n);\nout center tags;\n")


def fetch_overpass(client: PoliteClient, endpoint: str, ags: str) -> list[dict]:
    """Ask the Overpass API for the elements of one municipality (cached by the client)."""
    return client.fetch_json(endpoint, {"data": overpass_query(ags)}, method="POST",
                             parse=parse_overpass)


def read_overpass_file(path: Path) -> list[dict]:
    """Elements of a saved Overpass answer (``[out:json]``, e.g. saved from overpass-turbo)."""
    return read_saved_json(path, parse_overpass, OSMDataError,
                           "save the Overpass answer with [out:json]")


def parse_overpass(data: object) -> list[dict]:
    """Check the answer's shape; an answer cut short by a server timeout is an error."""
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise OSMDataError("not an Overpass JSON answer: no 'elements' list")
    remark = str(data.get("remark", ""))
    if "error" in remark.lower():
        raise OSMDataError(f"Overpass answer is incomplete: {remark.strip()}")
    elements = []
    for element in data["elements"]:
        if isinstance(element, dict):
            tags = element.get("tags")
            tags = {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}
            elements.append({**element, "tags": tags})
    return elements


def classify(tags: dict[str, str]) -> tuple[str, str]:
    """``("business"|"public"|"other", "key=value" that decided)`` by the module's rule."""
    for key in BUSINESS_KEYS:
        if key in tags and not (key == "office" and tags[key] in PUBLIC_OFFICES):
            return "business", f"{key}={tags[key]}"
    if tags.get("man_made") == "works":
        return "business", "man_made=works"
    for key, values in COMMERCIAL.items():
        if tags.get(key) in values:
            return "business", f"{key}={tags[key]}"
    if tags.get("name"):
        for key, values in NAMED_COMMERCIAL_AREAS.items():
            if tags.get(key) in values:
                return "business", f"{key}={tags[key]}"
    for key in PUBLIC_KEYS:
        if key in tags:
            return "public", f"{key}={tags[key]}"
    return "other", ""


def select_companies(elements: Iterable[dict], ags: str,
                     include_amenities: bool = False) -> Collector:
    """Company rows of one municipality from Overpass-shaped elements, with drop counts."""
    collector = Collector(ags=ags, source="osm")
    order = {"node": 0, "way": 1, "relation": 2}
    for element in sorted(elements, key=lambda e: (order.get(e.get("type"), 3), e.get("id", 0))):
        collector.seen += 1
        tags = element.get("tags") or {}
        used = [key for key in WEBSITE_KEYS if tags.get(key)]
        kind, evidence = classify(tags)
        if not used:
            collector.drop(NO_WEBSITE)
            continue
        if kind == "other" or (kind == "public" and not include_amenities):
            collector.drop(NOT_BUSINESS if kind == "other" else PUBLIC_AMENITY)
            continue
        collector.add(f"{element.get('type')}/{element.get('id')}",
                      tags.get("name") or tags.get("brand"),
                      [tags[key] for key in used], ";".join([*used[:1], evidence]),
                      sector=evidence)
    return collector


def elements_from_pbf(path: Path, ags_codes: Iterable[str],
                      polygons: dict[str, list] | None = None) -> tuple[dict[str, list], int]:
    """Elements with a website per municipality, placed by the boundary relations in the file.

    *polygons* (``{ags: polygons}``, see :func:`read_boundary`) replace the boundary relation
    of a municipality, for extracts cut without it. Returns ``{ags: [element, ...]}``
    (Overpass-shaped) and the number of elements with a website in none of the municipalities.
    """
    import osmium

    wanted = set(ags_codes)
    boundaries: dict[str, list[tuple[list, list[list]]]] = dict(polygons or {})
    candidates: list[dict] = []
    relation_centres: dict[int, tuple[float, float]] = {}
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            if obj.is_area():
                _read_area(obj, wanted, boundaries, relation_centres)
                continue
            tags = dict(obj.tags)
            if not any(key in tags for key in WEBSITE_KEYS):
                continue
            element = {"type": _TYPE_NAMES[obj.type_str()], "id": obj.id, "tags": tags}
            if obj.is_node():
                element["centre"] = (obj.location.lon, obj.location.lat)
            elif obj.is_way():
                points = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if points:
                    element["centre"] = _mean(points)
            candidates.append(element)
    except RuntimeError as exc:
        raise OSMDataError(f"cannot read {path} as an OSM extract: {exc}") from None
    missing = sorted(wanted - boundaries.keys())
    if missing:
        raise OSMDataError(
            f"{path} holds no boundary relation with de:amtlicher_gemeindeschluessel "
            f"{', '.join(missing)}; use an extract that contains the whole municipality "
            "(with its boundary), e.g. a Regierungsbezirk extract")
    found: dict[str, list] = {ags: [] for ags in wanted}
    outside = 0
    for element in candidates:
        centre = element.pop("centre", None)
        if centre is None and element["type"] == "relation":
            centre = relation_centres.get(element["id"])
        homes = [ags for ags, polygons in boundaries.items()
                 if centre is not None and _in_polygons(centre, polygons)]
        for ags in homes:
            found[ags].append(element)
        outside += not homes
    return found, outside


_TYPE_NAMES = {"n": "node", "w": "way", "r": "relation"}


def read_boundary(path: Path) -> list[tuple[list, list[list]]]:
    """Polygons ``[(outer ring, [holes])]`` of a GeoJSON Polygon or MultiPolygon (lon, lat)."""
    try:
        data = json.loads(Path(path).read_bytes())
        features = data.get("features") or [data]
        geometries = [f.get("geometry", f) for f in features]
        polygons = []
        for geometry in geometries:
            kind, coordinates = geometry["type"], geometry["coordinates"]
            if kind not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"geometry type {kind}, not Polygon or MultiPolygon")
            for rings in [coordinates] if kind == "Polygon" else coordinates:
                outer, *holes = ([(float(p[0]), float(p[1])) for p in ring] for ring in rings)
                polygons.append((outer, holes))
    except OSError as exc:
        raise OSMDataError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise OSMDataError(f"{path} is not a GeoJSON polygon: {exc}") from None
    if not polygons:
        raise OSMDataError(f"{path} holds no polygon")
    return polygons


def _read_area(area, wanted: set[str], boundaries: dict, relation_centres: dict) -> None:
    rings = [([(n.lon, n.lat) for n in outer],
              [[(n.lon, n.lat) for n in inner] for inner in area.inner_rings(outer)])
             for outer in area.outer_rings()]
    if not rings:
        return
    ags = area.tags.get("de:amtlicher_gemeindeschluessel")
    if ags in wanted - boundaries.keys() and area.tags.get("boundary") == "administrative":
        boundaries.setdefault(ags, []).extend(rings)
    if not area.from_way():
        relation_centres[area.orig_id()] = _mean(rings[0][0])


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _in_polygons(point: tuple[float, float], polygons: list[tuple[list, list[list]]]) -> bool:
    return any(_in_ring(point, outer) and not any(_in_ring(point, hole) for hole in holes)
               for outer, holes in polygons)


def _in_ring(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: a ray to the east crosses the ring's edges an odd number of times."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
