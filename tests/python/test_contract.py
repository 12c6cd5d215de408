"""The request contract walked field by field through every door.

For every field of ``cybercover.request_contract()`` and each class of bad value its type has
(missing, wrong type, fraction, negative, above its bound, unknown value, out-of-range date,
unknown id), the same bad value goes into the worked example's request through JSON text,
a Python dict, ``quote_arrays``, ``quote_frame`` and a CSV file priced by the ``cybercover``
program. Every door must give the same error code and the same message; the columnar doors
add the location (row, column), which must name the data row and the field's column.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import subprocess
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
import pytest

import cybercover
from conftest import cli_path, item_ids, worked_example_1

MISSING = object()  # the value is not given: no key, an empty cell
ITEM = "D01.1"
SECTION = "response"
CONTRACT = cybercover.request_contract()


def concrete(path: str) -> str:
    return path.replace("{item}", ITEM).replace("{section}", SECTION)


def set_path(request: Dict[str, Any], path: str, value: Any) -> None:
    """Set (or, for MISSING, remove) a field of a JSON request by its path."""
    if path.startswith("answers."):
        keys = ["answers", path[len("answers."):]]
    else:
        keys = path.split(".")
    node = request
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is MISSING:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def bad_values(spec: Dict[str, Any]) -> List[Tuple[str, Any, bool]]:
    """The classes of bad value for a field: (class, value, text_only). A text-only value
    (1e400) cannot be held by a Python float, so only the JSON text and CSV doors get it."""
    t, cases = spec["type"], []
    if spec["required"]:
        cases.append(("missing", MISSING, False))
    if t == "integer":
        lo, hi = spec["min"], spec["max"]
        cases += [("wrong type", "abc", False), ("fraction", lo + 0.5, False), ("negative", -1, False),
                  ("above its bound", hi + 1, False), ("beyond 64 bits", 2**64, False), ("beyond doubles", "1e400", True)]
        if spec["column"].endswith("_limit_yen") or spec["column"].endswith("_deductible_yen"):
            cases.append(("unknown id", 12345, False))
    elif t == "number":
        cases += [("wrong type", "abc", False), ("negative", -0.1, False), ("above its bound", 1.5, False),
                  ("beyond doubles", "1e400", True)]
    elif t == "boolean":
        cases += [("wrong type", "abc", False), ("wrong type (integer)", 1, False)]
    elif t == "date":
        cases += [("wrong type", 20261215, False), ("invalid date", "2026-02-30", False),
                  ("out-of-range date", "1899-12-31", False), ("out-of-range date", "2200-01-01", False),
                  ("out-of-range date", "9999-12-31", False)]
    elif t in ("label", "answer"):
        cases += [("wrong type", 12, False), ("unknown value", "bogus", False)]
    elif t == "table key":
        cases += [("wrong type", 12, False), ("unknown id", "bogus", False)]
    return cases


def base_request() -> Dict[str, Any]:
    r = worked_example_1()
    r["company"]["rubber_products"] = False
    return r


def cases() -> List[Tuple[str, str, str, Any, bool]]:
    """(id, json path, column, value, text_only) for every field and class."""
    out = []
    for spec in CONTRACT:
        path, column = concrete(spec["field"]), concrete(spec["column"])
        for cls, value, text_only in bad_values(spec):
            out.append((f"{path}: {cls} {value if value is not MISSING else ''}".strip(), path, column, value, text_only))
    return out


CASES = cases()


def json_text(request: Dict[str, Any], text_only_value: Optional[str], path: str) -> str:
    """The request as JSON text; a text-only number goes in as written."""
    if text_only_value is None:
        return json.dumps(request)
    marker = "__TEXT_ONLY__"
    set_path(request, path, marker)
    return json.dumps(request).replace(f'"{marker}"', text_only_value)


def reference_error(engine, path: str, value: Any, text_only: bool) -> cybercover.Error:
    request = base_request()
    set_path(request, path, MISSING if value is MISSING else value)
    text = json_text(request, value if text_only else None, path)
    with pytest.raises(cybercover.Error) as info:
        engine.quote_json(text)
    return info.value


def row_of(request: Dict[str, Any]) -> Dict[str, Any]:
    """A request as one row of the portfolio columns (the CSV / DataFrame layout)."""
    c, ctl = request["company"], request["controls"]
    row: Dict[str, Any] = {
        "quote_date": request["quote_date"], "industry": c["industry"], "employees": c["employees"],
        "capital_yen": c["capital_yen"], "revenue_yen": c["revenue_yen"], "endpoints": c["endpoints"],
        "rubber_products": c.get("rubber_products", MISSING), "security_action": request.get("security_action", MISSING),
        "utm": ctl["utm"], "edr_status": ctl["edr"]["status"],
        "edr_covered_endpoints": ctl["edr"].get("covered_endpoints", MISSING),
        "edr_installed_on": ctl["edr"].get("installed_on", MISSING),
        "legacy_os_endpoints": ctl["legacy_os_endpoints"], "phishing_click_rate": ctl.get("phishing_click_rate", MISSING),
        "incidents_3y": ctl["incidents_3y"], "bundle_plan": request["bundle_plan"],
        "subsidy_program": request.get("subsidy_program", MISSING),
        "service_monthly_price_yen": request.get("service_monthly_price_yen", MISSING),
        "prior_annual_premium_yen": request.get("prior_annual_premium_yen", MISSING),
    }
    for s, cover in request.get("top_up", {}).items():
        row[f"{s}_limit_yen"] = cover.get("limit_yen", MISSING)
        row[f"{s}_deductible_yen"] = cover.get("deductible_yen", MISSING)
    for item, answer in request["answers"].items():
        row[item] = answer
    return row


def bad_row(column: str, value: Any) -> Dict[str, Any]:
    row = row_of(base_request())
    row[column] = value
    return row


def without_location(message: str) -> str:
    at = message.rfind(" (row ")
    return message[:at] if at >= 0 else message


def check_located(door: str, case: str, ref: cybercover.Error, code: str, message: str, column: str, row: int) -> None:
    assert code == ref.code, f"{door}, {case}: code {code}, JSON text gives {ref.code}"
    assert without_location(message) == str(ref), f"{door}, {case}:\n  {message}\n  {ref}"
    tail = message[len(str(ref)):]
    assert tail.startswith(f" (row {row}"), f"{door}, {case}: no row in {message}"
    if ref.field != "quote_date" or column == "quote_date":
        assert f'column "{column}"' in tail, f"{door}, {case}: column {column} not named in {message}"


@pytest.mark.parametrize("case,path,column,value,text_only", CASES, ids=[c[0] for c in CASES])
def test_json_text_and_dict_give_the_same_error(engine, case, path, column, value, text_only):
    ref = reference_error(engine, path, value, text_only)
    assert ref.code.startswith(("input.", "no_edition.")), ref
    assert ref.field == path or ref.field.startswith(path.split(".")[0]), (ref.field, path)
    if text_only:
        return
    request = base_request()
    set_path(request, path, value)
    with pytest.raises(cybercover.Error) as info:
        engine.quote(request)
    assert (info.value.code, str(info.value)) == (ref.code, str(ref))


COLUMNAR = [c for c in CASES if not c[4]]


def frame_of(rows: List[Dict[str, Any]]) -> pd.DataFrame:
    """One DataFrame row per request row; object columns keep each value as it is."""
    columns = sorted({k for r in rows for k in r}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 10**6)
    data = {k: pd.Series([None if r.get(k, MISSING) is MISSING else r[k] for r in rows], dtype=object) for k in columns}
    return pd.DataFrame(data)


@pytest.fixture(scope="module")
def columnar_errors(engine) -> Dict[str, List[Any]]:
    """Every columnar case as one row of one portfolio, through quote_frame and quote_arrays."""
    rows = [bad_row(column, value) for _, _, column, value, _ in COLUMNAR]
    frame = frame_of(rows)
    by_frame = engine.quote_frame(frame, errors="collect")
    arrays = {k: frame[k].to_numpy() for k in frame.columns if not k.startswith("D")}
    answers = frame[[k for k in frame.columns if k.startswith("D")]]
    top_up = {s: (arrays.pop(f"{s}_limit_yen"), arrays.pop(f"{s}_deductible_yen")) for s in ("liability", "response", "interruption")}
    # quote_arrays takes the answers as a matrix: the item case goes through quote_frame only.
    item_case = [i for i, c in enumerate(COLUMNAR) if c[2] == ITEM]
    codes = np.ones((len(rows), len(item_ids())), np.uint8)
    by_arrays = engine.quote_arrays(quote_date=arrays.pop("quote_date"), answers=codes, top_up=top_up, errors="collect",
                                    **arrays)
    return {"frame": by_frame, "arrays": by_arrays, "item_case": item_case, "answers": answers}


def test_quote_frame_gives_the_same_error_for_every_field(engine, columnar_errors):
    frame = columnar_errors["frame"]
    assert (~frame["ok"]).all(), frame.loc[frame["ok"]]
    for i, (case, path, column, value, _) in enumerate(COLUMNAR):
        ref = reference_error(engine, path, value, False)
        check_located("quote_frame", case, ref, frame["error_code"].iloc[i], frame["error"].iloc[i], column, i + 1)


def test_quote_arrays_gives_the_same_error_for_every_field(engine, columnar_errors):
    result = columnar_errors["arrays"]
    errors = {e.index: e for e in result.errors}
    for i, (case, path, column, value, _) in enumerate(COLUMNAR):
        if i in columnar_errors["item_case"]:
            continue
        ref = reference_error(engine, path, value, False)
        assert i in errors, f"quote_arrays, {case}: priced, JSON text gives {ref}"
        check_located("quote_arrays", case, ref, errors[i].code, errors[i].message, column, i + 1)
        assert (errors[i].field, errors[i].value) == (ref.field, ref.value)


def csv_cell(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.skipif(cli_path() is None, reason="the cybercover program was not built")
def test_csv_file_gives_the_same_error_for_every_field(engine, tmp_path):
    cases = CASES  # text-only values too: a CSV cell holds 1e400 as written
    rows = [bad_row(column, value) for _, _, column, value, _ in cases]
    header = list(rows[0])
    source, priced = tmp_path / "contract.csv", tmp_path / "priced.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([csv_cell(r.get(k, MISSING)) for k in header])
    subprocess.run([str(cli_path()), "price", str(source), "-o", str(priced), "--no-progress"], check=True,
                   capture_output=True)
    with priced.open(encoding="utf-8") as f:
        out = list(csv.DictReader(f))
    assert len(out) == len(cases)
    for i, (case, path, column, value, text_only) in enumerate(cases):
        ref = reference_error(engine, path, value, text_only)
        assert out[i]["ok"] == "false", f"CSV, {case}: priced, JSON text gives {ref}"
        check_located("CSV", case, ref, out[i]["error_code"], out[i]["error"], column, i + 1)


def test_every_field_and_code_class_is_walked():
    """The walk covers every field of the contract, and the codes the classes must hit."""
    walked = {c[1] for c in CASES}
    assert walked == {concrete(s["field"]) for s in CONTRACT}
    classes = {c[0].split(": ", 1)[1].split(" ")[0] for c in CASES}
    assert {"missing", "wrong", "fraction", "negative", "above", "unknown", "out-of-range"} <= classes


@pytest.mark.parametrize("value,code", [("9999-12-31", "input.date_out_of_range"), ("2200-01-01", "input.date_out_of_range")])
def test_far_future_quote_dates_are_out_of_range_in_every_door(engine, value, code):
    """Once accepted from JSON (9999-12-31 is in the open-ended edition) but refused by the
    batch: now the contract's date range, the same everywhere."""
    request = base_request()
    request["quote_date"] = value
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(request)
    assert info.value.code == code
    frame = engine.quote_frame(frame_of([bad_row("quote_date", value)]), errors="collect")
    assert frame["error_code"].iloc[0] == code
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_frame(frame_of([row_of(base_request())]).drop(columns="quote_date"), quote_date=value)
    assert info.value.code == code


