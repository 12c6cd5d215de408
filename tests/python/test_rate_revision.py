"""Rate indication from the loss model (cybercover.indication) and edition 2027-04.

* the indicated relativities against an independent computation: the lognormal's limited
  expected value in closed form, written here from the textbook formula with math.erf (not the
  library's C++), and the loss model's tier multipliers;
* credibility and the cap on moves behave as docs/rate_revision.md says;
* edition 2027-04 in rating_tables/ is exactly what scripts/rate_revision_2027_04.py produces,
  meets its targets on the reference book (expected loss ratios 50-75% for every section, the
  base cover of every plan and every tier) and takes over on 2027-04-01;
* loss_ratios() agrees with the loss book's own summary.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cybercover
import cybercover.loss as loss
from cybercover.editions import Edition
from cybercover.indication import AXES, indicate, loss_ratios
from cybercover.synthetic import generate_portfolio

from conftest import SOURCE_DIR

TABLES = SOURCE_DIR / "rating_tables"
SCRIPT = SOURCE_DIR / "scripts" / "rate_revision_2027_04.py"


@pytest.fixture(scope="module")
def old_engine() -> cybercover.Engine:
    return Edition.load(TABLES / "2026-12").engine()


@pytest.fixture(scope="module")
def book(old_engine):
    return generate_portfolio(3000, seed=5, quote_date="2026-12-15", engine=old_engine)


@pytest.fixture(scope="module")
def indication(old_engine, book):
    return indicate(old_engine, book.frame, answers=book.answers, edition="2026-12", threads=2)


@pytest.fixture(scope="module")
def reference():
    """Edition 2027-04's reference book (scripts/rate_revision_2027_04.py) under both editions."""
    engine = cybercover.Engine(str(TABLES))
    p = generate_portfolio(20_000, seed=1, quote_date="2026-12-15", engine=engine)
    return engine, p, loss_ratios(engine, p.frame, answers=p.answers, editions=["2026-12", "2027-04"], threads=2)


# ---- an independent limited expected value --------------------------------------------------
def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def lev_lognormal(d: float, mu: float, sigma: float) -> float:
    """E[min(X, d)] of a lognormal (Klugman, Panjer & Willmot, Loss Models, appendix A)."""
    if d <= 0:
        return 0.0
    return (math.exp(mu + sigma ** 2 / 2) * _phi((math.log(d) - mu - sigma ** 2) / sigma)
            + d * (1 - _phi((math.log(d) - mu) / sigma)))


def layer(attachment: float, limit: float, scale: float, model: dict) -> float:
    mu = math.log(model["severity"]["median_yen"] * scale)
    s = model["severity"]["sigma"]
    return lev_lognormal(attachment + limit, mu, s) - lev_lognormal(attachment, mu, s)


def factors(ind, factor, section=None):
    f = ind.factors[(ind.factors["factor"] == factor)]
    if section:
        f = f[f["section"] == section]
    return f.set_index("key")


# ---- the indication -----------------------------------------------------------------------------
def test_tier_relativities_are_the_models_frequency_multipliers(indication) -> None:
    model = json.loads((TABLES / "2026-12" / "loss_model.json").read_text())
    mult = model["frequency"]["tier_multipliers"]
    for table in ("top_up", "base_cover"):
        f = indication.factors[(indication.factors["table"] == table) & (indication.factors["factor"] == "tier_factors")]
        assert dict(zip(f["key"], f["indicated"])) == {t: mult[t] / mult["C"] for t in mult}


def test_increased_limit_factors_are_ratios_of_the_limited_expected_value(indication) -> None:
    model = json.loads((TABLES / "2026-12" / "loss_model.json").read_text())
    top = json.loads((TABLES / "2026-12" / "top_up.json").read_text())
    for sec in top["sections"]:
        s = sec["key"]
        scale = model["sections"][s]["loss_scale"]
        base = next(r["limit_yen"] for r in sec["limits"] if r["factor"] == 1.0)
        d0 = next(r["deductible_yen"] for r in sec["deductibles"] if r["factor"] == 1.0)
        f = factors(indication, "limits", s)
        for r in sec["limits"]:
            L = r["limit_yen"]
            expected = layer(d0, L, scale, model) / layer(d0, base, scale, model)
            assert f.loc[str(L), "model"] == pytest.approx(expected, rel=1e-9), (s, L)
            assert abs(f.loc[str(L), "indicated"] - expected) <= 0.0005 + 1e-12, (s, L)
    # The figures: liability ¥300M and ¥500M about 1.16 and 1.21 of ¥100M.
    liab = factors(indication, "limits", "liability")
    assert liab.loc["300000000", "indicated"] == pytest.approx(1.158, abs=0.001)
    assert liab.loc["500000000", "indicated"] == pytest.approx(1.211, abs=0.001)


