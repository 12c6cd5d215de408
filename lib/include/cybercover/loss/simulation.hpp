#pragma once
// Monte Carlo of a book over many years: independent incidents and systemic events, per-claim
// limits and deductibles, annual aggregates; annual losses per layer, tier and plan, with and
// without the systemic events, and the largest occurrence of each year.
//
// Reproducible: every random number comes from a counter-based stream keyed by (seed, company
// key, year) or (seed, event type, provider, year), and every sum is an integer sum of
// whole-yen payments. The same seed gives bit-identical results for any thread count and any
// split of the companies into parts (merge the parts' totals). Memory is O(companies + years).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cybercover/loss/book.hpp"

namespace cybercover {

struct SimulationOptions {
  int years = 10000;  // >= 1
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = all cores; the result does not depend on it
  // Called on the calling thread about ten times a second with the company-years done and
  // the total. It may throw to stop the simulation: the exception propagates.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// The additive part of a simulation: per-year sums over the companies simulated. Two parts
// of one book (same seed, years and edition, disjoint company keys) merge into exactly the
// totals of the whole.
struct SimulationTotals {
  int years = 0;
  std::uint64_t seed = 0;
  std::string edition, sha256;
  std::vector<std::string> layers;  // "base_cover", then the sections in table order
  std::vector<std::string> tiers;   // tier names, best first
  std::vector<std::string> plans;   // "none", "utm", "edr", "utm_edr"
  std::uint64_t companies = 0;
  std::vector<std::uint64_t> company_keys;  // sorted (parts must not share a company)

  // Annual losses in yen from independent incidents, year-major: [year x layers + layer]...
  std::vector<std::int64_t> layer_loss_yen;  // years x layers
  std::vector<std::int64_t> tier_loss_yen;   // years x tiers (all layers)
  std::vector<std::int64_t> plan_loss_yen;   // years x plans (all layers)
  // ...and what systemic events add to them (the annual aggregates shared with the incidents).
  std::vector<std::int64_t> layer_systemic_yen;
  std::vector<std::int64_t> tier_systemic_yen;
  std::vector<std::int64_t> plan_systemic_yen;
  // The year's largest incident: its payments on all layers after per-claim terms, before the
  // annual aggregates (the occurrence loss of the OEP curve without systemic events).
  std::vector<std::int64_t> max_incident_yen;  // years
  // Systemic events that hit at least one company of the part: key, year, and the payments
  // they caused (per-claim terms, before annual aggregates), sorted by key.
  std::vector<std::uint64_t> event_key;
  std::vector<std::int32_t> event_year;
  std::vector<std::int32_t> event_type;  // index into the table's systemic_events
  std::vector<std::int64_t> event_paid_yen;

  // What the companies are charged a year (exact sums of the quotes' premiums).
  std::vector<std::int64_t> layer_premium_yen;  // base: annual premiums; sections: shares, rounded
  std::vector<std::int64_t> tier_premium_yen;   // base + top-up
  std::vector<std::int64_t> plan_premium_yen;
  std::vector<std::int64_t> layer_companies;  // companies with the layer

  // Adds another part of the same book. Throws Error{kInput} naming what differs (seed, years,
  // edition) or the first company key both parts hold.
  void merge(const SimulationTotals& other);
};

// Simulates the book's companies for options.years years.
// Example:
//   SimulationOptions o;
//   o.years = 100000;
//   o.seed = 7;
//   const SimulationTotals totals = simulate(book, o);
//   const SimulationSummary s = summarize(totals);
SimulationTotals simulate(const LossBook& book, const SimulationOptions& options);

// ---- statistics ------------------------------------------------------------------------------

// Empirical tail measures of one annual series, with standard errors: of the mean
// sd / sqrt(n); of VaR from the order statistics k -+ sqrt(n p (1 - p)) (half their distance);
// of TVaR (the mean of the worst (1 - p) n years) sqrt((Var(tail) + p (TVaR - VaR)^2) / ((1 - p)
// n)).
struct TailStats {
  double mean = 0, sd = 0, se_mean = 0;
  double var_99 = 0, var_99_5 = 0, tvar_99 = 0, tvar_99_5 = 0;
  double se_var_99 = 0, se_var_99_5 = 0, se_tvar_99 = 0, se_tvar_99_5 = 0;
};
TailStats tail_stats(std::vector<double> annual);

struct SeriesSummary {
  std::string name;       // "total", "base_cover", a section key, "top_up"
  bool systemic = false;  // with systemic events
  TailStats stats;
  double premium_yen = 0;  // charged a year (0 for none)
  // P(annual loss > premium) and its standard error (for pools with a premium)
  double probability_loss_exceeds_premium = 0, se_probability = 0;
};

struct CurvePoint {
  double return_period_years = 0;  // 1 / exceedance probability
  double loss_yen = 0;
};

struct LossRatioSummary {
  std::string group;  // a tier name or a plan
  bool systemic = false;
  double premium_yen = 0;
  double mean = 0, sd = 0, se_mean = 0;
  double p05 = 0, p50 = 0, p95 = 0, p99_5 = 0;
};

struct SimulationSummary {
  int years = 0;
  std::uint64_t seed = 0;
  std::uint64_t companies = 0;
  std::vector<SeriesSummary> series;          // without, then with systemic events
  std::vector<CurvePoint> aep, aep_systemic;  // annual total
  std::vector<CurvePoint> oep, oep_systemic;  // the year's largest occurrence
  std::vector<LossRatioSummary> by_tier, by_plan;
};

// The return periods of the curves: 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000 years (those
// the number of years can show).
SimulationSummary summarize(const SimulationTotals& totals);

// Annual series from the totals (doubles in yen, one per year).
std::vector<double> annual_total(const SimulationTotals& totals, bool systemic);
std::vector<double> annual_layer(const SimulationTotals& totals, std::size_t layer, bool systemic);
std::vector<double> annual_max_occurrence(const SimulationTotals& totals, bool systemic);

}  // namespace cybercover
