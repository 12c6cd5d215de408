"""Portfolio batch pricing (Engine.quote_arrays / quote_frame) equals the single quote.

Every figure of every row is compared with ``Engine.quote(request).to_dict()`` for the same
row, on 10,000 random companies; failing rows carry the single quote's message.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import shutil
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd
import pytest

import cybercover
from cybercover import portfolio as pf
from conftest import QUESTIONNAIRE, SOURCE_TABLES, item_ids

IDS = item_ids()
with QUESTIONNAIRE.open(encoding="utf-8") as _f:
    ALLOW_NA = np.array([bool(item.get("allow_na")) for item in json.load(_f)["items"]])

INDUSTRIES = [
    "manufacturing", "construction", "transport_logistics", "wholesale", "retail", "restaurant",
    "accommodation", "services", "software_it", "medical_welfare", "finance_insurance_agency", "other",
]
ANSWERS = ["", "yes", "partial", "no", "unknown", "na"]  # code -> request label ("" = unanswered)
SECURITY_ACTION = ["none", "one_star", "two_star"]
UTM = ["none", "unmanaged", "managed"]
EDR = ["none", "self_managed", "managed"]
PLANS = ["none", "utm", "edr", "utm_edr"]
LIMITS = {
    "liability": [10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000, 500_000_000],
    "response": [5_000_000, 10_000_000, 30_000_000, 50_000_000, 100_000_000],
    "interruption": [5_000_000, 10_000_000, 30_000_000],
}
DEDUCTIBLES = {
    "liability": [0],
    "response": [0, 100_000, 300_000, 500_000, 1_000_000],
    "interruption": [0, 100_000, 500_000, 1_000_000],
}
SECTIONS = list(LIMITS)
SUBSIDY = "sme-cyber-support-2026"
EDGE_REVENUES = [
    0, 1, 50_000_000, 50_000_001, 100_000_000, 100_000_001, 300_000_000, 500_000_000, 1_000_000_000,
    3_000_000_000, 5_000_000_000, 10_000_000_000, 10_000_000_001, 25_000_000_000,
]
MONEY = [
    "base_monthly_premium_yen", "base_annual_premium_yen", *[f"{s}_premium_yen" for s in SECTIONS],
    "package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen", "monthly_instalment_yen",
]
FAULTS = [
    "negative_employees", "unknown_industry", "limit_not_offered", "deductible_not_offered",
    "na_not_allowed", "covered_above_endpoints", "legacy_above_endpoints", "installed_after_quote",
    "plan_without_managed_utm", "service_price_without_plan", "rubber_wrong_industry", "negative_limit",
    "no_edition", "negative_revenue", "click_rate_out_of_range",
]


# ---- a random portfolio ------------------------------------------------------------------------
def random_portfolio(n: int, seed: int, *, faults: float = 0.03) -> Dict[str, Any]:
    """Return the keyword arguments of quote_arrays for `n` random companies.

    Covers all plans, tiers A-E, accept/refer/decline (NOT_SME, revenue out of range, every
    refer code), edge revenues, na answers, subsidy in and out of force; a fraction `faults`
    of rows has exactly one input error (see FAULTS), so the row fails like a single quote.
    """
    rng = np.random.default_rng(seed)
    items = len(IDS)
    # Answers: a per-row quality, unknown and na propensity, so that scores span 0-1000.
    quality = rng.beta(0.9, 0.9, n)[:, None]
    unknown = rng.choice([0.0, 0.05, 0.3], n, p=[0.6, 0.25, 0.15])[:, None]
    u = rng.random((n, items))
    answers = np.where(u < quality, 1, np.where(u < quality + (1 - quality) * 0.4, 2, 3)).astype(np.uint8)
    answers[rng.random((n, items)) < unknown] = 4
    answers[rng.random((n, items)) < 0.02] = 0
    na = (rng.random((n, items)) < 0.3) & ALLOW_NA[None, :]
    answers[na] = 5

    industry = rng.choice(INDUSTRIES, n)
    employees = rng.choice(
        np.concatenate([rng.integers(1, 21, n), rng.integers(21, 51, n), rng.integers(51, 101, n),
                        rng.integers(101, 301, n), rng.integers(301, 1500, n)]), n)
    capital = rng.choice([0, 1_000_000, 10_000_000, 50_000_000, 50_000_001, 100_000_000, 300_000_000,
                          300_000_001, 1_000_000_000], n, p=[0.05, 0.15, 0.3, 0.15, 0.05, 0.1, 0.1, 0.05, 0.05])
    revenue = np.where(rng.random(n) < 0.3, rng.choice(EDGE_REVENUES, n), rng.integers(0, 12_000, n) * 1_000_000)
    endpoints = employees + rng.integers(-5, 30, n)
    endpoints = np.where(rng.random(n) < 0.03, 0, np.maximum(endpoints, 1))
    rubber = (industry == "manufacturing") & (rng.random(n) < 0.2)
    security_action = rng.integers(0, 3, n).astype(np.uint8)
    utm = rng.integers(0, 3, n).astype(np.uint8)
    edr = np.where(endpoints == 0, 0, rng.integers(0, 3, n)).astype(np.uint8)
    covered = np.where(edr > 0, rng.integers(1, np.maximum(endpoints, 1) + 1), np.where(rng.random(n) < 0.5, 0, 3))
    quote_day = (np.datetime64("2026-12-01") + rng.integers(0, 212, n)).astype("datetime64[D]")
    installed = quote_day - rng.choice([0, 1, 15, 29, 30, 31, 200], n)
    installed = np.where((edr == 2) | (rng.random(n) < 0.2), installed, np.datetime64("NaT"))
    legacy = np.where(rng.random(n) < 0.2, np.minimum(rng.integers(1, 4, n), endpoints), 0)
    click = np.where(rng.random(n) < 0.3, np.nan,
                     rng.choice([0.0, 0.01, 0.05, 0.0501, 0.1, 0.15, 0.1501, 0.2, 0.6, 1.0], n))
    incidents = rng.choice([0, 0, 0, 1, 2, 3, 7], n)
    plan = np.zeros(n, np.uint8)
    for i in range(n):
        allowed = [0] + ([1] if utm[i] == 2 else []) + ([2] if edr[i] == 2 else []) + ([3] if utm[i] == 2 and edr[i] == 2 else [])
        plan[i] = allowed[rng.integers(len(allowed))]
    price = np.where((plan > 0) & (rng.random(n) < 0.5), rng.integers(0, 300_000, n), -1)
    top_up = {}
    nothing = rng.random(n) < 0.15
    for s in SECTIONS:
        pick = rng.random(n) < 0.6
        limit = np.where(pick & ~nothing, rng.choice(LIMITS[s], n), 0)
        deductible = np.where(rng.random(n) < 0.4, -1, rng.choice(DEDUCTIBLES[s], n))
        top_up[s] = (limit.astype(np.int64), deductible.astype(np.int64))

    cols: Dict[str, Any] = dict(
        quote_date=quote_day, answers=answers, industry=industry.astype(object), employees=employees.astype(np.int64),
        capital_yen=capital.astype(np.int64), revenue_yen=revenue.astype(np.int64), endpoints=endpoints.astype(np.int64),
        rubber_products=rubber, security_action=security_action, utm=utm, edr_status=edr,
        edr_covered_endpoints=covered.astype(np.int64), edr_installed_on=installed,
        legacy_os_endpoints=legacy.astype(np.int64), phishing_click_rate=click, incidents_3y=incidents.astype(np.int64),
        bundle_plan=plan, service_monthly_price_yen=price.astype(np.int64), top_up=top_up,
    )
    # Exactly one fault in some rows.
    for i in np.flatnonzero(rng.random(n) < faults):
        inject_fault(cols, int(i), FAULTS[rng.integers(len(FAULTS))], rng)
    return cols


def inject_fault(cols: Dict[str, Any], i: int, fault: str, rng: np.random.Generator) -> None:
    if fault == "negative_employees":
        cols["employees"][i] = -3
    elif fault == "negative_revenue":
        cols["revenue_yen"][i] = -1
    elif fault == "unknown_industry":
        cols["industry"][i] = "fishing"
    elif fault == "limit_not_offered":
        cols["top_up"]["liability"][0][i] = 20_000_000
    elif fault == "deductible_not_offered":
        cols["top_up"]["response"][0][i] = 10_000_000
        cols["top_up"]["response"][1][i] = 200_000
    elif fault == "negative_limit":
        cols["top_up"]["interruption"][0][i] = -5
    elif fault == "na_not_allowed":
        cols["answers"][i, 0] = 5  # D01.1 does not allow na
    elif fault == "covered_above_endpoints":
        cols["endpoints"][i] = max(cols["endpoints"][i], 2)
        cols["edr_status"][i] = 1
        cols["bundle_plan"][i] = 0
        cols["service_monthly_price_yen"][i] = -1
        cols["edr_covered_endpoints"][i] = cols["endpoints"][i] + 1
    elif fault == "legacy_above_endpoints":
        cols["legacy_os_endpoints"][i] = cols["endpoints"][i] + 1
    elif fault == "installed_after_quote":
        cols["endpoints"][i] = max(cols["endpoints"][i], 1)
        cols["edr_status"][i] = 2
        cols["edr_covered_endpoints"][i] = 1
        cols["edr_installed_on"][i] = cols["quote_date"][i] + 1
    elif fault == "plan_without_managed_utm":
        cols["utm"][i] = 1
        cols["bundle_plan"][i] = 1
    elif fault == "service_price_without_plan":
        cols["bundle_plan"][i] = 0
        cols["service_monthly_price_yen"][i] = 5000
    elif fault == "rubber_wrong_industry":
        cols["industry"][i] = "retail"
        cols["rubber_products"][i] = True
    elif fault == "click_rate_out_of_range":
        cols["phishing_click_rate"][i] = rng.choice([1.5, -0.25, 2.0, np.inf, -np.inf, 1.0000001])
    elif fault == "no_edition":
        cols["quote_date"][i] = np.datetime64("2026-11-30")
    else:  # pragma: no cover
        raise AssertionError(fault)


def request_for(cols: Dict[str, Any], i: int, subsidy_program: Optional[str] = None) -> Dict[str, Any]:
    """Return the single-quote request (docs/request_contract.md) of row `i` of quote_arrays columns."""
    def day(value: Any) -> str:
        return str(np.datetime64(value, "D"))

    quote_date = cols["quote_date"]
    company = {
        "industry": str(cols["industry"][i]),
        "employees": int(cols["employees"][i]),
        "capital_yen": int(cols["capital_yen"][i]),
        "revenue_yen": int(cols["revenue_yen"][i]),
        "endpoints": int(cols["endpoints"][i]),
    }
    if cols.get("rubber_products") is not None and cols["rubber_products"][i]:
        company["rubber_products"] = True
    status = EDR[cols["edr_status"][i]]
    edr: Dict[str, Any] = {"status": status}
    if status != "none":
        edr["covered_endpoints"] = int(cols["edr_covered_endpoints"][i])
    if cols.get("edr_installed_on") is not None and not np.isnat(cols["edr_installed_on"][i]):
        edr["installed_on"] = day(cols["edr_installed_on"][i])
    controls: Dict[str, Any] = {
        "utm": UTM[cols["utm"][i]],
        "edr": edr,
        "legacy_os_endpoints": int(cols["legacy_os_endpoints"][i]),
        "incidents_3y": int(cols["incidents_3y"][i]),
    }
    click = cols.get("phishing_click_rate")
    if click is not None and not np.isnan(click[i]):
        controls["phishing_click_rate"] = float(click[i])
    request: Dict[str, Any] = {
        "quote_date": day(quote_date if np.ndim(quote_date) == 0 else quote_date[i]),
        "company": company,
        "answers": {IDS[j]: ANSWERS[c] for j, c in enumerate(cols["answers"][i]) if c != 0},
        "controls": controls,
        "bundle_plan": PLANS[cols["bundle_plan"][i]],
    }
    if cols.get("security_action") is not None:
        request["security_action"] = SECURITY_ACTION[cols["security_action"][i]]
    top_up = {}
    for s, (limit, deductible) in (cols.get("top_up") or {}).items():
        if limit[i] != 0:
            top_up[s] = {"limit_yen": int(limit[i])}
            if deductible is not None and deductible[i] != -1:
                top_up[s]["deductible_yen"] = int(deductible[i])
    if top_up:
        request["top_up"] = top_up
    if subsidy_program is not None:
        request["subsidy_program"] = subsidy_program
    price = cols.get("service_monthly_price_yen")
    if price is not None and price[i] != -1:
        request["service_monthly_price_yen"] = int(price[i])
    return request


def expected_row(engine: cybercover.Engine, request: Dict[str, Any], sections: List[str]) -> Dict[str, Any]:
    """Return the to_frame() row the single quote implies (errors as their message)."""
    try:
        q = engine.quote(request).to_dict()
    except cybercover.Error as e:
        return {"ok": False, "error_code": e.code, "error": str(e)}
    base, top = q["base_cover"], q["top_up"]
    row = {
        "ok": True,
        "error_code": None,
        "error": None,
        "is_sme": q["decision"]["sme"]["is_sme"],
        "edition": q["tables"]["edition"],
        "edition_sha256": q["tables"]["sha256"],
        "score": q["assessment"]["score"],
        "unknown_count": q["assessment"]["unknown_count"],
        "posture_index": q["posture"]["index"],
        "tier": q["tier"],
        "outcome": q["decision"]["outcome"],
        "decision_codes": "|".join(q["decision"]["codes"]),
        "base_monthly_premium_yen": base["monthly_premium_yen"] if base else None,
        "base_annual_premium_yen": base["annual_premium_yen"] if base else None,
        "subsidy_code": top["subsidy_code"] if top else None,
    }
    for s in sections:
        row[f"{s}_premium_yen"] = top["sections"][s]["annual_premium_yen"] if top and s in top["sections"] else None
    for k in ("package_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen", "monthly_instalment_yen"):
        row[k] = top[k] if top else None
    return row


def frame_rows(frame: pd.DataFrame) -> List[Dict[str, Any]]:
    """Return the frame as dicts with None for NA and plain Python values."""
    out = []
    columns = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns}
    for i in range(len(frame)):
        out.append({c: columns[c][i] for c in frame.columns})
    return out


def assert_matches_single_quotes(engine, cols, frame, subsidy_program=None):
    """Compare every row of `frame` with the single quote of the same request."""
    mismatches = []
    for i, got in enumerate(frame_rows(frame)):
        request = request_for(cols, i, subsidy_program)
        want = expected_row(engine, request, SECTIONS)
        if not want["ok"]:
            # The same error, at its location: the batch's message ends with "(row N, column ...)".
            located = got["error"] or ""
            same = located.startswith(want["error"] + " (row ")
            got = {"ok": got["ok"], "error_code": got["error_code"], "error": want["error"] if same else located}
        if got != want:
            diff = {k: (want.get(k), got.get(k)) for k in want if want.get(k) != got.get(k)}
            mismatches.append(f"row {i} (single, batch): {diff}\nrequest: {json.dumps(request)}")
            if len(mismatches) >= 5:
                break
    assert not mismatches, "\n".join(mismatches)


# ---- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def book() -> Dict[str, Any]:
    return random_portfolio(10_000, seed=20261215)


@pytest.fixture(scope="module")
def book_frame(engine, book) -> pd.DataFrame:
    return engine.quote_arrays(**book, subsidy_program=SUBSIDY, errors="collect").to_frame()


def small(n: int = 6) -> Dict[str, Any]:
    """A small clean portfolio (no faults) for error tests."""
    return random_portfolio(n, seed=7, faults=0.0)


# ---- parity with the single quote ----------------------------------------------------------------
def test_batch_equals_single_quote_to_the_yen_on_10000_random_companies(engine, book, book_frame):
    assert_matches_single_quotes(engine, book, book_frame, SUBSIDY)


def test_random_book_covers_plans_tiers_decisions_and_errors(book, book_frame):
    f = book_frame[book_frame["ok"]]
    assert set(f["tier"]) == {"A", "B", "C", "D", "E"}
    assert set(f["outcome"]) == {"accept", "refer", "decline"}
    codes = {c for joined in f["decision_codes"] for c in joined.split("|") if c}
    assert codes == set(cybercover.PortfolioResult.DECISION_CODES)
    assert set(book["bundle_plan"][book_frame["ok"].to_numpy()]) == {0, 1, 2, 3}
    assert set(f["subsidy_code"].dropna()) == {"SUBSIDY_NOT_EFFECTIVE", "SUBSIDY_NOT_ELIGIBLE"}
    assert (f["subsidy_yen"] > 0).any() and f["package_yen"].isna().any()
    assert (book["answers"] == 5).any(axis=1).mean() > 0.5
    failed = book_frame[~book_frame["ok"]]
    assert 100 < len(failed) < 800
    kinds = {m.split("] ", 1)[1].split(":", 1)[0] for m in failed["error"]}
    assert {"company.employees", "company.industry", "top_up.liability.limit_yen", "answers.D01.1",
            "controls.edr.covered_endpoints", "controls.phishing_click_rate", "quote_date"} <= kinds


def test_batch_without_subsidy_and_with_a_scalar_quote_date(engine):
    cols = random_portfolio(1500, seed=3)
    cols["quote_date"] = "2027-02-01"
    frame = engine.quote_arrays(**cols, errors="collect").to_frame()
    assert frame["subsidy_code"].isna().all()
    assert_matches_single_quotes(engine, cols, frame)


def test_same_figures_for_1_2_and_4_threads(engine):
    cols = random_portfolio(40_000, seed=11)  # > 4 x 4096 rows: four threads really run
    frames = [
        engine.quote_arrays(**cols, subsidy_program=SUBSIDY, threads=t, errors="collect").to_frame()
        for t in (1, 2, 4)
    ]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    assert not frames[0]["ok"].all()


# ---- errors ------------------------------------------------------------------------------------
def one_fault_each(engine) -> tuple:
    """Rows 1, 3, 5, ...: one fault of each listed kind; even rows are clean."""
    faults = ["negative_employees", "unknown_industry", "limit_not_offered", "na_not_allowed",
              "covered_above_endpoints", "deductible_not_offered", "plan_without_managed_utm"]
    cols = random_portfolio(2 * len(faults), seed=5, faults=0.0)
    rng = np.random.default_rng(0)
    for k, fault in enumerate(faults):
        inject_fault(cols, 2 * k + 1, fault, rng)
    return cols, faults


def test_collect_gives_the_single_quote_message_per_row(engine):
    cols, faults = one_fault_each(engine)
    result = engine.quote_arrays(**cols, errors="collect")
    frame = result.to_frame()
    assert [e.index for e in result.errors] == [2 * k + 1 for k in range(len(faults))]
    assert [e.row for e in result.errors] == [2 * k + 2 for k in range(len(faults))]  # 1-based, like the CLI
    for e in result.errors:
        with pytest.raises(cybercover.InputError) as single:
            engine.quote(request_for(cols, e.index))
        # The same code, field, value and message; the batch adds where: row and column.
        assert (e.code, e.field, e.value) == (single.value.code, single.value.field, single.value.value)
        assert e.message.startswith(str(single.value) + f" (row {e.row}, column "), (e, str(single.value))
        assert frame.loc[e.index, "error"] == e.message and frame.loc[e.index, "error_code"] == e.code
        assert not frame.loc[e.index, "ok"]
        assert frame.loc[e.index, ["score", "posture_index"]].tolist() == [0, 0]
        assert pd.isna(frame.loc[e.index, "tier"]) and frame.loc[e.index, "decision_codes"] is None
        assert all(pd.isna(frame.loc[e.index, m]) for m in MONEY)
    assert frame["ok"].iloc[0::2].all()
    by_index = {e.index: e for e in result.errors}
    assert by_index[1].message == ("[cybercover.input.below_minimum] company.employees: must be an integer between 1 and "
                                   '1000000, got -3 (row 2, column "employees")')
    assert by_index[3].message.startswith('[cybercover.input.unknown_industry] company.industry: unknown industry (known: manufacturing, ')
    assert by_index[3].message.endswith(', got "fishing" (row 4, column "industry")')
    assert by_index[5].message.startswith("[cybercover.input.limit_not_offered] top_up.liability.limit_yen: limit not offered")
    assert by_index[5].column == "liability_limit_yen"
    assert by_index[7].message.startswith('[cybercover.input.na_not_allowed] answers.D01.1: "na" is not allowed for this item')
    assert by_index[7].column == "D01.1"


def test_collect_bad_enum_code_names_field_and_code(engine):
    cols = small(3)
    cols["utm"][1] = 7
    cols["bundle_plan"][1] = 0
    cols["service_monthly_price_yen"][1] = -1
    result = engine.quote_arrays(**cols, errors="collect")
    # The single quote cannot receive a code; its message for a bad label has the same start.
    request = request_for({**cols, "utm": np.array([0, 0, 0], np.uint8)}, 1)
    request["controls"]["utm"] = "bogus"
    with pytest.raises(cybercover.InputError) as single:
        engine.quote(request)
    prefix = '[cybercover.input.unknown_value] controls.utm: must be one of "none", "unmanaged", "managed", got '
    assert str(single.value) == prefix + '"bogus"'
    assert [(e.index, e.message) for e in result.errors] == [(1, prefix + 'code 7 (row 2, column "utm")')]
    for column, code in (("edr_status", 3), ("bundle_plan", 4), ("security_action", 3)):
        bad = small(2)
        bad[column][0] = code
        (e,) = engine.quote_arrays(**bad, errors="collect").errors
        assert e.index == 0 and e.row == 1 and f"got code {code}" in e.message and e.column == column


def test_answer_code_out_of_range_fails_the_row(engine):
    cols = small(2)
    cols["answers"][1, 3] = 9
    (e,) = engine.quote_arrays(**cols, errors="collect").errors
    assert e.index == 1 and e.message == (
        f'[cybercover.input.unknown_value] answers.{IDS[3]}: must be one of "yes", "partial", "no", "unknown", "na", '
        f'got code 9 (row 2, column "{IDS[3]}")')


def test_raise_reports_the_first_bad_row(engine):
    cols = random_portfolio(20_000, seed=9, faults=0.0)
    rng = np.random.default_rng(1)
    inject_fault(cols, 15_000, "negative_employees", rng)
    inject_fault(cols, 12_345, "unknown_industry", rng)
    inject_fault(cols, 19_999, "limit_not_offered", rng)
    for threads in (1, 2, 4):
        with pytest.raises(cybercover.InputError) as e:
            engine.quote_arrays(**cols, threads=threads)
        assert str(e.value).startswith("[cybercover.input.unknown_industry] company.industry: unknown industry")
        assert str(e.value).endswith('(row 12346, column "industry")')
        assert (e.value.kind, e.value.code, e.value.row, e.value.column) == ("input", "input.unknown_industry", 12346, "industry")
    with pytest.raises(cybercover.NoEditionError, match=r"^\[cybercover.no_edition.not_in_force\] quote_date: .*\(row 1, column \"quote_date\"\)$"):
        engine.quote_arrays(**{**small(2), "quote_date": np.array(["2026-11-30"] * 2, "datetime64[D]")})
    # One date for the whole call is checked once, before any row.
    with pytest.raises(cybercover.NoEditionError, match=r"^\[cybercover.no_edition.not_in_force\] quote_date: .*2026-11-30\"$"):
        engine.quote_arrays(**{**small(2), "quote_date": "2026-11-30"})


def test_conversion_errors_name_the_row_column_and_value(engine):
    cols = small(3)

    def first_error(**changes):
        return engine.quote_arrays(**{**cols, **changes}, errors="collect").errors[0]

    e = first_error(utm=["managed", "bogus", "none"])
    assert (e.index, e.code, e.column) == (1, "input.unknown_value", "utm")
    assert e.message == '[cybercover.input.unknown_value] controls.utm: must be one of "none", "unmanaged", "managed", got "bogus" (row 2, column "utm")'
    cat = pd.Categorical(["none", "none", "cloud"], categories=["none", "cloud", "utm"])
    e = first_error(bundle_plan=cat)
    assert (e.index, e.code, e.value, e.column) == (2, "input.unknown_value", '"cloud"', "bundle_plan")
    e = first_error(employees=[3.0, 2.5, 4.0])
    assert (e.index, e.code, e.value) == (1, "input.not_integer", "2.5")
    e = first_error(revenue_yen=pd.array([1, 2, None], dtype="Int64"))
    assert (e.index, e.code, e.field) == (2, "input.missing", "company.revenue_yen")
    e = first_error(industry=[None, "retail", "retail"])
    assert (e.index, e.code, e.field) == (0, "input.missing", "company.industry")
    # collect keeps pricing the other rows.
    assert engine.quote_arrays(**{**cols, "employees": [3.0, 2.5, 4.0]}, errors="collect").ok.tolist() == [True, False, True]
    with pytest.raises(cybercover.InputError, match=r"endpoints: must be one value per row: 3 rows, got shape \(2,\)"):
        engine.quote_arrays(**{**cols, "endpoints": [1, 2]})
    with pytest.raises(cybercover.InputError, match=r'^\[cybercover.input.invalid_date\] quote_date: must be a date "YYYY-MM-DD" between 1900-01-01 and 2199-12-31, got "2026-12"$'):
        engine.quote_arrays(**{**cols, "quote_date": "2026-12"})
    with pytest.raises(cybercover.InputError, match=r"answers: must be one of .*, got 'maybe' \(row 1, column 3\)"):
        answers = np.full((3, 98), "yes", dtype=object)
        answers[0, 2] = "maybe"
        engine.quote_arrays(**{**cols, "answers": answers})
    with pytest.raises(cybercover.InputError, match=r"answers: has 97 columns but no edition's questionnaire has that many items"):
        engine.quote_arrays(**{**cols, "answers": cols["answers"][:, :97].copy()})


def test_keywords_are_checked(engine):
    cols = small(2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'employee'"):
        engine.quote_arrays(**cols, employee=[1, 2])
    with pytest.raises(TypeError):
        engine.quote_arrays(cols["quote_date"], **{k: v for k, v in cols.items() if k != "quote_date"})
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'utm'"):
        engine.quote_arrays(**{k: v for k, v in cols.items() if k != "utm"})
    with pytest.raises(ValueError, match='errors must be "raise" or "collect"'):
        engine.quote_arrays(**cols, errors="ignore")
    with pytest.raises(ValueError, match="threads must be >= 1"):
        engine.quote_arrays(**cols, threads=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'thread'"):
        engine.quote_frame(pd.DataFrame(), thread=1)


# ---- no hidden copies ------------------------------------------------------------------------------
def test_contiguous_uint8_answers_are_read_in_place(engine):
    cols = small(50)
    answers = cols["answers"]
    assert answers.dtype == np.uint8 and answers.flags.c_contiguous
    result = engine.quote_arrays(**cols)
    assert result._answers_address == answers.ctypes.data  # the caller's buffer, not a copy

    # Not C-contiguous, or not uint8: converted once (a copy), same figures.
    labels = np.array(ANSWERS, dtype=object)[answers]
    for other in (np.asfortranarray(answers), answers.astype(np.int64), labels, np.asfortranarray(labels),
                  labels.astype(str), np.where(answers == 0, np.nan, answers.astype(float))):
        converted = engine.quote_arrays(**{**cols, "answers": other})
        assert converted._answers_address != answers.ctypes.data
        pd.testing.assert_frame_equal(converted.to_frame(), result.to_frame())
    wide = np.zeros((50, 2 * 98), np.uint8)
    wide[:, ::2] = answers
    strided = engine.quote_arrays(**{**cols, "answers": wide[:, ::2]})
    assert strided._answers_address not in (wide.ctypes.data, answers.ctypes.data)
    pd.testing.assert_frame_equal(strided.to_frame(), result.to_frame())


def test_columns_of_the_batch_dtype_are_not_copied(engine):
    # The batch reads int64, uint8, float64 and datetime64[D] columns in place: a value changed
    # in the caller's array after the call would show (the arrays are read, not copied, so a
    # bad value in them fails its row with the array's own value).
    cols = small(4)
    employees = np.array([5, 6, 7, 8], np.int64)
    employees[2] = 0
    e = engine.quote_arrays(**{**cols, "employees": employees}, errors="collect").errors[0]
    assert (e.index, e.code, e.value) == (2, "input.below_minimum", "0")
    codes = cols["utm"].astype(np.uint8)
    codes[1] = 9
    e = engine.quote_arrays(**{**cols, "utm": codes}, errors="collect").errors[0]
    assert (e.index, e.value) == (1, "code 9")
    rates = np.array([0.1, 2.0, np.nan, 0.0])
    e = engine.quote_arrays(**{**cols, "phishing_click_rate": rates}, errors="collect").errors[0]
    assert (e.index, e.code, e.value) == (1, "input.above_maximum", "2.0")
    days = np.array(["2026-12-15", "2300-01-01", "2026-12-15", "2026-12-15"], "datetime64[D]")
    e = engine.quote_arrays(**{**cols, "quote_date": days}, errors="collect").errors[0]
    assert (e.index, e.code, e.value) == (1, "input.date_out_of_range", '"2300-01-01"')


def test_results_are_read_only_views(engine):
    result = engine.quote_arrays(**small(4))
    assert not result.annual_premium_yen.flags.writeable
    with pytest.raises(ValueError):
        result.score[0] = 1


# ---- editions ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_editions(tmp_path_factory) -> cybercover.Engine:
    """2026-12 until 2027-06-30, then 2027-07 with manufacturing's industry factor 1.10."""
    root = tmp_path_factory.mktemp("tables")
    old, new = root / "2026-12", root / "2027-07"
    shutil.copytree(SOURCE_TABLES / "2026-12", old)
    shutil.copytree(SOURCE_TABLES / "2026-12", new)
    # 2026-12 ships closed on 2027-03-31 (2027-04 follows it); here it runs on to 2027-06-30.
    for path in old.glob("*.json"):
        path.write_text(re.sub(r'"effective_to": (null|"[0-9-]+")', '"effective_to": "2027-06-30"',
                               path.read_text(encoding="utf-8")), encoding="utf-8")
    for path in new.glob("*.json"):
        text = re.sub(r'"effective_to": (null|"[0-9-]+")', '"effective_to": null', path.read_text(encoding="utf-8"))
        text = text.replace('"edition": "2026-12"', '"edition": "2027-07"')
        text = text.replace('"effective_from": "2026-12-01"', '"effective_from": "2027-07-01"')
        text = text.replace('"manufacturing": 1.00,', '"manufacturing": 1.10,')
        path.write_text(text, encoding="utf-8")
    return cybercover.Engine(root)


