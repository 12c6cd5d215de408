#include "cybercover/pricing/top_up.hpp"

#include <algorithm>

#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"

namespace cybercover {

std::string_view to_string(SubsidyCode code) {
  switch (code) {
    case SubsidyCode::kNone: return "";
    case SubsidyCode::kNotEffective: return "SUBSIDY_NOT_EFFECTIVE";
    case SubsidyCode::kNotEligible: return "SUBSIDY_NOT_ELIGIBLE";
  }
  return "";
}

std::string_view to_string(RenewalCode code) {
  switch (code) {
    case RenewalCode::kNone: return "";
    case RenewalCode::kWithinCap: return "RENEWAL_WITHIN_CAP";
    case RenewalCode::kIncreaseCapped: return "RENEWAL_INCREASE_CAPPED";
    case RenewalCode::kDecreaseCapped: return "RENEWAL_DECREASE_CAPPED";
    case RenewalCode::kNoCap: return "RENEWAL_NO_CAP";
  }
  return "";
}

RenewalCapQuote cap_renewal(const std::optional<RenewalCap>& cap, Yen uncapped, Yen prior) {
  RenewalCapQuote r;
  r.prior_annual_premium_yen = prior;
  r.uncapped_annual_premium_yen = uncapped;
  if (!cap) {
    r.code = RenewalCode::kNoCap;
    return r;
  }
  r.has_cap = true;
  r.max_increase = cap->max_increase;
  r.max_decrease = cap->max_decrease;
  // ceiling = floor(prior x (1 + increase)), floor = ceil(prior x (1 - decrease)): whole yen,
  // rounded towards the prior premium, so the change never exceeds the table's percentage.
  const Int128 scale = Decimal4::kScale;
  const Int128 up = detail::checked_mul(prior, scale + cap->max_increase.scaled());
  const Int128 down = detail::checked_mul(prior, scale - cap->max_decrease.scaled());
  const Int128 ceiling = floor_div(up, scale), floor = -floor_div(-down, scale);
  if (ceiling > INT64_MAX || floor > INT64_MAX) detail::throw_overflow();
  r.ceiling_yen = static_cast<Yen>(ceiling);
  r.floor_yen = static_cast<Yen>(floor);
  r.code = uncapped > r.ceiling_yen  ? RenewalCode::kIncreaseCapped
           : uncapped < r.floor_yen ? RenewalCode::kDecreaseCapped
                                    : RenewalCode::kWithinCap;
  return r;
}

namespace {
std::string offered_amounts(const std::vector<LimitOption>& rows) {
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : ", ") + std::to_string(r.amount_yen);
  return out;
}
}  // namespace

ResolvedSelection resolve_selection(const TopUpTable& table, int section, Yen limit_yen,
                                    const std::optional<Yen>& deductible_yen) {
  const Section& sec = table.sections[static_cast<std::size_t>(section)];
  ResolvedSelection r;
  r.section = section;
  r.limit_row = sec.limit_row(limit_yen);
  if (r.limit_row < 0)
    throw Error(ErrorCode::kLimitNotOffered, "top_up." + sec.key + ".limit_yen",
                "limit not offered for section " + sec.key + " (offered: " + offered_amounts(sec.limits) + ")",
                std::to_string(limit_yen));
  const Yen deductible = deductible_yen.value_or(sec.default_deductible_yen);
  r.deductible_row = sec.deductible_row(deductible);
  if (r.deductible_row < 0)
    throw Error(ErrorCode::kDeductibleNotOffered, "top_up." + sec.key + ".deductible_yen",
                "deductible not offered for section " + sec.key + " (offered: " + offered_amounts(sec.deductibles) + ")",
                std::to_string(deductible));
  return r;
}

ResolvedSelections resolve_selections(const TopUpTable& table, const std::vector<CoverSelection>& selections) {
  ResolvedSelections out;
  for (const CoverSelection& s : selections) {
    const int section = table.section_index(s.section);
    if (section < 0) {
      std::string known;
      for (const auto& sec : table.sections) known += (known.empty() ? "" : ", ") + sec.key;
      throw Error(ErrorCode::kUnknownSection, "top_up." + s.section, "no such section (offered: " + known + ")");
    }
    for (const auto& prior : out)
      if (prior.section == section) throw Error(ErrorCode::kDuplicateField, "top_up." + s.section, "section selected twice");
    out.push_back(resolve_selection(table, section, s.limit_yen, s.deductible_yen));
  }
  // Report and price sections in table order, whatever order the request used.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.section < b.section; });
  return out;
}

