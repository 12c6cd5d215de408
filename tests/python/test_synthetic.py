"""Tests of cybercover.synthetic: seeded, valid for the engine, calibrated to the seed report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import cybercover
from cybercover.synthetic import (
    BUNDLE_PLANS,
    EDR_STATUSES,
    INDUSTRIES,
    SECURITY_ACTIONS,
    TARGETS,
    UTM_STATUSES,
    Portfolio,
    generate_portfolio,
)

from conftest import QUESTIONNAIRE

PROGRAM = "sme-cyber-support-2026"


@pytest.fixture(scope="module")
def large() -> Portfolio:
    return generate_portfolio(100_000, seed=2026)


@pytest.fixture(scope="module")
def stats(large: Portfolio) -> dict:
    return large.describe()


def test_same_seed_gives_identical_frame_and_answers() -> None:
    a = generate_portfolio(5_000, seed=42)
    b = generate_portfolio(5_000, seed=42)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert np.array_equal(a.answers, b.answers)


def test_different_seeds_differ() -> None:
    a = generate_portfolio(5_000, seed=1)
    b = generate_portfolio(5_000, seed=2)
    assert not a.frame.equals(b.frame)
    assert not np.array_equal(a.answers, b.answers)
    assert (a.frame["employees"] != b.frame["employees"]).mean() > 0.9


def test_answers_are_uint8_c_contiguous_in_questionnaire_order(large: Portfolio) -> None:
    with QUESTIONNAIRE.open(encoding="utf-8") as f:
        ids = [item["id"] for item in json.load(f)["items"]]
    assert large.answers.dtype == np.uint8
    assert large.answers.flags.c_contiguous
    assert large.answers.shape == (len(large.frame), len(ids))
    assert list(large.item_ids) == ids
    assert large.answers.max() <= 5


def test_frame_dtypes_follow_the_contract(large: Portfolio) -> None:
    f = large.frame
    categories = {"industry": INDUSTRIES, "security_action": SECURITY_ACTIONS, "utm": UTM_STATUSES,
                  "edr_status": EDR_STATUSES, "bundle_plan": BUNDLE_PLANS}
    for column, labels in categories.items():
        assert isinstance(f[column].dtype, pd.CategoricalDtype), column
        assert list(f[column].cat.categories) == list(labels), column
    for column in ("employees", "capital_yen", "revenue_yen", "endpoints", "edr_covered_endpoints",
                   "legacy_os_endpoints", "incidents_3y", "service_monthly_price_yen",
                   "liability_limit_yen", "response_limit_yen", "interruption_limit_yen",
                   "liability_deductible_yen", "response_deductible_yen", "interruption_deductible_yen"):
        assert f[column].dtype == np.int64, column
    assert f["rubber_products"].dtype == bool
    assert f["phishing_click_rate"].dtype == np.float64
    assert np.issubdtype(f["quote_date"].dtype, np.datetime64)
    assert np.issubdtype(f["edr_installed_on"].dtype, np.datetime64)
    assert (f["quote_date"] == pd.Timestamp("2026-12-15")).all()


def test_rows_keep_the_consistency_rules(large: Portfolio) -> None:
    """docs/rating_rules.md §2, §4: plans imply their controls; EDR and legacy OS fit the endpoints."""
    f = large.frame
    plan, utm, edr = f["bundle_plan"], f["utm"], f["edr_status"]
    assert (utm[plan.isin(["utm", "utm_edr"])] == "managed").all()
    assert (edr[plan.isin(["edr", "utm_edr"])] == "managed").all()
    assert (f["service_monthly_price_yen"][plan == "none"] == -1).all()
    has_edr = edr != "none"
    cov, ep = f["edr_covered_endpoints"], f["endpoints"]
    assert ((cov >= 1) & (cov <= ep))[has_edr].all()
    managed = edr == "managed"
    assert f["edr_installed_on"][managed].notna().all()
    assert (f["edr_installed_on"][managed] <= f["quote_date"][managed]).all()
    assert f["edr_installed_on"][~managed].isna().all()
    assert (f["legacy_os_endpoints"] <= ep).all()
    rate = f["phishing_click_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()
    assert (f["industry"][f["rubber_products"]] == "manufacturing").all()
    with QUESTIONNAIRE.open(encoding="utf-8") as fh:
        allow_na = np.array([bool(i.get("allow_na")) for i in json.load(fh)["items"]])
    assert not (large.answers[:, ~allow_na] == 5).any()


def test_every_row_prices_without_error(engine: cybercover.Engine) -> None:
    p = generate_portfolio(20_000, seed=7)
    out = engine.quote_frame(p.frame, answers=p.answers, errors="collect", subsidy_program=PROGRAM)
    assert out["ok"].all(), out.loc[~out["ok"], "error"].head().tolist()
    # The portfolio exercises every outcome and tier.
    assert set(out["outcome"].astype(str)) == {"accept", "refer", "decline"}
    assert set(out["tier"].astype(str)) == set("ABCDE")


def test_request_of_a_row_quotes_like_the_frame(engine: cybercover.Engine) -> None:
    p = generate_portfolio(300, seed=11)
    out = engine.quote_frame(p.frame, answers=p.answers, subsidy_program=PROGRAM)
    for row in range(0, 300, 7):
        q = engine.quote(p.request(row, subsidy_program=PROGRAM))
        assert q.score == out["score"][row]
        assert q.tier == out["tier"][row]
        assert q.outcome == out["outcome"][row]
        expected = out["payable_annual_yen"][row]
        assert q.payable_annual_yen == (None if pd.isna(expected) else int(expected)), row


def test_calibration_score_share_0_300(stats: dict) -> None:
    """The report: 53 firms answered, 0-300 points for 60% of them."""
    assert stats["score_share_0_300"] == pytest.approx(TARGETS["score_share_0_300"], abs=0.05)


def test_calibration_security_action(stats: dict) -> None:
    """The report (N = 76): none 79%, one-star 18%, both 3%."""
    assert stats["security_action_none"] == pytest.approx(0.79, abs=0.015)
    assert stats["security_action_one_star"] == pytest.approx(0.18, abs=0.015)
    assert stats["security_action_two_star"] == pytest.approx(0.03, abs=0.005)


def test_calibration_antivirus(stats: dict) -> None:
    """The report: 85% (45 of 53) run antivirus: item D02.1 yes, auto-answers included."""
    assert stats["antivirus_yes"] == pytest.approx(0.85, abs=0.02)


@pytest.mark.parametrize("key, tolerance", [
    ("network_documented_yes", 0.03),
    ("incident_procedure_yes", 0.03),
    ("utm_managed", 0.02),
    ("edr_managed", 0.02),
    ("employees_le_100", 0.02),
    ("capital_le_50m", 0.02),
    ("manufacturing_construction_transport", 0.02),
    ("phishing_measured", 0.02),
    ("click_rate_mean_by_company", 0.02),
    ("incident_in_a_year", 0.01),
    ("top_up_selected", 0.02),
])
def test_calibration_other_figures(stats: dict, key: str, tolerance: float) -> None:
    assert stats[key] == pytest.approx(TARGETS[key], abs=tolerance)


def test_size_and_decline_shapes(stats: dict) -> None:
    """101-200 staff is the largest band, over half have <= 100; some firms are not SMEs."""
    bands = {k: v for k, v in stats.items() if k.startswith("employees_") and k != "employees_le_100"}
    assert max(bands, key=bands.get) == "employees_101_200"
    assert 0.02 < 1 - stats["sme"] < 0.15
    assert 0.01 < stats["legacy_os"] < 0.10


def test_describe_scores_match_the_engine(engine: cybercover.Engine) -> None:
    p = generate_portfolio(2_000, seed=3)
    out = engine.quote_frame(p.frame, answers=p.answers)
    assert np.array_equal(p.scores(), out["score"].to_numpy())


def test_small_and_empty_portfolios() -> None:
    for n in (0, 1, 2):
        p = generate_portfolio(n, seed=1)
        assert len(p) == len(p.frame) == p.answers.shape[0] == n
        assert p.answers.flags.c_contiguous
    assert generate_portfolio(0, seed=1).describe()["rows"] == 0
    with pytest.raises(ValueError):
        generate_portfolio(-1, seed=1)


def test_quote_date_and_tables_dir(engine: cybercover.Engine) -> None:
    p = generate_portfolio(500, seed=5, quote_date="2027-02-01", tables_dir=cybercover.default_tables_dir())
    assert p.quote_date == "2027-02-01" and p.edition == "2026-12"
    assert (p.frame["edr_installed_on"].dropna() <= pd.Timestamp("2027-02-01")).all()
    assert engine.quote_frame(p.frame, answers=p.answers, errors="collect")["ok"].all()
    with pytest.raises(ValueError, match="in force"):
        generate_portfolio(10, seed=1, quote_date="2020-01-01")


def test_scores_and_sme_test_are_the_engines_under_a_modified_edition(tmp_path) -> None:
    """An edition whose partial credit is 0 (and whose retail SME caps differ): the generator
    reads the loaded tables and scores through the engine, so it agrees with quote_frame on
    every row (it once kept its own copy of the rules and disagreed on 1,928 of 2,000)."""
    import json
    import shutil

    from conftest import SOURCE_TABLES

    edition = tmp_path / "2026-12"
    shutil.copytree(SOURCE_TABLES / "2026-12", edition)
    q = json.loads((edition / "questionnaire.json").read_text(encoding="utf-8"))
    q["answer_credits"]["partial"] = 0
    (edition / "questionnaire.json").write_text(json.dumps(q, ensure_ascii=False), encoding="utf-8")
    u = json.loads((edition / "underwriting.json").read_text(encoding="utf-8"))
    for c in u["sme_categories"]:
        c["employees_max"] = c["employees_max"] // 2
    (edition / "underwriting.json").write_text(json.dumps(u, ensure_ascii=False), encoding="utf-8")
    modified = cybercover.Engine(edition)
    p = generate_portfolio(2_000, seed=4, engine=modified)
    priced = modified.quote_frame(p.frame, answers=p.answers, errors="collect")
    assert priced["ok"].all()
    assert np.array_equal(p.scores(), priced["score"].to_numpy())
    described = p.describe()
    assert described["sme"] == pytest.approx(priced["is_sme"].mean())
    # The same seed under the default edition scores differently: the credit change is seen.
    default = generate_portfolio(2_000, seed=4)
    assert (default.scores() != p.scores()).sum() > 1_000
