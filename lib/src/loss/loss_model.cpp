#include "cybercover/loss/loss_model.hpp"

#include <algorithm>
#include <cmath>

#include "cybercover/error.hpp"
#include "detail/parallel.hpp"

namespace cybercover {

namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double base_limit(const RatingTables& t, BundlePlan plan) {
  return plan == BundlePlan::kNone ? 0.0 : static_cast<double>(t.base_cover.plans[static_cast<std::size_t>(plan)].limit_yen);
}

double lambda_of(const RatingTables& t, const LossExposure& e) {
  const LossModelTable& m = t.loss_model;
  const int band = t.base_cover.employee_band(e.employees);
  return m.frequency_by_employee_band[static_cast<std::size_t>(band)] * m.tier_multipliers[static_cast<std::size_t>(e.tier)];
}

int response_section(const RatingTables& t) {
  for (std::size_t s = 0; s < t.top_up.sections.size(); ++s)
    if (t.top_up.sections[s].excess_over_base_cover) return static_cast<int>(s);
  return -1;
}

void check_exposure(const RatingTables& t, const LossExposure& e) {
  if (e.employees < 1) throw Error(ErrorCode::kBelowMinimum, "employees", "must be an integer >= 1", std::to_string(e.employees));
  if (e.tier < 0 || static_cast<std::size_t>(e.tier) >= t.posture.tiers.size())
    throw Error(ErrorCode::kUnknownValue, "tier", "must be a tier of the edition", "index " + std::to_string(e.tier));
}

// SplitMix64: a small, portable generator, so a seed gives the same numbers on every platform
// and standard library (std:: distributions are not specified bit for bit).
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }  // (0, 1)
  double normal() {  // Box-Muller, one value per call
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  int poisson(double lambda) {  // Knuth: lambda is small (well under 10) here
    const double limit = std::exp(-lambda);
    int k = 0;
    double p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }
};

}  // namespace

double lognormal_lev(double mu, double sigma, double d) {
  if (d <= 0) return 0.0;
  if (std::isinf(d)) return std::exp(mu + sigma * sigma / 2);
  const double z = (std::log(d) - mu) / sigma;
  return std::exp(mu + sigma * sigma / 2) * normal_cdf(z - sigma) + d * (1.0 - normal_cdf(z));
}

ExpectedLosses expected_losses(const RatingTables& t, const LossExposure& e) {
  check_exposure(t, e);
  const LossModelTable& m = t.loss_model;
  const double mu = std::log(m.severity_median_yen), sigma = m.severity_sigma;
  ExpectedLosses out;
  out.incident_frequency = lambda_of(t, e);
  const int response = response_section(t);
  const double base = base_limit(t, e.bundle_plan);
  if (base > 0 && response >= 0) {
    // The base cover pays min(X, A) on each response claim (scale of the response section).
    const double p = m.claim_probability[static_cast<std::size_t>(response)];
    const double smu = mu + std::log(m.loss_scale[static_cast<std::size_t>(response)]);
    LayerLoss l;
    l.layer = "base_cover";
    l.claim_frequency = out.incident_frequency * p;
    l.limit_yen = base;
    l.expected_loss_yen = l.claim_frequency * lognormal_lev(smu, sigma, base);
    l.indicated_premium_yen = l.expected_loss_yen / m.base_cover_target_loss_ratio;
    out.layers.push_back(l);
  }
  for (const ResolvedSelection& sel : e.top_up) {
    const Section& sec = t.top_up.sections[static_cast<std::size_t>(sel.section)];
    const auto s = static_cast<std::size_t>(sel.section);
    const double smu = mu + std::log(m.loss_scale[s]);
    LayerLoss l;
    l.layer = sec.key;
    l.claim_frequency = out.incident_frequency * m.claim_probability[s];
    l.attachment_yen = (sec.excess_over_base_cover ? base : 0.0) +
                       static_cast<double>(sec.deductibles[static_cast<std::size_t>(sel.deductible_row)].amount_yen);
    l.limit_yen = static_cast<double>(sec.limits[static_cast<std::size_t>(sel.limit_row)].amount_yen);
    l.expected_loss_yen = l.claim_frequency * (lognormal_lev(smu, sigma, l.attachment_yen + l.limit_yen) -
                                               lognormal_lev(smu, sigma, l.attachment_yen));
    l.indicated_premium_yen = l.expected_loss_yen / m.top_up_target_loss_ratio;
    out.layers.push_back(l);
  }
  return out;
}