def test_per_row_quote_date_picks_the_edition(two_editions):
    engine = two_editions
    cols = random_portfolio(600, seed=21, faults=0.0)
    cols["industry"][:] = "manufacturing"
    cols["quote_date"] = (np.datetime64("2027-05-01") + np.arange(600) % 120).astype("datetime64[D]")
    result = engine.quote_arrays(**cols, errors="collect")
    assert [e for e, _ in result.editions] == ["2026-12", "2027-07"]
    assert result.editions[0][1] == engine.editions[0]["sha256"]
    assert result.edition is None  # several editions priced rows
    frame = result.to_frame()
    assert_matches_single_quotes(engine, cols, frame)
    # The same rows priced whole in each edition differ where the industry factor applies.
    july = engine.quote_arrays(**{**cols, "quote_date": "2027-07-15"}, errors="collect")
    assert [e for e, _ in july.editions] == ["2027-07"] and july.edition == "2027-07"
    assert result.edition != july.edition
    later = cols["quote_date"] >= np.datetime64("2027-07-01")
    assert later.any() and (~later).any()
    one = engine.quote_arrays(**{**cols, "quote_date": "2027-06-30"}, errors="collect")
    assert [e for e, _ in one.editions] == ["2026-12"]
    assert set(frame.loc[frame["ok"], "edition"].astype(str)) == {"2026-12", "2027-07"}
    assert (frame.loc[frame["edition"] == "2027-07", "edition_sha256"] == engine.editions[1]["sha256"]).all()


