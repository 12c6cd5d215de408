"""The numpy/pandas baseline of bench/ prices like the engine, to the yen."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from cybercover.synthetic import generate_portfolio

from conftest import SOURCE_DIR, SOURCE_TABLES, golden_files, item_ids, read_golden, request_of

sys.path.insert(0, str(SOURCE_DIR / "bench"))
_write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # nothing into bench/
import numpy_baseline  # noqa: E402

sys.dont_write_bytecode = _write_bytecode

PROGRAM = "sme-cyber-support-2026"
ANSWER_CODE = {"yes": 1, "partial": 2, "no": 3, "unknown": 4, "na": 5}
SECTIONS = ("liability", "response", "interruption")


@pytest.fixture(scope="module")
def tables():
    return numpy_baseline.load_tables(SOURCE_TABLES)


def assert_same(engine_out: pd.DataFrame, baseline_out: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Every figure the baseline computes equal (NA where NA); on a mismatch, print the rows'
    inputs. (The engine's frame has more columns: error codes, the SME test, the edition.)"""
    assert set(baseline_out.columns) <= set(engine_out.columns), set(baseline_out.columns) - set(engine_out.columns)
    for column in baseline_out.columns:
        a, b = engine_out[column], baseline_out[column]
        if isinstance(a.dtype, pd.CategoricalDtype):
            a, b = a.astype(object), b.astype(object)
        same = (a.isna() & b.isna()) | (a == b).fillna(False).astype(bool)
        if not same.all():
            rows = np.flatnonzero(~same.to_numpy())[:3]
            detail = pd.concat([frame.iloc[rows].T, pd.DataFrame(
                {"engine": a.iloc[rows].tolist(), "baseline": b.iloc[rows].tolist()}).T], axis=0)
            pytest.fail(f"column {column}: {int((~same).sum())} rows differ\n{detail}")


@pytest.mark.parametrize("program", [None, PROGRAM])
def test_baseline_equals_engine_on_synthetic_rows(engine, tables, program) -> None:
    p = generate_portfolio(10_000, seed=99)
    expected = engine.quote_frame(p.frame, answers=p.answers, subsidy_program=program)
    actual = numpy_baseline.price_frame(tables, p.frame, p.answers, subsidy_program=program)
    assert_same(expected, actual, p.frame)
    assert expected["annual_premium_yen"].notna().sum() > 5_000


def test_baseline_with_quote_date_argument_and_late_date(engine, tables) -> None:
    """Subsidy not in force after 2027-03-31; quote date given as an argument."""
    p = generate_portfolio(2_000, seed=5, quote_date="2027-06-30")
    frame = p.frame.drop(columns="quote_date")
    expected = engine.quote_frame(frame, answers=p.answers, quote_date="2027-06-30", subsidy_program=PROGRAM)
    actual = numpy_baseline.price_frame(tables, frame, p.answers, quote_date="2027-06-30",
                                        subsidy_program=PROGRAM)
    assert_same(expected, actual, frame)
    assert (actual["subsidy_code"].dropna() == "SUBSIDY_NOT_EFFECTIVE").all()


def _row(request: dict) -> tuple:
    """Return a golden request as a one-row frame and answers matrix."""
    company, controls = request["company"], request["controls"]
    edr = controls.get("edr", {})
    row = {
        "quote_date": pd.Timestamp(request["quote_date"]),
        "industry": company["industry"], "employees": company["employees"],
        "capital_yen": company["capital_yen"], "revenue_yen": company["revenue_yen"],
        "endpoints": company["endpoints"], "rubber_products": bool(company.get("rubber_products", False)),
        "security_action": request.get("security_action", "none"),
        "utm": controls["utm"], "edr_status": edr.get("status", "none"),
        "edr_covered_endpoints": edr.get("covered_endpoints", 0),
        "edr_installed_on": pd.Timestamp(edr["installed_on"]) if "installed_on" in edr else pd.NaT,
        "legacy_os_endpoints": controls["legacy_os_endpoints"],
        "phishing_click_rate": controls.get("phishing_click_rate", np.nan),
        "incidents_3y": controls["incidents_3y"],
        "bundle_plan": request["bundle_plan"],
        "service_monthly_price_yen": request.get("service_monthly_price_yen", -1),
        "prior_annual_premium_yen": request.get("prior_annual_premium_yen", -1),
    }
    for s in SECTIONS:
        cover = request.get("top_up", {}).get(s, {})
        row[f"{s}_limit_yen"] = cover.get("limit_yen", 0)
        row[f"{s}_deductible_yen"] = cover.get("deductible_yen", -1)
    ids = item_ids()
    answers = np.zeros((1, len(ids)), dtype=np.uint8)
    for item, answer in request.get("answers", {}).items():
        answers[0, ids.index(item)] = ANSWER_CODE[answer]
    return pd.DataFrame([row]), answers


