// The loss model's closed forms (docs/rating_rules.md §6, docs/loss_model.md): the severity the
// tables imply matches the survey figures, the per-layer expected losses are the manual's formula
// for every severity family (checked against R actuar), the frequency multipliers and revenue
// scales apply, the systemic events add their own expected loss, and a quote's charged premiums
// are the Quote's.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"
#include "loss/sampling.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const RatingTables& tables() { return testing::default_tables(); }
double mu() { return std::log(tables().loss_model.severity.median_yen); }
double sigma() { return tables().loss_model.severity.sigma; }

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(testing::kSourceDir + "/tests/r/loss_reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

SeverityParams lognormal(double median, double s) {
  SeverityParams p;
  p.family = SeverityFamily::kLognormal;
  p.median_yen = median;
  p.sigma = s;
  return p;
}

TEST(LossModel, SeverityMatchesTheSurveyFigures) {
  // Mean about ¥729,704 and P(X >= ¥1M) about 9.38% (2024 survey of 4,191 SMEs).
  const Severity x(tables().loss_model.severity);
  EXPECT_NEAR(x.mean(), 729704, 5);
  EXPECT_NEAR(x.survival(1e6), 0.0938, 0.0005);
  EXPECT_NEAR(lognormal_lev(mu(), sigma(), INFINITY), 729704, 5);
  EXPECT_DOUBLE_EQ(lognormal_lev(mu(), sigma(), 0), 0);
  EXPECT_LT(lognormal_lev(mu(), sigma(), 1e6), 1e6);
}

TEST(LossModel, DefaultsKeepTheEditionsFigures) {
  // New parameters default to no change: Poisson, multipliers 1.0, revenue scales 1.0.
  const LossModelTable& m = tables().loss_model;
  EXPECT_EQ(m.frequency_family, FrequencyFamily::kPoisson);
  EXPECT_EQ(m.severity.family, SeverityFamily::kLognormal);
  for (double v : m.industry_multipliers) EXPECT_EQ(v, 1.0);
  for (double v : m.revenue_band_scales) EXPECT_EQ(v, 1.0);
  EXPECT_EQ(m.industry_multipliers.size(), tables().underwriting.industries.size());
  EXPECT_EQ(m.revenue_band_scales.size(), tables().top_up.revenue_bands.size());
  ASSERT_EQ(m.systemic_events.size(), 2u);
  EXPECT_EQ(m.systemic_events[0].key, "provider_compromise");
  EXPECT_EQ(m.systemic_events[1].scope, SystemicScope::kPlan);
}

TEST(LossModel, LimitedMomentsAgreeWithActuar) {
  const auto& r = reference();
  const auto limits = r["limits"].get<std::vector<double>>();
  const Severity ln(lognormal(44000, 2.37)), ln4(lognormal(44000, 2.37), 4.0);
  SeverityParams pareto;
  pareto.family = SeverityFamily::kPareto;
  pareto.alpha = r["parameters"]["pareto_alpha"];
  pareto.scale_yen = r["parameters"]["pareto_scale"];
  const Severity lomax(pareto);
  SeverityParams spliced = lognormal(44000, 2.37);
  spliced.family = SeverityFamily::kSplicedLognormalPareto;
  spliced.threshold_yen = r["parameters"]["splice_threshold"];
  spliced.alpha = r["parameters"]["splice_alpha"];
  spliced.body_probability = r["parameters"]["splice_body_probability"];
  const Severity splice(spliced);
  for (std::size_t i = 0; i < limits.size(); ++i) {
    const double d = limits[i];
    EXPECT_NEAR(ln.lev(d), r["lognormal_lev"][i].get<double>(), 1e-13 * ln.lev(d)) << d;
    EXPECT_NEAR(ln4.lev(d), r["lognormal_lev_scaled_4"][i].get<double>(), 1e-13 * ln4.lev(d)) << d;
    EXPECT_NEAR(ln.limited_second_moment(d), r["lognormal_second_moment"][i].get<double>(),
                1e-12 * ln.limited_second_moment(d));
    EXPECT_NEAR(lomax.cdf(d), r["pareto_cdf"][i].get<double>(), 1e-14) << d;
    EXPECT_NEAR(lomax.lev(d), r["pareto_lev"][i].get<double>(), 1e-12 * lomax.lev(d)) << d;
    EXPECT_NEAR(lomax.limited_second_moment(d), r["pareto_second_moment"][i].get<double>(),
                1e-10 * lomax.limited_second_moment(d))
        << d;
    EXPECT_NEAR(splice.cdf(d), r["spliced_cdf"][i].get<double>(), 1e-14) << d;
    // integrated numerically in R (rel.tol 1e-13)
    EXPECT_NEAR(splice.lev(d), r["spliced_lev"][i].get<double>(), 1e-9 * splice.lev(d)) << d;
  }
  const auto ps = r["lognormal_quantiles_p"].get<std::vector<double>>();
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const double q = r["lognormal_quantiles"][i];
    EXPECT_NEAR(ln.quantile(ps[i]), q, 1e-12 * q);
    // the simulation's own normal quantile (Acklam + a Halley step)
    EXPECT_NEAR(std::exp(mu() + sigma() * detail::normal_quantile(ps[i])), q, 1e-12 * q) << ps[i];
  }
}