# ---- DataFrames --------------------------------------------------------------------------------
def frame_of(cols: Dict[str, Any], *, labels: bool = False, item_columns: bool = False) -> pd.DataFrame:
    """Return the frame layout (the CSV contract) of quote_arrays columns."""
    n = len(cols["employees"])
    data: Dict[str, Any] = {}
    data["quote_date"] = np.datetime_as_string(cols["quote_date"]).astype(object) if labels else cols["quote_date"]
    for k in ("industry", "employees", "capital_yen", "revenue_yen", "endpoints", "rubber_products"):
        data[k] = cols[k]
    for k, names in (("security_action", SECURITY_ACTION), ("utm", UTM), ("edr_status", EDR), ("bundle_plan", PLANS)):
        data[k] = pd.Categorical.from_codes(cols[k], names) if labels else cols[k]
    data["edr_covered_endpoints"] = cols["edr_covered_endpoints"]
    data["edr_installed_on"] = cols["edr_installed_on"]
    for k in ("legacy_os_endpoints", "phishing_click_rate", "incidents_3y"):
        data[k] = cols[k]
    price = cols["service_monthly_price_yen"]
    data["service_monthly_price_yen"] = pd.array(np.where(price == -1, 0, price), dtype="Int64")
    data["service_monthly_price_yen"][price == -1] = pd.NA
    for s, (limit, deductible) in cols["top_up"].items():
        data[f"{s}_limit_yen"] = np.where(limit == 0, np.nan, limit) if labels else limit
        data[f"{s}_deductible_yen"] = np.where(deductible == -1, np.nan, deductible)
    frame = pd.DataFrame(data, index=pd.Index([f"policy-{i}" for i in range(n)], name="policy"))
    if item_columns:
        answers = cols["answers"]
        items = pd.DataFrame(
            {item: (np.array(ANSWERS, dtype=object)[answers[:, j]] if labels else answers[:, j]) for j, item in enumerate(IDS)},
            index=frame.index,
        )
        frame = pd.concat([frame, items], axis=1)
    return frame


