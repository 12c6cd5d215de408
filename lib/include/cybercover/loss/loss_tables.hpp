#pragma once
// The loss model's table (loss_model.json): frequency, severity, per-section claims, target
// loss ratios and systemic (accumulation) events. Loaded and validated with the edition; every
// parameter is checked at load, so the model itself never meets a bad one.

#include <cstdint>
#include <string>
#include <vector>

#include "cybercover/types.hpp"

namespace cybercover {

enum class FrequencyFamily : std::uint8_t {
  kPoisson,           // Var(N) = E[N]
  kNegativeBinomial,  // Var(N) = E[N] + overdispersion x E[N]^2 (size r = 1 / overdispersion)
};

enum class SeverityFamily : std::uint8_t {
  kLognormal,  // median exp(mu), shape sigma
  kPareto,     // Pareto type II (Lomax, actuar's "pareto"): S(x) = (scale / (x + scale))^alpha
  kSplicedLognormalPareto,  // lognormal body up to the threshold, single-parameter Pareto tail
                            // above
};

// One ground-up cost distribution. Only the fields of its family are meaningful.
struct SeverityParams {
  SeverityFamily family = SeverityFamily::kLognormal;
  double median_yen = 0;     // lognormal and spliced body: exp(mu)
  double sigma = 0;          // lognormal and spliced body (> 0); 0 only for a fixed systemic loss
  double alpha = 0;          // Pareto shape; spliced tail index
  double scale_yen = 0;      // Pareto (Lomax) scale theta
  double threshold_yen = 0;  // spliced: where the Pareto tail starts
  double body_probability = 0;  // spliced: P(X <= threshold); the lognormal's own cdf by default
};

// One kind of systemic event (a flaw or outage at a managed UTM/EDR provider, a faulty agent
// update...): it strikes every subscriber of a provider, or of some plans, at once.
enum class SystemicScope : std::uint8_t {
  kProvider,  // events per year per provider; an event hits a share of that provider's subscribers
  kPlan,  // events per year in the market; an event hits a share of the listed plans' subscribers
};

struct SystemicEventType {
  std::string key;
  SystemicScope scope = SystemicScope::kProvider;
  std::vector<BundlePlan> plans;  // subscribers exposed (every plan but none by default)
  double events_per_year = 0;
  double share_hit = 0;             // probability that one event hits a given exposed subscriber
  SeverityParams loss_per_company;  // ground-up cost at a company hit
  std::vector<double> claim_probability;  // by top-up section index: a hit becomes a claim
};

struct LossModelTable {
  FrequencyFamily frequency_family = FrequencyFamily::kPoisson;
  double overdispersion = 0;                       // negative binomial only (> 0)
  std::vector<double> frequency_by_employee_band;  // tier-C incidents a year
  std::vector<double> tier_multipliers;            // by tier index
  std::vector<double> industry_multipliers;        // by industry index (1.0 unless the table says)
  SeverityParams severity;                         // ground-up cost of one incident
  std::vector<double> revenue_band_scales;         // by top-up revenue band (1.0 unless given)
  std::vector<double> claim_probability;           // by section index
  std::vector<double> loss_scale;                  // by section index
  double base_cover_target_loss_ratio = 0;
  double top_up_target_loss_ratio = 0;
  std::vector<SystemicEventType> systemic_events;  // none unless the table lists some

  // The revenue band's severity scale; a revenue above the last band uses the last band's.
  double revenue_scale(int revenue_band) const {
    if (revenue_band_scales.empty()) return 1.0;
    const auto last = revenue_band_scales.size() - 1;
    return revenue_band_scales[revenue_band < 0 ? last : static_cast<std::size_t>(revenue_band)];
  }
};

}  // namespace cybercover
