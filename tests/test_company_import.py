"""Company-list validation: every bad-row kind is reported with file and line."""

from pathlib import Path

import pytest

from company_lists.importer import import_files, read_company_csv, validate_files

HEADER = "company_id,name,ags,website,founding_year,employees,sector\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reasons(report):
    return {(p.line, p.severity, p.reason.split(":")[0].split(" (")[0]) for p in report.problems}


def test_each_bad_row_kind_is_reported_and_good_rows_kept(tmp_path):
    path = write(tmp_path, "dortmund.csv", HEADER + "\n".join([
        "c1,Alpha GmbH,05913000,www.alpha.de,2001,12,IT",          # 2 good
        "c2,Beta KG,05913000,,1990,,",                              # 3 missing website
        "c3,Gamma AG,05913000,http://gam ma.de,,,",                 # 4 malformed URL
        "c4,Delta GmbH,09162000,delta.de,,,",                       # 5 unknown AGS (Munich)
        "c5,Alpha Shop,05913000,https://shop.alpha.de/,,,",         # 6 duplicate domain
        "c1,Epsilon,05913000,epsilon.de,,,",                        # 7 duplicate id
        "c6,Zeta,05913000,zeta.de,200x,,",                          # 8 bad year -> warning
        "c7,Eta,05913000,eta.de,,,,extra",                          # 9 field count
        "c8,Theta,5913000,theta.de,,,",                             # 10 AGS lost its 0
    ]) + "\n")
    report = read_company_csv(path)
    got = reasons(report)
    assert (3, "error", "missing website") in got
    assert (4, "error", "malformed website") in got
    assert (5, "error", "unknown AGS '09162000'") in got
    assert (6, "error", "duplicate domain alpha.de") in got
    assert (7, "error", "duplicate company_id 'c1'") in got
    assert (8, "warning", "founding_year '200x' is not a number in 1500..2026; left empty") in got
    assert any(line == 9 and sev == "error" and r.startswith("expected 7 fields")
               for line, sev, r in got)
    assert any(line == 10 and sev == "warning" and "leading zero" in r for line, sev, r in got)
    assert [r["company_id"] for r in report.rows] == ["c1", "c6", "c8"]
    assert all(str(path) in str(p) for p in report.problems)
    # every data line is either imported or reported as an error: nothing silently dropped
    error_lines = {p.line for p in report.errors}
    imported_lines = {r["source_line"] for r in report.rows}
    assert error_lines | imported_lines == set(range(2, 11))


def test_excel_semicolon_and_cp1252_are_read_and_reported(tmp_path):
    text = "company_id;name;ags;website\nx1;Bäckerei Müller;05911000;www.baecker-mueller.de\n"
    path = write(tmp_path, "bochum.csv", text, encoding="cp1252")
    report = read_company_csv(path)
    assert report.rows[0]["name"] == "Bäckerei Müller"
    warnings = " ".join(p.reason for p in report.problems if p.severity == "warning")
    assert "Windows-1252" in warnings and "';'" in warnings
    assert not report.errors


def test_utf8_bom_is_fine(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeff" + HEADER + "b1,Büro Ö,05911000,buero.de,,,\n")
    report = read_company_csv(path)
    assert report.rows[0]["name"] == "Büro Ö" and not report.problems


def test_missing_column_rejects_file_with_clear_message(tmp_path):
    path = write(tmp_path, "x.csv", "id,name,ags\n1,A,05911000\n")
    report = read_company_csv(path)
    assert not report.rows
    assert "missing required column(s): company_id, website" in report.errors[0].reason


def test_empty_and_binary_files(tmp_path):
    assert "empty" in read_company_csv(write(tmp_path, "e.csv", "")).errors[0].reason
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    assert "binary" in read_company_csv(binary).errors[0].reason


def test_duplicates_across_files_and_against_the_store(tmp_path, db):
    first = write(tmp_path, "a.csv", HEADER + "a1,A,05911000,a-firma.de,,,\n")
    second = write(tmp_path, "b.csv", HEADER + "b1,B,05911000,www.a-firma.de,,,\n")
    report = validate_files([first, second])
    assert "first at" in report.errors[0].reason and str(first) in report.errors[0].reason
    import_files(db, [first])
    again = import_files(db, [second])
    assert "already imported" in again.errors[0].reason
    assert db["companies"].count == 1
    rejects = list(db["company_rejects"].rows)
    assert rejects[0]["source_file"] == str(second) and "a-firma.de" in rejects[0]["raw"]


def test_import_writes_normalised_rows(tmp_path, db):
    path = write(tmp_path, "ok.csv", HEADER + "k1,Kappa,05513000,HTTP://WWW.Kappa.DE/,1999,40,Bau\n")
    import_files(db, [path])
    row = db["companies"].get("k1")
    assert row["website"] == "http://www.kappa.de/" and row["domain"] == "kappa.de"
    assert row["founding_year"] == 1999 and row["employees"] == 40


@pytest.mark.parametrize("column", ["founded", "Gründungsjahr"])
def test_founding_year_column_aliases(tmp_path, db, column):
    path = write(tmp_path, "a.csv", f"company_id,name,ags,website,{column}\n"
                                    "X1,Neu GmbH,05911000,neu-gmbh.de,2021\n")
    import_files(db, [path])
    assert db["companies"].get("X1")["founding_year"] == 2021
