"""cybercover.loss: closed forms for one quote and for a frame, charged premiums from the
quotes, exact aggregate distributions, the simulation (seeded, thread- and split-invariant,
GIL released, progress), pickling for Dask, and errors that name the field."""

from __future__ import annotations

import math
import pickle
import threading
import time

import numpy as np
import pytest

import cybercover
import cybercover.loss as loss
from cybercover.synthetic import generate_portfolio

pd = pytest.importorskip("pandas")

MU, SIGMA = math.log(44000), 2.37


def lev(d: float, mu: float = MU, sigma: float = SIGMA) -> float:
    """E[min(X, d)] of a lognormal, written out (docs/rating_rules.md §6)."""
    z = (math.log(d) - mu) / sigma
    phi = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))  # noqa: E731
    return math.exp(mu + sigma**2 / 2) * phi(z - sigma) + d * (1 - phi(z))


@pytest.fixture(scope="module")
def portfolio():
    p = generate_portfolio(3000, seed=11)
    frame = p.frame.copy()
    frame["provider"] = np.random.default_rng(3).choice(["alpha", "beta", "gamma"], len(frame), p=[0.5, 0.3, 0.2])
    return frame, p.answers


@pytest.fixture(scope="module")
def book(engine, portfolio):
    frame, answers = portfolio
    return loss.Book.from_frame(engine, frame, answers=answers)


def test_one_quote_follows_the_closed_form_and_shows_the_charged_premiums(engine, example1):
    q = loss.expected_losses(engine, example1)
    quote = engine.quote(example1)
    doc = quote.to_dict()
    assert q.tier == quote.tier
    layers = q.layers
    assert list(layers.index) == ["base_cover", "liability", "response", "interruption"]
    lam = q.incident_frequency
    assert layers.loc["base_cover", "expected_loss_yen"] == pytest.approx(lam * 0.10 * lev(3e6), rel=1e-12)
    assert layers.loc["liability", "expected_loss_yen"] == pytest.approx(lam * 0.03 * lev(1e8, MU + math.log(4)), rel=1e-12)
    assert layers.loc["base_cover", "indicated_premium_yen"] == pytest.approx(layers.loc["base_cover", "expected_loss_yen"] / 0.60)
    # charged: what the quote says, after the multi-section factor (3 sections: 0.95)
    top = doc["top_up"]
    assert q.charged["top_up_annual_yen"] == top["annual_premium_yen"] == quote.top_up_annual_premium_yen
    assert q.charged["package_yen"] == top["package_yen"]
    assert q.charged["multi_section_factor"] == "0.95"
    sections = layers.drop(index="base_cover")
    assert sections["charged_premium_yen"].sum() == pytest.approx(top["annual_premium_yen"], abs=1e-6)
    for key, section in top["sections"].items():
        assert sections.loc[key, "section_premium_yen"] == section["annual_premium_yen"]
    assert (sections["charged_premium_yen"] < sections["section_premium_yen"]).all()
    assert layers.loc["base_cover", "charged_premium_yen"] == doc["base_cover"]["annual_premium_yen"]
    assert (layers["systemic_expected_loss_yen"] >= 0).all() and layers.loc["base_cover", "systemic_expected_loss_yen"] > 0


def test_frame_closed_forms_equal_the_single_quotes(engine, portfolio, book):
    frame, answers = portfolio
    e = book.expected_losses()
    assert set(e["layer"].unique()) <= set(book.layers)
    # every company's layers equal loss.expected_losses of its own request
    for row in (0, 17, 1234, 2999):
        request = generate_portfolio(3000, seed=11).request(row)
        single = loss.expected_losses(engine, request).layers
        mine = e[e["row"] == row].set_index("layer")
        for layer in single.index:
            for column in ("expected_loss_yen", "systemic_expected_loss_yen", "indicated_premium_yen", "charged_premium_yen"):
                assert mine.loc[layer, column] == pytest.approx(single.loc[layer, column], rel=1e-12, abs=1e-9), (row, layer)
    s = book.summary()
    assert s.loc["total", "companies"] == len(frame)
    assert s.loc["total", "expected_loss_yen"] == pytest.approx(e["expected_loss_yen"].sum())
    # the base cover's charge is the quotes' base-cover premiums, exactly
    priced = engine.quote_frame(frame.drop(columns=["provider"]), answers=answers)
    assert s.loc["base_cover", "charged_premium_yen"] == priced["base_annual_premium_yen"].sum()
    top_up = e[e["layer"] != "base_cover"]["charged_premium_yen"].sum()
    assert top_up == pytest.approx(priced["annual_premium_yen"].sum(), rel=1e-12)
    # the vectorised function is the same
    again = loss.expected_losses(engine, frame, answers=answers)
    pd.testing.assert_frame_equal(again, e)


