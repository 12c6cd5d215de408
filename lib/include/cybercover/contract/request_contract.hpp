#pragma once
// The request contract: every field of a quote request, defined once for every door (JSON text,
// the C++ QuoteRequest, portfolio columns, CSV files, pandas/numpy). Each door fills the same
// checked arguments through the same checks, so a bad value gets the same error whatever door
// it came through; docs/request_contract.md is generated from this table (and a test checks it).
//
// Example: list the fields a CSV may have, with their bounds.
//   for (const cybercover::FieldSpec& f : cybercover::request_fields())
//     std::cout << f.column << " " << f.min << ".." << f.max << "\n";

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/date.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

struct RatingTables;

// How a field's value is written.
enum class FieldType : std::uint8_t {
  kDate,      // "YYYY-MM-DD" (a datetime64[D] or a date in the columnar doors)
  kInteger,   // a count or an amount of yen; an integral number (80.0) is accepted
  kNumber,    // a decimal number (the phishing click rate)
  kBoolean,   // true / false
  kLabel,     // one of a fixed list of spellings ("managed")
  kTableKey,  // a key that the edition's tables define (an industry, a subsidy programme)
  kAnswer,    // an assessment answer ("yes", ..., "na" where the item allows it)
};
const char* to_string(FieldType type) noexcept;

// Where the values a field allows come from.
enum class ValueSource : std::uint8_t {
  kBounds,           // any value within [min, max]
  kSpellings,        // the fixed spellings of the field
  kIndustries,       // underwriting.json industries
  kBundlePlans,      // the plans base_cover.json offers (and "none")
  kSubsidyPrograms,  // subsidies.json programmes
  kLimits,           // top_up.json: the section's limits (columns: 0 = not selected)
  kDeductibles,      // top_up.json: the section's deductibles
  kItems,            // questionnaire.json: the answers each item allows
};

// The fields, in contract order: the order every door checks them in, so that a request with
// several faults gets the same (first) error from every door. Rules that relate fields
// (covered endpoints above endpoints, a plan without its controls...) are checked after all
// fields, in the order docs/request_contract.md lists them.
enum class Field : std::uint8_t {
  kQuoteDate,
  kIndustry,
  kEmployees,
  kCapitalYen,
  kRevenueYen,
  kEndpoints,
  kRubberProducts,
  kSecurityAction,
  kAnswer,  // one per questionnaire item: answers.<item id>, column <item id>
  kUtm,
  kEdrStatus,
  kEdrCoveredEndpoints,
  kEdrInstalledOn,
  kLegacyOsEndpoints,
  kPhishingClickRate,
  kIncidents3y,
  kBundlePlan,
  kTopUpLimit,       // one per top-up section: top_up.<section>.limit_yen
  kTopUpDeductible,  // one per top-up section: top_up.<section>.deductible_yen
  kSubsidyProgram,
  kServiceMonthlyPrice,
  kPriorAnnualPremium,  // a renewal's prior top-up premium, for the renewal cap
  kCount  // not a field
};

// Bounds of every count and amount. They are wide enough for any real company and narrow
// enough that every exact product the engine forms stays within 64 bits (issue: hardening).
namespace bounds {
inline constexpr std::int64_t kMaxEmployees = 1'000'000;
inline constexpr std::int64_t kMaxEndpoints = 10'000'000;
inline constexpr std::int64_t kMaxYen = 1'000'000'000'000'000;          // ¥10^15: capital, revenue
inline constexpr std::int64_t kMaxCoverYen = 1'000'000'000'000'000;     // limits and deductibles
inline constexpr std::int64_t kMaxMonthlyPriceYen = 1'000'000'000'000;  // ¥10^12 a month
inline constexpr std::int64_t kMaxIncidents = 1'000;
// Every date of a request lies within these (inclusive).
inline constexpr std::string_view kMinDateText = "1900-01-01";
inline constexpr std::string_view kMaxDateText = "2199-12-31";
Date min_date();
Date max_date();
}  // namespace bounds

struct FieldSpec {
  Field field;
  std::string_view json_path;  // "company.employees"; "{item}" / "{section}" stand for the key
  std::string_view column;     // CSV header and DataFrame column: "employees"
  FieldType type;
  bool required;               // a request without it is an error
  std::string_view when_absent;  // what an absent optional field means
  std::int64_t min = 0, max = 0;  // inclusive bounds of an integer field
  std::string_view min_text, max_text;  // the bounds as written (dates, the click rate)
  std::vector<std::string_view> spellings;  // a kLabel or kAnswer field's fixed spellings
  ValueSource source = ValueSource::kBounds;
  std::string_view description;
};

// Every field, in contract order (Field order).
const std::vector<FieldSpec>& request_fields();
const FieldSpec& field_spec(Field field);

// The JSON path and the column of one field; `key` is the item id or the section key of the
// per-item and per-section fields. Example: json_path(Field::kTopUpLimit, "liability") ==
// "top_up.liability.limit_yen", column_name(Field::kTopUpLimit, "liability") == "liability_limit_yen".
std::string json_path(Field field, std::string_view key = {});
std::string column_name(Field field, std::string_view key = {});

// The column of a field named by its JSON path ("top_up.liability.limit_yen" ->
// "liability_limit_yen", "answers.D01.1" -> "D01.1"); empty when no column holds it.
std::string column_for_field(std::string_view json_path);

// The values an edition allows for a field, as they are spelled in a request: industries,
// plans, programmes, a section's limits or deductibles (`key` = section), an item's answers
// (`key` = item id); for kLabel fields the fixed spellings. Empty for kBounds fields.
std::vector<std::string> allowed_values(const RatingTables& tables, Field field, std::string_view key = {});

// The columns of a portfolio CSV or DataFrame for an edition, in contract order (item and
// section columns expanded), plus the optional "id" column first.
std::vector<std::string> portfolio_columns(const RatingTables& tables);

}  // namespace cybercover
