"""Company lists from Wikidata: businesses with headquarters in a municipality and a website.

One SPARQL query covers all requested municipalities: items that are an instance of (a
subclass of) business (Q4830453) or enterprise (Q6881511), whose headquarters location (P159)
is an item with German municipality key (P439) = the AGS, and that have an official website
(P856). Items with a dissolution date (P576) are left out: their sites are gone or stale.
Inception (P571) fills ``founding_year``.
"""

from __future__ import annotations

from pathlib import Path

from company_lists.collect import Collector
from company_lists.http_client import PoliteClient, read_saved_json
from company_lists.importer import OPTIONAL_INT

SPARQL_JSON = "application/sparql-results+json"
ENTITY_PREFIX = "http://www.wikidata.org/entity/"


class WikidataError(ValueError):
    """A SPARQL result that cannot be used, with what to do about it."""


def sparql_query(ags_codes: list[str]) -> str:
    values = " ".join(f'"{ags}"' for ags in sorted(ags_codes))
    return f"""SELECT ?company ?companyLabel ?website ?ags ?inception WHERE {{
  VALUES ?ags {{ {values} }}
  VALUES ?kind {{ wd:Q4830453 wd:Q6881511 }}
  ?place wdt:P439 ?ags .
  ?company wdt:P159 ?place ;
           wdt:P856 ?website ;
           wdt:P31/wdt:P279* ?kind .
  FILTER NOT EXISTS {{ ?company wdt:P576 ?dissolved }}
  OPTIONAL {{ ?company wdt:P571 ?inception }}
  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "de,en". }}
}}
"""


def fetch_wikidata(client: PoliteClient, endpoint: str, ags_codes: list[str]) -> list[dict]:
    return client.fetch_json(endpoint, {"query": sparql_query(ags_codes), "format": "json"},
                             accept=SPARQL_JSON, parse=parse_bindings)


def read_result_file(path: Path) -> list[dict]:
    """Bindings of a saved SPARQL JSON result (e.g. downloaded from query.wikidata.org)."""
    return read_saved_json(path, parse_bindings, WikidataError,
                           "download the result as SPARQL JSON")


def parse_bindings(data: object) -> list[dict]:
    """Flatten SPARQL JSON bindings to ``{var: value}``; the variables the list needs must exist."""
    try:
        variables = set(data["head"]["vars"])
        bindings = data["results"]["bindings"]
    except (KeyError, TypeError):
        raise WikidataError("not a SPARQL JSON result: needs head.vars and results.bindings") from None
    needed = {"company", "website", "ags"}
    if not needed <= variables:
        raise WikidataError(f"SPARQL result lacks variable(s) {', '.join(sorted(needed - variables))}")
    return [{name: cell.get("value", "") for name, cell in binding.items()}
            for binding in bindings if isinstance(binding, dict)]


def select_companies(bindings: list[dict], ags_codes: list[str]) -> dict[str, Collector]:
    """One collector per municipality; an item with several websites or types counts once."""
    collectors = {ags: Collector(ags=ags, source="wikidata") for ags in ags_codes}
    items: dict[str, dict] = {}
    for binding in bindings:
        qid = binding.get("company", "").removeprefix(ENTITY_PREFIX)
        ags = binding.get("ags", "")
        if ags not in collectors or not qid:
            continue
        item = items.setdefault(qid, {"ags": ags, "label": binding.get("companyLabel"),
                                      "websites": [], "inception": binding.get("inception")})
        website = binding.get("website")
        if website and website not in item["websites"]:
            item["websites"].append(website)
    for qid, item in sorted(items.items(), key=lambda pair: (len(pair[0]), pair[0])):
        collector = collectors[item["ags"]]
        collector.seen += 1
        # the label service falls back to the QID when an item has no German or English label
        name = item["label"] if item["label"] != qid else None
        collector.add(qid, name, item["websites"], "P856;P159",
                      founding_year=_year(item["inception"]))
    return collectors


def _year(value: str | None) -> int | None:
    try:
        year = int((value or "").lstrip("+")[:4])
    except ValueError:
        return None
    low, high = OPTIONAL_INT["founding_year"]
    return year if low <= year <= high else None