def test_quote_frame_equals_quote_arrays_with_labels_codes_and_item_columns(engine):
    cols = random_portfolio(800, seed=31)
    expected = engine.quote_arrays(**cols, subsidy_program=SUBSIDY, errors="collect").to_frame()
    expected.index = pd.Index([f"policy-{i}" for i in range(800)], name="policy")
    for labels in (False, True):
        f = frame_of(cols, labels=labels)
        got = engine.quote_frame(f, answers=cols["answers"], subsidy_program=SUBSIDY, errors="collect")
        pd.testing.assert_frame_equal(got, expected)
        with_items = frame_of(cols, labels=labels, item_columns=True)
        got = engine.quote_frame(with_items, subsidy_program=SUBSIDY, errors="collect")
        pd.testing.assert_frame_equal(got, expected)


def test_quote_frame_csv_round_trip(engine):
    cols = random_portfolio(300, seed=41)
    f = frame_of(cols, labels=True, item_columns=True)
    text = f.to_csv()
    back = pd.read_csv(io.StringIO(text), index_col="policy")
    assert back["industry"].dtype == object and back["liability_limit_yen"].dtype == float
    want = engine.quote_frame(f, subsidy_program=SUBSIDY, errors="collect")
    got = engine.quote_frame(back, subsidy_program=SUBSIDY, errors="collect")
    pd.testing.assert_frame_equal(got, want)
    # Categorical columns from a CSV reader with dtype="category" too.
    cats = pd.read_csv(io.StringIO(text), index_col="policy",
                       dtype={"industry": "category", "utm": "category", "D01.1": "category"})
    pd.testing.assert_frame_equal(engine.quote_frame(cats, subsidy_program=SUBSIDY, errors="collect"), want)


