"""Read user tables keyed by AGS (denominators, official statistics) with clear errors."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from company_lists.registry import by_ags


class AgsTableError(ValueError):
    """A user table keyed by AGS cannot be used; the message says where and why."""


def _number(text: str, german: bool = False) -> float:
    """1234.5 in ``,`` files; 1.234,5 in ``;`` files (German Excel); empty means missing."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return math.nan
    if german:
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def read_ags_table(path: Path) -> dict[str, dict[str, float]]:
    """``{ags: {column: value}}`` from a CSV (``,`` or ``;``) with an ``ags`` column.

    Every other column must be numeric; AGS must be one of the 53 municipalities, each once.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgsTableError(f"{path}: cannot read ({exc})") from None
    first = text.splitlines()[0] if text.strip() else ""
    german = first.count(";") > first.count(",")
    reader = csv.DictReader(text.splitlines(), delimiter=";" if german else ",")
    fields = [f.strip() for f in reader.fieldnames or []]
    if "ags" not in [f.lower() for f in fields]:
        raise AgsTableError(f"{path}: no 'ags' column (found: {', '.join(fields) or 'nothing'})")
    known = by_ags()
    table: dict[str, dict[str, float]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items()}
        ags_key = next(k for k in row if k.lower() == "ags")
        ags = row.pop(ags_key).strip().zfill(8)
        if ags not in known:
            raise AgsTableError(f"{path}:{line}: AGS {ags!r} is not one of the 53 municipalities")
        if ags in table:
            raise AgsTableError(f"{path}:{line}: AGS {ags} appears twice")
        try:
            table[ags] = {k: _number(v, german) for k, v in row.items() if k}
        except ValueError:
            bad = next(k for k, v in row.items() if k and not _is_number(v, german))
            raise AgsTableError(f"{path}:{line}: column {bad!r} is not a number: "
                                f"{row[bad]!r}") from None
    if not table:
        raise AgsTableError(f"{path}: no rows")
    return table


def _is_number(text: str, german: bool) -> bool:
    try:
        _number(text, german)
    except ValueError:
        return False
    return True
