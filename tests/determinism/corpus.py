"""The corpus of the cross-interface determinism test: >= 1,000 quote requests, generated from
a seed (nothing is stored in the repository).

Three parts:

* realistic companies from ``cybercover.synthetic.generate_portfolio`` (seeded), with seeded
  variations of subsidy, service price and top-up choices;
* constructed rows that reach every tier, outcome, decision code, plan and top-up section
  combination (the test asserts that the corpus covers them all);
* error cases: value errors of every contract rule (expressible in every door, columns
  included) and structural ones that only JSON text can hold (malformed text, duplicate keys,
  unknown fields, 1e400, invalid UTF-8...).

Each entry says which doors can carry it: every request goes through the JSON doors (C++
``quote_json``, HTTP, the CLI); a Python ``str`` cannot hold invalid UTF-8; a dict cannot hold
a duplicate key or 1e400; columns cannot hold structure (an unknown field, an object where a
number goes) and a uint8 answer matrix holds only the answer codes.
"""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

SOURCE_DIR = Path(__file__).resolve().parents[2]
EDITION = SOURCE_DIR / "rating_tables" / "2026-12"
QUOTE_DATE = "2026-12-15"
SECTIONS = ("liability", "response", "interruption")


@dataclass
class Entry:
    id: str
    kind: str  # "synthetic", "coverage", "value_error", "text_error"
    text: bytes  # the request as sent to every JSON door
    request: Optional[Dict[str, Any]]  # the dict behind `text` (None: text only)
    python_text: bool = True  # valid UTF-8: a Python str can hold it
    dict_door: bool = True  # json.loads(text) is the same request (no duplicates, no 1e400)
    columns: bool = True  # expressible as a CSV row / DataFrame row
    answer_codes: bool = True  # answers expressible as the uint8 matrix codes


def _tables():
    load = lambda name: json.loads((EDITION / f"{name}.json").read_text(encoding="utf-8"))
    return load("questionnaire"), load("top_up"), load("underwriting")


QUESTIONNAIRE, TOP_UP, UNDERWRITING = _tables()
ITEM_IDS = [i["id"] for i in QUESTIONNAIRE["items"]]
NA_ITEMS = [i["id"] for i in QUESTIONNAIRE["items"] if i.get("allow_na")]
NO_NA_ITEMS = [i["id"] for i in QUESTIONNAIRE["items"] if not i.get("allow_na")]
LIMITS = {s["key"]: [l["limit_yen"] for l in s["limits"]] for s in TOP_UP["sections"]}
DEDUCTIBLES = {s["key"]: [d["deductible_yen"] for d in s["deductibles"]] for s in TOP_UP["sections"]}
INDUSTRIES = [i["key"] for i in UNDERWRITING["industries"]]


