"""Shared fixtures: a fresh store, and system programs some tests need."""

from __future__ import annotations

import os
import shutil

import pytest

from company_lists.registry import load_into
from ruhrindex.store import open_db


@pytest.fixture
def db(tmp_path):
    store = open_db(tmp_path / "test.db")
    load_into(store)
    return store


@pytest.fixture
def system_tool():
    """Return a function that finds a system program (redis-server, chromium) for a test.

    On a developer machine without the program the test is skipped with the install hint;
    `.ci/run` installs the programs and sets RUHRINDEX_REQUIRE_SYSTEM_TOOLS=1, so there a
    missing program fails the test instead of hiding behind a skip.
    """

    def find(*names: str, debian_package: str) -> str:
        for name in names:
            path = shutil.which(name)
            if path:
                return path
        message = f"{' or '.join(names)} not found; install it: apt-get install {debian_package}"
        if os.environ.get("RUHRINDEX_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)

    return find


@pytest.fixture
def import_companies(tmp_path):
    """Import ``{company_id: website}`` into a store as companies of Bochum (05911000)."""

    def run(store, websites: dict[str, str], name: str = "companies.csv") -> None:
        from company_lists.importer import import_files

        listing = tmp_path / name
        listing.write_text("company_id,name,ags,website\n" + "".join(
            f"{cid},{cid},05911000,{url}\n" for cid, url in websites.items()), encoding="utf-8")
        report = import_files(store, [listing])
        assert not report.errors, report.errors

    return run
