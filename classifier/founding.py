"""Founding year from website text, with the sentence that states it.

Company sites state it in many ways: "gegründet 1921", "wurde 2008 gegründet", "Gründungsjahr:
2015", "seit 1969", "seit über 50 Jahren", "founded in 2018", "est. 1890", "Eintragung ins
Handelsregister am 02.08.2021". Explicit founding words beat "seit" and register entries, which
beat "eröffnete"; the earliest year among the best-ranked wins,
because later years in such sentences are usually expansions or takeovers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruhrindex.config import REFERENCE_YEAR

_YEAR = r"(1[6-9]\d\d|20\d\d)"
# up to 60 characters within one sentence; dots inside dates ("am 01.03.2019") do not end it
_NEAR = r"(?:[^.!?\n]|(?<=\d)\.(?=\d)){0,60}?"
# (rank, pattern with the year in group "y"); lower rank is stronger evidence.
_RULES: list[tuple[int, re.Pattern]] = [
    (0, re.compile(rf"gründungsjahr\W{{0,3}}(?:ist\s)?(?P<y>{_YEAR})", re.I)),
    (0, re.compile(rf"(?:gegründet|gründete\w*|gründung|founded|established|est\.)"
                   rf"{_NEAR}(?<!\d)(?P<y>{_YEAR})(?!\d)", re.I)),
    (0, re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?!\d){_NEAR}(?:gegründet|gründete\w*|founded|"
                   rf"ausgegründet|als (?:ausgründung|start-?up)|ins leben gerufen|"
                   rf"an den start gegangen)", re.I)),
    (0, re.compile(rf"(?:launched|started|ins leben gerufen|an den start gegangen|"
                   rf"(?:unternehmen|firma|gmbh|ug) seit){_NEAR}(?<!\d)(?P<y>{_YEAR})(?!\d)",
                   re.I)),
    (1, re.compile(rf"\b(?:seit|since|tradition seit)\s+(?:dem\s+jahr\s+|anno\s+)?(?P<y>{_YEAR})"
                   rf"(?!\d)", re.I)),
    # register entries: the company exists at least since then
    (1, re.compile(rf"(?:eintragung|eingetragen|registriert|registered|incorporated)"
                   rf"{_NEAR}(?<!\d)(?P<y>{_YEAR})(?!\d)", re.I)),
    (2, re.compile(rf"(?:eröffnete\w*|eröffnung|übernahm|machte sich){_NEAR}(?<!\d)(?P<y>{_YEAR})"
                   rf"(?!\d)", re.I)),
    (2, re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?!\d){_NEAR}(?:eröffnet|selbstständig|selbständig)",
                   re.I)),
]
_YEARS_AGO = re.compile(r"\bseit\s+(?:über\s+|mehr\s+als\s+|rund\s+|fast\s+)?(?P<n>\d{1,3})"
                        r"\s+jahr(?:en|zehnten)?\b", re.I)


@dataclass(frozen=True)
class FoundingYear:
    year: int
    evidence: str
    approximate: bool = False


def extract_founding_year(text: str, reference_year: int = REFERENCE_YEAR) -> FoundingYear | None:
    """Best founding-year statement in *text*, or ``None``."""
    best: tuple[int, int, str] | None = None
    for rank, pattern in _RULES:
        for match in pattern.finditer(text):
            year = int(match.group("y"))
            if year > reference_year:
                continue
            candidate = (rank, year, match.group(0))
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is not None:
        return FoundingYear(best[1], " ".join(best[2].split()))
    match = _YEARS_AGO.search(text)
    if match and "jahrzehnt" not in match.group(0).lower():
        return FoundingYear(reference_year - int(match.group("n")), match.group(0), approximate=True)
    return None
