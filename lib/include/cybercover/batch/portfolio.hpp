#pragma once
// Prices a whole portfolio from columns (numpy arrays, a DataFrame, a CSV chunk) on all cores.
// Every row goes through the same checked arguments and the same pricing steps as
// Engine::quote, so a row's figures equal the single quote's to the yen and a bad row gets the
// single quote's error (with its row), whatever the thread count.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cybercover/error.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover {

// A row that failed, and why; `row` is its index in the columns (0-based), the error's
// location carries the 1-based data row.
struct RowError {
  std::size_t row = 0;
  Error error;
};

// Column codes: the enum values (Answer: 0 unanswered, 1 yes, 2 partial, 3 no, 4 unknown,
// 5 na; UtmStatus/EdrStatus/BundlePlan/SecurityAction likewise). Dates are days since
// 1970-01-01 (numpy datetime64[D]). Pointers marked optional may be null.
struct PortfolioColumns {
  std::size_t rows = 0;
  // The data row number of the first row (a CSV chunk starts further down the file): errors
  // name rows first_row, first_row + 1, ...
  std::size_t first_row = 1;

  // The quote date of every row, or per row (optional; overrides quote_date).
  Date quote_date;
  const std::int64_t* quote_day = nullptr;

  const std::uint8_t* answers = nullptr;  // rows x answer_columns, row-major
  std::size_t answer_columns = 0;         // must equal the edition's item count
  const std::uint8_t* security_action = nullptr;  // optional: none

  const std::int32_t* industry = nullptr;  // index into industry_keys
  std::vector<std::string> industry_keys;  // the codes' meaning (e.g. a pandas Categorical)
  const std::int64_t* employees = nullptr;
  const std::int64_t* capital_yen = nullptr;
  const std::int64_t* revenue_yen = nullptr;
  const std::int64_t* endpoints = nullptr;
  const std::uint8_t* rubber_products = nullptr;  // optional: false

  const std::uint8_t* utm = nullptr;
  const std::uint8_t* edr_status = nullptr;
  const std::int64_t* edr_covered_endpoints = nullptr;  // optional when no row has an EDR
  const std::int64_t* edr_installed_day = nullptr;      // optional; kNoDay = none
  const std::int64_t* legacy_os_endpoints = nullptr;
  const double* phishing_click_rate = nullptr;           // optional; NaN = not measured
  const std::int64_t* incidents_3y = nullptr;

  const std::uint8_t* bundle_plan = nullptr;
  // Top-up choices by section key: limit 0 = section not selected; deductible kDefault = the
  // section's default.
  struct SectionColumns {
    std::string section;
    const std::int64_t* limit_yen = nullptr;
    const std::int64_t* deductible_yen = nullptr;  // optional
  };
  std::vector<SectionColumns> top_up;
  // The subsidy programme of every row (optional), or per row: an index into
  // subsidy_program_ids, kNone = none (optional; overrides subsidy_program).
  std::optional<std::string> subsidy_program;
  const std::int32_t* subsidy_program_code = nullptr;
  std::vector<std::string> subsidy_program_ids;
  const std::int64_t* service_monthly_price_yen = nullptr;  // optional; kNone = not given
  const std::int64_t* prior_annual_premium_yen = nullptr;   // optional; kNone = not a renewal

  // Rows a door already found bad while converting its input (a CSV cell, a pandas value):
  // they are not priced, and their errors join the result's in row order. Sorted by row.
  std::vector<RowError> failed_rows;

  static constexpr std::int64_t kNoDay = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t kDefault = -1;
  static constexpr std::int64_t kNone = -1;
};

// A result column: `size()` values of T. Its storage is the library's (fresh columns are not
// zero-filled, and large ones sit on huge pages); it moves, and copies, like a vector.
template <typename T>
class ResultColumn {
 public:
  ResultColumn() = default;
  ResultColumn(const ResultColumn& other);
  ResultColumn& operator=(const ResultColumn& other);
  ResultColumn(ResultColumn&&) noexcept = default;
  ResultColumn& operator=(ResultColumn&&) noexcept = default;
  ~ResultColumn() = default;

