// The book simulation: its means meet the closed forms where the annual aggregate cannot bind
// and the exact (Panjer) capped means where it does; its quantiles meet Panjer's and the FFT's;
// it is bit-identical whatever the thread count or the split of the companies; systemic events
// add what their closed form says and correlate the book; bad options are named.

#include <gtest/gtest.h>

#include <cmath>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

std::shared_ptr<const RatingTables> edition() {
  return testing::default_engine().library().editions().front();
}
const RatingTables& tables() { return *edition(); }

// Without systemic events (the book's companies are then independent).
std::shared_ptr<const RatingTables> independent_edition() {
  static const auto t = [] {
    testing::EditionCopy copy("sim_independent");
    copy.edit("loss_model", [](nlohmann::json& j) { j.erase("systemic_events"); });
    return load_edition(copy.dir());
  }();
  return t;
}

BookCompany company(const RatingTables& t, std::uint64_t key, bool high_limits) {
  BookCompany c;
  c.key = key;
  c.exposure.employees = 5 + static_cast<std::int64_t>(key * 37 % 290);
  c.exposure.tier = static_cast<int>(key % 5);
  c.exposure.bundle_plan = static_cast<BundlePlan>(key % 4);
  c.exposure.industry = static_cast<int>(key % t.underwriting.industries.size());
  c.exposure.revenue_band = static_cast<int>(key % t.top_up.revenue_bands.size());
  if (key % 3 != 0) {
    c.exposure.top_up.push_back(
        resolve_selection(t.top_up, 0, high_limits ? 500'000'000 : 10'000'000, std::nullopt));
    c.exposure.top_up.push_back(
        resolve_selection(t.top_up, 1, high_limits ? 100'000'000 : 5'000'000, 0));
    c.exposure.top_up.push_back(
        resolve_selection(t.top_up, 2, high_limits ? 30'000'000 : 5'000'000, 0));
    c.top_up_premium_yen = 60'000;
    c.section_premium_yen = {30'000, 20'000, 10'000};
  }
  c.base_premium_yen = c.exposure.bundle_plan == BundlePlan::kNone ? 0 : 7'200;
  return c;
}

LossBook book(std::shared_ptr<const RatingTables> t, std::size_t n, bool high_limits = true,
              std::uint64_t first_key = 0) {
  LossBook b(t);
  for (std::uint64_t k = first_key; k < first_key + n; ++k)
    b.add(company(*t, k, high_limits), k % 5 == 0 ? "alpha" : "beta");
  return b;
}

SimulationOptions options(int years, std::uint64_t seed, int threads = 1) {
  SimulationOptions o;
  o.years = years;
  o.seed = seed;
  o.threads = threads;
  return o;
}

void expect_identical(const SimulationTotals& a, const SimulationTotals& b) {
  EXPECT_EQ(a.layer_loss_yen, b.layer_loss_yen);
  EXPECT_EQ(a.layer_systemic_yen, b.layer_systemic_yen);
  EXPECT_EQ(a.tier_loss_yen, b.tier_loss_yen);
  EXPECT_EQ(a.tier_systemic_yen, b.tier_systemic_yen);
  EXPECT_EQ(a.plan_loss_yen, b.plan_loss_yen);
  EXPECT_EQ(a.plan_systemic_yen, b.plan_systemic_yen);
  EXPECT_EQ(a.max_incident_yen, b.max_incident_yen);
  EXPECT_EQ(a.event_key, b.event_key);
  EXPECT_EQ(a.event_paid_yen, b.event_paid_yen);
  EXPECT_EQ(a.layer_premium_yen, b.layer_premium_yen);
  EXPECT_EQ(a.tier_premium_yen, b.tier_premium_yen);
  EXPECT_EQ(a.company_keys, b.company_keys);
}

TEST(LossSimulation, BitIdenticalForAnyThreadCountAndAnySplit) {
  const LossBook whole = book(edition(), 600);
  const SimulationTotals one = simulate(whole, options(5000, 11, 1));
  for (int threads : {2, 3, 8}) expect_identical(one, simulate(whole, options(5000, 11, threads)));
  // Three parts of different sizes, in any order, merge into exactly the whole.
  const LossBook a = book(edition(), 100, true, 0), b = book(edition(), 350, true, 100),
                 c = book(edition(), 150, true, 450);
  SimulationTotals merged = simulate(c, options(5000, 11, 2));
  merged.merge(simulate(a, options(5000, 11, 1)));
  merged.merge(simulate(b, options(5000, 11, 3)));
  expect_identical(one, merged);
  EXPECT_EQ(merged.companies, 600u);
  EXPECT_FALSE(one.event_key.empty());  // the systemic events did hit
  // and the statistics follow
  const SimulationSummary s1 = summarize(one), s2 = summarize(merged);
  EXPECT_EQ(s1.series[0].stats.var_99_5, s2.series[0].stats.var_99_5);
  // another seed, other numbers
  EXPECT_NE(one.layer_loss_yen, simulate(whole, options(5000, 12, 2)).layer_loss_yen);
}

TEST(LossSimulation, MergeRefusesPartsOfDifferentSimulations) {
  const LossBook a = book(edition(), 10, true, 0);
  SimulationTotals x = simulate(a, options(100, 1));
  EXPECT_THROW(x.merge(simulate(a, options(100, 1))), Error);  // the same companies twice
  const LossBook b = book(edition(), 10, true, 10);
  try {
    x.merge(simulate(b, options(100, 2)));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "seed");
  }
  EXPECT_THROW(x.merge(simulate(b, options(200, 1))), Error);
  expect_identical(x, simulate(a, options(100, 1)));  // a refused merge leaves the part as it was
  LossBook duplicate(edition());
  duplicate.add(company(tables(), 3, true), "");
  duplicate.add(company(tables(), 3, true), "");
  try {
    simulate(duplicate, options(10, 1));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "company_keys");
  }
}

