"""Typed request objects give the same requests, and the same quotes, as dicts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cybercover import AssessmentRequest, Company, Controls, Cover, Edr, QuoteRequest
from conftest import item_ids, worked_example_1, worked_example_3


def typed_example_1() -> QuoteRequest:
    return QuoteRequest(
        quote_date=dt.date(2026, 12, 15),
        company=Company(
            industry="manufacturing", employees=40, capital_yen=50_000_000, revenue_yen=400_000_000, endpoints=48
        ),
        security_action="two_star",
        answers={i: "yes" for i in item_ids()},
        controls=Controls(
            utm="managed",
            edr=Edr(status="managed", covered_endpoints=45, installed_on=dt.date(2026, 11, 10)),
            legacy_os_endpoints=0,
            phishing_click_rate=0.04,
            incidents_3y=1,
        ),
        bundle_plan="utm_edr",
        top_up={
            "liability": Cover(limit_yen=100_000_000),
            "response": Cover(limit_yen=10_000_000, deductible_yen=100_000),
            "interruption": Cover(limit_yen=10_000_000, deductible_yen=500_000),
        },
        subsidy_program="sme-cyber-support-2026",
        service_monthly_price_yen=80_000,
    )


def test_typed_request_to_dict_is_the_json_request():
    assert typed_example_1().to_dict() == worked_example_1()


def test_typed_request_quotes_like_the_dict(engine):
    typed = engine.quote(typed_example_1())
    assert typed == engine.quote(worked_example_1())
    assert typed.top_up_annual_premium_yen == 35800


def test_optional_fields_left_none_are_omitted():
    c = Controls(utm="managed", edr=Edr(status="none"), legacy_os_endpoints=0, incidents_3y=0)
    assert c.to_dict() == {"utm": "managed", "edr": {"status": "none"}, "legacy_os_endpoints": 0, "incidents_3y": 0}
    assert Cover(limit_yen=10_000_000).to_dict() == {"limit_yen": 10_000_000}


def test_nested_parts_may_be_plain_mappings(engine):
    d = worked_example_3()
    typed = QuoteRequest(
        quote_date=d["quote_date"],
        company=d["company"],
        answers=d["answers"],
        controls=d["controls"],
        bundle_plan=d["bundle_plan"],
        top_up=d["top_up"],
    )
    assert typed.to_dict() == d
    assert engine.quote(typed) == engine.quote(d)


def test_assessment_request_assesses_like_the_dict(engine):
    typed = AssessmentRequest(quote_date="2026-12-15", answers={"D01.1": "no"}, security_action="one_star")
    assert typed.to_dict() == {"quote_date": "2026-12-15", "security_action": "one_star", "answers": {"D01.1": "no"}}
    assert engine.assess(typed) == engine.assess(typed.to_dict())
    assert engine.assess(typed).to_dict()["assessment"]["warnings"][0]["id"] == "D01.1"


def test_datetime_quote_date_becomes_its_date():
    r = AssessmentRequest(quote_date=dt.datetime(2026, 12, 15, 9, 30), answers={})
    assert r.to_dict()["quote_date"] == "2026-12-15"


def test_fields_are_keyword_only_and_unknown_keywords_are_rejected():
    with pytest.raises(TypeError):
        Cover(10_000_000)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Cover(limit_yen=10_000_000, excess_yen=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Edr()  # type: ignore[call-arg]  # status is required, as in the JSON contract


def test_typed_requests_are_immutable():
    c = Cover(limit_yen=10_000_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.limit_yen = 5  # type: ignore[misc]


def test_engine_rejects_a_request_of_another_type(engine):
    with pytest.raises(TypeError, match="request must be a dict or a cybercover.QuoteRequest, got list"):
        engine.quote([("quote_date", "2026-12-15")])