def test_quote_frame_copies_an_id_column_like_the_csv(engine):
    cols = small(4)
    f = frame_of(cols)
    f.insert(0, "id", ["a-1", "a-2", "b-1", "b-2"])
    got = engine.quote_frame(f, answers=cols["answers"])
    assert list(got.columns[:3]) == ["id", "ok", "error_code"] and got["id"].tolist() == ["a-1", "a-2", "b-1", "b-2"]
    pd.testing.assert_frame_equal(got.drop(columns="id"), engine.quote_frame(f.drop(columns="id"), answers=cols["answers"]))


def test_quote_frame_partial_item_columns_are_unanswered(engine):
    cols = small(5)
    f = frame_of(cols, item_columns=True).drop(columns=IDS[50:])
    cols_unanswered = {**cols, "answers": cols["answers"].copy()}
    cols_unanswered["answers"][:, 50:] = 0
    expected = engine.quote_arrays(**cols_unanswered).to_frame(index=f.index)
    pd.testing.assert_frame_equal(engine.quote_frame(f), expected)


def test_quote_frame_column_errors(engine):
    cols = small(3)
    f = frame_of(cols)
    with pytest.raises(cybercover.InputError, match=r'^\[cybercover.input.missing_column\] utm: required column is missing \(column "utm"\)$'):
        engine.quote_frame(f.drop(columns="utm"), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"^\[cybercover.input.unknown_column\] policy_holder: unknown column"):
        engine.quote_frame(f.assign(policy_holder="x"), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"^\[cybercover.input.unknown_column\] cyber_limit_yen: unknown column"):
        engine.quote_frame(f.assign(cyber_limit_yen=0), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"D99.9: unknown column"):
        engine.quote_frame(f.assign(**{"D99.9": "yes"}), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"D01.1: item columns and an answers matrix are both given"):
        engine.quote_frame(f.assign(**{"D01.1": "yes"}), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"quote_date: required column is missing \(or give one quote date for every row\)"):
        engine.quote_frame(f.drop(columns="quote_date"), answers=cols["answers"])
    with pytest.raises(cybercover.InputError, match=r"response_deductible_yen: has no response_limit_yen column"):
        engine.quote_frame(f.drop(columns="response_limit_yen"), answers=cols["answers"])
    bad = engine.quote_frame(frame_of(cols, labels=True, item_columns=True).assign(**{"D01.1": ["yes", "si", "no"]}),
                             errors="collect")
    assert bad["error"].iloc[1] == (
        '[cybercover.input.unknown_value] answers.D01.1: must be one of "yes", "partial", "no", "unknown", "na", '
        'got "si" (row 2, column "D01.1")')
    # A frame with no item columns is answered by nobody: every item unanswered.
    unanswered = engine.quote_frame(f, errors="collect")
    nobody = engine.quote_arrays(**{**cols, "answers": np.zeros_like(cols["answers"])}, errors="collect").to_frame(index=f.index)
    pd.testing.assert_frame_equal(unanswered, nobody)
    # quote_date= gives the date of rows whose quote_date is empty.
    g = f.assign(quote_date=[None] + list(f["quote_date"].iloc[1:]))
    filled = engine.quote_frame(g, answers=cols["answers"], quote_date=str(f["quote_date"].iloc[0])[:10])
    pd.testing.assert_frame_equal(filled, engine.quote_frame(f, answers=cols["answers"]))
    with pytest.raises(TypeError, match="df must be a pandas.DataFrame"):
        engine.quote_frame(cols)
    g = f.drop(columns="quote_date")
    pd.testing.assert_frame_equal(
        engine.quote_frame(g, answers=cols["answers"], quote_date="2027-01-05"),
        engine.quote_arrays(**{**cols, "quote_date": "2027-01-05"}).to_frame(index=g.index),
    )


