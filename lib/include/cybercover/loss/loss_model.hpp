#pragma once
// The loss model behind the prices (docs/rating_rules.md §6), for actuaries: expected losses per
// layer in closed form, and a seeded Monte Carlo simulation of a portfolio that applies the annual
// aggregates too. Figures are model estimates in yen (doubles), not premiums to the yen.

#include <cstdint>
#include <string>
#include <vector>

#include "cybercover/pricing/top_up.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

// One company as the loss model sees it.
struct LossExposure {
  std::int64_t employees = 1;
  int tier = 0;  // index into PostureTable::tiers
  BundlePlan bundle_plan = BundlePlan::kNone;
  ResolvedSelections top_up;  // sections with limit and deductible rows
};

struct LayerLoss {
  std::string layer;          // "base_cover" or a section key
  double claim_frequency = 0;  // expected claims a year on this layer (lambda x p)
  double attachment_yen = 0;   // where the layer starts (base limit for response; plus deductible)
  double limit_yen = 0;
  double expected_loss_yen = 0;     // per-claim limits only (closed form)
  double indicated_premium_yen = 0;  // expected loss / target loss ratio
};

struct ExpectedLosses {
  double incident_frequency = 0;  // lambda: incidents a year
  std::vector<LayerLoss> layers;  // base cover first (if any), then top-up sections in table order
};

// Returns E[min(X, d)] for X lognormal(mu, sigma): the limited expected value.
double lognormal_lev(double mu, double sigma, double d);

// Expected annual loss per layer with per-claim limits only, as the manual's closed form:
// lambda x p x (LEV(att + ded + limit) - LEV(att + ded)) of the section's scaled lognormal.
ExpectedLosses expected_losses(const RatingTables& t, const LossExposure& exposure);

struct SimulationOptions {
  int years = 10000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = all cores; the result does not depend on it
};

struct LayerSimulation {
  std::string layer;
  double mean_yen = 0;      // mean annual portfolio loss on the layer
  double std_dev_yen = 0;   // of the annual portfolio loss
  double closed_form_yen = 0;  // sum of the closed-form expectations (no aggregate cap)
};

struct SimulationResult {
  int years = 0;
  std::uint64_t seed = 0;
  std::vector<LayerSimulation> layers;   // "base_cover", then each section key
  std::vector<double> annual_total_yen;  // the portfolio's total loss each year (all layers)
  double mean_total_yen = 0;
  double quantile_99_5_total_yen = 0;    // the 1-in-200 year
};

// Simulates the portfolio year by year: Poisson incidents, lognormal ground-up costs, per
// section claims with their probabilities, per-claim and annual aggregate limits. The same
// seed gives the same result on any thread count (each company has its own random stream).
SimulationResult simulate_portfolio(const RatingTables& t, const std::vector<LossExposure>& portfolio,
                                    const SimulationOptions& options);

}  // namespace cybercover