def test_excess_and_deductible_factors_weigh_the_books_own_options(old_engine, book, indication) -> None:
    """Each plan's excess factor is the model's share of the ground-up layer that the base cover
    leaves to the response section, weighted by the book's claim frequency and options."""
    model = json.loads((TABLES / "2026-12" / "loss_model.json").read_text())
    base = json.loads((TABLES / "2026-12" / "base_cover.json").read_text())
    b = loss.Book.from_frame(old_engine, book.frame, answers=book.answers, edition="2026-12", errors="collect")
    e = b.expected_losses()
    e = e[e["layer"].astype(str) == "response"]
    keys = e["key"].to_numpy().astype(int)
    limit = book.frame["response_limit_yen"].to_numpy()[keys]
    ded = book.frame["response_deductible_yen"].to_numpy()[keys]
    ded = np.where(np.isnan(ded.astype(float)) | (ded < 0), 100_000, ded)
    ex = factors(indication, "excess_factors", "response")
    for plan in ("utm", "edr", "utm_edr"):
        m = e["bundle_plan"].astype(str).to_numpy() == plan
        a = base["plans"][plan]["limit_yen"]
        f = e["claim_frequency"].to_numpy()[m]
        num = sum(w * layer(a + d, L, 1.0, model) for w, L, d in zip(f, limit[m], ded[m]))
        den = sum(w * layer(d, L, 1.0, model) for w, L, d in zip(f, limit[m], ded[m]))
        assert ex.loc[plan, "model"] == pytest.approx(num / den, rel=1e-9), plan
        assert ex.loc[plan, "indicated"] < base_excess(plan)
    assert ex.loc["none", "indicated"] == 1.0
    d = factors(indication, "deductibles", "response")
    assert d.loc["100000", "indicated"] == 1.0
    values = [d.loc[k, "indicated"] for k in ("0", "100000", "300000", "500000", "1000000")]
    assert values == sorted(values, reverse=True)  # a larger deductible always costs less


def base_excess(plan: str) -> float:
    return json.loads((TABLES / "2026-12" / "top_up.json").read_text())["excess_factors"][plan]


def test_the_industry_factors_stay_where_the_model_has_no_industry_axis(indication) -> None:
    f = factors(indication, "industry_factors")
    assert (f["credibility"] == 0).all()
    assert (f["indicated"] == f["current"]).all()


def test_the_levels_meet_the_targets_after_rebalancing(indication) -> None:
    last = indication.levels[indication.levels["iteration"] == indication.levels["iteration"].max()]
    for _, r in last.iterrows():
        target = indication.target_loss_ratio["base_cover" if r["layer"] == "base_cover" else "top_up"]
        assert r["loss_ratio"] == pytest.approx(target, abs=0.005), r.to_dict()


def test_no_credibility_and_no_move_keep_the_current_revenue_relativities(old_engine, book) -> None:
    ind = indicate(old_engine, book.frame, answers=book.answers, edition="2026-12", full_credibility_claims=1e12,
                   max_move=0.0, threads=2)
    for s in ("liability", "response", "interruption"):
        f = factors(ind, "revenue_bands", s)
        ratio = (f["indicated"] / f["current"]).to_numpy()
        # one level change for every band, up to the ¥10 rounding of each base premium
        assert np.all(np.abs(ratio - ratio.mean()) <= 10 / f["current"].to_numpy() + 1e-9), s
        assert (f["credibility"] < 1e-3).all()


def test_full_credibility_follows_the_model_within_the_cap(old_engine, book) -> None:
    ind = indicate(old_engine, book.frame, answers=book.answers, edition="2026-12", full_credibility_claims=1e-9,
                   max_move=0.10, threads=2)
    for s in ("liability", "response", "interruption"):
        f = factors(ind, "revenue_bands", s)
        assert (f["credibility"] == 1.0).all()
        rel = (f["indicated"] / f["current"]).to_numpy()
        spread = rel.max() / rel.min()
        assert spread <= (1.10 / 0.90) * 1.01, (s, rel)  # every move within +-10% of the level, rounding aside
        assert spread > 1.05, (s, rel)  # and the model did move them: it is flatter by revenue


@pytest.mark.parametrize("kwargs, error", [
    ({"max_move": 1.0}, ValueError),
    ({"max_move": -0.1}, ValueError),
    ({"full_credibility_claims": 0}, ValueError),
    ({"target_loss_ratio": 0}, ValueError),
])
def test_bad_options_are_refused(old_engine, book, kwargs, error) -> None:
    with pytest.raises(error):
        indicate(old_engine, book.frame, answers=book.answers, edition="2026-12", **kwargs)


def test_an_unknown_edition_is_refused(old_engine, book) -> None:
    with pytest.raises(cybercover.NoEditionError, match="unknown_edition"):
        indicate(old_engine, book.frame, answers=book.answers, edition="2031-01")
    with pytest.raises(TypeError):
        indicate(old_engine, book.frame.to_numpy(), edition="2026-12")