def test_frame_round_trip_with_errors_raise(engine):
    cols = small(4)
    cols["employees"][2] = 0
    with pytest.raises(cybercover.InputError, match=r'^\[cybercover.input.below_minimum\] company.employees: must be.*\(row 3, column "employees"\)$'):
        engine.quote_frame(frame_of(cols), answers=cols["answers"])


# ---- the result object -----------------------------------------------------------------------------
def test_result_repr_len_html_and_pickle(engine):
    cols = small(40)
    cols["employees"][3] = -1
    result = engine.quote_arrays(**cols, errors="collect")
    assert len(result) == 40
    # the random dates run to 2027-06-30: both shipped editions price rows
    assert repr(result) == "PortfolioResult(rows=40, editions=['2026-12', '2027-04'], errors=1)"
    html = result._repr_html_()
    frame = result.to_frame()
    for part in ("By tier", "By outcome", "Total premiums", "<th>rows</th>", ">40<", ">39<"):
        assert part in html
    total = int(frame["annual_premium_yen"].sum())
    assert f"¥{total:,}" in html
    clone = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(clone.to_frame(), frame)
    assert clone.errors == result.errors and repr(clone) == repr(result)


def test_frame_dtypes_and_labels(engine):
    frame = engine.quote_arrays(**random_portfolio(500, seed=2), subsidy_program=SUBSIDY, errors="collect").to_frame()
    assert list(frame.columns) == [
        "ok", "error_code", "error", "score", "unknown_count", "posture_index", "tier", "outcome", "decision_codes",
        "is_sme", *MONEY[:2], *MONEY[2:5], *MONEY[5:], "subsidy_code", "edition", "edition_sha256",
    ]
    assert frame["ok"].dtype == bool and frame["error"].dtype == object
    assert all(frame[c].dtype == np.int64 for c in ("score", "unknown_count", "posture_index"))
    assert list(frame["tier"].cat.categories) == ["A", "B", "C", "D", "E"]
    assert list(frame["outcome"].cat.categories) == ["accept", "refer", "decline"]
    assert all(str(frame[c].dtype) == "Int64" for c in MONEY)
    accepted_without_codes = frame[(frame["outcome"] == "accept")]["decision_codes"]
    assert (accepted_without_codes == "").all()


