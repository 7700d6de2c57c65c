"""Paths and defaults shared by every command, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "ruhrindex.db"
#: Trained artifacts live beside the code so an editable install finds the shipped models;
#: RUHRINDEX_MODELS points elsewhere (e.g. a shared, versioned model folder).
MODELS_DIR = Path(os.environ.get("RUHRINDEX_MODELS", REPO_ROOT / "models"))
#: Site owners must be able to reach whoever runs a crawl: set RUHRINDEX_CONTACT to a page or
#: mailto: URL of your institution before crawling real sites.
CONTACT = os.environ.get("RUHRINDEX_CONTACT", "https://example.org/set-RUHRINDEX_CONTACT")
USER_AGENT = f"ruhrindex/0.1 (+{CONTACT}; research crawler for regional statistics)"
#: Founding years are compared against this year when deciding startup status.
REFERENCE_YEAR = int(os.environ.get("RUHRINDEX_REFERENCE_YEAR", "2026"))
#: Open-data services that company lists are fetched from, and where their answers are cached.
OVERPASS_ENDPOINT = os.environ.get("RUHRINDEX_OVERPASS", "https://overpass-api.de/api/interpreter")
WIKIDATA_ENDPOINT = os.environ.get("RUHRINDEX_WIKIDATA", "https://query.wikidata.org/sparql")
CACHE_DIR = Path(os.environ.get("RUHRINDEX_CACHE", Path.home() / ".cache" / "ruhrindex"))