TEST(LossModel, SeverityFamiliesAreConsistent) {
  // For each family: quantile inverts the cdf; the LEV is the integral of the survival; the
  // spliced law is continuous at the threshold with the lognormal's own body weight.
  SeverityParams pareto;
  pareto.family = SeverityFamily::kPareto;
  pareto.alpha = 2.5;
  pareto.scale_yen = 200000;
  SeverityParams spliced = lognormal(44000, 2.37);
  spliced.family = SeverityFamily::kSplicedLognormalPareto;
  spliced.threshold_yen = 2e6;
  spliced.alpha = 1.2;
  spliced.body_probability = Severity(lognormal(44000, 2.37)).cdf(2e6);
  for (const SeverityParams& p : {lognormal(44000, 2.37), pareto, spliced}) {
    const Severity s(p, 1.5);
    for (double u : {0.001, 0.3, 0.5, 0.9, 0.99, 0.9999})
      EXPECT_NEAR(s.cdf(s.quantile(u)), u, 1e-12);
    // trapezoid integration of the survival up to 5M
    double integral = 0;
    const int steps = 200000;
    const double top = 5e6, dx = top / steps;
    for (int i = 0; i < steps; ++i)
      integral += (s.survival(i * dx) + s.survival((i + 1) * dx)) / 2 * dx;
    EXPECT_NEAR(s.lev(top), integral, 2e-6 * integral);
    EXPECT_NEAR(s.layer_expected(1e6, 4e6), s.lev(5e6) - s.lev(1e6), 1e-9);
    // E[Y^2] of the layer against E[min(Z,b)^2] - E[min(Z,a)^2] - 2a(E[min(Z,b)] - E[min(Z,a)])
    EXPECT_GT(s.layer_second_moment(1e6, 4e6), 0);
    EXPECT_LE(s.layer_second_moment(1e6, 4e6), 4e6 * s.layer_expected(1e6, 4e6));
  }
  const Severity splice(spliced);
  EXPECT_NEAR(splice.cdf(2e6 - 1e-3), splice.cdf(2e6 + 1e-3), 1e-9);
  EXPECT_NEAR(splice.lev(1.5e6), Severity(lognormal(44000, 2.37)).lev(1.5e6), 1e-6);
  // Lomax with alpha <= 1 has no mean, but every layer has one.
  pareto.alpha = 0.8;
  EXPECT_TRUE(std::isinf(Severity(pareto).mean()));
  EXPECT_TRUE(std::isfinite(Severity(pareto).layer_expected(0, 1e8)));
}