def test_empty_portfolio(engine):
    cols = small(3)
    empty = {k: (v[:0] if isinstance(v, np.ndarray) else v) for k, v in cols.items()}
    empty["top_up"] = {s: (l[:0], d[:0]) for s, (l, d) in cols["top_up"].items()}
    result = engine.quote_arrays(**empty)
    assert len(result) == 0 and result.edition is None and result.editions == []
    frame = result.to_frame()
    assert len(frame) == 0
    full = engine.quote_arrays(**cols).to_frame()
    pd.testing.assert_series_equal(frame.dtypes.astype(str), full.dtypes.astype(str))
    assert engine.quote_frame(frame_of(cols, item_columns=True).iloc[:0]).shape == (0, full.shape[1])


def test_scalars_apply_to_every_row(engine):
    cols = small(6)
    scalar = {**cols, "utm": "managed", "edr_status": "none", "bundle_plan": "utm", "industry": "retail",
              "security_action": "two_star", "legacy_os_endpoints": 0, "incidents_3y": 0, "phishing_click_rate": None,
              "edr_covered_endpoints": None, "edr_installed_on": None, "rubber_products": False,
              "service_monthly_price_yen": 8000, "top_up": {"liability": 10_000_000}}
    arrays = {**scalar}
    for k in ("utm", "edr_status", "bundle_plan", "security_action"):
        arrays[k] = np.full(6, {"utm": 2, "edr_status": 0, "bundle_plan": 1, "security_action": 2}[k], np.uint8)
    arrays.update(industry=np.array(["retail"] * 6, dtype=object), legacy_os_endpoints=np.zeros(6, np.int64),
                  incidents_3y=np.zeros(6, np.int64), rubber_products=np.zeros(6, bool),
                  service_monthly_price_yen=np.full(6, 8000, np.int64),
                  top_up={"liability": (np.full(6, 10_000_000, np.int64), None)})
    pd.testing.assert_frame_equal(engine.quote_arrays(**scalar).to_frame(), engine.quote_arrays(**arrays).to_frame())
    for i in range(6):
        want = expected_row(engine, request_for(arrays, i), ["liability"])
        got = frame_rows(engine.quote_arrays(**scalar).to_frame())[i]
        assert got == want


