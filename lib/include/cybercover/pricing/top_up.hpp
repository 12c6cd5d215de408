#pragma once
// The optional top-up cover (2階建て, docs/rating_rules.md §5): liability, incident response in excess
// of the base cover, and business interruption, with every factor kept for the audit trail.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cybercover/date.hpp"
#include "cybercover/exact.hpp"
#include "cybercover/fixed_list.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

// One section the request selects.
struct CoverSelection {
  std::string section;  // "liability", "response", "interruption"
  Yen limit_yen = 0;
  std::optional<Yen> deductible_yen;  // omitted: the section's default
};

// A selection checked against the tables: indices into them.
struct ResolvedSelection {
  int section = 0;
  int limit_row = 0;
  int deductible_row = 0;
};

struct SectionQuote {
  int section = 0;        // index into TopUpTable::sections
  Yen limit_yen = 0;
  Yen deductible_yen = 0;
  int revenue_band = 0;   // row (0-based) of the revenue band table
  Yen base_premium_yen = 0;
  int industry = 0;
  Decimal4 industry_factor;
  int tier = 0;
  Decimal4 tier_factor;
  int limit_row = 0;
  Decimal4 limit_factor;
  int deductible_row = 0;
  Decimal4 deductible_factor;
  bool has_excess_factor = false;
  Decimal4 excess_factor;
  Yen annual_premium_yen = 0;  // round10 of the product
};

enum class SubsidyCode : std::uint8_t { kNone, kNotEffective, kNotEligible };
std::string_view to_string(SubsidyCode code);  // "" for kNone

using ResolvedSelections = FixedList<ResolvedSelection, kMaxSections>;

// What the renewal cap did (docs/rating_rules.md §5, renewal capping).
enum class RenewalCode : std::uint8_t {
  kNone,            // no prior premium given: not a renewal
  kWithinCap,       // RENEWAL_WITHIN_CAP: the new premium is within the cap
  kIncreaseCapped,  // RENEWAL_INCREASE_CAPPED: held down to the ceiling
  kDecreaseCapped,  // RENEWAL_DECREASE_CAPPED: held up to the floor
  kNoCap,           // RENEWAL_NO_CAP: the edition caps no renewal
};
std::string_view to_string(RenewalCode code);  // "" for kNone

struct RenewalCapQuote {
  Yen prior_annual_premium_yen = 0;
  Yen uncapped_annual_premium_yen = 0;  // max(package, minimum): the premium before the cap
  bool has_cap = false;                 // the edition has a renewal cap
  Decimal4 max_increase, max_decrease;  // its row (when has_cap)
  Yen ceiling_yen = 0;                  // floor(prior x (1 + max_increase))
  Yen floor_yen = 0;                    // ceil(prior x (1 - max_decrease))
  RenewalCode code = RenewalCode::kNone;
};

struct TopUpQuote {
  TopUpQuote() {}  // user-provided, so optional::emplace() does not zero the section storage

  BundlePlan plan = BundlePlan::kNone;  // the excess factor's row
  FixedList<SectionQuote, kMaxSections> sections;  // in table section order
  Yen sections_total_yen = 0;
  Decimal4 multi_section_factor;
  Yen package_yen = 0;
  bool minimum_applied = false;
  // The renewal cap, when the request gave the prior annual premium: annual_premium_yen is
  // then min(max(uncapped, floor), ceiling).
  std::optional<RenewalCapQuote> renewal;
  Yen annual_premium_yen = 0;
  const SubsidyProgram* subsidy_program = nullptr;  // none named; owned by the tables
  Yen subsidy_yen = 0;
  SubsidyCode subsidy_code = SubsidyCode::kNone;
  Yen payable_annual_yen = 0;
  Yen monthly_instalment_yen = 0;
};

// Checks each selection (known section, offered limit and deductible, no section twice);
// throws Error{kInput} naming top_up.<section>.limit_yen etc. Returns them in table order.
ResolvedSelections resolve_selections(const TopUpTable& table, const std::vector<CoverSelection>& selections);
// Checks one selection of section `section` (an index into the table).
ResolvedSelection resolve_selection(const TopUpTable& table, int section, Yen limit_yen,
                                    const std::optional<Yen>& deductible_yen);

// What the subsidy rules look at.
struct SubsidyContext {
  const SubsidyProgram* program = nullptr;  // nullptr: none named
  Date quote_date;
  bool is_sme = false;
  SecurityAction security_action = SecurityAction::kNone;
};

// Prices the selected sections into `out` (emplaced in place; reset when none is selected).
// `prior_annual_premium_yen`: the renewal's prior annual premium, capped against when the
// table has a renewal cap.
void price_top_up_into(std::optional<TopUpQuote>& out, const TopUpTable& table,
                       const ResolvedSelections& selections, Yen revenue_yen, int industry, int tier,
                       BundlePlan plan, const SubsidyContext& subsidy,
                       const std::optional<Yen>& prior_annual_premium_yen = std::nullopt);

// Prices the selected sections; nullopt when none is selected.
std::optional<TopUpQuote> price_top_up(const TopUpTable& table, const ResolvedSelections& selections,
                                       Yen revenue_yen, int industry, int tier, BundlePlan plan,
                                       const SubsidyContext& subsidy,
                                       const std::optional<Yen>& prior_annual_premium_yen = std::nullopt);

// The renewal cap of an uncapped annual premium against the prior one (exact; the bounds are
// whole yen that never let the change exceed the table's percentages).
RenewalCapQuote cap_renewal(const std::optional<RenewalCap>& cap, Yen uncapped_annual_premium_yen,
                            Yen prior_annual_premium_yen);

}  // namespace cybercover
