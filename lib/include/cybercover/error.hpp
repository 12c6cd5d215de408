#pragma once
// The one exception type of the library. Every failure carries a stable code (one per rule),
// names the request field or table key it is about, quotes the offending value (escaped and
// cut short), and, where the door knows it, the location: data row, the row's id, the column.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cybercover {

// What kind of failure an Error is; the first part of its code.
enum class ErrorKind {
  kInput,      // a request (or a column, a CSV file) breaks the request contract
  kTable,      // a rating table file is missing, malformed or inconsistent
  kNoEdition,  // no table edition is in force on the quote date, or none has that id
  kIo,         // a file could not be read or written
};

// One code per rule. The spelling (to_string) is stable: programs and the HTTP API branch on
// it, and docs/errors.md documents every code. New codes are appended; none is ever reused.
enum class ErrorCode : std::uint16_t {
  // ---- input: one request
  kMalformedJson,            // input.malformed_json
  kRequestTooLarge,          // input.too_large
  kTooDeep,                  // input.too_deep
  kMissing,                  // input.missing
  kUnknownField,             // input.unknown_field
  kDuplicateField,           // input.duplicate_field
  kWrongType,                // input.wrong_type
  kNotInteger,               // input.not_integer
  kNumberOutOfRange,         // input.number_out_of_range
  kNotFinite,                // input.not_finite
  kBelowMinimum,             // input.below_minimum
  kAboveMaximum,             // input.above_maximum
  kUnknownValue,             // input.unknown_value
  kInvalidDate,              // input.invalid_date
  kDateOutOfRange,           // input.date_out_of_range
  kUnknownIndustry,          // input.unknown_industry
  kUnknownItem,              // input.unknown_item
  kUnknownSection,           // input.unknown_section
  kLimitNotOffered,          // input.limit_not_offered
  kDeductibleNotOffered,     // input.deductible_not_offered
  kUnknownSubsidyProgram,    // input.unknown_subsidy_program
  kPlanNotOffered,           // input.plan_not_offered
  kNaNotAllowed,             // input.na_not_allowed
  kNoApplicableItem,         // input.no_applicable_item
  kEdrWithoutEndpoints,      // input.edr_without_endpoints
  kEdrWithoutCovered,        // input.edr_without_covered_endpoints
  kCoveredAboveEndpoints,    // input.covered_above_endpoints
  kLegacyAboveEndpoints,     // input.legacy_above_endpoints
  kInstalledAfterQuoteDate,  // input.installed_after_quote_date
  kPlanRequiresManagedUtm,   // input.plan_requires_managed_utm
  kPlanRequiresManagedEdr,   // input.plan_requires_managed_edr
  kServicePriceWithoutPlan,  // input.service_price_without_plan
  kRubberProductsIndustry,   // input.rubber_products_industry
  kRevenueAboveBands,        // input.revenue_above_bands
  // ---- input: columns, CSV files and whole-portfolio options
  kUnknownColumn,            // input.unknown_column
  kDuplicateColumn,          // input.duplicate_column
  kMissingColumn,            // input.missing_column
  kColumnShape,              // input.column_shape
  kColumnType,               // input.column_type
  kMixedQuestionnaires,      // input.mixed_questionnaires
  kWrongFieldCount,          // input.wrong_field_count
  kUnbalancedQuote,          // input.unbalanced_quote
  kEmptyInput,               // input.empty_input
  kBadOption,                // input.bad_option
  kBatchTooLarge,            // input.batch_too_large
  // ---- no_edition
  kNotInForce,               // no_edition.not_in_force
  kUnknownEdition,           // no_edition.unknown_edition
  // ---- table
  kTableMalformedJson,       // table.malformed_json
  kTableMissingFile,         // table.missing_file
  kTableMissingKey,          // table.missing_key
  kTableUnknownKey,          // table.unknown_key
  kTableDuplicate,           // table.duplicate
  kTableWrongType,           // table.wrong_type
  kTableNotInteger,          // table.not_integer
  kTableNumberOutOfRange,    // table.number_out_of_range
  kTableBelowMinimum,        // table.below_minimum
  kTableAboveMaximum,        // table.above_maximum
  kTableInvalidValue,        // table.invalid_value
  kTableNotIncreasing,       // table.not_increasing
  kTableInconsistent,        // table.inconsistent
  kTableOverlappingEditions, // table.overlapping_editions
  kTableOverflow,            // table.overflow
  kTableTooLarge,            // table.too_large
  // ---- io
  kIoCannotRead,             // io.cannot_read
  kIoNotADirectory,          // io.not_a_directory
  kIoCannotWrite,            // io.cannot_write
  kIoSameFile,               // io.same_file
  kCount                     // not a code: the number of codes
};

