#include "tables/premium_bounds.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"

namespace cybercover::detail {

namespace {

// Upper bounds in exact integers that saturate at 2^120 instead of overflowing, so that
// "larger than the limit" is decided exactly however absurd the table.
constexpr Int128 kSaturated = Int128{1} << 120;

Int128 mul(Int128 a, Int128 b) {
  Int128 r;
  if (__builtin_mul_overflow(a, b, &r) || r > kSaturated) return kSaturated;
  return r;
}
Int128 add(Int128 a, Int128 b) { return std::min(a + b, kSaturated); }  // both <= 2^120: no overflow
// ceil(amount x f): rounding up keeps it an upper bound of every rounding the manual uses.
Int128 times(Int128 amount, Decimal4 f) {
  const Int128 num = mul(amount, f.mantissa());
  return num >= kSaturated ? kSaturated : (num + f.denominator() - 1) / f.denominator();
}

std::string yen_text(Int128 v) {
  if (v >= kSaturated) return "more than 10^36";
  std::string digits;
  for (Int128 x = v; x > 0 || digits.empty(); x /= 10) digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(x % 10)));
  return digits;
}

[[noreturn]] void overflow(const std::string& field, const std::string& what, Int128 worst) {
  throw Error(ErrorCode::kTableOverflow, field,
              what + " reaches " + yen_text(worst) + " yen for a request within the contract's bounds; premiums must stay within " +
                  std::to_string(kMaxPremiumYen) + " yen");
}

Decimal4 largest_value(const std::vector<Decimal4>& factors) { return *std::max_element(factors.begin(), factors.end()); }
std::int64_t largest_mantissa(const std::vector<Decimal4>& factors) {
  std::int64_t m = 1;
  for (Decimal4 f : factors) m = std::max(m, f.mantissa());
  return m;
}
std::vector<Decimal4> factors_of(const std::vector<LimitOption>& rows) {
  std::vector<Decimal4> out;
  for (const auto& r : rows) out.push_back(r.factor);
  return out;
}

void prove_base_cover(const BaseCoverTable& b, const std::string& file) {
  const Decimal4 tier = largest_value(b.tier_factors);
  for (BundlePlan plan : {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr}) {
    const BasePlan& p = b.plans[static_cast<std::size_t>(plan)];
    if (!p.offered) continue;
    const std::string at = file + ": plans." + std::string(to_string(plan));
    Int128 band = 0;
    for (Yen r : p.rate_by_employee_band) band = std::max<Int128>(band, r);
    // rate = max(band rate + per endpoint x covered, minimum), covered <= the contract's bound
    const Int128 rate =
        std::max<Int128>(add(band, mul(p.rate_per_covered_endpoint_yen, bounds::kMaxEndpoints)), p.rate_minimum_yen);
    if (rate > kMaxPremiumYen)
      overflow(at + ".monthly_rate", "the monthly rate with " + std::to_string(bounds::kMaxEndpoints) + " covered endpoints", rate);
    const Int128 annual = mul(b.months_per_year, times(rate, tier));
    if (annual > kMaxPremiumYen)
      overflow(at + ".monthly_rate", "the annual premium at the largest tier factor (" + tier.to_string() + ")", annual);
    const Int128 cap = add(p.cap_fixed_yen, mul(p.cap_per_covered_endpoint_yen, bounds::kMaxEndpoints));
    if (cap > kMaxPremiumYen)
      overflow(at + ".price_cap", "the price cap with " + std::to_string(bounds::kMaxEndpoints) + " covered endpoints", cap);
  }
}

void prove_top_up(const TopUpTable& t, const std::string& file) {
  const std::vector<Decimal4> excess(t.excess_factors.begin(), t.excess_factors.end());
  std::vector<Int128> worst;  // the largest annual premium of each section
  for (std::size_t s = 0; s < t.sections.size(); ++s) {
    const Section& sec = t.sections[s];
    // The manual's product, in its order: base x industry x tier x limit x deductible [x excess].
    std::vector<std::vector<Decimal4>> steps = {t.industry_factors, t.tier_factors, factors_of(sec.limits),
                                                factors_of(sec.deductibles)};
    if (sec.excess_over_base_cover) steps.push_back(excess);
    std::size_t band = 0;
    for (std::size_t b = 0; b < t.revenue_bands.size(); ++b)
      if (t.revenue_bands[b].base_premium_yen[s] > t.revenue_bands[band].base_premium_yen[s]) band = b;
    const std::string at = file + ": revenue_bands[" + std::to_string(band) + "].base_premium_yen." + sec.key;
    const Yen base = t.revenue_bands[band].base_premium_yen[s];
    Int128 value = base, numerator = base;
    for (const auto& step : steps) {
      value = times(value, largest_value(step));
      numerator = mul(numerator, largest_mantissa(step));
    }
    // The exact product keeps numerator / denominator in 128 bits (room for the rounding).
    if (numerator >= kSaturated || value > kMaxPremiumYen)
      overflow(at, "the section's annual premium at the largest industry, tier, limit, deductible and excess factors", value);
    worst.push_back(value);
  }
  // k sections: the k largest premiums times the factor for k sections.
  std::sort(worst.begin(), worst.end(), std::greater<>());
  Int128 sum = 0;
  for (std::size_t k = 0; k < worst.size(); ++k) {
    sum = add(sum, worst[k]);
    const Int128 package = std::max<Int128>(times(sum, t.multi_section_factors[k]), t.minimum_premium_yen);
    if (package > kMaxPremiumYen)
      overflow(file + ": multi_section_factors[" + std::to_string(k) + "]",
               "the package premium of " + std::to_string(k + 1) + " sections", package);
    const Int128 instalment = times(package, t.instalment_loading) / t.instalment_months + 10;
    if (instalment > kMaxPremiumYen) overflow(file + ": instalment.loading", "the monthly instalment", instalment);
  }
}

}  // namespace

void prove_premiums_fit(const RatingTables& tables, const TableFilePaths& paths) {
  prove_base_cover(tables.base_cover, paths.base_cover);
  prove_top_up(tables.top_up, paths.top_up);
}

}  // namespace cybercover::detail
