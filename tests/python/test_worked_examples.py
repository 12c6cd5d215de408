"""Reproduces the rate manual's worked examples (docs/rating_rules.md §8) through the Python API."""

from conftest import worked_example_1, worked_example_2, worked_example_3


def test_worked_example_1_all_yes_tier_a_accept(engine):
    q = engine.quote(worked_example_1())
    assert q.tier == "A"
    assert q.score == 1000
    assert q.posture_index == 1163
    assert q.outcome == "accept"
    assert q.decision_codes == []
    assert q.base_monthly_premium_yen == 765
    assert q.top_up_annual_premium_yen == 35800
    assert q.payable_annual_yen == 23870
    assert q.monthly_instalment_yen == 2090
    d = q.to_dict()
    assert d["base_cover"]["annual_premium_yen"] == 9180
    assert d["base_cover"]["price_cap"] == {"service_monthly_price_yen": 80000, "cap_yen": 100000, "within": True}
    sections = d["top_up"]["sections"]
    assert [sections[s]["annual_premium_yen"] for s in ("liability", "response", "interruption")] == [20350, 8910, 8420]
    assert d["top_up"]["package_yen"] == 35800
    assert d["top_up"]["subsidy_yen"] == 11930
    assert [(a["code"], a["points"]) for a in d["posture"]["adjustments"]] == [
        ("UTM_MANAGED", 120),
        ("EDR_MANAGED", 113),
        ("PHISHING_LOW", 30),
        ("PRIOR_INCIDENTS", -100),
    ]


def test_worked_example_2_tier_e_refer_with_every_code(engine):
    q = engine.quote(worked_example_2())
    assert (q.score, q.posture_index, q.tier, q.outcome) == (0, 0, "E", "refer")
    assert q.decision_codes == ["TIER_E_HIGH_LIMIT", "TOO_MANY_UNKNOWN", "PRIOR_INCIDENTS", "LEGACY_OS_UNPROTECTED"]
    assert q.base_monthly_premium_yen is None
    d = q.to_dict()
    assert d["assessment"]["unknown_count"] == 25
    assert d["top_up"]["sections"]["liability"]["annual_premium_yen"] == 30130
    assert d["top_up"]["sections"]["response"]["annual_premium_yen"] == 12220
    assert q.top_up_annual_premium_yen == 41080
    assert (d["top_up"]["subsidy_yen"], d["top_up"]["subsidy_code"]) == (0, "SUBSIDY_NOT_ELIGIBLE")
    assert q.payable_annual_yen == 41080
    assert q.monthly_instalment_yen == 3600


def test_worked_example_3_not_an_sme_is_declined_without_top_up(engine):
    q = engine.quote(worked_example_3())
    assert (q.score, q.posture_index, q.tier) == (500, 620, "C")
    assert (q.outcome, q.decision_codes) == ("decline", ["NOT_SME"])
    assert q.base_monthly_premium_yen == 900
    assert q.top_up_annual_premium_yen is None
    assert q.payable_annual_yen is None
    assert q.monthly_instalment_yen is None
    assert q.to_dict()["top_up"] is None


def test_assessment_of_a_quote_request(engine):
    a = engine.assess(worked_example_3())
    assert (a.score, a.unknown_count, len(a.unmet)) == (500, 0, 98)
    assert a.unmet[0]["points_lost"] >= a.unmet[-1]["points_lost"]
    assert set(a.to_dict()) == {"assessment", "tables", "engine_version"}