TEST(LossModel, ClosedFormFollowsTheManual) {
  LossExposure e;
  e.employees = 40;                     // band 21-50: lambda 0.18 for tier C
  e.tier = 2;                           // C
  e.bundle_plan = BundlePlan::kUtmEdr;  // base limit ¥3M
  e.top_up.push_back(
      resolve_selection(tables().top_up, 0, 100'000'000, std::nullopt));           // liability
  e.top_up.push_back(resolve_selection(tables().top_up, 1, 10'000'000, 100'000));  // response
  const ExpectedLosses x = expected_losses(tables(), e);
  EXPECT_DOUBLE_EQ(x.incident_frequency, 0.18);
  ASSERT_EQ(x.layers.size(), 3u);
  EXPECT_EQ(x.layers[0].layer, "base_cover");
  EXPECT_NEAR(x.layers[0].expected_loss_yen, 0.18 * 0.10 * lognormal_lev(mu(), sigma(), 3e6), 1e-6);
  EXPECT_NEAR(x.layers[0].indicated_premium_yen, x.layers[0].expected_loss_yen / 0.60, 1e-6);
  // the same figure as actuar's (tests/r: base_cover_utm_edr)
  const auto& base = reference()["layers"][0];
  EXPECT_NEAR(x.layers[0].expected_loss_yen,
              base["lambda"].get<double>() * base["layer_expected"].get<double>(), 1e-9);
  const double liability_mu = mu() + std::log(4.0);
  EXPECT_NEAR(x.layers[1].expected_loss_yen,
              0.18 * 0.03 * lognormal_lev(liability_mu, sigma(), 1e8), 1e-6);
  // Response sits above the base cover's limit and the deductible.
  EXPECT_DOUBLE_EQ(x.layers[2].attachment_yen, 3'100'000);
  EXPECT_NEAR(
      x.layers[2].expected_loss_yen,
      0.18 * 0.10 * (lognormal_lev(mu(), sigma(), 13.1e6) - lognormal_lev(mu(), sigma(), 3.1e6)),
      1e-6);
  EXPECT_NEAR(x.layers[2].indicated_premium_yen, x.layers[2].expected_loss_yen / 0.55, 1e-6);
  e.tier = 0;  // tier A: frequency x 0.45
  EXPECT_NEAR(expected_losses(tables(), e).layers[1].expected_loss_yen,
              0.45 * x.layers[1].expected_loss_yen, 1e-6);
}

TEST(LossModel, SystemicEventsAddTheirOwnExpectedLoss) {
  const LossModelTable& m = tables().loss_model;
  LossExposure e;
  e.employees = 40;
  e.tier = 2;
  e.bundle_plan = BundlePlan::kUtm;  // exposed to the provider compromise only
  const ExpectedLosses utm = expected_losses(tables(), e);
  const SystemicEventType& provider = m.systemic_events[0];
  const Severity hit(provider.loss_per_company);
  const double expected =
      provider.events_per_year * provider.share_hit * provider.claim_probability[1] * hit.lev(1e6);
  ASSERT_EQ(utm.layers.size(), 1u);
  EXPECT_NEAR(utm.layers[0].systemic_expected_loss_yen, expected, 1e-9);
  EXPECT_NEAR(utm.layers[0].systemic_claim_frequency, 0.01 * 0.2 * 0.9, 1e-15);
  EXPECT_NEAR(utm.layers[0].total_indicated_premium_yen(),
              (utm.layers[0].expected_loss_yen + expected) / m.base_cover_target_loss_ratio, 1e-9);
  e.bundle_plan = BundlePlan::kUtmEdr;  // plus the agent outage, and a ¥3M limit
  const SystemicEventType& outage = m.systemic_events[1];
  const double both = expected / hit.lev(1e6) * hit.lev(3e6) +
                      outage.events_per_year * outage.share_hit * outage.claim_probability[1] *
                          Severity(outage.loss_per_company).lev(3e6);
  EXPECT_NEAR(expected_losses(tables(), e).layers[0].systemic_expected_loss_yen, both, 1e-9);
  e.bundle_plan = BundlePlan::kNone;  // not a subscriber: no systemic exposure, no base cover
  e.top_up.push_back(resolve_selection(tables().top_up, 0, 100'000'000, std::nullopt));
  EXPECT_EQ(expected_losses(tables(), e).layers[0].systemic_expected_loss_yen, 0);
}

TEST(LossModel, MultipliersAndScalesFromTheTable) {
  testing::EditionCopy copy("loss_multipliers");
  copy.edit("loss_model", [](nlohmann::json& j) {
    j["frequency"]["industry_multipliers"] = {{"retail", 1.5}};
    j["severity"]["revenue_band_scales"] = {1, 2, 1, 1, 1, 1, 1, 1};
    j["frequency"]["distribution"] = "negative_binomial";
    j["frequency"]["overdispersion"] = 0.5;
  });
  const auto t = load_edition(copy.dir());
  LossExposure e;
  e.employees = 40;
  e.tier = 2;
  e.bundle_plan = BundlePlan::kUtm;
  e.industry = t->underwriting.industry_index("retail");
  e.revenue_band = 1;
  EXPECT_DOUBLE_EQ(incident_frequency(*t, e), 0.18 * 1.5);
  const ClaimCount n = incident_count(*t, e);
  EXPECT_EQ(n.family(), CountFamily::kNegativeBinomial);
  EXPECT_NEAR(n.variance(), 0.27 + 0.5 * 0.27 * 0.27, 1e-15);
  const ExpectedLosses x = expected_losses(*t, e);
  EXPECT_NEAR(x.layers[0].expected_loss_yen,
              0.27 * 0.10 * lognormal_lev(mu() + std::log(2.0), sigma(), 1e6), 1e-6);
  e.industry = t->underwriting.industry_index("construction");  // not listed: 1.0
  e.revenue_band = -1;  // above the last band: the last band's scale
  EXPECT_DOUBLE_EQ(incident_frequency(*t, e), 0.18);
  EXPECT_NEAR(expected_losses(*t, e).layers[0].expected_loss_yen,
              0.18 * 0.10 * lognormal_lev(mu(), sigma(), 1e6), 1e-6);
}

TEST(LossModel, QuoteLossesShowWhatTheQuoteCharges) {
  // A package of two sections: the multi-section factor applies; the charged column is the
  // quote's annual premium spread over its sections, never the section premiums.
  const Engine& engine = testing::default_engine();
  const QuoteRequest request = testing::worked_example_1(tables());  // three sections: factor 0.95
  const Quote quote = engine.quote(request);
  ASSERT_TRUE(quote.top_up.has_value());
  const QuoteLosses l = quote_losses(request, quote);
  const ChargedPremiums& c = l.charged;
  EXPECT_EQ(c.top_up_annual_yen, quote.top_up->annual_premium_yen);
  EXPECT_EQ(c.package_yen, quote.top_up->package_yen);
  EXPECT_EQ(c.base_cover_annual_yen, quote.base_cover ? quote.base_cover->annual_premium_yen : 0);
  double charged_top_up = 0;
  Yen sections = 0;
  for (std::size_t i = 0; i < l.losses.layers.size(); ++i)
    if (l.losses.layers[i].layer != "base_cover") {
      charged_top_up += c.charged_yen[i];
      sections += c.section_premium_yen[i];
    }
  EXPECT_EQ(sections, quote.top_up->sections_total_yen);
  EXPECT_NEAR(charged_top_up, static_cast<double>(quote.top_up->annual_premium_yen), 1e-6);
  ASSERT_EQ(quote.top_up->sections.size(), 3u);
  EXPECT_LT(charged_top_up, static_cast<double>(sections));  // the package is 5% below the sections
  EXPECT_EQ(exposure_of(request, quote).tier, quote.posture.tier);
}

TEST(LossModel, RejectsBadExposures) {
  LossExposure e;
  e.tier = 9;
  try {
    expected_losses(tables(), e);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "tier");
  }
  e.tier = 0;
  e.employees = 0;
  EXPECT_THROW(expected_losses(tables(), e), Error);
  e.employees = 10;
  e.industry = 99;
  EXPECT_THROW(expected_losses(tables(), e), Error);
  SeverityParams p = lognormal(44000, -1);
  try {
    Severity s(p);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "severity.sigma");
  }
  try {
    ClaimCount::poisson(-0.1);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "frequency.lambda");
  }
}

}  // namespace
}  // namespace cybercover