TEST(LossSimulation, MeansMeetTheClosedFormsWhereTheCapCannotBind) {
  // High limits: the annual aggregate almost never binds, so each layer's simulated mean
  // estimates the closed form within sampling error. Checked against the exact capped means
  // too, which allow for the cap.
  const LossBook b = book(independent_edition(), 300, true);
  const int years = 40000;
  const SimulationTotals r = simulate(b, options(years, 2026, 2));
  const BookExpectedLosses closed = book_expected_losses(b);
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    const TailStats s = tail_stats(annual_layer(r, l, false));
    EXPECT_NEAR(s.mean, closed.layers[l].expected_loss_yen, 4 * s.se_mean) << r.layers[l];
    EXPECT_GT(s.mean, 0) << r.layers[l];
  }
}

TEST(LossSimulation, MeansMeetPanjerWhereTheCapBinds) {
  // Low limits (base cover ¥1M, top-up ¥5M-¥10M): the cap lowers the mean; the simulation
  // meets the exact capped mean of every layer, and misses the uncapped closed form.
  const LossBook b = book(independent_edition(), 300, false);
  const int years = 40000;
  const SimulationTotals r = simulate(b, options(years, 7, 2));
  std::vector<double> exact(r.layers.size(), 0.0), uncapped(r.layers.size(), 0.0);
  for (const BookCompany& c : b.companies())
    for (const LayerTerms& l : layer_terms(b.tables(), c.exposure)) {
      const std::size_t index = l.base_cover ? 0 : 1 + static_cast<std::size_t>(l.section);
      exact[index] += layer_aggregate(b.tables(), c.exposure, l.layer).mean();
    }
  const BookExpectedLosses closed = book_expected_losses(b);
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    const TailStats s = tail_stats(annual_layer(r, l, false));
    EXPECT_NEAR(s.mean, exact[l], 4 * s.se_mean) << r.layers[l];
    uncapped[l] = closed.layers[l].expected_loss_yen;
    EXPECT_LT(exact[l], uncapped[l]) << r.layers[l];
  }
}

