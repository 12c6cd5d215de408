"""The whole rate manual as a straightforward numpy/pandas program: the benchmark's baseline.

This is how a competent actuary would price a portfolio with numpy and pandas, without the
C++ engine: one vectorised pass per step of docs/rating_rules.md over all rows, reading every
number from the edition's JSON tables (``rating_tables/<edition>/*.json``). It takes the
DataFrame contract of ``Engine.quote_frame`` (plus the ``uint8`` answers matrix) and returns
the same figures: score, unknown count, posture index, tier, outcome, decision codes, base
cover, the three top-up sections, package, annual premium, subsidy, payable and instalment.
It is written for clarity, not speed: no precomputed cross-product tables, no caching
between calls, no compiled helpers. It does all the work the engine does for a valid row.

Exact arithmetic
----------------
Factors are read from the JSON as ``decimal.Decimal`` and stored as integers scaled by
``10**d``, d = the most decimal places in that factor column (2 in the default tables,
at most 4 by the manual). A section premium is the exact integer product
``base x industry x tier x limit x deductible [x excess]`` over the product of the scales,
rounded once (round10 = round half up to ¥10) in integer arithmetic, so it equals exact
rational arithmetic (76,000 x 1.39 x 0.75 x 0.50 = 39,615 exactly, where doubles give
39,614.99...). The products are ``int64`` when the tables' largest possible product fits,
otherwise Python integers in ``object`` arrays (same code, slower). The click-rate
thresholds are compared as doubles: for a double r and a threshold t with at most 4
decimals, ``r <= double(t)`` holds exactly when the shortest decimal of r is <= t, which
is the engine's rule.

What is lighter than the engine
-------------------------------
Validation: every rule of docs/rating_rules.md §§0-5 that a DataFrame row can break is checked
vectorised (counts and amounts >= 0, employees >= 1, known categories, answer codes,
``na`` only where allowed, all-``na`` sheets, EDR/endpoint/legacy-OS consistency,
installed_on required and not after the quote date, click rate in [0, 1], rubber products
only for an industry with a rubber category, plan/control consistency, service price only
with a plan, offered limits and deductibles, known subsidy programme), but a failure raises
one ``ValueError`` naming the rule and the first bad row instead of the engine's per-field
message, and there is no ``errors="collect"`` mode. JSON typing (fractions, strings, NaN in
integer fields) does not arise with typed columns. The edition is picked per row by the
quote date as in the engine, but the result carries no audit trail (factors and table
rows), no per-domain scores, no unmet list and no price-cap check: only the output columns
of ``quote_frame``.

Usage
-----
    import numpy_baseline
    tables = numpy_baseline.load_tables("rating_tables")       # once
    out = numpy_baseline.price_frame(tables, frame, answers, subsidy_program=None)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

__all__ = ["Edition", "load_tables", "price_frame"]

ANSWERS = ("unanswered", "yes", "partial", "no", "unknown", "na")
SECURITY_ACTIONS = ("none", "one_star", "two_star")
UTM = ("none", "unmanaged", "managed")
EDR = ("none", "self_managed", "managed")
PLANS = ("none", "utm", "edr", "utm_edr")
DECISION_CODES = ("NOT_SME", "REVENUE_OUT_OF_RANGE", "TIER_E_HIGH_LIMIT", "TOO_MANY_UNKNOWN",
                  "PRIOR_INCIDENTS", "LEGACY_OS_UNPROTECTED")
OUTCOMES = ("accept", "refer", "decline")
_CHUNK = 65536
_NA = 5


# ----------------------------------------------------------------------------------------
# Tables
def _decimals(values: Sequence[Decimal]) -> int:
    """Return the most decimal places among the values (0 for integers)."""
    return max((max(0, -v.normalize().as_tuple().exponent) for v in values), default=0)


@dataclass
class Factors:
    """A column of decimal factors as integers scaled by 10**decimals."""

    scaled: np.ndarray   # int64
    scale: int           # 10**decimals

    @classmethod
    def of(cls, values: Sequence[Any]) -> "Factors":
        dec = [Decimal(str(v)) for v in values]
        d = _decimals(dec)
        if d > 4:
            raise ValueError(f"a factor has more than 4 decimals: {values}")
        return cls(np.array([int(v * 10**d) for v in dec], dtype=np.int64), 10**d)


def _day(text: Optional[str]) -> Optional[np.datetime64]:
    return None if text is None else np.datetime64(text, "D")


@dataclass
class Edition:
    """One edition's tables, read from its JSON files (nothing hard-coded)."""

    edition: str
    effective_from: np.datetime64
    effective_to: Optional[np.datetime64]
    # questionnaire
    points: np.ndarray             # int64 per item
    allow_na: np.ndarray           # bool per item
    tag: np.ndarray                # 0 none / 1 one_star / 2 two_star per item
    credit: Factors                # per answer code 0..5 (na = 0, excluded separately)
    max_score: int
    # posture
    posture: Dict[str, Any]
    tier_names: List[str]
    tier_min: np.ndarray           # int64, descending; the last tier catches everything
    # underwriting
    industries: List[str]
    sme_capital: np.ndarray        # by industry
    sme_employees: np.ndarray
    rubber_capital: np.ndarray     # by industry; -1 = no rubber category
    rubber_employees: np.ndarray
    revenue_max: int
    high_limit_tiers: List[str]
    high_limit_section: str
    high_limit_above: int
    too_many_unknown: int
    prior_incidents_min: int
    legacy_os_min: int
    # base cover
    employee_band_max: np.ndarray  # upper bounds of all bands but the last
    plan_offered: np.ndarray       # by plan code
    plan_band_rate: np.ndarray     # plans x bands (0 where the plan has no band rate)
    plan_per_endpoint: np.ndarray
    plan_minimum: np.ndarray
    plan_needs_utm: np.ndarray
    plan_needs_edr: np.ndarray
    base_tier: Factors
    months: int
    # top-up
    sections: List[str]
    limits: Dict[str, np.ndarray]
    limit_factor: Dict[str, Factors]
    deductibles: Dict[str, np.ndarray]
    deductible_factor: Dict[str, Factors]
    default_deductible: Dict[str, int]
    excess_section: Dict[str, bool]
    revenue_band_max: np.ndarray
    band_base: Dict[str, np.ndarray]
    industry_factor: Factors
    topup_tier: Factors
    excess: Factors                # by plan code
    multi_section: Factors
    minimum_premium: int
    renewal_cap: Optional[Tuple[Factors, Factors]]  # (max_increase, max_decrease); None: no cap
    loading: Factors
    instalment_months: int
    subsidies: Dict[str, Dict[str, Any]]

    def in_force(self, days: np.ndarray) -> np.ndarray:
        ok = days >= self.effective_from
        if self.effective_to is not None:
            ok &= days <= self.effective_to
        return ok


