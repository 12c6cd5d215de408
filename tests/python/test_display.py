"""repr and _repr_html_ show the tier and the premium."""

from __future__ import annotations

from conftest import worked_example_1, worked_example_3


def test_quote_repr(engine):
    q = engine.quote(worked_example_1())
    assert repr(q) == "Quote(tier='A', outcome='accept', top_up_annual_premium_yen=35800)"
    assert repr(engine.quote(worked_example_3())) == "Quote(tier='C', outcome='decline', top_up_annual_premium_yen=None)"


def test_quote_html_has_posture_decision_base_cover_sections_and_totals(engine):
    html = engine.quote(worked_example_1())._repr_html_()
    for fragment in (
        "tier <b>A</b>",
        "¥35,800",
        "¥23,870",
        "¥2,090",
        "UTM_MANAGED",
        "EDR_MANAGED",
        "Base cover",
        "¥765",
        "Top-up: liability",
        "Top-up: response",
        "Top-up: interruption",
        "excess",
        "Top-up totals",
        "2026-12",
    ):
        assert fragment in html, fragment


def test_declined_quote_html(engine):
    html = engine.quote(worked_example_3())._repr_html_()
    assert "decline" in html and "NOT_SME" in html and "Top-up: none" in html and "tier <b>C</b>" in html


def test_assessment_repr_and_html(engine):
    a = engine.assess(worked_example_3())
    assert repr(a) == "Assessment(score=500, unknown_count=0, unmet_count=98)"
    html = a._repr_html_()
    assert "score <b>500</b>" in html and "Unmet items (top 10 of 98)" in html


def test_engine_repr(engine):
    assert repr(engine) == "Engine(editions=['2026-12', '2027-04'])"