@pytest.mark.parametrize("method", ["quote_arrays", "quote_frame"])
def test_numpydoc_docstrings(method):
    doc = getattr(cybercover.Engine, method).__doc__
    for section in ("Parameters\n", "Returns\n", "Raises\n"):
        assert section in doc, section
    assert getattr(cybercover.Engine, method).__qualname__ == f"Engine.{method}"
    assert "Returns\n" in cybercover.PortfolioResult.to_frame.__doc__
    assert "Attributes\n" in cybercover.PortfolioResult.__doc__


def test_concurrent_calls_from_python_threads(engine):
    from concurrent.futures import ThreadPoolExecutor

    cols = random_portfolio(9000, seed=13)
    expected = engine.quote_arrays(**cols, errors="collect", threads=1).to_frame()
    with ThreadPoolExecutor(max_workers=4) as pool:  # the GIL is released while C++ prices
        frames = list(pool.map(lambda t: engine.quote_arrays(**cols, errors="collect", threads=t).to_frame(), [1, 2, 1, 2]))
    for frame in frames:
        pd.testing.assert_frame_equal(frame, expected)


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_quote_frame_equals_the_cli_price_command_on_the_same_csv(engine, tmp_path):
    import subprocess

    from conftest import cli_path

    cli = cli_path()
    if cli is None:
        pytest.skip("the cybercover program was not built")
    cols = random_portfolio(400, seed=43)
    f = frame_of(cols, labels=True, item_columns=True).reset_index().rename(columns={"policy": "id"})
    for name in f.columns:  # integers with empty cells, as the CLI reads them
        if name.endswith(("_limit_yen", "_deductible_yen")):
            f[name] = f[name].astype("Int64")
    f["edr_installed_on"] = np.datetime_as_string(cols["edr_installed_on"]).astype(object)
    f.loc[np.isnat(cols["edr_installed_on"]), "edr_installed_on"] = None
    source, priced = tmp_path / "portfolio.csv", tmp_path / "priced.csv"
    f.to_csv(source, index=False)
    subprocess.run([str(cli), "price", str(source), "-o", str(priced), "--subsidy", SUBSIDY, "--no-progress"],
                   check=True, capture_output=True)
    from_cli = pd.read_csv(priced, dtype=str, keep_default_na=False)
    ours = engine.quote_frame(pd.read_csv(source), subsidy_program=SUBSIDY, errors="collect")
    assert len(from_cli) == len(ours) == 400 and (~ours["ok"]).sum() > 0
    assert from_cli["id"].tolist() == ours["id"].tolist()
    for i, row in enumerate(frame_rows(ours)):
        columns = ["ok", "error_code", "error"] if not row["ok"] else [c for c in from_cli.columns if c not in ("row", "id")]
        got = {c: csv_text(row[c]) for c in columns}
        want = {c: from_cli[c][i] for c in columns}
        assert got == want, (i, {c: (want[c], got[c]) for c in columns if want[c] != got[c]})
