// The loss model of docs/rating_rules.md §6: the severity the tables imply matches the survey
// figures, the closed form is the manual's, and the simulation is seeded, thread-independent and
// agrees with the closed form where the annual aggregate rarely binds.

#include <gtest/gtest.h>

#include <cmath>
#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const RatingTables& tables() {
  static const auto t = load_edition(testing::kDefaultEditionDir);
  return *t;
}

double mu() { return std::log(tables().loss_model.severity_median_yen); }
double sigma() { return tables().loss_model.severity_sigma; }

TEST(LossModel, SeverityMatchesTheSurveyFigures) {
  // Mean about ¥729,704 and P(X >= ¥1M) about 9.38% (2024 survey of 4,191 SMEs).
  EXPECT_NEAR(std::exp(mu() + sigma() * sigma() / 2), 729704, 5);
  EXPECT_NEAR(0.5 * std::erfc((std::log(1e6) - mu()) / sigma() / std::sqrt(2.0)), 0.0938, 0.0005);
  EXPECT_NEAR(lognormal_lev(mu(), sigma(), INFINITY), 729704, 5);
  EXPECT_DOUBLE_EQ(lognormal_lev(mu(), sigma(), 0), 0);
  EXPECT_LT(lognormal_lev(mu(), sigma(), 1e6), 1e6);
}

TEST(LossModel, ClosedFormFollowsTheManual) {
  LossExposure e;
  e.employees = 40;  // band 21-50: lambda 0.18 for tier C
  e.tier = 2;        // C
  e.bundle_plan = BundlePlan::kUtmEdr;  // base limit ¥3M
  e.top_up.push_back(resolve_selection(tables().top_up, 0, 100'000'000, std::nullopt));  // liability
  e.top_up.push_back(resolve_selection(tables().top_up, 1, 10'000'000, 100'000));        // response
  const ExpectedLosses x = expected_losses(tables(), e);
  EXPECT_DOUBLE_EQ(x.incident_frequency, 0.18);
  ASSERT_EQ(x.layers.size(), 3u);
  EXPECT_EQ(x.layers[0].layer, "base_cover");
  EXPECT_NEAR(x.layers[0].expected_loss_yen, 0.18 * 0.10 * lognormal_lev(mu(), sigma(), 3e6), 1e-6);
  EXPECT_NEAR(x.layers[0].indicated_premium_yen, x.layers[0].expected_loss_yen / 0.60, 1e-6);
  const double liability_mu = mu() + std::log(4.0);
  EXPECT_NEAR(x.layers[1].expected_loss_yen, 0.18 * 0.03 * lognormal_lev(liability_mu, sigma(), 1e8), 1e-6);
  // Response sits above the base cover's limit and the deductible.
  EXPECT_DOUBLE_EQ(x.layers[2].attachment_yen, 3'100'000);
  EXPECT_NEAR(x.layers[2].expected_loss_yen,
              0.18 * 0.10 * (lognormal_lev(mu(), sigma(), 13.1e6) - lognormal_lev(mu(), sigma(), 3.1e6)), 1e-6);
  EXPECT_NEAR(x.layers[2].indicated_premium_yen, x.layers[2].expected_loss_yen / 0.55, 1e-6);
  e.tier = 0;  // tier A: frequency x 0.45
  EXPECT_NEAR(expected_losses(tables(), e).layers[1].expected_loss_yen, 0.45 * x.layers[1].expected_loss_yen, 1e-6);
}

std::vector<LossExposure> book(std::size_t n) {
  std::vector<LossExposure> out;
  for (std::size_t i = 0; i < n; ++i) {
    LossExposure e;
    e.employees = 5 + static_cast<std::int64_t>(i % 290);
    e.tier = static_cast<int>(i % 5);
    e.bundle_plan = static_cast<BundlePlan>(i % 4);
    e.top_up.push_back(resolve_selection(tables().top_up, 0, 300'000'000, std::nullopt));
    e.top_up.push_back(resolve_selection(tables().top_up, 1, 100'000'000, 0));
    e.top_up.push_back(resolve_selection(tables().top_up, 2, 30'000'000, 0));
    out.push_back(e);
  }
  return out;
}

TEST(LossModel, SimulationIsSeededAndThreadIndependent) {
  const auto portfolio = book(300);
  SimulationOptions o;
  o.years = 2000;
  o.seed = 11;
  o.threads = 1;
  const SimulationResult a = simulate_portfolio(tables(), portfolio, o);
  o.threads = 3;
  const SimulationResult b = simulate_portfolio(tables(), portfolio, o);
  EXPECT_EQ(a.annual_total_yen, b.annual_total_yen);
  o.seed = 12;
  const SimulationResult c = simulate_portfolio(tables(), portfolio, o);
  EXPECT_NE(a.annual_total_yen, c.annual_total_yen);
  EXPECT_GE(a.quantile_99_5_total_yen, a.mean_total_yen);
}

TEST(LossModel, SimulationMeanMeetsTheClosedFormWithinSamplingError) {
  // High limits: the annual aggregate almost never binds, so the simulated mean estimates the
  // closed form within sampling error (the cap can only lower the exact figure).
  const auto portfolio = book(200);
  SimulationOptions o;
  o.years = 20000;
  o.seed = 2026;
  const SimulationResult r = simulate_portfolio(tables(), portfolio, o);
  ASSERT_EQ(r.layers.size(), 4u);
  for (const auto& l : r.layers) {
    const double standard_error = l.std_dev_yen / std::sqrt(static_cast<double>(o.years));
    EXPECT_NEAR(l.mean_yen, l.closed_form_yen, 4 * standard_error + 1) << l.layer;
    EXPECT_GT(l.mean_yen, 0) << l.layer;
  }
}

TEST(LossModel, RejectsBadExposuresAndYears) {
  LossExposure e;
  e.tier = 9;
  EXPECT_THROW(expected_losses(tables(), e), Error);
  SimulationOptions o;
  o.years = 0;
  try {
    simulate_portfolio(tables(), {}, o);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "years");
  }
}

}  // namespace
}  // namespace cybercover
