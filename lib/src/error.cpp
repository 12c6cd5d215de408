#include "cybercover/error.hpp"

#include <array>

namespace cybercover {

namespace {

// In ErrorCode order (a static_assert and a unit test keep them aligned).
const std::array<ErrorCodeInfo, static_cast<std::size_t>(ErrorCode::kCount)> kCodes = {{
    {ErrorCode::kMalformedJson, "input.malformed_json", "The request text is not one JSON value; the message gives the line and column."},
    {ErrorCode::kRequestTooLarge, "input.too_large", "The request is longer than the size limit (1 MiB by default; it was not parsed) or holds more JSON values than the limit (16,384)."},
    {ErrorCode::kTooDeep, "input.too_deep", "The request nests arrays or objects deeper than the parser allows."},
    {ErrorCode::kMissing, "input.missing", "A required field is absent, null, an empty cell or a missing value (NaN, NaT, None)."},
    {ErrorCode::kUnknownField, "input.unknown_field", "A field that the request contract does not define."},
    {ErrorCode::kDuplicateField, "input.duplicate_field", "A field (or an item's answer, or a top-up section) given twice."},
    {ErrorCode::kWrongType, "input.wrong_type", "A value of the wrong type: a string where a number is required, a number where a string is, and so on."},
    {ErrorCode::kNotInteger, "input.not_integer", "A number with a fractional part where an integer (a count, an amount of yen) is required."},
    {ErrorCode::kNumberOutOfRange, "input.number_out_of_range", "A number beyond what a 64-bit integer or a double holds (2^63, 1e400)."},
    {ErrorCode::kNotFinite, "input.not_finite", "NaN or an infinity where a number is required."},
    {ErrorCode::kBelowMinimum, "input.below_minimum", "A number below the field's lower bound (docs/request_contract.md gives every bound)."},
    {ErrorCode::kAboveMaximum, "input.above_maximum", "A number above the field's upper bound (docs/request_contract.md gives every bound)."},
    {ErrorCode::kUnknownValue, "input.unknown_value", "A value that is not one of the field's spellings (an answer, a UTM or EDR status, a plan...)."},
    {ErrorCode::kInvalidDate, "input.invalid_date", "Not a calendar date written \"YYYY-MM-DD\" (or a date-time with a time of day)."},
    {ErrorCode::kDateOutOfRange, "input.date_out_of_range", "A date outside the contract's range of dates."},
    {ErrorCode::kUnknownIndustry, "input.unknown_industry", "An industry key that the edition's underwriting table does not list."},
    {ErrorCode::kUnknownItem, "input.unknown_item", "An answer for an item id that the edition's questionnaire does not have."},
    {ErrorCode::kUnknownSection, "input.unknown_section", "A top-up section that the edition does not offer."},
    {ErrorCode::kLimitNotOffered, "input.limit_not_offered", "A top-up limit that is not a row of the section's limit table."},
    {ErrorCode::kDeductibleNotOffered, "input.deductible_not_offered", "A top-up deductible that is not a row of the section's deductible table."},
    {ErrorCode::kUnknownSubsidyProgram, "input.unknown_subsidy_program", "A subsidy programme id that the edition does not list."},
    {ErrorCode::kPlanNotOffered, "input.plan_not_offered", "A bundle plan that the edition's base-cover table does not offer."},
    {ErrorCode::kNaNotAllowed, "input.na_not_allowed", "\"na\" for an item that does not allow it."},
    {ErrorCode::kNoApplicableItem, "input.no_applicable_item", "Every item was answered \"na\": no score can be computed."},
    {ErrorCode::kEdrWithoutEndpoints, "input.edr_without_endpoints", "An EDR status other than none for a company with 0 endpoints."},
    {ErrorCode::kEdrWithoutCovered, "input.edr_without_covered_endpoints", "An EDR status other than none with fewer than 1 covered endpoint."},
    {ErrorCode::kCoveredAboveEndpoints, "input.covered_above_endpoints", "More EDR-covered endpoints than the company has endpoints."},
    {ErrorCode::kLegacyAboveEndpoints, "input.legacy_above_endpoints", "More end-of-support endpoints than the company has endpoints."},
    {ErrorCode::kInstalledAfterQuoteDate, "input.installed_after_quote_date", "A managed EDR installed after the quote date."},
    {ErrorCode::kPlanRequiresManagedUtm, "input.plan_requires_managed_utm", "A bundle plan that includes a managed UTM, with a UTM that is not managed."},
    {ErrorCode::kPlanRequiresManagedEdr, "input.plan_requires_managed_edr", "A bundle plan that includes a managed EDR, with an EDR that is not managed."},
    {ErrorCode::kServicePriceWithoutPlan, "input.service_price_without_plan", "A service price with bundle plan none."},
    {ErrorCode::kRubberProductsIndustry, "input.rubber_products_industry", "rubber_products true for an industry that has no rubber-products SME category."},
    {ErrorCode::kRevenueAboveBands, "input.revenue_above_bands", "A revenue above the last revenue band of the top-up table."},
    {ErrorCode::kUnknownColumn, "input.unknown_column", "A CSV or DataFrame column that the request contract does not define."},
    {ErrorCode::kDuplicateColumn, "input.duplicate_column", "A CSV or DataFrame column given twice."},
    {ErrorCode::kMissingColumn, "input.missing_column", "A required column is absent from the CSV header or the DataFrame."},
    {ErrorCode::kColumnShape, "input.column_shape", "A column or answers matrix of the wrong length or number of dimensions."},
    {ErrorCode::kColumnType, "input.column_type", "A column whose type cannot hold the field (a float column for a label field, booleans for counts...)."},
    {ErrorCode::kMixedQuestionnaires, "input.mixed_questionnaires", "Answer columns for rows that span editions with different questionnaires."},
    {ErrorCode::kWrongFieldCount, "input.wrong_field_count", "A CSV record with more or fewer fields than the header."},
    {ErrorCode::kUnbalancedQuote, "input.unbalanced_quote", "A CSV field with an unbalanced or stray double quote."},
    {ErrorCode::kEmptyInput, "input.empty_input", "An input with no header row, or a path that is not a regular file."},
    {ErrorCode::kBadOption, "input.bad_option", "A whole-call option (a subsidy programme, a section list, a thread count) that no row can be priced with."},
    {ErrorCode::kBatchTooLarge, "input.batch_too_large", "A batch of requests holds more than its bound (POST /v1/quotes: 1,000 requests)."},
    {ErrorCode::kNotInForce, "no_edition.not_in_force", "No table edition is in force on the quote date."},
    {ErrorCode::kUnknownEdition, "no_edition.unknown_edition", "No loaded edition has the requested id."},
    {ErrorCode::kTableMalformedJson, "table.malformed_json", "A table file is not one JSON value."},
    {ErrorCode::kTableMissingFile, "table.missing_file", "A table file of the edition is missing."},
    {ErrorCode::kTableMissingKey, "table.missing_key", "A required key of a table is missing."},
    {ErrorCode::kTableUnknownKey, "table.unknown_key", "A key that the table schema does not define (docs/tables.md)."},
    {ErrorCode::kTableDuplicate, "table.duplicate", "A key, id, name or amount that must be unique appears twice."},
    {ErrorCode::kTableWrongType, "table.wrong_type", "A table value of the wrong type."},
    {ErrorCode::kTableNotInteger, "table.not_integer", "A table value with a fraction where an integer is required."},
    {ErrorCode::kTableNumberOutOfRange, "table.number_out_of_range", "A table number beyond what a 64-bit integer or a double holds."},
    {ErrorCode::kTableBelowMinimum, "table.below_minimum", "A table value below its lower bound."},
    {ErrorCode::kTableAboveMaximum, "table.above_maximum", "A table value above its upper bound."},
    {ErrorCode::kTableInvalidValue, "table.invalid_value", "A table value that breaks a rule of its own (odd points, too many decimals, an unknown reference...)."},
    {ErrorCode::kTableNotIncreasing, "table.not_increasing", "Rows that must be unique and increasing (bands, limits, tiers) are not."},
    {ErrorCode::kTableInconsistent, "table.inconsistent", "Tables that disagree with each other (edition ids, dates, point totals, band counts)."},
    {ErrorCode::kTableOverlappingEditions, "table.overlapping_editions", "Two editions in force on the same day, or sharing an id."},
    {ErrorCode::kTableOverflow, "table.overflow", "A table whose premiums could overflow exact integer arithmetic."},
    {ErrorCode::kTableTooLarge, "table.too_large", "A table file larger than the loader's limits (64 MiB, 2^20 JSON values)."},
    {ErrorCode::kIoCannotRead, "io.cannot_read", "A file or directory could not be opened or read."},
    {ErrorCode::kIoNotADirectory, "io.not_a_directory", "A path that must be a directory is not one."},
    {ErrorCode::kIoCannotWrite, "io.cannot_write", "An output file could not be written."},
    {ErrorCode::kIoSameFile, "io.same_file", "The output file is the input file (the same file, whatever the path)."},
}};

std::string hex_byte(unsigned char c) {
  static const char* kHex = "0123456789abcdef";
  return std::string{'\\', 'x', kHex[c >> 4], kHex[c & 15]};
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;                                   // overlong
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;               // overlong
  if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;              // surrogate
  if (n == 4 && (c > 0xF4 || (c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;
  return n;
}

// Escapes `text` into `out` until `budget` bytes of output; returns the input bytes consumed.
std::size_t escape_into(std::string_view text, std::string& out, std::size_t budget, bool escape_quotes) {
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::string piece;
    std::size_t step = 1;
    if (c == '"' && escape_quotes) piece = "\\\"";
    else if (c == '\\' && escape_quotes) piece = "\\\\";
    else if (c == '\n') piece = "\\n";
    else if (c == '\r') piece = "\\r";
    else if (c == '\t') piece = "\\t";
    else if (c < 0x20 || c == 0x7F) piece = hex_byte(c);
    else if (c < 0x80) piece = std::string(1, static_cast<char>(c));
    else if (const std::size_t n = utf8_length(text, i); n > 0) {
      // C1 controls (U+0080-U+009F) are escaped too: some terminals act on them.
      if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0)
        piece = "\\u00" + hex_byte(static_cast<unsigned char>(text[i + 1])).substr(2);
      else
        piece = std::string(text.substr(i, n));
      step = n;
    } else {
      piece = hex_byte(c);
    }
    if (out.size() + piece.size() > budget) break;
    out += piece;
    i += step;
  }
  return i;
}

std::string format_message(const Error& e) {
  std::string m = std::string("[cybercover.") + to_string(e.code()) + "] ";
  if (!e.field().empty()) m += e.field() + ": ";
  m += e.detail();
  if (!e.value().empty()) m += ", got " + e.value();
  return m;
}

std::string format_location(const ErrorLocation& l) {
  std::string parts;
  auto add = [&](const std::string& p) { parts += (parts.empty() ? "" : ", ") + p; };
  if (l.row) add("row " + std::to_string(l.row));
  if (!l.id.empty()) add("id " + quote_for_message(l.id));
  if (!l.column.empty()) add("column " + quote_for_message(l.column));
  return parts.empty() ? "" : " (" + parts + ")";
}

}  // namespace

static_assert(kCodes.size() == static_cast<std::size_t>(ErrorCode::kCount));

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kInput: return "input";
    case ErrorKind::kTable: return "table";
    case ErrorKind::kNoEdition: return "no_edition";
    case ErrorKind::kIo: return "io";
  }
  return "unknown";
}