def test_json_only_structure_errors(engine):
    """Structure that only JSON can express: unknown and repeated fields, unknown items and sections."""
    cases = [
        (lambda r: r.__setitem__("colour", "red"), "input.unknown_field", "colour"),
        (lambda r: r["company"].__setitem__("colour", "red"), "input.unknown_field", "company.colour"),
        (lambda r: r["answers"].__setitem__("D99.9", "yes"), "input.unknown_item", "answers.D99.9"),
        (lambda r: r["top_up"].__setitem__("cyber", {"limit_yen": 1}), "input.unknown_section", "top_up.cyber"),
        (lambda r: r.__setitem__("controls", 5), "input.wrong_type", "controls"),
    ]
    for change, code, field in cases:
        request = base_request()
        change(request)
        with pytest.raises(cybercover.InputError) as info:
            engine.quote(request)
        assert (info.value.code, info.value.field) == (code, field)
    text = json.dumps(base_request()).replace('"employees": 40', '"employees": 40, "employees": 41')
    with pytest.raises(cybercover.InputError) as info:
        engine.quote_json(text)
    assert (info.value.code, info.value.field) == ("input.duplicate_field", "company.employees")


def test_messages_escape_and_cut_what_they_quote(engine):
    request = base_request()
    request["company"]["industry"] = "bad\x1b[31m\r\nindustry" + "x" * 10_000
    with pytest.raises(cybercover.InputError) as info:
        engine.quote(request)
    message = str(info.value)
    assert "\x1b" not in message and "\n" not in message and "\r" not in message
    assert "\\x1b[31m\\r\\n" in message and "(10018 bytes)" in message and len(message) < 600