def _golden_quotes():
    for path in golden_files("quotes"):
        golden = read_golden(path)
        if golden["request"]["quote_date"] >= "2026-12-01":
            yield pytest.param(request_of(golden), id=path.stem)


@pytest.mark.parametrize("request_", list(_golden_quotes()))
def test_baseline_equals_the_hand_computed_golden_quotes(engine, tables, request_) -> None:
    frame, answers = _row(request_)
    out = numpy_baseline.price_frame(tables, frame, answers, subsidy_program=request_.get("subsidy_program"))
    q = engine.quote(request_).to_dict()
    r = out.iloc[0]
    assert r["score"] == q["assessment"]["score"]
    assert r["unknown_count"] == q["assessment"]["unknown_count"]
    assert r["posture_index"] == q["posture"]["index"]
    assert r["tier"] == q["tier"]
    assert r["outcome"] == q["decision"]["outcome"]
    assert r["decision_codes"] == "|".join(q["decision"]["codes"])
    base = q["base_cover"]
    assert (None if pd.isna(r["base_monthly_premium_yen"]) else r["base_monthly_premium_yen"]) == (
        base and base["monthly_premium_yen"])
    top = q["top_up"]
    if top is None:
        assert pd.isna(r["annual_premium_yen"])
        return
    for s in SECTIONS:
        expected = top["sections"].get(s, {}).get("annual_premium_yen")
        got = r[f"{s}_premium_yen"]
        assert (None if pd.isna(got) else got) == expected, s
    for key in ("package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen", "monthly_instalment_yen"):
        assert r[key] == top[key], key
    assert r["subsidy_code"] == top["subsidy_code"]


def test_exact_arithmetic_where_doubles_fail(engine, tables) -> None:
    """76,000 x 1.39 x 0.75 x 0.50 is exactly 39,615 (rounds to 39,620); doubles give 39,614.99..."""
    assert 76_000 * 1.39 * 0.75 * 0.50 < 39_615  # the double product falls short
    ids = item_ids()
    request = {
        "quote_date": "2026-12-15",
        "company": {"industry": "retail", "employees": 40, "capital_yen": 10_000_000,
                    "revenue_yen": 2_000_000_000, "endpoints": 20},
        "answers": {i: "partial" for i in ids},  # score 500
        "controls": {"utm": "managed", "edr": {"status": "none"}, "legacy_os_endpoints": 0,
                     "incidents_3y": 0, "phishing_click_rate": 0.05},  # 500 + 120 + 30 = 650: B
        "bundle_plan": "none",
        "top_up": {"liability": {"limit_yen": 10_000_000}},
    }
    frame, answers = _row(request)
    out = numpy_baseline.price_frame(tables, frame, answers)
    assert out["tier"][0] == "B"
    assert out["liability_premium_yen"][0] == 39_620
    assert engine.quote(request).to_dict()["top_up"]["sections"]["liability"]["annual_premium_yen"] == 39_620


def test_baseline_rejects_inconsistent_rows(tables) -> None:
    p = generate_portfolio(200, seed=1)
    frame = p.frame.copy()
    row = int(np.flatnonzero(frame["bundle_plan"] == "utm_edr")[0])
    frame.loc[row, "utm"] = "unmanaged"
    with pytest.raises(ValueError, match=f"row {row}: the plan requires a managed UTM"):
        numpy_baseline.price_frame(tables, frame, p.answers)