def _read(directory: Path, name: str) -> Dict[str, Any]:
    with (directory / name).open(encoding="utf-8") as f:
        return json.load(f, parse_float=Decimal)


def _load_edition(directory: Path) -> Edition:
    q = _read(directory, "questionnaire.json")
    po = _read(directory, "posture.json")
    uw = _read(directory, "underwriting.json")
    bc = _read(directory, "base_cover.json")
    tu = _read(directory, "top_up.json")
    sub = _read(directory, "subsidies.json")

    items = q["items"]
    tag = {None: 0, "one_star": 1, "two_star": 2}
    credits = q["answer_credits"]
    tiers = po["tiers"]

    cats = {c["key"]: c for c in uw["sme_categories"]}
    industries = [i["key"] for i in uw["industries"]]
    rub = [cats.get(i.get("rubber_products_category")) for i in uw["industries"]]
    hl = uw["refer"]["tier_high_limit"]

    bands = bc["employee_bands"]
    n_bands = len(bands)
    plans = bc["plans"]

    def plan_value(key: str, f) -> Any:
        return f(plans[key]) if key in plans else 0

    sections = [s["key"] for s in tu["sections"]]
    return Edition(
        edition=q["edition"],
        effective_from=_day(q["effective_from"]),
        effective_to=_day(q["effective_to"]),
        points=np.array([it["points"] for it in items], dtype=np.int64),
        allow_na=np.array([bool(it.get("allow_na")) for it in items]),
        tag=np.array([tag[it.get("security_action")] for it in items], dtype=np.int64),
        credit=Factors.of([0, credits["yes"], credits["partial"], credits["no"], credits["unknown"], 0]),
        max_score=int(q["max_score"]),
        posture=po,
        tier_names=[t["tier"] for t in tiers],
        tier_min=np.array([t["min_index"] if t["min_index"] is not None else np.iinfo(np.int64).min
                           for t in tiers], dtype=np.int64),
        industries=industries,
        sme_capital=np.array([cats[i["sme_category"]]["capital_max_yen"] for i in uw["industries"]], dtype=np.int64),
        sme_employees=np.array([cats[i["sme_category"]]["employees_max"] for i in uw["industries"]], dtype=np.int64),
        rubber_capital=np.array([r["capital_max_yen"] if r else -1 for r in rub], dtype=np.int64),
        rubber_employees=np.array([r["employees_max"] if r else -1 for r in rub], dtype=np.int64),
        revenue_max=int(uw["revenue_max_yen"]),
        high_limit_tiers=list(hl["tiers"]),
        high_limit_section=hl["section"],
        high_limit_above=int(hl["limit_above_yen"]),
        too_many_unknown=int(uw["refer"]["too_many_unknown_min"]),
        prior_incidents_min=int(uw["refer"]["prior_incidents_min"]),
        legacy_os_min=int(uw["refer"]["legacy_os_unprotected_min"]),
        employee_band_max=np.array([b["max_employees"] for b in bands[:-1]], dtype=np.int64),
        plan_offered=np.array([p == "none" or p in plans for p in PLANS]),
        plan_band_rate=np.array([[0] * n_bands] + [
            plan_value(p, lambda x: x["monthly_rate"].get("by_employee_band_yen", [0] * n_bands)) or [0] * n_bands
            for p in PLANS[1:]], dtype=np.int64),
        plan_per_endpoint=np.array([0] + [plan_value(p, lambda x: x["monthly_rate"].get("per_covered_endpoint_yen", 0))
                                          for p in PLANS[1:]], dtype=np.int64),
        plan_minimum=np.array([0] + [plan_value(p, lambda x: x["monthly_rate"].get("minimum_yen", 0))
                                     for p in PLANS[1:]], dtype=np.int64),
        plan_needs_utm=np.array([False] + [plan_value(p, lambda x: x["requires"].get("utm") == "managed")
                                           for p in PLANS[1:]], dtype=bool),
        plan_needs_edr=np.array([False] + [plan_value(p, lambda x: x["requires"].get("edr") == "managed")
                                           for p in PLANS[1:]], dtype=bool),
        base_tier=Factors.of([bc["tier_factors"][t] for t in (x["tier"] for x in tiers)]),
        months=int(bc["months_per_year"]),
        sections=sections,
        limits={s["key"]: np.array([r["limit_yen"] for r in s["limits"]], dtype=np.int64) for s in tu["sections"]},
        limit_factor={s["key"]: Factors.of([r["factor"] for r in s["limits"]]) for s in tu["sections"]},
        deductibles={s["key"]: np.array([r["deductible_yen"] for r in s["deductibles"]], dtype=np.int64)
                     for s in tu["sections"]},
        deductible_factor={s["key"]: Factors.of([r["factor"] for r in s["deductibles"]]) for s in tu["sections"]},
        default_deductible={s["key"]: int(s["default_deductible_yen"]) for s in tu["sections"]},
        excess_section={s["key"]: bool(s["excess_over_base_cover"]) for s in tu["sections"]},
        revenue_band_max=np.array([b["max_revenue_yen"] for b in tu["revenue_bands"]], dtype=np.int64),
        band_base={k: np.array([b["base_premium_yen"][k] for b in tu["revenue_bands"]], dtype=np.int64)
                   for k in sections},
        industry_factor=Factors.of([tu["industry_factors"][k] for k in industries]),
        topup_tier=Factors.of([tu["tier_factors"][t] for t in (x["tier"] for x in tiers)]),
        excess=Factors.of([tu["excess_factors"][p] for p in PLANS]),
        multi_section=Factors.of(tu["multi_section_factors"]),
        minimum_premium=int(tu["minimum_premium_yen"]),
        renewal_cap=((Factors.of([tu["renewal_cap"]["max_increase"]]), Factors.of([tu["renewal_cap"]["max_decrease"]]))
                     if "renewal_cap" in tu else None),
        loading=Factors.of([tu["instalment"]["loading"]]),
        instalment_months=int(tu["instalment"]["months"]),
        subsidies={p["id"]: p for p in sub["programs"]},
    )


