#pragma once
// One edition of the rating tables, loaded and validated once, then immutable and shared
// by any number of threads. Every number of the rate manual lives here, none in code.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/date.hpp"
#include "cybercover/exact.hpp"
#include "cybercover/loss/loss_tables.hpp"  // LossModelTable (loss_model.json)
#include "cybercover/remediation/remediation_table.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

namespace detail {
struct CompiledQuestionnaire;
}

// ---- questionnaire (questionnaire.json) -------------------------------------------------
struct Domain {
  int number = 0;
  std::string key, name_ja, name_en;
};

struct Item {
  std::string id;  // "Dnn.m"
  int domain = 0;  // domain number
  int number = 0;  // item number within the domain
  int points = 0;
  std::optional<int> ipa_no;
  bool allow_na = false;
  SecurityAction security_action = SecurityAction::kNone;  // tag: which declaration answers it
  std::string question_ja, question_en, measure_ja, measure_en;
};

struct Questionnaire {
  std::vector<Domain> domains;  // in domain-number order
  std::vector<Item> items;      // in (domain, item) order
  // Credit of yes/partial/no/unknown as a 4-place decimal (index by Answer).
  std::array<Decimal4, 6> credit{};
  int max_score = 0;     // scale of the score; item points sum to it
  int total_points = 0;  // the sum of the item points (equal to max_score)

  // Derived when the edition loads, for the steps that use it (the scoring layout, the JSON
  // fragments): not part of the data model. Opaque; a copy of the questionnaire (an edition
  // being edited) is compiled afresh when used, so it can never be stale.
  std::shared_ptr<const detail::CompiledQuestionnaire> compiled;

  // Returns the index of the item with this id, or -1 (binary search: items are in order).
  int item_index(std::string_view id) const;
  // Returns the index into `domains` of a domain number, or -1.
  int domain_index(int number) const;
};

// ---- posture and tiers (posture.json) ---------------------------------------------------
struct Tier {
  std::string name;                    // "A"
  std::optional<std::int64_t> min_index;  // lowest posture index of the tier; nullopt = catch-all
};

struct PostureTable {
  std::int64_t utm_managed = 0, utm_unmanaged = 0;
  std::int64_t edr_managed_max = 0, edr_learning_max = 0, edr_self_managed_max = 0;
  std::int32_t edr_learning_days = 0;  // d < this is the learning period
  std::int64_t legacy_os = 0;
  Decimal4 phishing_low_max_rate, phishing_high_above_rate;
  std::int64_t phishing_low = 0, phishing_high = 0;
  std::int64_t prior_incident_points = 0;  // per incident (negative)
  std::int64_t prior_incidents_max_counted = 0;
  std::int64_t floor = 0;
  std::vector<Tier> tiers;  // best first, min_index strictly decreasing, last is catch-all

  // Returns the tier index for a posture index.
  int tier_for(std::int64_t index) const;
};

// ---- underwriting (underwriting.json) ---------------------------------------------------
struct SmeCategory {
  std::string key;
  Yen capital_max_yen = 0;
  std::int64_t employees_max = 0;
};

struct Industry {
  std::string key;
  int sme_category = 0;                 // index into UnderwritingTable::sme_categories
  std::optional<int> rubber_category;   // category when rubber_products is true
};

struct UnderwritingTable {
  std::vector<SmeCategory> sme_categories;
  std::vector<Industry> industries;
  Yen revenue_max_yen = 0;
  // Refer rules.
  std::vector<int> high_limit_tiers;  // tier indices for TIER_E_HIGH_LIMIT
  int high_limit_section = 0;         // section index the limit rule looks at
  Yen high_limit_above_yen = 0;
  std::int64_t too_many_unknown_min = 0;
  std::int64_t prior_incidents_min = 0;
  std::int64_t legacy_os_min = 0;

  int industry_index(std::string_view key) const;
};

