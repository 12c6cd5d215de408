"""Remediation plans and the report from Python: the same figures as the C++ library and the
CLI, keyword-only options, errors, the batch frame, and the notebook display."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import cybercover
from conftest import item_ids, worked_example_1, worked_example_3


def retailer():
    """All items partial (500), UTM unmanaged, 2 old PCs, click rate 0.2: index 420, tier D, refer."""
    return {
        "quote_date": "2026-12-15",
        "company": {"industry": "retail", "employees": 30, "capital_yen": 10_000_000, "revenue_yen": 80_000_000,
                    "endpoints": 20},
        "answers": {i: "partial" for i in item_ids()},
        "controls": {"utm": "unmanaged", "edr": {"status": "none"}, "legacy_os_endpoints": 2,
                     "phishing_click_rate": 0.2, "incidents_3y": 0},
        "bundle_plan": "none",
        "top_up": {"liability": {"limit_yen": 30_000_000}},
    }


def test_plan_figures_are_the_hand_computed_ones(engine):
    plan = engine.remediation(retailer())
    assert plan.baseline["tier"] == "D" and plan.baseline["insured_cost_yen"] == 21_270
    assert plan.baseline["decision"] == {"codes": ["LEGACY_OS_UNPROTECTED"], "outcome": "refer"}
    assert len(plan.measures) == 102
    best = plan.best_measure
    assert (best["id"], best["yen_saved"], best["points_gained"], best["cost"]["first_year_yen"]) == (
        "legacy_os_replaced", 4_260, 80, 300_000)
    assert best["after"]["decision"]["outcome"] == "accept"
    nt = plan.next_tier
    assert (nt["tier"], nt["measures"], nt["cost_yen"], nt["yen_saved"], nt["refer_to_accept"]) == (
        "C", ["phishing_drill", "D01.1", "D22.1"], 70_000, 4_260, False)
    assert repr(plan) == "RemediationPlan(tier='D', measures=102, next_tier='C', next_tier_cost_yen=70000)"
    frame = plan.to_frame()
    assert list(frame["id"][:4]) == ["legacy_os_replaced", "phishing_drill", "D01.1", "D22.1"]
    assert frame["in_next_tier_set"].sum() == 3
    assert "★ 2" in plan._repr_html_()


def test_plan_equals_the_cli_and_the_quote_kept_its_request(engine, tmp_path):
    request = retailer()
    plan = engine.remediation(request)
    assert engine.quote(request).remediation() == plan
    assert plan.to_dict() == json.loads(plan.to_json())
    cli = os.environ.get("CYBERCOVER_CLI")
    if cli:
        path = tmp_path / "r.json"
        path.write_text(json.dumps(request))
        out = subprocess.run([cli, "report", str(path), "--json"], capture_output=True, text=True, check=True).stdout
        assert json.loads(out) == plan.to_dict()
        html = tmp_path / "r.html"
        subprocess.run([cli, "report", str(path), "-o", str(html), "--lang", "en", "--company", "Kagami"], check=True)
        assert html.read_text(encoding="utf-8") == engine.report_html(request, lang="en", company_name="Kagami")


def test_report_html_from_engine_and_quote(engine):
    quote = engine.quote(retailer())
    for lang in ("ja", "en"):
        report = quote.report_html(lang=lang, company_name="<script>x</script>")
        assert isinstance(report, cybercover.Report) and isinstance(report, str)
        assert report == engine.report_html(retailer(), lang=lang, company_name="<script>x</script>")
        assert f'<html lang="{lang}">' in report and "<script" not in report
        assert "&lt;script&gt;x&lt;/script&gt;" in report
        ET.fromstring(report.split("\n", 1)[1])  # well-formed
        assert report.count('<rect class="bar ') == 24
    assert ("4,260円" in quote.report_html()) and ("¥4,260" in quote.report_html(lang="en"))
    frame = quote.report_html()._repr_html_()
    assert frame.startswith("<iframe sandbox") and "srcdoc=" in frame and "<script" not in frame
    assert repr(quote.report_html()).startswith("Report(")


def test_options_are_keyword_only_and_checked(engine):
    quote = engine.quote(retailer())
    with pytest.raises(TypeError):
        quote.report_html("en")  # type: ignore[misc]
    with pytest.raises(ValueError, match="lang must be 'ja' or 'en'"):
        quote.report_html(lang="fr")  # type: ignore[arg-type]
    with pytest.raises(cybercover.InputError, match="company_name"):
        quote.report_html(company_name="x" * 201)
    with pytest.raises(cybercover.InputError, match="max_measures"):
        engine.report_html(retailer(), max_measures=-1)
    with pytest.raises(cybercover.InputError, match="company.employees"):
        engine.remediation({**retailer(), "company": {**retailer()["company"], "employees": 0}})
    with pytest.raises(TypeError, match="request must be a dict"):
        engine.remediation(42)


def test_an_unpickled_quote_says_it_has_no_request(engine):
    quote = pickle.loads(pickle.dumps(engine.quote(retailer())))
    with pytest.raises(ValueError, match="does not carry its request"):
        quote.report_html()
    with pytest.raises(ValueError, match="does not carry its request"):
        quote.remediation()


def test_best_tier_and_declined_companies(engine):
    plan = engine.remediation(worked_example_1())
    assert plan.next_tier is None and plan.targets == []
    assert [m["id"] for m in plan.measures] == ["edr_managed"]
    declined = engine.quote(worked_example_3())
    assert declined.outcome == "decline"
    report = declined.report_html(lang="en")
    assert 'data-outcome="decline"' in report and "no premiums are shown" in report


def test_the_batch_frame_equals_single_plans_and_collects_errors(engine):
    good = retailer()
    typed = cybercover.QuoteRequest(
        quote_date="2026-12-15",
        company=cybercover.Company(industry="retail", employees=30, capital_yen=10_000_000, revenue_yen=80_000_000,
                                   endpoints=20),
        answers=good["answers"],
        controls=cybercover.Controls(utm="unmanaged", edr=cybercover.Edr(status="none"), legacy_os_endpoints=2,
                                     phishing_click_rate=0.2, incidents_3y=0),
        bundle_plan="none",
        top_up={"liability": cybercover.Cover(limit_yen=30_000_000)},
    )
    requests = [good, worked_example_1(), {"quote_date": "2026-12-15"}, typed]
    frame = engine.remediation_frame(requests, errors="collect", threads=2)
    assert list(frame["ok"]) == [True, True, False, True]
    assert frame.iloc[3].equals(frame.iloc[0])  # the typed request is the same company
    assert "input.missing" in frame["error"][2]
    row = frame.iloc[0]
    assert (row["tier"], row["best_measure"], row["best_yen_saved"], row["next_tier"], row["next_tier_cost_yen"],
            row["next_tier_yen_saved"], bool(row["next_tier_refer_to_accept"])) == (
        "D", "legacy_os_replaced", 4_260, "C", 70_000, 4_260, False)
    best_tier = frame.iloc[1]
    assert best_tier["next_tier"] is None and pd.isna(best_tier["next_tier_cost_yen"])
    assert pd.isna(frame["best_yen_saved"][2]) and pd.isna(frame["insured_cost_yen"][2])
    assert str(frame["best_yen_saved"].dtype) == "Int64"
    with pytest.raises(cybercover.InputError, match="input.missing"):
        engine.remediation_frame(requests)
    with pytest.raises(TypeError):
        engine.remediation_frame(good)
    one = engine.remediation_frame([good], threads=1)
    assert one.equals(engine.remediation_frame([good], threads=2))
    assert len(engine.remediation_frame([])) == 0