void price_top_up_into(std::optional<TopUpQuote>& out, const TopUpTable& table,
                       const ResolvedSelections& selections, Yen revenue_yen, int industry, int tier,
                       BundlePlan plan, const SubsidyContext& subsidy, const std::optional<Yen>& prior_annual_premium_yen) {
  out.reset();
  if (selections.empty()) return;
  const int band = table.revenue_band(revenue_yen);
  if (band < 0)
    throw Error(ErrorCode::kRevenueAboveBands, "company.revenue_yen", "is above the last revenue band of the top-up table",
                std::to_string(revenue_yen));
  TopUpQuote& q = out.emplace();  // built in place: the record is large
  q.plan = plan;
  for (const ResolvedSelection& r : selections) {
    const Section& sec = table.sections[static_cast<std::size_t>(r.section)];
    SectionQuote& s = q.sections.emplace_back();
    s.section = r.section;
    s.revenue_band = band;
    s.base_premium_yen = table.revenue_bands[static_cast<std::size_t>(band)]
                             .base_premium_yen[static_cast<std::size_t>(r.section)];
    s.industry = industry;
    s.industry_factor = table.industry_factors[static_cast<std::size_t>(industry)];
    s.tier = tier;
    s.tier_factor = table.tier_factors[static_cast<std::size_t>(tier)];
    s.limit_row = r.limit_row;
    s.limit_yen = sec.limits[static_cast<std::size_t>(r.limit_row)].amount_yen;
    s.limit_factor = sec.limits[static_cast<std::size_t>(r.limit_row)].factor;
    s.deductible_row = r.deductible_row;
    s.deductible_yen = sec.deductibles[static_cast<std::size_t>(r.deductible_row)].amount_yen;
    s.deductible_factor = sec.deductibles[static_cast<std::size_t>(r.deductible_row)].factor;
    // Multiply in the order the manual writes, exactly; round once.
    s.has_excess_factor = sec.excess_over_base_cover;
    s.excess_factor = table.excess_factors[static_cast<std::size_t>(plan)];
    const Decimal4 factors[] = {s.industry_factor, s.tier_factor, s.limit_factor, s.deductible_factor, s.excess_factor};
    s.annual_premium_yen = round10_product(s.base_premium_yen, factors, s.has_excess_factor ? 5 : 4);
    q.sections_total_yen += s.annual_premium_yen;
  }
  q.multi_section_factor = table.multi_section_factors[q.sections.size() - 1];
  q.package_yen = round10(rational(q.sections_total_yen).times(q.multi_section_factor));
  q.minimum_applied = q.package_yen < table.minimum_premium_yen;
  q.annual_premium_yen = std::max(q.package_yen, table.minimum_premium_yen);
  if (prior_annual_premium_yen) {
    // A renewal: the cap comes after the minimum premium and before the subsidy.
    const RenewalCapQuote& r = q.renewal.emplace(cap_renewal(table.renewal_cap, q.annual_premium_yen, *prior_annual_premium_yen));
    if (r.code == RenewalCode::kIncreaseCapped) q.annual_premium_yen = r.ceiling_yen;
    if (r.code == RenewalCode::kDecreaseCapped) q.annual_premium_yen = r.floor_yen;
  } else {
    q.renewal.reset();
  }

  q.subsidy_program = subsidy.program;
  if (subsidy.program) {
    const SubsidyProgram& p = *subsidy.program;
    if (!p.in_force.contains(subsidy.quote_date)) {
      q.subsidy_code = SubsidyCode::kNotEffective;
    } else if ((p.requires_sme && !subsidy.is_sme) ||
               (p.requires_security_action && subsidy.security_action == SecurityAction::kNone)) {
      q.subsidy_code = SubsidyCode::kNotEligible;
    } else {
      const Rational share{Int128(p.share_numerator) * q.annual_premium_yen, p.share_denominator};
      q.subsidy_yen = compare(share, rational(p.cap_yen)) < 0 ? floor10(share) : floor10(rational(p.cap_yen));
    }
  }
  q.payable_annual_yen = q.annual_premium_yen - q.subsidy_yen;
  q.monthly_instalment_yen =
      ceil10(rational(q.payable_annual_yen).times(table.instalment_loading).divided_by(table.instalment_months));
}

std::optional<TopUpQuote> price_top_up(const TopUpTable& table, const ResolvedSelections& selections,
                                       Yen revenue_yen, int industry, int tier, BundlePlan plan,
                                       const SubsidyContext& subsidy, const std::optional<Yen>& prior_annual_premium_yen) {
  std::optional<TopUpQuote> out;
  price_top_up_into(out, table, selections, revenue_yen, industry, tier, plan, subsidy, prior_annual_premium_yen);
  return out;
}

}  // namespace cybercover
