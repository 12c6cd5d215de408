// loss_model.json is validated when the edition loads: every bad parameter is rejected with
// the file, the key, the rule and the value, before the model can use it.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using nlohmann::json;

// Loads a copy of the default edition with loss_model.json changed; returns the error.
Error rejected(const std::function<void(json&)>& change) {
  testing::EditionCopy copy("loss_tables");
  copy.edit("loss_model", change);
  try {
    load_edition(copy.dir());
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "the change was accepted";
  return Error(ErrorCode::kCount, "", "");
}

void expect_rejected(const std::function<void(json&)>& change, ErrorCode code,
                     const std::string& key, const std::string& detail) {
  const Error e = rejected(change);
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_NE(e.field().find("loss_model.json: " + key), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find(detail), std::string::npos) << e.what();
}

TEST(LossTables, RejectsBadFrequencies) {
  expect_rejected([](json& j) { j["frequency"]["tier_c_lambda_by_employee_band"][1] = -0.18; },
                  ErrorCode::kTableBelowMinimum, "frequency.tier_c_lambda_by_employee_band[1]",
                  "must be > 0, got -0.18");
  expect_rejected([](json& j) { j["frequency"]["tier_c_lambda_by_employee_band"].erase(0); },
                  ErrorCode::kTableInconsistent, "frequency.tier_c_lambda_by_employee_band",
                  "one frequency per employee band");
  expect_rejected([](json& j) { j["frequency"]["tier_multipliers"]["B"] = 0; },
                  ErrorCode::kTableBelowMinimum, "frequency.tier_multipliers.B", "must be > 0");
  expect_rejected([](json& j) { j["frequency"]["distribution"] = "binomial"; },
                  ErrorCode::kTableInvalidValue, "frequency.distribution",
                  "\"poisson\" or \"negative_binomial\"");
  expect_rejected([](json& j) { j["frequency"]["distribution"] = "negative_binomial"; },
                  ErrorCode::kTableMissingKey, "frequency.overdispersion", "");
  expect_rejected([](json& j) { j["frequency"]["overdispersion"] = 0.5; },
                  ErrorCode::kTableInconsistent, "frequency.overdispersion",
                  "only a negative_binomial frequency");
  expect_rejected(
      [](json& j) {
        j["frequency"]["distribution"] = "negative_binomial";
        j["frequency"]["overdispersion"] = -1;
      },
      ErrorCode::kTableBelowMinimum, "frequency.overdispersion", "must be > 0, got -1");
  expect_rejected(
      [](json& j) {
        j["frequency"]["industry_multipliers"] = {{"mining", 1.2}};
      },
      ErrorCode::kTableUnknownKey, "frequency.industry_multipliers.mining",
      "the industries of underwriting.json");
  expect_rejected(
      [](json& j) {
        j["frequency"]["tier_c_lambda_by_employee_band"][4] = 5;
        j["frequency"]["tier_multipliers"]["E"] = 10;
        j["frequency"]["industry_multipliers"] = {{"retail", 3}};
      },
      ErrorCode::kTableAboveMaximum, "frequency",
      "the largest frequency (band x tier x industry multiplier) is 150");
  // A count the simulation could not draw in full (more than 4,000 claims a company-year) is
  // refused at load rather than cut short: at 100 incidents a year, overdispersion 100 puts
  // about 0.7% of company-years beyond 4,000 claims (Gamma(0.01, scale 10^4) above 4,000).
  const auto at_100_a_year = [](json& j, double overdispersion) {
    j["frequency"]["tier_c_lambda_by_employee_band"][4] = 5;
    j["frequency"]["tier_multipliers"]["E"] = 10;
    j["frequency"]["industry_multipliers"] = {{"retail", 2}};
    j["frequency"]["distribution"] = "negative_binomial";
    j["frequency"]["overdispersion"] = overdispersion;
  };
  expect_rejected([&](json& j) { at_100_a_year(j, 100); }, ErrorCode::kTableAboveMaximum,
                  "frequency.overdispersion", "of more than 4000 claims");
  // Overdispersion 1 at the same frequency leaves P(N > 4000) = (100/101)^4001, about 6e-18.
  testing::EditionCopy geometric("loss_tables_geometric");
  geometric.edit("loss_model", [&](json& j) { at_100_a_year(j, 1); });
  EXPECT_NO_THROW(load_edition(geometric.dir()));
}

TEST(LossTables, RejectsBadSeverities) {
  expect_rejected([](json& j) { j["severity"]["sigma"] = 0; }, ErrorCode::kTableBelowMinimum,
                  "severity.sigma", "must be > 0, got 0");
  expect_rejected([](json& j) { j["severity"]["sigma"] = -2.37; }, ErrorCode::kTableBelowMinimum,
                  "severity.sigma", "got -2.37");
  expect_rejected([](json& j) { j["severity"]["median_yen"] = 0; }, ErrorCode::kTableBelowMinimum,
                  "severity.median_yen", "must be > 0");
  expect_rejected(
      [](json& j) {
        j["severity"] = {{"distribution", "weibull"}};
      },
      ErrorCode::kTableInvalidValue, "severity.distribution",
      "\"lognormal\", \"pareto\" or \"spliced_lognormal_pareto\"");
  expect_rejected(
      [](json& j) {
        j["severity"] = {{"distribution", "pareto"}, {"alpha", 0}, {"scale_yen", 40000}};
      },
      ErrorCode::kTableBelowMinimum, "severity.alpha", "must be > 0, got 0");
  expect_rejected(
      [](json& j) {
        j["severity"] = {{"distribution", "pareto"}, {"alpha", 1.5}, {"scale_yen", -1}};
      },
      ErrorCode::kTableBelowMinimum, "severity.scale_yen", "must be > 0");
  expect_rejected(
      [](json& j) {
        j["severity"] = {
            {"distribution", "pareto"}, {"alpha", 1.5}, {"scale_yen", 1}, {"sigma", 2}};
      },
      ErrorCode::kTableUnknownKey, "severity.sigma", "unknown field");
  auto spliced = [](double threshold) {
    return json{{"distribution", "spliced_lognormal_pareto"},
                {"median_yen", 44000},
                {"sigma", 2.37},
                {"threshold_yen", threshold},
                {"tail_alpha", 1.6}};
  };
  expect_rejected([&](json& j) { j["severity"] = spliced(0); }, ErrorCode::kTableBelowMinimum,
                  "severity.threshold_yen", "must be > 0, got 0");
  expect_rejected([&](json& j) { j["severity"] = spliced(-5e5); }, ErrorCode::kTableBelowMinimum,
                  "severity.threshold_yen", "");
  expect_rejected(
      [&](json& j) {
        j["severity"] = spliced(1e6);
        j["severity"]["body_probability"] = 1;
      },
      ErrorCode::kTableInvalidValue, "severity.body_probability", "strictly between 0 and 1");
  expect_rejected(
      [&](json& j) {
        j["severity"] = spliced(1e6);
        j["severity"]["tail_alpha"] = -1;
      },
      ErrorCode::kTableBelowMinimum, "severity.tail_alpha", "");
  expect_rejected(
      [](json& j) {
        j["severity"]["revenue_band_scales"] = {1, 1};
      },
      ErrorCode::kTableInconsistent, "severity.revenue_band_scales",
      "one scale per revenue band of top_up.json (8), got 2");
  expect_rejected([](json& j) { j["severity"]["revenue_band_scales"] = {1, 1, 1, 1, 1, 1, 1, 0}; },
                  ErrorCode::kTableBelowMinimum, "severity.revenue_band_scales[7]", "");
}

TEST(LossTables, RejectsBadSectionsAndLossRatios) {
  expect_rejected([](json& j) { j["sections"]["response"]["claim_probability"] = 1.1; },
                  ErrorCode::kTableAboveMaximum, "sections.response.claim_probability",
                  "a probability between 0 and 1, got 1.1");
  expect_rejected([](json& j) { j["sections"]["liability"]["claim_probability"] = -0.03; },
                  ErrorCode::kTableBelowMinimum, "sections.liability.claim_probability",
                  "got -0.03");
  expect_rejected([](json& j) { j["sections"].erase("interruption"); }, ErrorCode::kTableMissingKey,
                  "sections", "missing \"interruption\"");
  expect_rejected([](json& j) { j["sections"]["response"]["loss_scale"] = 0; },
                  ErrorCode::kTableBelowMinimum, "sections.response.loss_scale", "");
  expect_rejected([](json& j) { j["target_loss_ratio"]["top_up"] = 0; },
                  ErrorCode::kTableBelowMinimum, "target_loss_ratio.top_up", "must be > 0");
  expect_rejected([](json& j) { j["target_loss_ratio"]["base_cover"] = 1.2; },
                  ErrorCode::kTableAboveMaximum, "target_loss_ratio.base_cover", "at most 1");
}

TEST(LossTables, RejectsBadSystemicEvents) {
  expect_rejected([](json& j) { j["systemic_events"][0]["events_per_year"] = -0.01; },
                  ErrorCode::kTableBelowMinimum, "systemic_events[0].events_per_year",
                  "must be >= 0, got -0.01");
  expect_rejected([](json& j) { j["systemic_events"][0]["share_hit"] = 1.5; },
                  ErrorCode::kTableAboveMaximum, "systemic_events[0].share_hit", "between 0 and 1");
  expect_rejected([](json& j) { j["systemic_events"][1]["scope"] = "industry"; },
                  ErrorCode::kTableInvalidValue, "systemic_events[1].scope",
                  "\"provider\" or \"plan\"");
  expect_rejected(
      [](json& j) {
        j["systemic_events"][1]["plans"] = {"edr", "none"};
      },
      ErrorCode::kTableInvalidValue, "systemic_events[1].plans[1]", "");
  expect_rejected([](json& j) { j["systemic_events"][1]["key"] = "provider_compromise"; },
                  ErrorCode::kTableDuplicate, "systemic_events[1].key", "duplicate event key");
  expect_rejected([](json& j) { j["systemic_events"][0]["claim_probability"]["theft"] = 0.5; },
                  ErrorCode::kTableUnknownKey, "systemic_events[0].claim_probability.theft",
                  "the sections of top_up.json");
  expect_rejected([](json& j) { j["systemic_events"][0]["loss_per_company"]["sigma"] = -1; },
                  ErrorCode::kTableBelowMinimum, "systemic_events[0].loss_per_company.sigma",
                  "must be >= 0");
  expect_rejected(
      [](json& j) { j["systemic_events"][0]["loss_per_company"]["revenue_band_scales"] = {1}; },
      ErrorCode::kTableUnknownKey, "systemic_events[0].loss_per_company.revenue_band_scales", "");
}

TEST(LossTables, LoadsEveryFamily) {
  testing::EditionCopy copy("loss_families");
  copy.edit("loss_model", [](json& j) {
    j["frequency"]["distribution"] = "negative_binomial";
    j["frequency"]["overdispersion"] = 0.8;
    j["severity"] = {{"distribution", "spliced_lognormal_pareto"},
                     {"median_yen", 44000},
                     {"sigma", 2.37},
                     {"threshold_yen", 1e6},
                     {"tail_alpha", 1.6},
                     {"revenue_band_scales", {1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3}}};
    j.erase("systemic_events");
  });
  const auto t = load_edition(copy.dir());
  const LossModelTable& m = t->loss_model;
  EXPECT_EQ(m.frequency_family, FrequencyFamily::kNegativeBinomial);
  EXPECT_DOUBLE_EQ(m.overdispersion, 0.8);
  EXPECT_EQ(m.severity.family, SeverityFamily::kSplicedLognormalPareto);
  // the body weight defaults to the lognormal's own mass below the threshold
  EXPECT_NEAR(m.severity.body_probability, 0.9062415121812679, 1e-12);
  EXPECT_DOUBLE_EQ(m.revenue_scale(6), 2.5);
  EXPECT_DOUBLE_EQ(m.revenue_scale(-1), 3);
  EXPECT_TRUE(m.systemic_events.empty());
  copy.edit("loss_model", [](json& j) {
    j["severity"] = {{"distribution", "pareto"}, {"alpha", 1.4}, {"scale_yen", 40000}};
  });
  EXPECT_EQ(load_edition(copy.dir())->loss_model.severity.family, SeverityFamily::kPareto);
}

}  // namespace
}  // namespace cybercover
