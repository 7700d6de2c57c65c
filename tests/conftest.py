"""Shared fixtures: a fresh store, and sample-web servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from company_lists.registry import load_into
from ruhrindex.store import open_db


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "test.db")
    load_into(store)
    return store