def test_aggregate_distributions(book):
    d = book.company_aggregate(0, "base_cover")
    assert isinstance(d, loss.AggregateDistribution)
    assert d.pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert d.x[-1] == book.expected_losses().query("row == 0 and layer == 'base_cover'")["limit_yen"].iloc[0]
    assert d.value_at_risk(0.999) <= d.x[-1]
    assert d.tail_value_at_risk(0.99) >= d.value_at_risk(0.99)
    assert d.exceedance(0.0) == pytest.approx(1 - d.pmf[0])
    np.testing.assert_allclose(d.exceedance(d.x[:5]), 1 - np.cumsum(d.pmf)[:5], atol=1e-15)
    # Panjer and FFT agree
    fft = book.company_aggregate(0, "base_cover", method="fft")
    np.testing.assert_allclose(fft.pmf, d.pmf, atol=1e-13)
    with_systemic = book.company_aggregate(0, None, include_systemic=True)
    assert with_systemic.mean() > book.company_aggregate(0, None).mean()
    # a small book: the sum over companies keeps the closed-form means
    small = loss.Book.from_frame(cybercover.Engine(), generate_portfolio(40, seed=2).frame,
                                 answers=generate_portfolio(40, seed=2).answers)
    total = small.aggregate("total")
    assert total.mean() == pytest.approx(small.summary().loc["total", "expected_loss_yen"], rel=1e-7)
    liability = small.aggregate("liability")
    assert liability.mean() <= small.summary().loc["liability", "expected_loss_yen"]
    with pytest.raises(cybercover.InputError, match="layer"):
        small.aggregate("theft")


def test_simulation_is_reproducible_across_threads_and_splits(engine, portfolio, book):
    frame, answers = portfolio
    one = book.simulate(2000, seed=5, threads=1)
    two = book.simulate(2000, seed=5, threads=2)
    np.testing.assert_array_equal(one.layer_loss_yen, two.layer_loss_yen)
    np.testing.assert_array_equal(one.layer_systemic_yen, two.layer_systemic_yen)
    assert one.layer_loss_yen.shape == (2000, 4) and one.layer_loss_yen.dtype == np.int64
    # three parts of the frame (their index keeps each company's row) merge into the whole
    parts = [frame.iloc[:700], frame.iloc[700:2100], frame.iloc[2100:]]
    cuts = [(0, 700), (700, 2100), (2100, 3000)]
    results = [loss.Book.from_frame(engine, part, answers=answers[a:b]).simulate(2000, seed=5, threads=1)
               for part, (a, b) in zip(parts, cuts)]
    merged = loss.merge(results[::-1])
    for name in ("layer_loss_yen", "layer_systemic_yen", "tier_loss_yen", "plan_loss_yen", "max_incident_yen", "event_paid_yen"):
        np.testing.assert_array_equal(getattr(merged, name), getattr(one, name), err_msg=name)
    pd.testing.assert_frame_equal(merged.summary(), one.summary())
    # a different seed gives other numbers
    assert not np.array_equal(book.simulate(2000, seed=6).layer_loss_yen, one.layer_loss_yen)
    # results and books pickle (for Dask)
    again = pickle.loads(pickle.dumps(one))
    np.testing.assert_array_equal(again.layer_loss_yen, one.layer_loss_yen)
    rebuilt = pickle.loads(pickle.dumps(book))
    np.testing.assert_array_equal(rebuilt.simulate(100, seed=5).layer_loss_yen, book.simulate(100, seed=5).layer_loss_yen)


def test_simulation_meets_the_closed_forms(book):
    r = book.simulate(20000, seed=2026)
    s = r.summary()
    closed = book.summary()
    for layer in book.layers:
        mean, se = s.loc[(layer, False), "mean"], s.loc[(layer, False), "se_mean"]
        # the caps can only lower the simulated mean below the closed form
        assert mean <= closed.loc[layer, "expected_loss_yen"] + 4 * se, layer
        assert mean >= 0.97 * closed.loc[layer, "expected_loss_yen"] - 4 * se, layer
    curves = r.exceedance_curves()
    assert list(curves.columns) == ["aep", "aep_systemic", "oep", "oep_systemic"]
    assert curves.index[-1] == 1000
    assert (curves["aep_systemic"] >= curves["aep"]).all()
    assert curves["aep"].is_monotonic_increasing
    lr = r.loss_ratio_summary("tier")
    assert set(lr.index.get_level_values("group")) == set(book.companies()["tier"].unique())
    ratios = r.loss_ratios("plan", systemic=False)
    assert ratios.shape[0] == 20000
    annual = r.annual_loss_yen(systemic=False)
    assert (annual["total"] == annual[book.layers].sum(axis=1)).all()
    p = s.loc[("base_cover", True), "p_loss_exceeds_premium"]
    assert 0 <= p <= 1