def test_answers_dataframe_is_matched_by_its_labels(engine):
    """Reversing (or shuffling) the item columns of an answers DataFrame changes nothing."""
    from cybercover.synthetic import generate_portfolio

    book = generate_portfolio(2_000, seed=11)
    labelled = pd.DataFrame(book.answers, columns=list(book.item_ids))
    want = engine.quote_frame(book.frame, answers=labelled, errors="collect")
    assert want["tier"].notna().sum() > 1_900
    for columns in (labelled.columns[::-1], np.random.default_rng(3).permutation(labelled.columns)):
        got = engine.quote_frame(book.frame, answers=labelled[list(columns)], errors="collect")
        pd.testing.assert_frame_equal(got, want)
    # An unlabelled matrix is read in the edition's item order, which the API exposes.
    assert cybercover.item_ids(engine, "2026-12-15") == list(book.item_ids)
    pd.testing.assert_frame_equal(engine.quote_frame(book.frame, answers=book.answers, errors="collect"), want)


def test_result_frames_name_their_edition_and_keep_chosen_columns(engine):
    from cybercover.synthetic import generate_portfolio

    book = generate_portfolio(50, seed=2)
    frame = book.frame.assign(region=[f"r{i % 3}" for i in range(50)], id=[f"c{i}" for i in range(50)])
    priced = engine.quote_frame(frame, answers=book.answers, keep=["region", "employees"], errors="collect")
    assert list(priced.columns[:3]) == ["id", "region", "employees"]
    assert priced["region"].tolist() == frame["region"].tolist()
    ok = priced["ok"]
    assert (priced.loc[ok, "edition"] == "2026-12").all()
    assert (priced.loc[ok, "edition_sha256"] == engine.editions[0]["sha256"]).all()
    assert priced.attrs["editions"] == [{"edition": "2026-12", "sha256": engine.editions[0]["sha256"]}]