def load_tables(tables_dir) -> List[Edition]:
    """Return every edition under ``tables_dir`` (one sub-directory per edition)."""
    root = Path(tables_dir)
    dirs = [root] if (root / "questionnaire.json").is_file() else sorted(
        p for p in root.iterdir() if (p / "questionnaire.json").is_file())
    return [_load_edition(d) for d in dirs]


# ----------------------------------------------------------------------------------------
# Exact integer helpers (all operands >= 0)
def _rhu(num, den):
    """Round half up of num/den."""
    return (2 * num + den) // (2 * den)


def _round10(num, den):
    return _rhu(num, 10 * den) * 10


def _floor10(num, den):
    return (num // (10 * den)) * 10


def _ceil10(num, den):
    return -((-num) // (10 * den)) * 10


def _check(bad: np.ndarray, rule: str) -> None:
    if bad.any():
        raise ValueError(f"row {int(np.flatnonzero(bad)[0])}: {rule}")


def _codes(frame: pd.DataFrame, column: str, names: Sequence[str], default: Optional[str] = None) -> np.ndarray:
    """Return a string/Categorical column as codes into ``names`` (checked)."""
    if column not in frame:
        if default is None:
            raise ValueError(f"column {column} is required")
        return np.full(len(frame), names.index(default), dtype=np.int64)
    values = pd.Categorical(frame[column], categories=list(names))
    codes = np.asarray(values.codes, dtype=np.int64)
    _check(codes < 0, f"{column} must be one of {list(names)}")
    return codes


def _int(frame: pd.DataFrame, column: str, default: Optional[int] = None) -> np.ndarray:
    if column not in frame:
        if default is None:
            raise ValueError(f"column {column} is required")
        return np.full(len(frame), default, dtype=np.int64)
    return frame[column].to_numpy(dtype=np.int64)


def _days(values) -> np.ndarray:
    return np.asarray(pd.to_datetime(values).to_numpy().astype("datetime64[D]"))


def _lookup(offered: np.ndarray, values: np.ndarray, what: str) -> np.ndarray:
    """Return the row of each value in the offered amounts (checked)."""
    order = np.argsort(offered)
    pos = np.clip(np.searchsorted(offered[order], values), 0, len(offered) - 1)
    _check(offered[order][pos] != values, f"{what} not offered ({offered.tolist()})")
    return order[pos]


def _product_dtype(base_max: int, factors: Sequence[Factors]):
    """int64 when the largest possible product fits, else Python ints (object)."""
    bound = base_max
    for f in factors:
        bound *= int(f.scaled.max())
    return np.int64 if bound < 2**62 else object


# ----------------------------------------------------------------------------------------
def price_frame(editions: List[Edition], frame: pd.DataFrame, answers: np.ndarray, *,
                quote_date=None, subsidy_program: Optional[str] = None) -> pd.DataFrame:
    """Price every row of ``frame`` by the rate manual; return quote_frame's output columns."""
    n = len(frame)
    if answers.shape[0] != n:
        raise ValueError("answers must have one row per frame row")
    if "quote_date" in frame:
        qday = _days(frame["quote_date"])
    elif quote_date is not None:
        qday = np.full(n, np.datetime64(str(quote_date), "D"))
    else:
        raise ValueError("quote_date is required (column or argument)")
    sections: List[str] = []
    for ed in editions:
        sections += [s for s in ed.sections if s not in sections]
    out = _empty_output(n, sections)
    done = np.zeros(n, dtype=bool)
    for ed in editions:
        rows = np.flatnonzero(ed.in_force(qday) & ~done)
        if rows.size:
            _price_edition(ed, frame.iloc[rows], answers[rows], qday[rows], subsidy_program, out, rows)
            done[rows] = True
    _check(~done, "no edition is in force on the quote date")
    return _to_frame(out, editions, sections, frame.index)


def _empty_output(n: int, sections: List[str]) -> Dict[str, np.ndarray]:
    z = lambda: np.zeros(n, dtype=np.int64)  # noqa: E731
    out = {k: z() for k in ("score", "unknown_count", "posture_index", "tier", "outcome", "codes",
                            "base_monthly", "base_annual", "package", "annual", "subsidy", "payable",
                            "instalment", "subsidy_code")}
    out["has_base"] = np.zeros(n, dtype=bool)
    for sec in sections:
        out[sec] = z()
        out[sec + "_selected"] = np.zeros(n, dtype=bool)
    out["has_top_up"] = np.zeros(n, dtype=bool)
    out["tier_name"] = np.empty(n, dtype=object)
    return out


def _price_edition(ed: Edition, f: pd.DataFrame, answers: np.ndarray, qday: np.ndarray,
                   subsidy_program: Optional[str], out: Dict[str, np.ndarray], rows: np.ndarray) -> None:
    n = len(f)
    # ---- inputs ----------------------------------------------------------------------
    industry = _codes(f, "industry", ed.industries)
    employees = _int(f, "employees")
    capital = _int(f, "capital_yen")
    revenue = _int(f, "revenue_yen")
    endpoints = _int(f, "endpoints")
    rubber = f["rubber_products"].to_numpy(dtype=bool) if "rubber_products" in f else np.zeros(n, dtype=bool)
    sa = _codes(f, "security_action", SECURITY_ACTIONS, "none")
    utm = _codes(f, "utm", UTM)
    edr = _codes(f, "edr_status", EDR)
    covered = _int(f, "edr_covered_endpoints", 0)
    installed = _days(f["edr_installed_on"]) if "edr_installed_on" in f else np.full(n, np.datetime64("NaT", "D"))
    legacy = _int(f, "legacy_os_endpoints")
    click = f["phishing_click_rate"].to_numpy(dtype=np.float64) if "phishing_click_rate" in f else np.full(n, np.nan)
    incidents = _int(f, "incidents_3y")
    plan = _codes(f, "bundle_plan", PLANS)
    price = _int(f, "service_monthly_price_yen", -1)

    # ---- validation (vectorised; the first bad row is reported) ------------------------
    _check(employees < 1, "employees must be >= 1")
    _check((endpoints < 0) | (capital < 0) | (revenue < 0), "endpoints, capital and revenue must be >= 0")
    _check((legacy < 0) | (incidents < 0), "legacy_os_endpoints and incidents_3y must be >= 0")
    _check(legacy > endpoints, "legacy_os_endpoints must not exceed endpoints")
    has_edr = edr != 0
    _check(has_edr & ((endpoints < 1) | (covered < 1) | (covered > endpoints)),
           "an EDR needs endpoints >= 1 and 1 <= covered <= endpoints")
    managed_edr = edr == 2
    _check(managed_edr & np.isnat(installed), "a managed EDR needs edr_installed_on")
    _check(managed_edr & (installed > qday), "edr_installed_on must not be after the quote date")
    _check(~np.isnan(click) & ((click < 0) | (click > 1)), "phishing_click_rate must be in [0, 1]")
    _check(rubber & (ed.rubber_capital[industry] < 0), "rubber_products only for an industry with a rubber category")
    _check(~ed.plan_offered[plan], "bundle plan not offered in this edition")
    _check(ed.plan_needs_utm[plan] & (utm != 2), "the plan requires a managed UTM")
    _check(ed.plan_needs_edr[plan] & (edr != 2), "the plan requires a managed EDR")
    _check((plan == 0) & (price >= 0), "service_monthly_price_yen only with a bundle plan")
    _check(price < -1, "service_monthly_price_yen must be >= 0")
    if answers.ndim != 2 or answers.shape[1] != len(ed.points):
        raise ValueError(f"answers must have {len(ed.points)} columns")
    _check((answers > _NA).any(axis=1), "answer codes are 0-5")
    _check(((answers == _NA) & ~ed.allow_na).any(axis=1), "'na' only on items that allow it")
    if subsidy_program is not None and subsidy_program not in ed.subsidies:
        raise ValueError(f"unknown subsidy programme {subsidy_program!r}")

    # ---- 1. assessment ---------------------------------------------------------------
    # Points x credit (scaled) and applicable points per item and answer code.
    earned_table = ed.points[:, None] * ed.credit.scaled[None, :]          # items x codes
    applicable_table = np.where(np.arange(6)[None, :] == _NA, 0, ed.points[:, None])
    unknown_table = np.array([1, 0, 0, 0, 1, 0], dtype=np.int64)
    item = np.arange(len(ed.points))[None, :]
    earned = np.empty(n, dtype=np.int64)
    applicable = np.empty(n, dtype=np.int64)
    unknown = np.empty(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        chunk = answers[start:start + _CHUNK].astype(np.int64)
        s = sa[start:start + _CHUNK]
        # SECURITY ACTION auto-answers: an unanswered tagged item counts as yes.
        auto = (chunk == 0) & (ed.tag[None, :] >= 1) & (ed.tag[None, :] <= s[:, None])
        chunk[auto] = 1
        earned[start:start + _CHUNK] = earned_table[item, chunk].sum(axis=1)
        applicable[start:start + _CHUNK] = applicable_table[item, chunk].sum(axis=1)
        unknown[start:start + _CHUNK] = unknown_table[chunk].sum(axis=1)
    _check(applicable == 0, "no item is applicable (all na)")
    score = _rhu(ed.max_score * earned, ed.credit.scale * applicable)

    # ---- 2. posture and tier ---------------------------------------------------------
    p = ed.posture
    index = score.copy()
    index += np.select([utm == 2, utm == 1], [p["utm"]["managed_points"], p["utm"]["unmanaged_points"]], 0)
    safe_endpoints = np.maximum(endpoints, 1)
    d = (qday - installed).astype("timedelta64[D]").astype(np.int64)
    edr_max = np.select(
        [edr == 1, managed_edr & (d < p["edr"]["learning_days"]), managed_edr],
        [p["edr"]["self_managed_max_points"], p["edr"]["learning_max_points"], p["edr"]["managed_max_points"]], 0)
    index += np.where(has_edr & (endpoints > 0), _rhu(edr_max * covered, safe_endpoints), 0)
    index += np.where(legacy >= 1, p["legacy_os_points"], 0)
    measured = ~np.isnan(click)
    low, high = float(p["phishing"]["low_max_rate"]), float(p["phishing"]["high_above_rate"])
    index += np.select([measured & (click <= low), measured & (click > high)],
                       [p["phishing"]["low_points"], p["phishing"]["high_points"]], 0)
    index += p["prior_incidents"]["points_per_incident"] * np.minimum(incidents, p["prior_incidents"]["max_counted"])
    index = np.maximum(index, p["index_floor"])
    tier = np.argmax(index[:, None] >= ed.tier_min[None, :], axis=1)   # first tier reached

    # ---- 3. decision -----------------------------------------------------------------
    cap_max = np.where(rubber, ed.rubber_capital[industry], ed.sme_capital[industry])
    emp_max = np.where(rubber, ed.rubber_employees[industry], ed.sme_employees[industry])
    sme = (capital <= cap_max) | (employees <= emp_max)
    not_sme = ~sme
    out_of_range = revenue > ed.revenue_max
    decline = not_sme | out_of_range
    high_limit_col = f"{ed.high_limit_section}_limit_yen"
    high_limit = _int(f, high_limit_col, 0) if high_limit_col in f else np.zeros(n, dtype=np.int64)
    in_hl_tier = np.isin(np.array(ed.tier_names, dtype=object)[tier], ed.high_limit_tiers)
    fired = [not_sme, out_of_range,
             ~decline & in_hl_tier & (high_limit > ed.high_limit_above),
             ~decline & (unknown >= ed.too_many_unknown),
             ~decline & (incidents >= ed.prior_incidents_min),
             ~decline & (legacy >= ed.legacy_os_min) & (utm != 2)]
    bits = np.zeros(n, dtype=np.int64)
    for k, fire in enumerate(fired):
        bits |= fire.astype(np.int64) << k
    refer = ~decline & (bits != 0)
    outcome = np.where(decline, 2, np.where(refer, 1, 0))

    # ---- 4. base cover ---------------------------------------------------------------
    has_base = plan != 0
    emp_band = np.searchsorted(ed.employee_band_max, employees, side="left")
    covered_base = np.where(has_edr, covered, 0)
    rate = ed.plan_band_rate[plan, emp_band] + ed.plan_per_endpoint[plan] * covered_base
    rate = np.maximum(rate, ed.plan_minimum[plan])
    base_monthly = np.where(has_base, _rhu(rate * ed.base_tier.scaled[tier], ed.base_tier.scale), 0)
    base_annual = ed.months * base_monthly

    # ---- 5. top-up -------------------------------------------------------------------
    band = np.minimum(np.searchsorted(ed.revenue_band_max, revenue, side="left"), len(ed.revenue_band_max) - 1)
    section_premium: Dict[str, np.ndarray] = {}
    selected_by_section: Dict[str, np.ndarray] = {}
    count = np.zeros(n, dtype=np.int64)
    for sec in ed.sections:
        limit = _int(f, f"{sec}_limit_yen", 0)
        _check(limit < 0, f"{sec}_limit_yen must be >= 0")
        selected = limit > 0
        ded = _int(f, f"{sec}_deductible_yen", -1)
        ded = np.where(ded == -1, ed.default_deductible[sec], ded)
        _check(selected & (ded < 0), f"{sec}_deductible_yen must be >= 0")
        premium = np.zeros(n, dtype=np.int64)
        if selected.any():
            sel = np.flatnonzero(selected)
            lim_row = _lookup(ed.limits[sec], limit[sel], f"{sec} limit")
            ded_row = _lookup(ed.deductibles[sec], ded[sel], f"{sec} deductible")
            factors = [ed.industry_factor, ed.topup_tier, ed.limit_factor[sec], ed.deductible_factor[sec]]
            if ed.excess_section[sec]:
                factors.append(ed.excess)
            dtype = _product_dtype(int(ed.band_base[sec].max()), factors)
            num = ed.band_base[sec][band[sel]].astype(dtype)
            num = num * ed.industry_factor.scaled[industry[sel]].astype(dtype)
            num = num * ed.topup_tier.scaled[tier[sel]].astype(dtype)
            num = num * ed.limit_factor[sec].scaled[lim_row].astype(dtype)
            num = num * ed.deductible_factor[sec].scaled[ded_row].astype(dtype)
            den = ed.industry_factor.scale * ed.topup_tier.scale * ed.limit_factor[sec].scale * ed.deductible_factor[sec].scale
            if ed.excess_section[sec]:
                num = num * ed.excess.scaled[plan[sel]].astype(dtype)
                den *= ed.excess.scale
            premium[sel] = _round10(num, den).astype(np.int64)
        count += selected
        section_premium[sec] = premium
        selected_by_section[sec] = selected
    has_top_up = (count > 0) & ~decline
    total = sum(section_premium.values()) if section_premium else np.zeros(n, dtype=np.int64)
    msf = ed.multi_section.scaled[np.clip(count - 1, 0, len(ed.multi_section.scaled) - 1)]
    package = _round10(total * msf, ed.multi_section.scale)
    annual = np.maximum(package, ed.minimum_premium)
    # Renewal cap (rating_rules.md §5): between ceil(prior x (1 - d)) and floor(prior x (1 + u)).
    if ed.renewal_cap is not None and "prior_annual_premium_yen" in f:
        prior = pd.to_numeric(f["prior_annual_premium_yen"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
        up, down = ed.renewal_cap
        ceiling = prior * (up.scale + up.scaled[0]) // up.scale
        floor = -(-prior * (down.scale - down.scaled[0]) // down.scale)
        annual = np.where(prior > 0, np.minimum(np.maximum(annual, floor), ceiling), annual)

    subsidy = np.zeros(n, dtype=np.int64)
    subsidy_code = np.zeros(n, dtype=np.int64)   # 0 none, 1 not effective, 2 not eligible
    if subsidy_program is not None:
        prog = ed.subsidies[subsidy_program]
        effective = (qday >= np.datetime64(prog["in_force_from"], "D")) & (qday <= np.datetime64(prog["in_force_to"], "D"))
        eligible = np.ones(n, dtype=bool)
        if prog.get("requires_sme"):
            eligible &= sme
        if prog.get("requires_security_action"):
            eligible &= sa != 0
        num, den = prog["share"]["numerator"], prog["share"]["denominator"]
        cap = int(prog["cap_yen"])
        amount = np.where(annual * num < cap * den, _floor10(annual * num, den), _floor10(cap, 1))
        subsidy = np.where(effective & eligible, amount, 0)
        subsidy_code = np.where(~effective, 1, np.where(~eligible, 2, 0))
    payable = annual - subsidy
    instalment = _ceil10(payable * ed.loading.scaled[0], ed.loading.scale * ed.instalment_months)

    # ---- results ---------------------------------------------------------------------
    keep = has_top_up
    out["score"][rows] = score
    out["unknown_count"][rows] = unknown
    out["posture_index"][rows] = index
    out["tier_name"][rows] = np.array(ed.tier_names, dtype=object)[tier]
    out["outcome"][rows] = outcome
    out["codes"][rows] = bits
    out["has_base"][rows] = has_base
    out["base_monthly"][rows] = base_monthly
    out["base_annual"][rows] = base_annual
    for sec in ed.sections:
        out[sec][rows] = np.where(keep, section_premium[sec], 0)
        out[sec + "_selected"][rows] = keep & selected_by_section[sec]
    out["has_top_up"][rows] = keep
    out["package"][rows] = np.where(keep, package, 0)
    out["annual"][rows] = np.where(keep, annual, 0)
    out["subsidy"][rows] = np.where(keep, subsidy, 0)
    out["payable"][rows] = np.where(keep, payable, 0)
    out["instalment"][rows] = np.where(keep, instalment, 0)
    out["subsidy_code"][rows] = np.where(keep, subsidy_code, 0)


def _to_frame(out: Dict[str, np.ndarray], editions: List[Edition], sections: List[str],
              frame_index=None) -> pd.DataFrame:
    n = len(out["score"])
    tiers: List[str] = []
    for ed in editions:
        tiers += [t for t in ed.tier_names if t not in tiers]
    code_names = np.array(["|".join(c for k, c in enumerate(DECISION_CODES) if m >> k & 1)
                           for m in range(1 << len(DECISION_CODES))], dtype=object)
    has_top = out["has_top_up"]
    subsidy_names = np.array([None, "SUBSIDY_NOT_EFFECTIVE", "SUBSIDY_NOT_ELIGIBLE"], dtype=object)

    def money(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.arrays.IntegerArray(values.astype(np.int64), ~present)

    columns = {
        "ok": np.ones(n, dtype=bool),
        "error": np.full(n, None, dtype=object),
        "score": out["score"],
        "unknown_count": out["unknown_count"],
        "posture_index": out["posture_index"],
        "tier": pd.Categorical(out["tier_name"], categories=tiers),
        "outcome": pd.Categorical.from_codes(out["outcome"], OUTCOMES),
        "decision_codes": code_names[out["codes"]],
        "base_monthly_premium_yen": money(out["base_monthly"], out["has_base"]),
        "base_annual_premium_yen": money(out["base_annual"], out["has_base"]),
    }
    for sec in sections:
        columns[f"{sec}_premium_yen"] = money(out[sec], out[sec + "_selected"])
    columns.update({
        "package_yen": money(out["package"], has_top),
        "annual_premium_yen": money(out["annual"], has_top),
        "subsidy_yen": money(out["subsidy"], has_top),
        "payable_annual_yen": money(out["payable"], has_top),
        "monthly_instalment_yen": money(out["instalment"], has_top),
        "subsidy_code": subsidy_names[np.where(has_top, out["subsidy_code"], 0)],
    })
    return pd.DataFrame(columns, index=frame_index) if frame_index is not None else pd.DataFrame(columns)