// ---- embedded base cover (base_cover.json) ----------------------------------------------
struct BasePlan {
  bool offered = false;
  Yen limit_yen = 0;
  bool requires_managed_utm = false;
  bool requires_managed_edr = false;
  std::vector<Yen> rate_by_employee_band;  // empty: no band part
  Yen rate_per_covered_endpoint_yen = 0;
  Yen rate_minimum_yen = 0;
  Yen cap_fixed_yen = 0;
  Yen cap_per_covered_endpoint_yen = 0;
};

struct BaseCoverTable {
  std::vector<std::int64_t> employee_band_max;  // upper bounds; last is open (INT64_MAX)
  std::array<BasePlan, kBundlePlanCount> plans;  // index by BundlePlan; kNone not offered
  std::vector<Decimal4> tier_factors;            // by tier index
  std::int64_t months_per_year = 12;             // annual = months x monthly

  int employee_band(std::int64_t employees) const;
};

// ---- optional top-up (top_up.json) ------------------------------------------------------
struct LimitOption {
  Yen amount_yen = 0;
  Decimal4 factor;
};

struct Section {
  std::string key;  // "liability"
  std::string name_ja;
  std::vector<LimitOption> limits;       // increasing amount
  std::vector<LimitOption> deductibles;  // increasing amount
  Yen default_deductible_yen = 0;
  bool excess_over_base_cover = false;

  // Returns the row of a limit/deductible amount, or -1.
  int limit_row(Yen amount) const;
  int deductible_row(Yen amount) const;
};

struct RevenueBand {
  Yen max_revenue_yen = 0;
  std::vector<Yen> base_premium_yen;  // by section index
};

// How far a renewal's premium may move from the prior year's (top_up.json: renewal_cap).
struct RenewalCap {
  Decimal4 max_increase;  // 0.25: at most +25% (the new premium <= floor(prior x 1.25))
  Decimal4 max_decrease;  // 0.20: at most -20% (the new premium >= ceil(prior x 0.80))
};

struct TopUpTable {
  std::vector<Section> sections;
  std::vector<RevenueBand> revenue_bands;          // increasing max; band 1 starts at 0
  std::vector<Decimal4> industry_factors;          // by industry index
  std::vector<Decimal4> tier_factors;              // by tier index
  std::array<Decimal4, kBundlePlanCount> excess_factors{};  // by BundlePlan
  std::vector<Decimal4> multi_section_factors;     // [n-1] for n sections
  Yen minimum_premium_yen = 0;
  Decimal4 instalment_loading;
  std::int64_t instalment_months = 12;
  std::optional<RenewalCap> renewal_cap;  // none: renewals are priced like new business

  int section_index(std::string_view key) const;
  // Returns the band index for a revenue, or -1 above the last band.
  int revenue_band(Yen revenue) const;
};

// ---- subsidies (subsidies.json) ---------------------------------------------------------
struct SubsidyProgram {
  std::string id;
  std::int64_t share_numerator = 0, share_denominator = 1;
  Yen cap_yen = 0;
  DateRange in_force;
  bool requires_sme = true;
  bool requires_security_action = true;
};

// One complete, validated edition.
struct RatingTables {
  std::string edition;
  DateRange in_force;
  std::string sha256;  // over the edition's files, see docs/rating_rules.md §0
  std::string source_dir;
  std::map<std::string, std::string> files;  // the table files as loaded: name -> bytes

  Questionnaire questionnaire;
  PostureTable posture;
  UnderwritingTable underwriting;
  BaseCoverTable base_cover;
  TopUpTable top_up;
  std::vector<SubsidyProgram> subsidies;
  LossModelTable loss_model;
  RemediationTable remediation;

  const SubsidyProgram* find_subsidy(std::string_view id) const;
};

// Loads and validates one edition directory (every *.json file in it).
// Throws Error{kTable} naming the file, the key and the reason; Error{kIo} if unreadable.
// Example:
//   auto tables = cybercover::load_edition("rating_tables/2026-12");
std::shared_ptr<const RatingTables> load_edition(const std::string& edition_dir);

// Loads an edition from file contents (name -> bytes), e.g. shipped inside a pickle.
// `edition_dir` is only used to name files in errors.
std::shared_ptr<const RatingTables> load_edition_from_files(
    const std::map<std::string, std::string>& files, const std::string& edition_dir);

}  // namespace cybercover