TEST(LossSimulation, QuantilesMeetPanjerAndFft) {
  // A book of 40 identical companies: the exact distribution of the base-cover pool is the
  // 40-fold convolution of the capped layer. The simulated VaRs lie within 4 standard errors
  // of it, and Panjer and FFT agree.
  LossBook b(independent_edition());
  for (std::uint64_t k = 0; k < 40; ++k) {
    BookCompany c;
    c.key = k;
    c.exposure.employees = 400;
    c.exposure.tier = 4;
    c.exposure.bundle_plan = BundlePlan::kUtm;
    c.base_premium_yen = 12'000;
    b.add(c, "");
  }
  AggregateOptions panjer, fft;
  panjer.method = AggregateMethod::kPanjer;
  fft.method = AggregateMethod::kFft;
  panjer.span_yen = fft.span_yen = 5'000;
  const AggregateDistribution exact = book_aggregate(b, "base_cover", panjer);
  const AggregateDistribution exact_fft = book_aggregate(b, "base_cover", fft);
  const SimulationTotals r = simulate(b, options(100000, 99, 2));
  const TailStats s = tail_stats(annual_layer(r, 0, false));
  EXPECT_NEAR(s.mean, exact.mean(), 4 * s.se_mean);
  EXPECT_NEAR(s.sd, exact.sd(), 0.02 * exact.sd());
  EXPECT_NEAR(s.var_99, exact.value_at_risk(0.99), 4 * s.se_var_99 + 5'000);
  EXPECT_NEAR(s.var_99_5, exact.value_at_risk(0.995), 4 * s.se_var_99_5 + 5'000);
  EXPECT_NEAR(s.tvar_99_5, exact.tail_value_at_risk(0.995), 4 * s.se_tvar_99_5 + 5'000);
  for (double p : {0.5, 0.9, 0.99, 0.995})
    EXPECT_EQ(exact.value_at_risk(p), exact_fft.value_at_risk(p)) << p;
  // P(pool losses > premiums) from the exact distribution
  const SimulationSummary sum = summarize(r);
  const SeriesSummary& base = sum.series[1];
  ASSERT_EQ(base.name, "base_cover");
  EXPECT_EQ(base.premium_yen, 40 * 12'000);
  EXPECT_NEAR(base.probability_loss_exceeds_premium, exact.exceedance(480'000),
              4 * base.se_probability + 1e-4);
}

TEST(LossSimulation, SystemicEventsAddTheirClosedFormAndCorrelateTheBook) {
  const LossBook b = book(edition(), 400, true);
  const SimulationTotals r = simulate(b, options(40000, 5, 2));
  const BookExpectedLosses closed = book_expected_losses(b);
  // what systemic events add on average: their closed form (the caps rarely bind here)
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    std::vector<double> extra(static_cast<std::size_t>(r.years));
    for (std::size_t y = 0; y < extra.size(); ++y)
      extra[y] = static_cast<double>(r.layer_systemic_yen[y * r.layers.size() + l]);
    const TailStats s = tail_stats(extra);
    EXPECT_NEAR(s.mean, closed.layers[l].systemic_expected_loss_yen, 4 * s.se_mean + 1)
        << r.layers[l];
  }
  // a provider event hits many of its subscribers in one year: the base-cover pool's tail
  // grows much more than its mean
  const SimulationSummary s = summarize(r);
  const TailStats& without = s.series[1].stats;
  const TailStats& with = s.series[r.layers.size() + 3].stats;
  ASSERT_EQ(s.series[r.layers.size() + 3].name, "base_cover");
  ASSERT_TRUE(s.series[r.layers.size() + 3].systemic);
  EXPECT_GT(with.var_99_5 / without.var_99_5, 1.5 * with.mean / without.mean);
  EXPECT_GE(s.oep_systemic.back().loss_yen, s.oep.back().loss_yen);
  // the tier and plan sums are the layer sums regrouped
  for (std::size_t y = 0; y < 50; ++y) {
    std::int64_t layers = 0, tiers = 0, plans = 0;
    for (std::size_t l = 0; l < r.layers.size(); ++l)
      layers += r.layer_loss_yen[y * r.layers.size() + l];
    for (std::size_t t = 0; t < r.tiers.size(); ++t)
      tiers += r.tier_loss_yen[y * r.tiers.size() + t];
    for (std::size_t p = 0; p < r.plans.size(); ++p)
      plans += r.plan_loss_yen[y * r.plans.size() + p];
    EXPECT_EQ(layers, tiers);
    EXPECT_EQ(layers, plans);
  }
  // loss ratios by tier: the mean of the annual ratio is expected loss over premium
  ASSERT_FALSE(s.by_tier.empty());
  for (const LossRatioSummary& lr : s.by_tier) {
    EXPECT_GT(lr.premium_yen, 0);
    EXPECT_LE(lr.p05, lr.p50);
    EXPECT_LE(lr.p50, lr.p95);
  }
}

TEST(LossSimulation, ProgressIsReportedAndMayStopTheRun) {
  const LossBook b = book(edition(), 2000, true);
  std::uint64_t last = 0, total = 0;
  int calls = 0;
  SimulationOptions o = options(20000, 1, 2);
  o.progress = [&](std::uint64_t done, std::uint64_t all) {
    EXPECT_GE(done, last);
    last = done;
    total = all;
    ++calls;
  };
  const SimulationTotals r = simulate(b, o);
  EXPECT_GE(calls, 1);
  EXPECT_EQ(last, total);
  EXPECT_EQ(total, 2000u * 20000u);
  expect_identical(r, simulate(b, options(20000, 1, 1)));
  o.progress = [](std::uint64_t, std::uint64_t) { throw std::runtime_error("stopped"); };
  EXPECT_THROW(simulate(b, o), std::runtime_error);
}

TEST(LossSimulation, RejectsBadOptions) {
  const LossBook b = book(edition(), 3);
  for (int years : {0, -5}) {
    try {
      simulate(b, options(years, 1));
      ADD_FAILURE();
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), "years");
      EXPECT_EQ(e.code(), ErrorCode::kBelowMinimum);
    }
  }
  try {
    simulate(b, options(10, 1, -1));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "threads");
  }
  // an empty book simulates to zeros
  const SimulationTotals empty = simulate(LossBook(edition()), options(10, 1));
  EXPECT_EQ(annual_total(empty, true), std::vector<double>(10, 0.0));
}

}  // namespace
}  // namespace cybercover