  // Makes room for n values, left unset (the batch writes every one).
  void resize_uninitialized(std::size_t n);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  friend bool operator==(const ResultColumn& a, const ResultColumn& b) {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i)
      if (!(a[i] == b[i])) return false;
    return true;
  }
  friend bool operator!=(const ResultColumn& a, const ResultColumn& b) { return !(a == b); }

 private:
  struct Release {
    std::size_t bytes = 0;
    void operator()(T* p) const noexcept;
  };
  std::unique_ptr<T[], Release> data_;
  std::size_t size_ = 0;
};

// One output column per figure; absent figures are 0 with their presence flag cleared.
struct PortfolioResult {
  std::size_t rows = 0;
  ResultColumn<std::uint8_t> ok;  // 1 = priced, 0 = error (see errors)
  ResultColumn<std::int32_t> score, unknown_count;
  ResultColumn<std::int64_t> posture_index;
  ResultColumn<std::int8_t> tier;       // index into tier_names; -1 on an error row
  ResultColumn<std::int8_t> outcome;    // Outcome; -1 on an error row
  ResultColumn<std::uint8_t> decision_codes;  // bit i set = DecisionCode i fired
  ResultColumn<std::uint8_t> is_sme;          // the SME test (0 on an error row)
  ResultColumn<std::uint8_t> has_base_cover;
  ResultColumn<std::int64_t> base_monthly_premium_yen, base_annual_premium_yen;
  ResultColumn<std::uint8_t> has_top_up;
  std::vector<ResultColumn<std::int64_t>> section_premium_yen;  // [section][row], 0 = not selected
  std::vector<ResultColumn<std::uint8_t>> section_selected;     // [section][row]: the row selected it
  ResultColumn<std::int64_t> package_yen, annual_premium_yen, subsidy_yen, payable_annual_yen,
      monthly_instalment_yen;
  ResultColumn<std::uint8_t> subsidy_code;  // SubsidyCode
  // Renewals: the annual premium before the renewal cap (= annual_premium_yen when the row is
  // no renewal or within the cap) and the cap's RenewalCode (0 = not a renewal).
  ResultColumn<std::int64_t> uncapped_annual_premium_yen;
  ResultColumn<std::uint8_t> renewal_code;
  ResultColumn<std::int8_t> edition;        // index into editions; -1 on an error row
  std::vector<std::string> section_keys;    // as the columns listed them
  std::vector<std::string> tier_names;
  // The editions that priced rows: id and sha256, in the library's order.
  struct EditionUsed {
    std::string edition, sha256;
  };
  std::vector<EditionUsed> editions;

  std::vector<RowError> errors;  // by row
};

enum class OnError { kRaise, kCollect };

// More worker threads than this is a mistake (input.bad_option), not a request.
inline constexpr int kMaxThreads = 256;

struct BatchOptions {
  int threads = 0;  // 0 = all hardware threads; at most kMaxThreads
  OnError on_error = OnError::kRaise;
  // As-if pricing: every row under the edition with this id, whatever its quote date
  // (QuoteOptions::edition); the answers are in its item order. Unknown: no_edition.unknown_edition.
  std::optional<std::string> edition;
};

// Prices every row. With OnError::kRaise, throws the error of the first failing row (its
// location names the row); with kCollect, failing rows get ok = 0 and an entry in errors.
// Problems of the whole call always throw: a missing required column, an answers width that
// no edition has, a subsidy programme or a top-up section that no edition knows.
// Example:
//   PortfolioColumns cols; cols.rows = n; cols.answers = matrix; ...
//   BatchOptions options;
//   options.threads = 2;
//   PortfolioResult r = price_portfolio(engine, cols, options);
PortfolioResult price_portfolio(const Engine& engine, const PortfolioColumns& columns,
                                const BatchOptions& options = {});

}  // namespace cybercover
