"""Regression tests of the hardening issue's defects reached through the CLI, CSV files and
Python, one or more per defect (``test_NN_...`` is defect NN; tests/unit/hardening_test.cpp
has the C++ ones)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

import cybercover
from conftest import SOURCE_TABLES, cli_path, worked_example_1
from test_contract import MISSING, csv_cell, row_of

needs_cli = pytest.mark.skipif(cli_path() is None, reason="the cybercover program was not built")


def cli(*args: Any, stdin: Any = None, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli_path()), *map(str, args)], input=stdin, capture_output=True, **kwargs)


def write_rows(path: Path, rows: List[Dict[str, Any]]) -> None:
    header = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([csv_cell(r.get(k, MISSING)) for k in header])


def read_rows(path: Path) -> List[Dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def good_row(i: int) -> Dict[str, Any]:
    return {"id": f"r{i}", **row_of(worked_example_1())}


def text_with(request: Dict[str, Any], placeholder: float, literal: str) -> str:
    text = json.dumps(request)
    assert repr(placeholder) in text
    return text.replace(repr(placeholder), literal)


# ---- 1. Numbers beyond the doubles --------------------------------------------------------
@pytest.mark.parametrize("literal", ["1e400", "-1e400", "2e308"])
def test_01_numbers_beyond_the_doubles_are_errors_not_zero(engine, literal):
    request = worked_example_1()
    request["controls"]["phishing_click_rate"] = 0.123456
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_json(text_with(request, 0.123456, literal))
    assert (info.value.code, info.value.field, info.value.value) == (
        "input.number_out_of_range", "controls.phishing_click_rate", literal)


def edition_copy(tmp_path: Path) -> Path:
    import shutil
    target = tmp_path / "tables" / "2026-12"
    shutil.copytree(SOURCE_TABLES / "2026-12", target)
    return target


def test_01_a_table_probability_beyond_the_doubles_is_refused(tmp_path):
    edition = edition_copy(tmp_path)
    path = edition / "loss_model.json"
    text = path.read_text(encoding="utf-8")
    at = text.index('"claim_probability"')
    start = text.index(":", at) + 1
    end = min(text.index(c, start) for c in ",}" if c in text[start:])
    path.write_text(text[:start] + " 1e400" + text[end:], encoding="utf-8")
    with pytest.raises(cybercover.TableError) as info:
        cybercover.Engine(tables=edition.parent)
    assert info.value.code == "table.number_out_of_range"
    assert "loss_model.json" in info.value.field and "claim_probability" in info.value.field


# ---- 2 and 3. Strict CSV: an unbalanced quote, a wrong field count ------------------------
@needs_cli
def test_02_an_unbalanced_quote_is_a_row_error_and_later_rows_are_priced(tmp_path):
    source, priced = tmp_path / "in.csv", tmp_path / "out.csv"
    write_rows(source, [good_row(i) for i in range(2000)])
    lines = source.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace("r4,", 'r"4,', 1)        # a stray quote in an unquoted field
    lines[9] = lines[9].replace("r8,", '"r8,', 1)        # a quote that never closes on its line
    source.write_text("\n".join(lines), encoding="utf-8")
    p = cli("price", source, "-o", priced, "--no-progress")
    assert p.returncode == 0, p.stderr
    out = read_rows(priced)
    assert len(out) == 2000  # one output row per input record, none swallowed
    bad = {r["row"]: r for r in out if r["ok"] == "false"}
    assert set(bad) == {"5", "9"}, bad.keys()
    assert all(r["error_code"] == "input.unbalanced_quote" for r in bad.values())
    assert "line 6" in bad["5"]["error"] and "line 10" in bad["9"]["error"]
    assert sum(r["ok"] == "true" for r in out) == 1998


@needs_cli
def test_03_a_wrong_field_count_is_a_row_error_not_a_price(tmp_path):
    source, priced = tmp_path / "in.csv", tmp_path / "out.csv"
    write_rows(source, [good_row(i) for i in range(4)])
    lines = source.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].rsplit(",", 3)[0]  # three fields short: the last answers
    lines[3] = lines[3] + ",yes"           # one field too many
    source.write_text("\n".join(lines), encoding="utf-8")
    p = cli("price", source, "-o", priced, "--no-progress")
    assert p.returncode == 0, p.stderr
    out = read_rows(priced)
    assert [r["ok"] for r in out] == ["true", "false", "false", "true"]
    for r, line in ((out[1], 3), (out[2], 4)):
        assert r["error_code"] == "input.wrong_field_count"
        assert f"line {line}" in r["error"]
        assert r["annual_premium_yen"] == "" and r["tier"] == ""


# ---- 4. Files are never destroyed ----------------------------------------------------------
@needs_cli
def test_04_the_output_is_never_the_input_whatever_the_path(tmp_path):
    (tmp_path / "sub").mkdir()
    source = tmp_path / "in.csv"
    write_rows(source, [good_row(0)])
    before = source.read_bytes()
    (tmp_path / "link.csv").symlink_to(source)
    for target in (source, tmp_path / "sub" / ".." / "in.csv", tmp_path / "link.csv"):
        p = cli("price", source, "-o", target, "--no-progress")
        assert p.returncode == 2 and "io.same_file" in p.stderr.decode(), (target, p.stderr)
        assert source.read_bytes() == before, target
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in.csv", "link.csv", "sub"]  # no temporary left


@needs_cli
def test_04_a_failed_run_leaves_an_existing_output_as_it_was(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("industry,employees,colour\nretail,3,red\n")
    p = cli("price", bad_header, "-o", out, "--no-progress")
    assert p.returncode == 2 and "input.unknown_column" in p.stderr.decode()
    assert out.read_text() == "precious\n"
    rows = [good_row(i) for i in range(3)]
    rows[1]["employees"] = -3
    source = tmp_path / "in.csv"
    write_rows(source, rows)
    p = cli("price", source, "-o", out, "--errors", "raise", "--no-progress")
    assert p.returncode == 2 and "input.below_minimum" in p.stderr.decode() and "(row 2" in p.stderr.decode()
    assert out.read_text() == "precious\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.csv", "in.csv", "out.csv"]


# ---- 5. Counts have upper bounds -----------------------------------------------------------
@pytest.mark.parametrize("endpoints", [2**62, 5 * 10**15])
def test_05_huge_endpoint_counts_are_above_their_bound(engine, endpoints):
    request = worked_example_1()
    request["company"]["endpoints"] = endpoints
    request["controls"]["edr"]["covered_endpoints"] = endpoints
    request["bundle_plan"] = "edr"
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(request)
    assert (info.value.code, info.value.field) == ("input.above_maximum", "company.endpoints")


# ---- 6. Whole-portfolio errors fail the call ----------------------------------------------
@needs_cli
def test_06_an_unknown_subsidy_option_fails_the_run(tmp_path):
    source, priced = tmp_path / "in.csv", tmp_path / "out.csv"
    row = good_row(0)
    row.pop("subsidy_program")
    write_rows(source, [row])
    p = cli("price", source, "-o", priced, "--subsidy", "no-such-programme", "--no-progress")
    assert p.returncode == 2, p.stderr
    assert "input.unknown_subsidy_program" in p.stderr.decode()
    assert not priced.exists()


def test_06_an_unknown_section_fails_quote_arrays_even_when_collecting(engine):
    import pandas as pd
    frame = pd.DataFrame([row_of(worked_example_1())]).drop(columns=["rubber_products"], errors="ignore")
    frame["fire_limit_yen"] = 10_000_000
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_frame(frame, errors="collect")
    assert info.value.code in ("input.unknown_column", "input.unknown_section", "input.bad_option")


# ---- 7. A request size limit before parsing -----------------------------------------------
def test_07_a_request_above_the_limit_is_refused(engine):
    text = json.dumps(worked_example_1())
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_json(text + " " * (2**20 + 1 - len(text)))
    assert info.value.code == "input.too_large" and "the limit is 1048576" in info.value.detail
    engine.quote_json(text + " " * (2**20 - len(text)))  # at the limit: priced


# Runs a command and prints its peak RSS (KiB) as the last line of standard error.
PEAK_RSS = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(p.returncode)")


@needs_cli
def test_07_the_cli_reads_at_most_the_limit_from_standard_input():
    # 256 MiB of NUL bytes streamed in: the program stops after the limit, memory stays small.
    proc = subprocess.Popen(["/usr/bin/python3", "-c", PEAK_RSS, str(cli_path()), "quote", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def feed():
        chunk = b"\0" * (1 << 20)
        try:
            for _ in range(256):
                proc.stdin.write(chunk)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed)
    writer.start()
    err = proc.stderr.read()
    proc.wait(timeout=120)
    writer.join(timeout=120)
    assert proc.returncode == 2, err
    assert b"input.too_large" in err and b"standard input" in err
    peak_mib = int(err.strip().splitlines()[-1]) / 1024
    assert peak_mib < 64, f"peak RSS {peak_mib:.0f} MiB"


@needs_cli
def test_07_the_limit_is_a_flag(tmp_path):
    source = tmp_path / "request.json"
    source.write_text(json.dumps(worked_example_1()))
    p = cli("quote", source, "--max-request-bytes", "100")
    assert p.returncode == 2 and b"input.too_large" in p.stderr and b"--max-request-bytes" in p.stderr
    assert cli("quote", source, "--max-request-bytes", "100000").returncode == 0


# ---- 8. Table parsing is not quadratic ----------------------------------------------------
def test_08_a_table_object_with_many_keys_and_a_duplicate_is_refused(tmp_path):
    edition = edition_copy(tmp_path)
    path = edition / "top_up.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    extra = ",".join(f'"k{i}": 1' for i in range(150_000))
    text = json.dumps(table)
    at = text.index('"industry_factors": {') + len('"industry_factors": {')
    path.write_text(text[:at] + extra + ', "k7": 2, ' + text[at:], encoding="utf-8")
    with pytest.raises(cybercover.TableError) as info:
        cybercover.Engine(tables=edition.parent)
    assert info.value.code == "table.malformed_json" and 'duplicate member name "k7"' in str(info.value)


# ---- 9. Uninitialised Python objects raise, never crash -----------------------------------
@pytest.mark.parametrize("cls, use", [
    (cybercover.Engine, lambda e: e.editions),
    (cybercover.Engine, lambda e: e.quote(worked_example_1())),
    (cybercover.Engine, lambda e: e.quote_json("{}")),
    (cybercover.Engine, lambda e: repr(e)),
    (cybercover.Quote, lambda q: q.to_json()),
    (cybercover.Quote, lambda q: q.tier),
    (cybercover.Assessment, lambda a: a.to_dict()),
])
def test_09_objects_made_without_init_raise_type_error(cls, use):
    obj = cls.__new__(cls)
    with pytest.raises(TypeError, match="created without __init__"):
        use(obj)


# ---- 10. Messages are short, safe lines --------------------------------------------------
def test_10_a_100_mb_field_gives_a_short_message(engine):
    request = worked_example_1()
    request["company"]["industry"] = "x\0\x1b\r\n" + "y" * 100_000_000
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(request)
    # The JSON text of this request is above the size limit: refused before parsing, briefly.
    assert info.value.code == "input.too_large" and len(str(info.value)) < 300
    request["company"]["industry"] = "x\0\x1b\r\n" + "y" * 100_000
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(request)
    message = str(info.value)
    assert len(message) < 800 and not any(c in message for c in "\0\x1b\r\n")
    assert '"x\\x00\\x1b\\r\\nyyy' in message and "(100005 bytes)" in message


# ---- 11. Filesystem errors are io errors naming the path ----------------------------------
def test_11_a_symlink_loop_in_the_tables_is_a_table_io_error(tmp_path):
    edition = edition_copy(tmp_path)
    loop = edition.parent / "loop"
    loop.symlink_to(loop)
    with pytest.raises(cybercover.TableIoError) as info:
        cybercover.Engine(tables=edition.parent)
    assert info.value.code == "io.cannot_read" and info.value.field == str(loop)
    assert isinstance(info.value, OSError)


def test_11_a_file_given_as_the_tables_directory_is_a_table_io_error(tmp_path):
    not_a_dir = tmp_path / "tables.json"
    not_a_dir.write_text("{}")
    with pytest.raises(cybercover.TableIoError) as info:
        cybercover.Engine(tables=not_a_dir)
    assert info.value.code == "io.not_a_directory" and info.value.field == str(not_a_dir)


@needs_cli
def test_11_a_directory_given_as_the_request_is_an_io_error(tmp_path):
    p = cli("quote", tmp_path)
    assert p.returncode == 2 and b"io.cannot_read" in p.stderr and b"is a directory" in p.stderr
    assert b"internal error" not in p.stderr


# ---- 12. Formula injection ----------------------------------------------------------------
@needs_cli
def test_12_formula_looking_cells_are_neutralised_in_the_output(tmp_path):
    source, priced = tmp_path / "in.csv", tmp_path / "out.csv"
    ids = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "plain", "-1"]  # a plain number is no formula
    rows = [dict(good_row(0), id=i) for i in ids]
    rows.append(dict(good_row(0), id="=HYPERLINK(\"x\")", industry="=cmd|' /C calc'!A0"))
    write_rows(source, rows)
    p = cli("price", source, "-o", priced, "--no-progress")
    assert p.returncode == 0, p.stderr
    out = read_rows(priced)
    assert [r["id"] for r in out[:7]] == ["'=1+1", "'+1", "'-1+1", "'@SUM(A1)", "'\tx", "plain", "-1"]
    assert out[7]["id"] == "'=HYPERLINK(\"x\")" and out[7]["error"].startswith("[cybercover.")
    for r in out:
        for cell in r.values():
            assert not cell or cell[0] not in "=+-@\t\r" or cell.lstrip("-").replace(".", "").isdigit(), cell


# ---- 13. Strict flags ---------------------------------------------------------------------
@needs_cli
@pytest.mark.parametrize("value", ["2x", "1e9", "-1", " 2", "+2", "257", "99999999999999999999", ""])
def test_13_thread_counts_are_whole_numbers_in_range(tmp_path, value):
    source = tmp_path / "in.csv"
    write_rows(source, [good_row(0)])
    p = cli("price", source, "-o", tmp_path / "out.csv", "--threads", value, "--no-progress")
    assert p.returncode == 2 and b"--threads must be a whole number from 0 to 256" in p.stderr, p.stderr
    assert not (tmp_path / "out.csv").exists()


def test_13_python_thread_counts_are_bounded(engine):
    import pandas as pd
    frame = pd.DataFrame([row_of(worked_example_1())])
    with pytest.raises(ValueError, match="threads must be >= 1"):
        engine.quote_frame(frame, threads=0)  # None means all cores
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_frame(frame, threads=257)
    assert (info.value.code, info.value.field, info.value.value) == ("input.bad_option", "threads", "257")


# ---- 14. Messages say what is wrong --------------------------------------------------------
@needs_cli
def test_14_a_directory_given_as_the_input_csv_says_so(tmp_path):
    p = cli("price", tmp_path, "-o", tmp_path / "out.csv")
    assert p.returncode == 2 and b"is a directory" in p.stderr and b"empty" not in p.stderr


@needs_cli
def test_14_a_huge_table_factor_is_above_the_maximum(tmp_path):
    edition = edition_copy(tmp_path)
    path = edition / "top_up.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    table["tier_factors"]["A"] = 0.123456
    path.write_text(text_with(table, 0.123456, "1e308"), encoding="utf-8")
    p = cli("tables", "check", edition.parent)
    assert p.returncode == 2
    assert b"[cybercover.table.above_maximum]" in p.stderr and b"tier_factors.A: must be <= 1000, got 1e308" in p.stderr
