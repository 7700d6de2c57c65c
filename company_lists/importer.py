"""Read, validate and import company-list CSVs.

Lists come from spreadsheets, so they arrive with Excel's ``;`` delimiter, Windows-1252
umlauts, AGS keys that lost their leading zero and duplicated firms. Every row is either
imported or reported with its file and line; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from company_lists.registry import by_ags
from ruhrindex.config import REFERENCE_YEAR
from ruhrindex.store import utcnow
from ruhrindex.urls import InvalidURL, normalise_url, registered_domain

REQUIRED = ("company_id", "name", "ags", "website")
OPTIONAL_INT = {"founding_year": (1500, REFERENCE_YEAR), "employees": (0, 10_000_000)}
#: Where a row came from (``osm``, ``wikidata``, ``user``; merged rows list all, ``;``-separated)
#: the ids in those sources (``osm:node/42;wikidata:Q1``) and the tags or properties that made
#: the row (``website;shop=bakery``); optional, written by the fetchers.
PROVENANCE = ("source", "source_ids", "source_tags")
COLUMNS = (*REQUIRED, "founding_year", "employees", "sector", *PROVENANCE)
#: other header names for the founding year, as registers and users write it
ALIASES = {"founded": "founding_year", "gründungsjahr": "founding_year",
           "gruendungsjahr": "founding_year"}


@dataclass
class Problem:
    file: str
    line: int
    severity: str  # "error": row not imported; "warning": imported, something fixed or noted
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.reason}"


@dataclass
class ListReport:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _decode(data: bytes) -> tuple[str, list[int]]:
    """Decode line by line: UTF-8 where valid, Windows-1252 elsewhere (returns those lines)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, legacy = [], []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
            legacy.append(number)
    return "".join(lines), legacy


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get)


def read_company_csv(path: Path, seen_domains: dict[str, str] | None = None,
                     seen_ids: dict[str, str] | None = None) -> ListReport:
    """Validate one CSV. *seen_domains*/*seen_ids* map keys to "file:line" across files."""
    name = str(path)
    seen_domains = {} if seen_domains is None else seen_domains
    seen_ids = {} if seen_ids is None else seen_ids
    report = ListReport()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        report.problems.append(Problem(name, 0, "error", f"cannot read file: {exc.strerror}"))
        return report
    if b"\x00" in data[:4096]:
        report.problems.append(Problem(name, 0, "error", "binary file, not a CSV"))
        return report
    text, legacy = _decode(data)
    if not text.strip():
        report.problems.append(Problem(name, 0, "error", "file is empty"))
        return report
    if legacy:
        shown = ", ".join(map(str, legacy[:10])) + (" …" if len(legacy) > 10 else "")
        report.problems.append(Problem(
            name, legacy[0], "warning",
            f"not UTF-8: read line(s) {shown} as Windows-1252 (save as UTF-8 to silence)"))
    delimiter = _delimiter(text.splitlines()[0])
    if delimiter != ",":
        report.problems.append(Problem(
            name, 1, "warning", f"delimiter is {delimiter!r}, not ','; read accordingly"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    header = [ALIASES.get(h, h) for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.problems.append(Problem(
            name, 1, "error",
            f"missing required column(s): {', '.join(missing)}; found: {', '.join(header)}"))
        return report
    known = by_ags()
    previous_line = 1
    for values in reader:
        line, previous_line = previous_line + 1, reader.line_num
        raw = delimiter.join(values)
        if not any(v.strip() for v in values):
            continue
        row, problems = _check_row(header, values, known, name, line)
        for problem in problems:
            problem.raw = raw
        report.problems.extend(problems)
        if any(p.severity == "error" for p in problems):
            continue
        where = f"{name}:{line}"
        if row["company_id"] in seen_ids:
            report.problems.append(Problem(
                name, line, "error",
                f"duplicate company_id {row['company_id']!r} (first at {seen_ids[row['company_id']]})",
                raw))
            continue
        if row["domain"] in seen_domains:
            report.problems.append(Problem(
                name, line, "error",
                f"duplicate domain {row['domain']} (first at {seen_domains[row['domain']]})", raw))
            continue
        seen_ids[row["company_id"]] = seen_domains[row["domain"]] = where
        row.update(source_file=name, source_line=line)
        report.rows.append(row)
    return report


def _check_row(header, values, known, name, line) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    if len(values) != len(header):
        return {}, [Problem(name, line, "error",
                            f"expected {len(header)} fields, found {len(values)} "
                            "(an unquoted delimiter inside a value?)")]
    record = {k: v.strip() for k, v in zip(header, values, strict=True)}
    row: dict = {c: record.get(c) or None for c in COLUMNS}
    for column in ("company_id", "name"):
        if not row[column]:
            problems.append(Problem(name, line, "error", f"missing {column}"))
    ags = row["ags"] or ""
    if ags.isdigit() and len(ags) == 7:
        problems.append(Problem(name, line, "warning",
                                f"AGS {ags} lost its leading zero (spreadsheet?); read as 0{ags}"))
        ags = "0" + ags
    if ags not in known:
        problems.append(Problem(name, line, "error",
                                f"unknown AGS {row['ags']!r} (not one of the 53 Ruhr municipalities)"))
    row["ags"] = ags
    if not row["website"]:
        problems.append(Problem(name, line, "error", "missing website"))
    else:
        try:
            row["website"] = normalise_url(row["website"])
            row["domain"] = registered_domain(row["website"])
        except InvalidURL as exc:
            problems.append(Problem(name, line, "error", f"malformed website: {exc}"))
    for column, (low, high) in OPTIONAL_INT.items():
        value = row[column]
        if value is None:
            continue
        try:
            number = int(float(value.replace(".", "") if column == "employees" else value))
            if not low <= number <= high:
                raise ValueError
            row[column] = number
        except ValueError:
            problems.append(Problem(name, line, "warning",
                                    f"{column} {value!r} is not a number in {low}..{high}; left empty"))
            row[column] = None
    return row, problems


def validate_files(paths: list[Path], db=None) -> ListReport:
    """Validate several lists as one import; domains already in *db* count as seen."""
    seen_domains: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    if db is not None and db["companies"].exists():
        for company in db["companies"].rows:
            where = f"{company['source_file']}:{company['source_line']} (already imported)"
            seen_domains[company["domain"]] = where
            seen_ids[company["company_id"]] = where
    total = ListReport()
    for path in paths:
        report = read_company_csv(Path(path), seen_domains, seen_ids)
        total.rows.extend(report.rows)
        total.problems.extend(report.problems)
    return total


def import_files(db, paths: list[Path], replace: bool = False) -> ListReport:
    """Import the good rows of *paths* into *db*; rejected rows go to ``company_rejects``.

    With *replace*, rows already in the store are not treated as duplicates but updated.
    """
    report = validate_files(paths, None if replace else db)
    now = utcnow()
    with db.conn:
        db["companies"].upsert_all(
            ({**row, "imported_at": now} for row in report.rows), pk="company_id")
        db["company_rejects"].insert_all(
            {"source_file": p.file, "source_line": p.line, "reason": p.reason, "raw": p.raw,
             "rejected_at": now}
            for p in report.errors
        )
    return report
