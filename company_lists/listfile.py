"""Writing company lists safely: a list appears complete or not at all.

Fetching a municipality can fail half-way (server busy, connection lost). Lists are therefore
written to a temporary file beside the target and renamed over it only once complete, so a
failed or partial run never replaces a good list from an earlier run.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from company_lists.importer import COLUMNS


def write_atomically(path: Path, data: bytes) -> Path:
    """Replace *path* with *data* in one rename; on any error the old file stays untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def write_company_list(path: Path, rows: list[dict]) -> Path:
    """Write *rows* as a UTF-8 company list that `ruhrindex companies import` accepts."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if row.get(k) is None else row[k] for k in COLUMNS}
                     for row in rows)
    return write_atomically(path, buffer.getvalue().encode("utf-8"))