def test_apply_writes_an_edition_the_loader_accepts(old_engine, indication) -> None:
    new = indication.apply(Edition.from_engine(old_engine, "2026-12"))
    new.set_identity("2027-04", effective_from="2027-04-01")
    assert new.validate()["edition"] == "2027-04"
    assert new.table("top_up")["tier_factors"]["E"] == 1.8
    assert new.table("base_cover")["plans"]["edr"]["monthly_rate"] == {
        "by_employee_band_yen": list(indication.factors.query("factor == 'monthly_rate' and key.str.startswith('edr ')",
                                                                  engine="python")["indicated"].astype(int))}


# ---- loss ratios ----------------------------------------------------------------------------------
def test_loss_ratios_agree_with_the_loss_books_summary(old_engine, book) -> None:
    r = loss_ratios(old_engine, book.frame, answers=book.answers, editions=["2026-12"], threads=2)
    assert set(r.index.get_level_values("axis")) == set(AXES)
    s = loss.Book.from_frame(old_engine, book.frame, answers=book.answers, edition="2026-12", errors="collect").summary()
    for layer_name in ("base_cover", "liability", "response", "interruption"):
        row = r.loc[("layer", layer_name, layer_name)]
        assert row["loss_ratio[2026-12]"] == pytest.approx(s.loc[layer_name, "expected_loss_ratio"], rel=1e-12)
        assert row["charged_premium_yen[2026-12]"] == pytest.approx(s.loc[layer_name, "charged_premium_yen"], rel=1e-12)
    # every axis splits the same total
    top = r.loc[("layer", "top_up", "top_up"), "expected_loss_yen[2026-12]"]
    for axis in ("tier", "bundle_plan", "size_band", "revenue_band", "industry"):
        assert r.xs(axis, level="axis").xs("top_up", level="layer")["expected_loss_yen[2026-12]"].sum() == pytest.approx(top)
    with pytest.raises(ValueError):
        loss_ratios(old_engine, book.frame, editions="2026-12")


# ---- edition 2027-04 --------------------------------------------------------------------------------
def test_the_committed_edition_is_what_the_workflow_produces() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(cybercover.__file__).resolve().parents[1])]
                                        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr


def test_2027_04_meets_its_targets_on_the_reference_book(reference) -> None:
    _, _, r = reference
    lr = r["loss_ratio[2027-04]"]
    for layer_name in ("base_cover", "liability", "response", "interruption", "top_up"):
        assert 0.50 <= lr[("layer", layer_name, layer_name)] <= 0.75, layer_name
    for plan in ("utm", "edr", "utm_edr"):
        assert 0.50 <= lr[("bundle_plan", plan, "base_cover")] <= 0.75, plan
    for tier in "ABCDE":
        for layer_name in ("base_cover", "liability", "response", "interruption", "top_up"):
            assert 0.50 <= lr[("tier", tier, layer_name)] <= 0.75, (tier, layer_name)
    # ...where 2026-12 charged about four times its expected loss
    assert r.loc[("layer", "top_up", "top_up"), "loss_ratio[2026-12]"] < 0.25


def test_2027_04_tier_relativities_are_the_models() -> None:
    model = json.loads((TABLES / "2027-04" / "loss_model.json").read_text())["frequency"]["tier_multipliers"]
    for name in ("top_up", "base_cover"):
        tiers = json.loads((TABLES / "2027-04" / f"{name}.json").read_text())["tier_factors"]
        assert {t: tiers[t] / tiers["C"] for t in tiers} == pytest.approx({t: model[t] / model["C"] for t in model})


def test_2027_04_takes_over_on_april_1_with_a_renewal_cap(reference) -> None:
    engine, _, _ = reference
    request = {
        "quote_date": "2027-03-31",
        "company": {"industry": "manufacturing", "employees": 40, "capital_yen": 50_000_000, "revenue_yen": 400_000_000,
                    "endpoints": 48},
        "answers": {i: "yes" for i in cybercover.item_ids(engine, "2027-03-31")},
        "controls": {"utm": "managed", "edr": {"status": "none"}, "legacy_os_endpoints": 0, "incidents_3y": 0},
        "bundle_plan": "utm",
        "top_up": {"liability": {"limit_yen": 100_000_000}},
        "prior_annual_premium_yen": 20_000,
    }
    before = json.loads(engine.quote_json(json.dumps(request)))
    assert before["tables"]["edition"] == "2026-12" and before["tables"]["effective_to"] == "2027-03-31"
    assert before["top_up"]["renewal"]["code"] == "RENEWAL_NO_CAP"
    request["quote_date"] = "2027-04-01"
    after = json.loads(engine.quote_json(json.dumps(request)))
    assert after["tables"]["edition"] == "2027-04" and after["tables"]["effective_to"] is None
    assert after["top_up"]["renewal"]["max_increase"] == 0.2 and after["top_up"]["renewal"]["max_decrease"] == 0.6


def test_a_book_without_plan_none_cannot_measure_the_excess(old_engine, book) -> None:
    keep = (book.frame["bundle_plan"].astype(str) != "none").to_numpy()
    with pytest.raises(ValueError, match="bundle_plan 'none'"):
        indicate(old_engine, book.frame[keep], answers=book.answers[keep], edition="2026-12")
