#pragma once
// Prices a whole portfolio from columns (numpy arrays, a DataFrame, a CSV chunk) on all cores.
// Every row goes through the same checks and the same pricing steps as Engine::quote, so a
// row's figures equal the single quote's to the yen, whatever the thread count.

#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "cybercover/error.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover {

// Column codes: the enum values (Answer: 0 unanswered, 1 yes, 2 partial, 3 no, 4 unknown,
// 5 na; UtmStatus/EdrStatus/BundlePlan/SecurityAction likewise). Dates are days since
// 1970-01-01 (numpy datetime64[D]). Pointers marked optional may be null.
struct PortfolioColumns {
  std::size_t rows = 0;

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
  std::optional<std::string> subsidy_program;            // one programme for the whole batch
  const std::int64_t* service_monthly_price_yen = nullptr;  // optional; kNone = not given

  static constexpr std::int64_t kNoDay = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t kDefault = -1;
  static constexpr std::int64_t kNone = -1;
};

namespace detail {
// Large blocks come 2 MiB-aligned and marked for transparent huge pages: first-touch page
// faults on fresh 4 KiB pages cost more than pricing the rows (measured: 100 MiB takes
// ~290 ms in 4 KiB pages on a virtual machine, ~10-30 ms in huge pages).
void* allocate_column_bytes(std::size_t bytes);
void free_column_bytes(void* p, std::size_t bytes) noexcept;
}  // namespace detail

// Leaves new elements uninitialised: the batch writes every element of its output columns,
// so zero-filling a million-row column first would only double the memory traffic.
template <typename T>
struct UninitializedAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_column_bytes(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { detail::free_column_bytes(p, n * sizeof(T)); }
  friend bool operator==(const UninitializedAllocator&, const UninitializedAllocator&) { return true; }
  friend bool operator!=(const UninitializedAllocator&, const UninitializedAllocator&) { return false; }
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <typename T>
using Column = std::vector<T, UninitializedAllocator<T>>;

// One output column per figure; absent figures are 0 with their presence flag cleared.
struct PortfolioResult {
  std::size_t rows = 0;
  Column<std::uint8_t> ok;  // 1 = priced, 0 = error (see errors)
  Column<std::int32_t> score, unknown_count;
  Column<std::int64_t> posture_index;
  Column<std::int8_t> tier;       // index into tier_names; -1 on an error row
  Column<std::int8_t> outcome;    // Outcome; -1 on an error row
  Column<std::uint8_t> decision_codes;  // bit i set = DecisionCode i fired
  Column<std::uint8_t> has_base_cover;
  Column<std::int64_t> base_monthly_premium_yen, base_annual_premium_yen;
  Column<std::uint8_t> has_top_up;
  std::vector<Column<std::int64_t>> section_premium_yen;  // [section][row], 0 = not selected
  Column<std::int64_t> package_yen, annual_premium_yen, subsidy_yen, payable_annual_yen,
      monthly_instalment_yen;
  Column<std::uint8_t> subsidy_code;  // SubsidyCode
  std::vector<std::string> section_keys;   // table order
  std::vector<std::string> tier_names;
  std::string edition, sha256;  // of the edition of the first row (see editions_used)
  std::vector<std::string> editions_used;

  struct RowError {
    std::size_t row = 0;  // 0-based index of the row in the columns
    Error error;          // as the single quote would throw it, at its location
  };
  std::vector<RowError> errors;  // by row
};

enum class OnError { kRaise, kCollect };

struct BatchOptions {
  int threads = 0;  // 0 = all hardware threads
  OnError on_error = OnError::kRaise;
};

// Prices every row. With OnError::kRaise, throws the error of the first failing row, its
// message prefixed "row N: "; with kCollect, failing rows get ok = 0 and an entry in errors.
// Column-level problems (a null required column, a wrong answer width) always throw.
// Example:
//   PortfolioColumns cols; cols.rows = n; cols.answers = matrix; ...
//   BatchOptions options;
//   options.threads = 2;
//   PortfolioResult r = price_portfolio(engine, cols, options);
PortfolioResult price_portfolio(const Engine& engine, const PortfolioColumns& columns,
                                const BatchOptions& options = {});

}  // namespace cybercover