// Returns the stable name of a kind ("input") or of a code ("input.below_minimum").
const char* to_string(ErrorKind kind) noexcept;
const char* to_string(ErrorCode code) noexcept;
ErrorKind kind_of(ErrorCode code) noexcept;

// Every code with its kind and the rule it stands for (docs/errors.md is checked against it).
struct ErrorCodeInfo {
  ErrorCode code;
  const char* name;
  const char* rule;
};
const std::vector<ErrorCodeInfo>& error_codes();

// Where a value was, when the door knows it (a CSV file, a DataFrame, a batch of requests).
struct ErrorLocation {
  std::size_t row = 0;  // 1-based data row (a CSV header is not counted); 0 = not known
  std::string id;       // the row's `id` value, when the input has one
  std::string column;   // the column name (CSV header, DataFrame label)

  bool empty() const { return row == 0 && id.empty() && column.empty(); }
};

// Longest value (in bytes of its rendering) an error message quotes; longer ones are cut.
inline constexpr std::size_t kMaxQuotedValueBytes = 80;

// Renders text as a double-quoted string for a message: quotes, backslashes and control
// characters (ESC, CR, LF, NUL...) escaped, invalid UTF-8 as \xNN, cut at a character
// boundary after kMaxQuotedValueBytes with "..." and the full length. Example:
//   quote_for_message("a\nb") == "\"a\\nb\""
std::string quote_for_message(std::string_view text);
// The same escaping without quotes, for values that are already rendered (a JSON number as
// written, a compact JSON object): never lets a control character into a message.
std::string sanitize_for_message(std::string_view rendered, std::size_t max_bytes = kMaxQuotedValueBytes);

// Thrown for every library failure. what() reads
//   [cybercover.input.below_minimum] company.employees: must be an integer >= 1, got -3
// and, where known, ends with the location: (row 3, id "A-7", column "employees").
// Example:
//   try { engine.quote(request); }
//   catch (const cybercover::Error& e) { if (e.code() == ErrorCode::kBelowMinimum) ...; }
class Error : public std::runtime_error {
 public:
  // `field`: the request field as a JSON path ("company.employees"), a column, or for tables
  // "file: key". `detail`: the rule broken ("must be an integer >= 1"). `value`: the
  // offending value already rendered for a message (quote_for_message, a JSON number as
  // written...), shown after ", got "; empty = no value shown.
  Error(ErrorCode code, std::string field, std::string detail, std::string value = {},
        ErrorLocation location = {});

  ErrorCode code() const noexcept { return code_; }
  ErrorKind kind() const noexcept { return kind_of(code_); }
  const std::string& field() const noexcept { return field_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& value() const noexcept { return value_; }
  const ErrorLocation& location() const noexcept { return location_; }
  // The message without its location: the part every door gives alike for the same value.
  std::string message() const;
  // Returns this error at `location` (fields of `location` left empty keep this error's).
  Error at(const ErrorLocation& location) const;

 private:
  ErrorCode code_;
  std::string field_;
  std::string detail_;
  std::string value_;
  ErrorLocation location_;
};

}  // namespace cybercover
