"""Quotes dated before 2027-04-01 keep every figure when edition 2027-04 ships: the synthetic
book (20,000 companies, seed 1) priced through Engine.quote_frame on the first and last days
before the new edition, compared with the figures recorded with main's build before the rate
revision (tests/data/frozen/synthetic_book_2026-12.json: the sha256 of the figure columns in
CSV form, and their sums). To record again: CYBERCOVER_RECORD_FROZEN=1 and run this file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import cybercover
from cybercover.synthetic import generate_portfolio

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "frozen" / "synthetic_book_2026-12.json"
DATES = ("2026-12-15", "2027-03-31")
FIGURES = ["ok", "error_code", "score", "unknown_count", "posture_index", "tier", "outcome", "decision_codes", "is_sme",
           "base_monthly_premium_yen", "base_annual_premium_yen", "liability_premium_yen", "response_premium_yen",
           "interruption_premium_yen", "package_yen", "annual_premium_yen", "subsidy_yen", "subsidy_code",
           "payable_annual_yen", "monthly_instalment_yen", "edition"]
SUMS = ["base_annual_premium_yen", "annual_premium_yen", "subsidy_yen", "payable_annual_yen"]


def figures(engine: cybercover.Engine, day: str) -> dict:
    book = generate_portfolio(20_000, seed=1, quote_date="2026-12-15", engine=engine)
    frame = book.frame.drop(columns=["quote_date"])
    priced = engine.quote_frame(frame, answers=book.answers, quote_date=day, subsidy_program="sme-cyber-support-2026",
                                threads=2, errors="collect")
    text = priced[FIGURES].to_csv(index=False)
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "rows": len(priced),
            "sums": {c: int(priced[c].fillna(0).sum()) for c in SUMS}}


def test_synthetic_book_keeps_every_figure_before_2027_04_01() -> None:
    engine = cybercover.Engine()
    now = {day: figures(engine, day) for day in DATES}
    if os.environ.get("CYBERCOVER_RECORD_FROZEN") == "1":
        FIXTURE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"recorded {FIXTURE}")
    frozen = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for day in DATES:
        assert now[day]["sums"] == frozen[day]["sums"], day
        assert now[day]["sha256"] == frozen[day]["sha256"], f"a figure of the book quoted on {day} changed"
