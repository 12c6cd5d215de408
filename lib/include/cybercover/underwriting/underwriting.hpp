#pragma once
// Underwriting decision for the top-up (docs/rating_rules.md §3): decline outside the SME / revenue
// appetite, refer on listed risk signals, otherwise accept.

#include <array>
#include <cstdint>
#include <string_view>

#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

enum class DecisionCode : std::uint8_t {
  kNotSme,
  kRevenueOutOfRange,
  kTierEHighLimit,
  kTooManyUnknown,
  kPriorIncidents,
  kLegacyOsUnprotected,
};
inline constexpr int kDecisionCodeCount = 6;
std::string_view to_string(DecisionCode code);

struct Company {
  std::string industry;  // a key of the edition's industries, e.g. "manufacturing"
  std::int64_t employees = 0;
  Yen capital_yen = 0;
  Yen revenue_yen = 0;
  std::int64_t endpoints = 0;
  bool rubber_products = false;
};

// What the refer rules look at besides the company.
struct RiskSignals {
  int tier = 0;
  int unknown_count = 0;
  std::int64_t incidents_3y = 0;
  std::int64_t legacy_os_endpoints = 0;
  UtmStatus utm = UtmStatus::kNone;
  Yen high_limit_section_limit_yen = 0;  // the selected limit of that section, 0 if none
};

struct Decision {
  Outcome outcome = Outcome::kAccept;
  std::array<DecisionCode, kDecisionCodeCount> codes{};  // fired, in manual order
  int code_count = 0;
  bool is_sme = false;
  int sme_category = 0;  // index into UnderwritingTable::sme_categories

  const DecisionCode* begin() const { return codes.data(); }
  const DecisionCode* end() const { return codes.data() + code_count; }
};

// Returns the company's SME category index (rubber products when declared). Throws
// Error{kInput} for company.rubber_products with an industry that has no such category.
int sme_category_of(const UnderwritingTable& table, int industry, bool rubber_products);
// Returns whether capital <= X or employees <= Y for the category.
bool is_sme(const SmeCategory& category, const Company& company);

Decision decide(const UnderwritingTable& table, int industry, const Company& company,
                const RiskSignals& signals);

}  // namespace cybercover