def test_progress_and_the_gil(book):
    calls = []
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        r = book.simulate(60000, seed=1, threads=1, progress=lambda done, total: calls.append((done, total)))
    finally:
        stop.set()
        t.join()
    assert calls and calls[-1][0] == calls[-1][1] == len(book) * 60000
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
    assert len(ticks) > 5  # another Python thread ran while the simulation did
    assert r.years == 60000

    def stop_early(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        book.simulate(200000, seed=1, progress=stop_early)


def test_plots(book):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    r = book.simulate(2000, seed=3)
    for ax in (r.plot_exceedance(), r.plot_loss_ratios("tier"), r.plot_annual_losses(), book.company_aggregate(0).plot()):
        assert ax.get_xlabel()


def test_bad_inputs_name_the_field(engine, portfolio, book):
    frame, answers = portfolio
    for years in (0, -3):
        with pytest.raises(cybercover.InputError, match="years") as e:
            book.simulate(years)
        assert e.value.field == "years"
    with pytest.raises(cybercover.InputError, match="threads"):
        book.simulate(10, threads=-1)
    with pytest.raises(cybercover.InputError, match="seed"):
        book.simulate(10, seed=-1)
    with pytest.raises(cybercover.InputError, match="keys"):
        loss.Book.from_frame(engine, frame.iloc[:10], answers=answers[:10], keys=[1] * 10)
    with pytest.raises(cybercover.InputError, match="keys"):
        loss.Book.from_frame(engine, frame.iloc[:10].reset_index(drop=True).set_index(frame["industry"].iloc[:10]),
                             answers=answers[:10])
    with pytest.raises(cybercover.InputError, match="provider"):
        loss.Book.from_frame(engine, frame.iloc[:10], answers=answers[:10], provider="vendor")
    # a row that fails: raised like quote_frame, or left out with errors="collect"
    bad = frame.iloc[:5].copy()
    bad.loc[bad.index[2], "employees"] = 0
    with pytest.raises(cybercover.InputError, match="employees"):
        loss.Book.from_frame(engine, bad, answers=answers[:5])
    kept = loss.Book.from_frame(engine, bad, answers=answers[:5], errors="collect")
    assert len(kept) == 4 and kept.errors[0][0] == 2
    with pytest.raises(cybercover.InputError, match="seed"):
        book.simulate(10, seed=1).merge(book.simulate(10, seed=2))
    with pytest.raises(TypeError):
        loss.expected_losses(engine, {"quote_date": "2026-12-15"}, threads=1)
    with pytest.raises(cybercover.InputError):
        loss.expected_losses(engine, {"quote_date": "2026-12-15"})


def test_aggregate_distribution_of_any_count_severity_and_coverage():
    # The base cover layer of tests/r (lambda 0.018, lognormal, 3M per claim and a year): the
    # capped mean actuar computes with a span of 15,000 yen.
    import json
    from conftest import SOURCE_DIR

    ref = next(l for l in json.loads((SOURCE_DIR / "tests/r/loss_reference.json").read_text())["layers"]
               if l["name"] == "base_cover_utm_edr")
    lognormal = {"distribution": "lognormal", "median_yen": 44000, "sigma": 2.37}
    d = loss.aggregate_distribution(mean=0.018, severity=lognormal, limit_yen=3e6, aggregate_limit_yen=3e6, span_yen=15000)
    assert d.mean() == pytest.approx(ref["capped_mean_unbiased"], rel=1e-9)
    assert d.value_at_risk(0.995) == ref["var_99_5"]
    # actuar's coverage(): a deductible on the ground-up scale, the limit too
    layer = loss.aggregate_distribution(mean=0.5, severity=lognormal, deductible_yen=1e5, limit_yen=1.1e6)
    assert layer.x[-1] > 0 and layer.truncated_mass < 1e-12
    nb = loss.aggregate_distribution(mean=0.5, frequency="negative_binomial", size=2,
                                     severity={"distribution": "pareto", "alpha": 1.4, "scale_yen": 40000},
                                     limit_yen=1e7, aggregate_limit_yen=2e7)
    assert nb.x[-1] == 2e7
    bad = [
        (dict(mean=-0.1), "frequency.lambda"),
        (dict(severity={"distribution": "lognormal", "median_yen": 44000, "sigma": 0}), "severity.sigma"),
        (dict(severity={"distribution": "lognormal", "median_yen": 44000, "sigma": -1}), "severity.sigma"),
        (dict(severity={"distribution": "pareto", "alpha": 0, "scale_yen": 1}), "severity.alpha"),
        (dict(severity={"distribution": "weibull"}), "severity.distribution"),
        (dict(deductible_yen=2e6, limit_yen=1e6), "limit_yen"),
        (dict(limit_yen=float("inf")), "limit_yen"),
        (dict(frequency="negative_binomial"), "size"),
        (dict(aggregate_limit_yen=-5), "aggregate_limit_yen"),
    ]
    for change, field in bad:
        args = dict(mean=0.1, severity=lognormal, limit_yen=3e6)
        args.update(change)
        with pytest.raises(cybercover.InputError) as e:
            loss.aggregate_distribution(**args)
        assert e.value.field == field, (change, str(e.value))
    with pytest.raises(cybercover.InputError, match="must be above deductible_yen"):
        loss.aggregate_distribution(mean=0.1, severity=lognormal, deductible_yen=2e6, limit_yen=1e6)