const char* to_string(ErrorCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < kCodes.size() ? kCodes[i].name : "unknown";
}

ErrorKind kind_of(ErrorCode code) noexcept {
  if (code < ErrorCode::kNotInForce) return ErrorKind::kInput;
  if (code < ErrorCode::kTableMalformedJson) return ErrorKind::kNoEdition;
  if (code < ErrorCode::kIoCannotRead) return ErrorKind::kTable;
  return ErrorKind::kIo;
}

const std::vector<ErrorCodeInfo>& error_codes() {
  static const std::vector<ErrorCodeInfo> codes(kCodes.begin(), kCodes.end());
  return codes;
}

std::string quote_for_message(std::string_view text) {
  std::string out = "\"";
  const std::size_t consumed = escape_into(text, out, kMaxQuotedValueBytes + 1, true);
  out += '"';
  if (consumed < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string sanitize_for_message(std::string_view rendered, std::size_t max_bytes) {
  std::string out;
  const std::size_t consumed = escape_into(rendered, out, max_bytes, false);
  if (consumed < rendered.size()) out += "... (" + std::to_string(rendered.size()) + " bytes)";
  return out;
}

Error::Error(ErrorCode code, std::string field, std::string detail, std::string value, ErrorLocation location)
    : std::runtime_error(""),
      code_(code),
      // Fields and details can hold user text too (an unknown key, a file name): the same
      // escaping keeps control characters out of every message, and its length bounded.
      field_(sanitize_for_message(field, 240)),
      detail_(sanitize_for_message(detail, 2000)),
      value_(sanitize_for_message(value, 2 * kMaxQuotedValueBytes)),
      location_(std::move(location)) {
  static_cast<std::runtime_error&>(*this) = std::runtime_error(format_message(*this) + format_location(location_));
}

std::string Error::message() const { return format_message(*this); }

Error Error::at(const ErrorLocation& location) const {
  ErrorLocation merged = location_;
  if (location.row) merged.row = location.row;
  if (!location.id.empty()) merged.id = location.id;
  if (!location.column.empty()) merged.column = location.column;
  return Error(code_, field_, detail_, value_, std::move(merged));
}

}  // namespace cybercover
