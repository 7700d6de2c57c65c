"""Merging company lists from several sources into one list without duplicates.

Rows are the same company when they share a registered domain, or when their normalised names
match within one municipality. Of each group the row from the most trusted source is kept
(the user's own lists, then Wikidata, then OpenStreetMap); its empty fields are filled from
the others, and ``source``/``source_ids`` list every row that contributed. Disagreements that
a person should look at (one domain in two municipalities, one domain under clearly different
names, one name with two websites) are reported as conflicts, never resolved silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from company_lists.importer import Problem, read_company_csv

#: Lower is more trusted; every source not named here is the user's own list.
SOURCE_RANK = {"wikidata": 1, "osm": 2}
LEGAL_FORMS = frozenset({
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "gbr", "se", "ug", "ek", "ekfm", "ekfr", "ev",
    "co", "cokg", "partg", "partgmbb", "ltd", "inc", "haftungsbeschraenkt", "gesellschaft",
})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"[\w.]+")
FILLABLE = ("founding_year", "employees", "sector")


def normalise_name(name: str) -> str:
    """``"Müller & Co. GmbH"`` -> ``"mueller"``: case, umlauts, accents and legal forms folded."""
    text = unicodedata.normalize("NFKD", (name or "").casefold().translate(_UMLAUTS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    tokens = (token.replace(".", "") for token in _TOKEN.findall(text))
    return " ".join(t for t in tokens if t and t not in LEGAL_FORMS)


def names_differ(a: str, b: str) -> bool:
    """True only for clearly different names: no shared word, neither contains the other."""
    first, second = normalise_name(a), normalise_name(b)
    if not first or not second or first in second or second in first:
        return False
    if set(first.split()) & set(second.split()):
        return False
    return SequenceMatcher(None, first, second).ratio() < 0.6


@dataclass
class MergeResult:
    rows: list[dict] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_in: Counter = field(default_factory=Counter)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def merge_files(paths: list[Path]) -> MergeResult:
    """Read and validate every list (each on its own), then merge the good rows."""
    result = MergeResult()
    rows: list[dict] = []
    for path in paths:
        report = read_company_csv(Path(path))
        result.problems.extend(report.problems)
        for row in report.rows:
            if not row["source"]:
                row["source"] = "user"
                row["source_ids"] = f"user:{row['source_file']}:{row['source_line']}"
            result.rows_in[row["source"]] += 1
            rows.append(row)
    for group in _groups(rows):
        result.rows.append(_merge_group(group, result.conflicts))
    _unique_ids(result)
    result.rows.sort(key=lambda r: (r["ags"], r["name"].casefold(), r["domain"]))
    return result


def coverage(rows: list[dict]) -> dict[str, Counter]:
    """Per AGS: companies in total and how many each source contributed to (``total`` key)."""
    per_ags: dict[str, Counter] = {}
    for row in rows:
        counts = per_ags.setdefault(row["ags"], Counter())
        counts["total"] += 1
        counts.update(set(row["source"].split(";")))
    return per_ags


def _rank(row: dict) -> int:
    return min(SOURCE_RANK.get(s, 0) for s in row["source"].split(";"))


def _groups(rows: list[dict]) -> list[list[dict]]:
    """Connected rows (shared domain, or same normalised name and AGS), in input order."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        name = normalise_name(row["name"])
        keys = [("domain", row["domain"])] + ([("name", row["ags"], name)] if name else [])
        for key in keys:
            if key in first_seen:
                parent[root(index)] = root(first_seen[key])
            else:
                first_seen[key] = index
    groups: dict[int, list[dict]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(root(index), []).append(row)
    return list(groups.values())


def _merge_group(group: list[dict], conflicts: list[str]) -> dict:
    members = sorted(group, key=_rank)  # stable: input order within one rank
    winner = members[0]
    merged = {**winner}
    for column in FILLABLE:
        merged[column] = next((m[column] for m in members if m[column] is not None), None)
    for column in ("source", "source_ids", "source_tags"):
        parts = [p for m in members for p in (m[column] or "").split(";") if p]
        merged[column] = ";".join(dict.fromkeys(parts))
    kept = f"{winner['name']!r} ({winner['source']}, {winner['website']}, AGS {winner['ags']})"
    for other in members[1:]:
        where = f"{other['source_file']}:{other['source_line']}"
        if other["domain"] != winner["domain"]:
            conflicts.append(f"same name, different websites: kept {kept}; also "
                             f"{other['website']} at {where}")
        elif other["ags"] != winner["ags"]:
            conflicts.append(f"{winner['domain']} in two municipalities: kept {kept}; also "
                             f"AGS {other['ags']} at {where}")
        elif names_differ(winner["name"], other["name"]):
            conflicts.append(f"{winner['domain']} under clearly different names: kept {kept}; "
                             f"also {other['name']!r} at {where}")
    return merged


def _unique_ids(result: MergeResult) -> None:
    """Two user lists may reuse an id for different firms; keep both, renamed and reported."""
    used: Counter = Counter()
    for row in result.rows:
        used[row["company_id"]] += 1
        if used[row["company_id"]] > 1:
            new_id = f"{row['company_id']}~{used[row['company_id']]}"
            result.conflicts.append(f"company_id {row['company_id']!r} used by several "
                                    f"companies; {row['domain']} renamed to {new_id!r}")
            row["company_id"] = new_id
