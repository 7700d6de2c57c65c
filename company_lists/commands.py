"""`ruhrindex companies fetch-osm | fetch-wikidata | merge`: company lists from open data."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from ruhrindex.config import CACHE_DIR, OVERPASS_ENDPOINT, WIKIDATA_ENDPOINT

municipality_option = click.option("--municipality", "-m", multiple=True,
                                   help="Name or 8-digit AGS; repeatable.")
all_option = click.option("--all", "all_", is_flag=True, help="All 53 municipalities.")
out_option = click.option("--out", default="lists", show_default=True,
                          type=click.Path(file_okay=False),
                          help="Folder for the lists (one CSV per municipality).")


def _client_options(command):
    """Options of the polite HTTP client, shared by both fetch commands."""

    @click.option("--cache-dir", default=str(CACHE_DIR), show_default=True,
                  type=click.Path(file_okay=False),
                  help="Successful answers are kept here; a repeated query costs no request.")
    @click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
    @click.option("--retries", default=3, show_default=True,
                  help="Retries on 429/503/504 and timeouts, with exponential backoff.")
    @click.option("--backoff", default=5.0, show_default=True,
                  help="Seconds before the first retry; doubled each time (Retry-After wins).")
    @click.option("--min-interval", default=2.0, show_default=True,
                  help="Seconds between two requests to the endpoint.")
    @functools.wraps(command)
    def wrapper(*args, cache_dir, no_cache, retries, backoff, min_interval, **kwargs):
        from company_lists.http_client import PoliteClient

        client = PoliteClient(cache_dir=None if no_cache else Path(cache_dir), retries=retries,
                              backoff=backoff, min_interval=min_interval)
        return command(*args, client=client, **kwargs)

    return wrapper


def _municipalities(names: tuple[str, ...], all_: bool):
    from company_lists.registry import municipalities, resolve

    if all_:
        return list(municipalities())
    try:
        return [resolve(name) for name in names]
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--municipality") from None


def _write(path: Path, collector, label: str) -> None:
    from company_lists.listfile import write_company_list

    rows = sorted(collector.rows.values(), key=lambda r: (r["name"].casefold(), r["domain"]))
    write_company_list(path, rows)
    click.echo(collector.summary(label))
    click.echo(f"  -> {path} ({len(rows)} companies)")


@click.command("fetch-osm")
@municipality_option
@all_option
@click.option("--endpoint", default=OVERPASS_ENDPOINT, show_default=True,
              help="Overpass API interpreter URL.")
@out_option
@click.option("--include-amenities", is_flag=True,
              help="Also keep public amenities (schools, town halls, churches, parks, clubs).")
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False),
              help="Read a saved Overpass JSON answer for ONE municipality instead of the API.")
@click.option("--pbf", type=click.Path(exists=True, dir_okay=False),
              help="Read an .osm.pbf extract that contains the municipalities' boundaries.")
@click.option("--boundary", type=click.Path(exists=True, dir_okay=False),
              help="With --pbf and one municipality: its GeoJSON (Multi)Polygon, for an "
                   "extract without the boundary relation.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_client_options
def fetch_osm(municipality, all_, endpoint, out, include_amenities, from_file, pbf, boundary,
              quiet, client) -> None:
    """Build company lists from OpenStreetMap: elements with a website, business-like only.

    \b
    Examples:
      ruhrindex companies fetch-osm -m Bochum -m 05913000 --out lists
      ruhrindex companies fetch-osm --all --endpoint https://overpass.kumi.systems/api/interpreter
      ruhrindex companies fetch-osm -m Herne --from-file herne_overpass.json
      ruhrindex companies fetch-osm --all --pbf arnsberg-regbez-latest.osm.pbf
      ruhrindex companies fetch-osm -m Bottrop --pbf cut.osm.pbf --boundary bottrop.geojson
    Writes OUT/osm-<AGS>.csv per municipality (source=osm, the OSM ids and tags used) and
    prints what was seen, kept and dropped and why. Data © OpenStreetMap contributors, ODbL.
    """
    from tqdm import tqdm

    from company_lists.http_client import FetchError
    from company_lists.osm import (
        OUTSIDE,
        OSMDataError,
        elements_from_pbf,
        fetch_overpass,
        read_boundary,
        read_overpass_file,
        select_companies,
    )

    if not municipality and not all_:
        raise click.UsageError("name at least one --municipality, or use --all")
    if from_file and pbf:
        raise click.UsageError("use either --from-file or --pbf, not both")
    places = _municipalities(municipality, all_)
    if (from_file or boundary) and len(places) != 1:
        raise click.UsageError("--from-file and --boundary describe one municipality: name "
                               "exactly one --municipality")
    if boundary and not pbf:
        raise click.UsageError("--boundary filters an extract: use it with --pbf")
    try:
        saved = {places[0].ags: read_overpass_file(Path(from_file))} if from_file else None
        if pbf:
            polygons = {places[0].ags: read_boundary(Path(boundary))} if boundary else None
            saved, outside = elements_from_pbf(Path(pbf), [p.ags for p in places], polygons)
            click.echo(f"{pbf}: {outside} elements with a website not used: {OUTSIDE}")
    except OSMDataError as exc:
        raise click.ClickException(str(exc)) from None
    failures = []
    for place in tqdm(places, desc="municipalities", disable=quiet or len(places) == 1):
        try:
            elements = saved[place.ags] if saved else fetch_overpass(client, endpoint, place.ags)
        except FetchError as exc:
            click.echo(f"error: {place.name} ({place.ags}): {exc}", err=True)
            failures.append(f"{place.name}: {exc.problem}")
            continue
        if not elements:
            click.echo(f"{place.name} ({place.ags}): no elements with a website. If that is "
                       "unexpected, check that its boundary carries de:amtlicher_gemeinde"
                       f"schluessel={place.ags}; writing an empty list.")
        collector = select_companies(elements, place.ags, include_amenities)
        _write(Path(out) / f"osm-{place.ags}.csv", collector, f"{place.name} ({place.ags})")
    click.echo("Data © OpenStreetMap contributors, ODbL 1.0: credit it when you publish.")
    if failures:
        raise click.ClickException(
            f"{len(failures)} municipality list(s) not written (an existing list stays as it "
            f"was): {'; '.join(failures)}")


@click.command("fetch-wikidata")
@municipality_option
@all_option
@click.option("--endpoint", default=WIKIDATA_ENDPOINT, show_default=True,
              help="SPARQL endpoint URL.")
@out_option
@click.option("--from-file", type=click.Path(exists=True, dir_okay=False),
              help="Read a saved SPARQL JSON result instead of querying (all its "
                   "municipalities unless -m is given).")
@_client_options
def fetch_wikidata(municipality, all_, endpoint, out, from_file, client) -> None:
    """Build company lists from Wikidata: businesses headquartered here with a website.

    \b
    Examples:
      ruhrindex companies fetch-wikidata --all --out lists
      ruhrindex companies fetch-wikidata -m Essen --from-file essen_wikidata.json
    One SPARQL query covers all chosen municipalities; writes OUT/wikidata-<AGS>.csv each
    (source=wikidata, the QID). Wikidata is CC0: no attribution required.
    """
    from company_lists.http_client import FetchError
    from company_lists.registry import by_ags
    from company_lists.wikidata import (
        WikidataError,
        fetch_wikidata,
        read_result_file,
        select_companies,
    )

    if not municipality and not all_ and not from_file:
        raise click.UsageError("name at least one --municipality, or use --all")
    try:
        if from_file:
            bindings = read_result_file(Path(from_file))
            chosen = municipality or all_
            in_file = {b.get("ags") for b in bindings}
            places = (_municipalities(municipality, all_) if chosen else
                      [m for ags, m in by_ags().items() if ags in in_file])
        else:
            places = _municipalities(municipality, all_)
            bindings = fetch_wikidata(client, endpoint, [p.ags for p in places])
    except (WikidataError, FetchError) as exc:
        raise click.ClickException(f"{exc} No list was written.") from None
    if not places:
        click.echo(f"{from_file}: no rows for any of the 53 municipalities; nothing written.")
    collectors = select_companies(bindings, [p.ags for p in places])
    for place in places:
        _write(Path(out) / f"wikidata-{place.ags}.csv", collectors[place.ags],
               f"{place.name} ({place.ags})")


@click.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The merged list to write.")
def merge(files, out) -> None:
    """Merge company lists (your CSV, fetch-osm, fetch-wikidata) into one without duplicates.

    \b
    Example:
      ruhrindex companies merge my_list.csv lists/osm-*.csv lists/wikidata-*.csv --out all.csv
    Rows with the same registered domain, or the same normalised name in one municipality,
    become one row; your own lists win over Wikidata, Wikidata over OSM. `source` and
    `source_ids` name every contributing row; conflicts are printed for you to check.
    Exits with status 1 if a row of an input had to be rejected (printed with file:line).
    """
    from company_lists.listfile import write_company_list
    from company_lists.merge import coverage, merge_files
    from company_lists.registry import by_ags

    result = merge_files([Path(f) for f in files])
    for problem in result.problems:
        click.echo(str(problem), err=True)
    for conflict in result.conflicts:
        click.echo(f"conflict: {conflict}", err=True)
    write_company_list(Path(out), result.rows)
    names = by_ags()
    click.echo("companies per municipality (rows each source contributed to):")
    for ags, counts in sorted(coverage(result.rows).items()):
        sources = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()) if s != "total")
        click.echo(f"  {ags} {names[ags].name:<28} {counts['total']:>6}  ({sources})")
    read = ", ".join(f"{n} {source}" for source, n in sorted(result.rows_in.items()))
    click.echo(f"merged {sum(result.rows_in.values())} rows ({read or 'none'}) into "
               f"{len(result.rows)} companies; {len(result.conflicts)} conflicts, "
               f"{len(result.errors)} rows rejected -> {out}")
    if result.errors:
        raise SystemExit(1)