def test_rows_are_numbered_from_one_in_every_door(engine, tmp_path):
    """Python and the CLI number data rows alike: the first data row is row 1."""
    rows = [row_of(base_request()), bad_row("employees", 0)]
    frame = engine.quote_frame(frame_of(rows), errors="collect")
    assert frame["error"].iloc[1].endswith('(row 2, column "employees")')
    if cli_path() is not None:
        source, priced = tmp_path / "two.csv", tmp_path / "priced.csv"
        header = list(rows[0])
        with source.open("w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for r in rows:
                w.writerow([csv_cell(r.get(k, MISSING)) for k in header])
        subprocess.run([str(cli_path()), "price", str(source), "-o", str(priced)], check=True, capture_output=True)
        with priced.open() as f:
            out = list(csv.DictReader(f))
        assert out[1]["row"] == "2" and out[1]["error"] == frame["error"].iloc[1]


def test_frame_columns_in_any_order_give_identical_results(engine):
    from cybercover.synthetic import generate_portfolio

    book = generate_portfolio(1_000, seed=8)
    frame = pd.concat([book.frame, pd.DataFrame(book.answers, columns=list(book.item_ids))], axis=1)
    want = engine.quote_frame(frame, errors="collect")
    rng = np.random.default_rng(5)
    for _ in range(3):
        shuffled = frame[list(rng.permutation(frame.columns))]
        pd.testing.assert_frame_equal(engine.quote_frame(shuffled, errors="collect"), want)