def _base_company(rng: random.Random) -> Dict[str, Any]:
    employees = rng.choice([3, 12, 20, 21, 45, 50, 51, 80, 100, 101, 150, 250, 300])
    endpoints = max(1, employees * rng.choice([1, 1, 2]) // 2)
    return {
        "quote_date": QUOTE_DATE,
        "company": {"industry": rng.choice(INDUSTRIES), "employees": employees,
                    "capital_yen": rng.choice([3_000_000, 10_000_000, 50_000_000, 100_000_000]),
                    "revenue_yen": rng.choice([40_000_000, 300_000_000, 800_000_000, 2_000_000_000]),
                    "endpoints": endpoints},
        "security_action": rng.choice(["none", "one_star", "two_star"]),
        "answers": {},
        "controls": {"utm": "none", "edr": {"status": "none"}, "legacy_os_endpoints": 0, "incidents_3y": 0},
        "bundle_plan": "none",
    }


def _answer_all(rng: random.Random, req: Dict[str, Any], p_yes: float, p_unknown: float = 0.0) -> None:
    answers = {}
    for item in ITEM_IDS:
        u = rng.random()
        if u < p_yes:
            answers[item] = "yes"
        elif u < p_yes + p_unknown:
            answers[item] = "unknown"
        else:
            answers[item] = rng.choice(["partial", "no"])
    req["answers"] = answers


def _set_plan(req: Dict[str, Any], plan: str, rng: random.Random) -> None:
    c = req["controls"]
    endpoints = req["company"]["endpoints"]
    if plan in ("utm", "utm_edr"):
        c["utm"] = "managed"
    if plan in ("edr", "utm_edr"):
        c["edr"] = {"status": "managed", "covered_endpoints": max(1, endpoints - rng.randint(0, endpoints // 3)),
                    "installed_on": rng.choice(["2026-12-10", "2026-06-01", "2025-01-15"])}
    req["bundle_plan"] = plan


def _top_up(rng: random.Random, sections, req: Dict[str, Any]) -> None:
    top = {}
    for s in sections:
        cover = {"limit_yen": rng.choice(LIMITS[s])}
        if rng.random() < 0.6:
            cover["deductible_yen"] = rng.choice(DEDUCTIBLES[s])
        top[s] = cover
    if top:
        req["top_up"] = top
    else:
        req.pop("top_up", None)


def _coverage(rng: random.Random) -> List[Dict[str, Any]]:
    out = []
    plans = ["none", "utm", "edr", "utm_edr"]
    subsets = [(), ("liability",), ("response",), ("interruption",), ("liability", "response"),
               ("liability", "interruption"), ("response", "interruption"), SECTIONS]
    # Every tier (from the share of "yes"), plan and section subset.
    for p_yes in (1.0, 0.85, 0.7, 0.5, 0.3, 0.1):
        for plan in plans:
            for subset in subsets:
                req = _base_company(rng)
                _answer_all(rng, req, p_yes)
                _set_plan(req, plan, rng)
                _top_up(rng, subset, req)
                if rng.random() < 0.4:
                    req["subsidy_program"] = "sme-cyber-support-2026"
                if plan != "none" and rng.random() < 0.5:
                    req["service_monthly_price_yen"] = rng.choice([3000, 8000, 20000])
                out.append(req)
    # Every decision code.
    def variant(edit: Callable[[Dict[str, Any]], None], count: int = 4) -> None:
        for _ in range(count):
            req = _base_company(rng)
            _answer_all(rng, req, rng.choice([0.3, 0.6, 0.9]))
            _top_up(rng, ("liability", "response"), req)
            edit(req)
            out.append(req)

    def not_sme(r):
        r["company"].update(industry="retail", employees=400, capital_yen=900_000_000, endpoints=200)

    def revenue_out_of_range(r):
        r["company"]["revenue_yen"] = 20_000_000_000

    def tier_e_high_limit(r):
        _answer_all(rng, r, 0.05)
        r["top_up"] = {"liability": {"limit_yen": 100_000_000}}

    def too_many_unknown(r):
        _answer_all(rng, r, 0.5, p_unknown=0.4)

    def prior_incidents(r):
        r["controls"]["incidents_3y"] = rng.choice([2, 3, 7])

    def legacy_unprotected(r):
        r["controls"]["legacy_os_endpoints"] = min(r["company"]["endpoints"], rng.choice([1, 2]))

    def rubber(r):
        r["company"].update(industry="manufacturing", employees=600, capital_yen=200_000_000, endpoints=300,
                            rubber_products=True)

    def phishing(r):
        r["controls"]["phishing_click_rate"] = rng.choice([0.0, 0.05, 0.1, 0.15, 0.3, 1.0])

    def edr_learning(r):
        _set_plan(r, "edr", rng)
        r["controls"]["edr"]["installed_on"] = "2026-12-01"

    def self_managed(r):
        r["controls"]["edr"] = {"status": "self_managed", "covered_endpoints": r["company"]["endpoints"]}
        r["controls"]["utm"] = "unmanaged"

    def minimum_premium(r):
        _answer_all(rng, r, 1.0)
        r["company"].update(revenue_yen=10_000_000)
        r["top_up"] = {"interruption": {"limit_yen": 5_000_000, "deductible_yen": 1_000_000}}

    def partial_and_na(r):
        for item in NA_ITEMS:
            r["answers"][item] = "na"
        for item in rng.sample(ITEM_IDS, 20):
            r["answers"].pop(item, None)  # unanswered

    for edit in (not_sme, revenue_out_of_range, tier_e_high_limit, too_many_unknown, prior_incidents,
                 legacy_unprotected, rubber, phishing, edr_learning, self_managed, minimum_premium, partial_and_na):
        variant(edit)
    return out


# ---- value errors: one contract rule each, expressible in every door ---------------------------
def _value_errors() -> List[tuple]:
    def company(**kw):
        return lambda r: r["company"].update(kw)

    def controls(**kw):
        return lambda r: r["controls"].update(kw)

    def top(section, **cover):
        return lambda r: r.__setitem__("top_up", {section: cover})

    def edr(**kw):
        return lambda r: r["controls"].__setitem__("edr", kw)

    def setkey(key, value):
        return lambda r: r.__setitem__(key, value)

    def answer(item, value):
        return lambda r: r["answers"].__setitem__(item, value)

    return [
        # (name, edit, answer codes can hold it)
        ("employees_zero", company(employees=0), True),
        ("employees_above", company(employees=2_000_000), True),
        ("employees_fraction", company(employees=12.5), True),
        ("employees_text", company(employees="many"), True),
        ("capital_negative", company(capital_yen=-1), True),
        ("revenue_above", company(revenue_yen=10 ** 16), True),
        ("endpoints_above", company(endpoints=20_000_000), True),
        ("industry_unknown", company(industry="mining"), True),
        ("rubber_wrong_industry", company(industry="retail", rubber_products=True), True),
        ("security_action_bad", setkey("security_action", "three_star"), True),
        ("utm_bad", controls(utm="maybe"), True),
        ("plan_bad", setkey("bundle_plan", "gold"), True),
        ("answer_bad", answer("D05.1", "sometimes"), False),
        ("na_not_allowed", answer(NO_NA_ITEMS[3], "na"), True),
        ("quote_date_invalid", setkey("quote_date", "2026-13-45"), True),
        ("quote_date_out_of_range", setkey("quote_date", "1850-01-01"), True),
        ("quote_date_no_edition", setkey("quote_date", "2001-06-01"), True),
        ("limit_not_offered", top("liability", limit_yen=12_345_678), True),
        ("deductible_not_offered", top("response", limit_yen=LIMITS["response"][0], deductible_yen=7), True),
        ("subsidy_unknown", setkey("subsidy_program", "no-such-programme"), True),
        ("plan_requires_utm", setkey("bundle_plan", "utm"), True),
        ("plan_requires_edr", setkey("bundle_plan", "edr"), True),
        ("edr_without_endpoints", lambda r: (r["company"].update(endpoints=0),
                                             r["controls"].update(edr={"status": "self_managed", "covered_endpoints": 1},
                                                                  legacy_os_endpoints=0)), True),
        ("edr_without_covered", edr(status="managed", covered_endpoints=0, installed_on="2026-01-01"), True),
        ("covered_above", lambda r: r["controls"].update(edr={"status": "self_managed",
                                                              "covered_endpoints": r["company"]["endpoints"] + 1}), True),
        ("legacy_above", lambda r: r["controls"].update(legacy_os_endpoints=r["company"]["endpoints"] + 1), True),
        ("installed_after", edr(status="managed", covered_endpoints=1, installed_on="2027-01-01"), True),
        ("managed_edr_no_date", edr(status="managed", covered_endpoints=1), True),
        ("service_price_without_plan", setkey("service_monthly_price_yen", 5000), True),
        ("phishing_above", controls(phishing_click_rate=1.5), True),
        ("phishing_negative", controls(phishing_click_rate=-0.01), True),
        ("incidents_above", controls(incidents_3y=5000), True),
        ("incidents_negative", controls(incidents_3y=-1), True),
        ("legacy_text", controls(legacy_os_endpoints="two"), True),
        ("deductible_negative", top("interruption", limit_yen=LIMITS["interruption"][0], deductible_yen=-100), True),
    ]


# ---- structural errors: JSON text only --------------------------------------------------------
def _text_errors(good: bytes) -> List[tuple]:
    obj = json.loads(good)
    dumps = lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8")
    missing_company = copy.deepcopy(obj)
    del missing_company["company"]
    company_string = {**obj, "company": "ACME"}
    unknown_field = {**obj, "discount": 0.5}
    answers_list = {**obj, "answers": ["yes"]}
    controls_number = {**obj, "controls": 7}
    nested: Any = "x"
    for _ in range(72):  # deeper than the parser's 64 levels
        nested = [nested]
    deep = {**obj, "company": {**obj["company"], "industry": nested}}
    unknown_item = copy.deepcopy(obj)
    unknown_item["answers"]["D99.9"] = "yes"
    unknown_section = {**obj, "top_up": {"cyber_extortion": {"limit_yen": 1000000}}}
    text = good.decode("utf-8")
    # (name, text, python str can hold it, dict door, answer codes)
    return [
        ("missing_company", dumps(missing_company), True, True),
        ("company_not_object", dumps(company_string), True, True),
        ("unknown_field", dumps(unknown_field), True, True),
        ("answers_not_object", dumps(answers_list), True, True),
        ("controls_not_object", dumps(controls_number), True, True),
        ("too_deep", dumps(deep), True, False),  # a dict is written again: the column in the message differs
        ("unknown_item", dumps(unknown_item), True, True),
        ("unknown_section", dumps(unknown_section), True, True),
        ("not_an_object", b"[1, 2, 3]", True, False),  # Engine.quote(list) is a TypeError
        ("malformed_truncated", good[: len(good) // 2], True, False),
        ("malformed_trailing", good + b" {}", True, False),
        ("malformed_empty", b"", True, False),
        ("malformed_literal", b'{"quote_date": tru}', True, False),
        ("duplicate_key", text.replace('"quote_date"', '"quote_date": "2026-12-15", "quote_date"', 1).encode(), True, False),
        ("huge_number_1e400", re.sub(r'"employees": \d+', '"employees": 1e400', text, count=1).encode(), True, False),
        ("huge_integer", re.sub(r'"capital_yen": \d+', '"capital_yen": 99999999999999999999999', text, count=1).encode(),
         True, False),
        ("infinity_literal", re.sub(r'"incidents_3y": \d+', '"incidents_3y": Infinity', text, count=1).encode(),
         True, False),
        ("invalid_utf8", good.replace(b'"quote_date"', b'"\xff\xfequote_date"', 1), False, False),
        ("nul_in_string", text.replace('"manufacturing"', '"manu\\u0000facturing"').encode(), True, True),
        ("control_in_industry", dumps({**obj, "company": {**obj["company"], "industry": "re\x1btail"}}), True, True),
    ]


def generate(n_synthetic: int = 780, seed: int = 20261215) -> List[Entry]:
    """Returns the corpus: n_synthetic realistic rows, the coverage rows and the error cases."""
    from cybercover.synthetic import generate_portfolio

    rng = random.Random(seed)
    entries: List[Entry] = []

    def add(kind: str, req: Dict[str, Any], **flags) -> None:
        text = json.dumps(req, ensure_ascii=False).encode("utf-8")
        entries.append(Entry(f"{kind[:3]}-{len(entries):05d}", kind, text, req, **flags))

    book = generate_portfolio(n_synthetic, seed=seed, quote_date=QUOTE_DATE)
    for i in range(n_synthetic):
        req = book.request(i)
        u = rng.random()
        if u < 0.35:
            req["subsidy_program"] = "sme-cyber-support-2026"
        if req["bundle_plan"] != "none" and rng.random() < 0.3:
            req["service_monthly_price_yen"] = rng.choice([1000, 5000, 15000])
        if rng.random() < 0.2:
            _top_up(rng, rng.sample(SECTIONS, rng.randint(0, 3)), req)
        add("synthetic", req)
    for req in _coverage(rng):
        add("coverage", req)
    base = [e.request for e in entries if e.kind == "coverage"]
    for name, edit, codes in _value_errors():
        for k in range(4):
            req = copy.deepcopy(rng.choice(base))
            edit(req)
            add("value_error", req, answer_codes=codes)
            entries[-1].id = f"err-{name}-{k}"
    good = entries[0].text
    for name, text, python_text, dict_door in _text_errors(good):
        entries.append(Entry(f"txt-{name}", "text_error", text, None, python_text=python_text, dict_door=dict_door,
                             columns=False, answer_codes=False))
    return entries


# ---- columns ----------------------------------------------------------------------------------
CONTRACT_COLUMNS = ["quote_date", "industry", "employees", "capital_yen", "revenue_yen", "endpoints", "rubber_products",
                    "security_action", "utm", "edr_status", "edr_covered_endpoints", "edr_installed_on",
                    "legacy_os_endpoints", "phishing_click_rate", "incidents_3y", "bundle_plan", "subsidy_program",
                    "service_monthly_price_yen"] + [f"{s}_{k}_yen" for s in SECTIONS for k in ("limit", "deductible")]


def columns_of(request: Dict[str, Any]) -> Dict[str, Any]:
    """The request as one row of the portfolio columns (None: an empty cell)."""
    c, k = request["company"], request["controls"]
    edr = k.get("edr", {})
    row = {
        "quote_date": request.get("quote_date"), "industry": c.get("industry"), "employees": c.get("employees"),
        "capital_yen": c.get("capital_yen"), "revenue_yen": c.get("revenue_yen"), "endpoints": c.get("endpoints"),
        "rubber_products": c.get("rubber_products"), "security_action": request.get("security_action"),
        "utm": k.get("utm"), "edr_status": edr.get("status"), "edr_covered_endpoints": edr.get("covered_endpoints"),
        "edr_installed_on": edr.get("installed_on"), "legacy_os_endpoints": k.get("legacy_os_endpoints"),
        "phishing_click_rate": k.get("phishing_click_rate"), "incidents_3y": k.get("incidents_3y"),
        "bundle_plan": request.get("bundle_plan"), "subsidy_program": request.get("subsidy_program"),
        "service_monthly_price_yen": request.get("service_monthly_price_yen"),
    }
    for s in SECTIONS:
        cover = (request.get("top_up") or {}).get(s)
        row[f"{s}_limit_yen"] = cover.get("limit_yen") if cover else None
        row[f"{s}_deductible_yen"] = cover.get("deductible_yen") if cover else None
    for item in ITEM_IDS:
        row[item] = request["answers"].get(item)
    return row


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