SimulationResult simulate_portfolio(const RatingTables& t, const std::vector<LossExposure>& portfolio,
                                    const SimulationOptions& options) {
  if (options.years < 1) throw Error(ErrorCode::kBelowMinimum, "years", "must be at least 1", std::to_string(options.years));
  for (const auto& e : portfolio) check_exposure(t, e);
  const LossModelTable& m = t.loss_model;
  const std::size_t sections = t.top_up.sections.size();
  const std::size_t layers = sections + 1;  // 0 = base cover, 1 + s = section s
  const auto years = static_cast<std::size_t>(options.years);
  const double mu = std::log(m.severity_median_yen), sigma = m.severity_sigma;
  const int response = response_section(t);

  // Each thread accumulates annual layer totals for its companies; each company draws from
  // its own stream (seed, company), so the sums do not depend on how companies are split.
  const std::size_t threads = detail::worker_count(options.threads, portfolio.size(), 1);
  // Payments are whole yen, so the totals are integer sums: exact in any grouping.
  std::vector<std::vector<std::int64_t>> partial(threads, std::vector<std::int64_t>(years * layers, 0));
  auto work = [&](std::size_t th) {
    std::vector<std::int64_t>& totals = partial[th];
    for (std::size_t c = th; c < portfolio.size(); c += threads) {
      const LossExposure& e = portfolio[c];
      Random rng{options.seed * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(c) + 1) * 0xD1B54A32D192ED03ULL};
      const double lambda = lambda_of(t, e);
      const double base = base_limit(t, e.bundle_plan);
      // Layer terms for this company: attachment + deductible and limit per selected section.
      std::vector<int> selected(sections, -1);
      std::vector<double> attach(sections, 0), limit(sections, 0);
      for (std::size_t k = 0; k < e.top_up.size(); ++k) {
        const auto s = static_cast<std::size_t>(e.top_up[k].section);
        const Section& sec = t.top_up.sections[s];
        selected[s] = 1;
        attach[s] = (sec.excess_over_base_cover ? base : 0.0) +
                    static_cast<double>(sec.deductibles[static_cast<std::size_t>(e.top_up[k].deductible_row)].amount_yen);
        limit[s] = static_cast<double>(sec.limits[static_cast<std::size_t>(e.top_up[k].limit_row)].amount_yen);
      }
      std::vector<double> used(sections, 0);
      for (std::size_t y = 0; y < years; ++y) {
        double base_used = 0;
        std::fill(used.begin(), used.end(), 0.0);
        auto paid = [](double yen) { return static_cast<double>(std::llround(yen)); };
        const int incidents = rng.poisson(lambda);
        for (int i = 0; i < incidents; ++i) {
          const double x = std::exp(mu + sigma * rng.normal());
          for (std::size_t s = 0; s < sections; ++s) {
            if (rng.uniform() >= m.claim_probability[s]) continue;  // drawn for every section: streams stay aligned
            const double loss = x * m.loss_scale[s];
            if (static_cast<int>(s) == response && base > 0) {
              const double pay = paid(std::min(std::min(loss, base), base - base_used));
              base_used += pay;
              totals[y * layers] += static_cast<std::int64_t>(pay);
            }
            if (selected[s] < 0) continue;
            const double pay = paid(std::min(std::min(std::max(loss - attach[s], 0.0), limit[s]), limit[s] - used[s]));
            used[s] += pay;
            totals[y * layers + 1 + s] += static_cast<std::int64_t>(pay);
          }
        }
      }
    }
  };
  detail::run_workers(threads, work);
  std::vector<std::int64_t> totals(years * layers, 0);
  for (const auto& p : partial)
    for (std::size_t i = 0; i < totals.size(); ++i) totals[i] += p[i];

  SimulationResult r;
  r.years = options.years;
  r.seed = options.seed;
  r.annual_total_yen.assign(years, 0.0);
  std::vector<double> closed(layers, 0.0);
  for (const auto& e : portfolio)
    for (const auto& l : expected_losses(t, e).layers) {
      if (l.layer == "base_cover") closed[0] += l.expected_loss_yen;
      else closed[1 + static_cast<std::size_t>(t.top_up.section_index(l.layer))] += l.expected_loss_yen;
    }
  for (std::size_t l = 0; l < layers; ++l) {
    LayerSimulation ls;
    ls.layer = l == 0 ? "base_cover" : t.top_up.sections[l - 1].key;
    double sum = 0, sum_sq = 0;
    for (std::size_t y = 0; y < years; ++y) {
      const auto v = static_cast<double>(totals[y * layers + l]);
      sum += v;
      sum_sq += v * v;
      r.annual_total_yen[y] += v;
    }
    ls.mean_yen = sum / static_cast<double>(years);
    ls.std_dev_yen = years > 1 ? std::sqrt(std::max(0.0, (sum_sq - sum * sum / static_cast<double>(years)) / static_cast<double>(years - 1))) : 0.0;
    ls.closed_form_yen = closed[l];
    r.layers.push_back(ls);
  }
  double total = 0;
  for (double v : r.annual_total_yen) total += v;
  r.mean_total_yen = total / static_cast<double>(years);
  std::vector<double> sorted = r.annual_total_yen;
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.995 * static_cast<double>(years))) - 1;
  r.quantile_99_5_total_yen = sorted[std::min(rank, years - 1)];
  return r;
}

}  // namespace cybercover
