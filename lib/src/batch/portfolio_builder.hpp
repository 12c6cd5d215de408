#pragma once
// Fills portfolio columns from named columns of cells (a CSV file, a pandas DataFrame) through
// the request contract's readers, so a bad cell fails its row with the error the JSON door
// gives for the same value. Each row keeps the error of its earliest field in contract order.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "contract/field_checks.hpp"
#include "cybercover/batch/portfolio.hpp"
#include "cybercover/contract/request_contract.hpp"
#include "cybercover/tables/rating_tables.hpp"

namespace cybercover::detail {

// What a named column holds.
struct ColumnRole {
  Field field = Field::kCount;  // kCount: the "id" column (carried through, not a field)
  int key = -1;                 // the item index (kAnswer) or section index (top-up fields)
  std::uint32_t rank = 0;       // position in contract order
  std::string name;
};

// A column the builder either owns (filled cell by cell) or borrows from the caller (a numpy
// array of the batch's dtype: no copy).
template <typename T>
struct BuilderColumn {
  std::vector<T> own;
  const T* borrowed = nullptr;
  bool present = false;  // the input has this column
  T fill{};              // the value of a cell not given

  const T* data() const { return borrowed ? borrowed : own.data(); }
  // The owned storage, made on first use with every cell `fill`.
  T* writable(std::size_t rows) {
    if (own.size() < rows) own.assign(rows, fill);
    return own.data();
  }
};

class PortfolioBuilder {
 public:
  struct Defaults {
    std::optional<Date> quote_date;              // rows without a quote_date (--date, quote_date=)
    std::optional<std::string> subsidy_program;  // rows without a subsidy_program (--subsidy)
  };

  // Maps column names to fields using `layout` (the edition whose item ids and sections the
  // columns name). Throws input.unknown_column, input.duplicate_column, input.missing_column.
  // `answers_given`: the answers come as a matrix, not as item columns.
  PortfolioBuilder(const RatingTables& layout, const std::vector<std::string>& names, Defaults defaults,
                   bool answers_given = false);

  const std::vector<ColumnRole>& roles() const { return roles_; }
  // Column indices in contract order: the order a row's cells are read in.
  const std::vector<std::size_t>& read_order() const { return read_order_; }
  std::optional<std::size_t> id_column() const { return id_column_; }

  // Starts `rows` fresh rows (a chunk), every cell not given.
  void resize(std::size_t rows);
  // Keeps only the first `rows` rows (a CSV chunk shorter than the room made for it).
  void truncate(std::size_t rows) { rows_ = std::min(rows_, rows); }
  std::size_t rows() const { return rows_; }

  // Reads one cell; a value the contract rejects fails the row (unless an earlier field in
  // contract order already did).
  void set(std::size_t row, std::size_t column, const RawValue& value);
  void set_id(std::size_t row, std::string id);
  // Fails a row for a reason of its own (a CSV record that cannot be split).
  void fail(std::size_t row, std::uint32_t rank, Error error);
  // Fails a row for a value of `column` that a bulk door found bad (its place in contract
  // order is the column's).
  void fail_cell(std::size_t row, std::size_t column, const Error& error) { record(row, roles_[column], error); }
  // The JSON path of a column's field, for the errors of bulk doors.
  FieldPath path_of(std::size_t column) const { return path_of(roles_[column]); }
  bool failed(std::size_t row) const { return fail_rank_[row] != kOk; }

  // Bulk doors (numpy arrays of the batch's dtype): the column is used in place, its values
  // checked at once (a vectorised range check; rows out of range fail as set() would fail
  // them). Days: int64 days since 1970-01-01, kNoDay = not given.
  void borrow_int64(std::size_t column, const std::int64_t* values);
  void borrow_codes(std::size_t column, const std::uint8_t* codes);
  void borrow_numbers(std::size_t column, const double* values);  // NaN = not given
  void borrow_industry_codes(std::size_t column, const std::int32_t* codes, std::vector<std::string> keys);  // -1 = missing
  void borrow_answers(const std::uint8_t* matrix, std::size_t columns);
  // A label column (security_action, utm, edr_status, bundle_plan, rubber_products, an item)
  // read one distinct value at a time: the code a value stands for, or the Error set() would
  // record for it (an absent value: the field's default, or input.missing).
  std::uint8_t read_code(std::size_t column, const RawValue& value) const;
  // Writes an item column of the answers from answer codes (0 unanswered ... 5 na), checked.
  void set_answer_codes(std::size_t column, const std::uint8_t* codes);

  // The columns, ready for price_portfolio: rows that failed are listed in failed_rows with
  // their location (first_row + row, id, column).
  PortfolioColumns columns(std::size_t first_row);
  const std::string& id(std::size_t row) const;

  static constexpr std::uint32_t kOk = UINT32_MAX;

 private:
  std::int32_t intern(std::vector<std::string>& keys, std::unordered_map<std::string, std::int32_t>& index,
                      std::string_view key);
  void record(std::size_t row, const ColumnRole& role, const Error& e);
  BuilderColumn<std::int64_t>& int64_slot(const ColumnRole& role);
  BuilderColumn<std::uint8_t>& code_slot(Field field);
  FieldPath path_of(const ColumnRole& role) const;

  const RatingTables& layout_;
  Defaults defaults_;
  std::vector<ColumnRole> roles_;
  std::vector<std::size_t> read_order_;
  std::optional<std::size_t> id_column_;
  bool answers_given_ = false;
  std::size_t rows_ = 0;
  std::size_t items_ = 0;

  BuilderColumn<std::int64_t> quote_day_, employees_, capital_, revenue_, endpoints_, covered_, installed_, legacy_,
      incidents_, price_, prior_;
  BuilderColumn<std::int32_t> industry_, subsidy_;
  BuilderColumn<std::uint8_t> answers_, security_action_, rubber_, utm_, edr_, plan_;
  BuilderColumn<double> click_;
  std::vector<BuilderColumn<std::int64_t>> limits_, deductibles_;  // by section of the layout
  std::size_t answer_columns_ = 0;
  std::vector<std::string> industry_keys_, subsidy_ids_;
  std::unordered_map<std::string, std::int32_t> industry_index_, subsidy_index_;
  std::vector<std::string> ids_;

  std::vector<std::uint32_t> fail_rank_;                 // by row: rank of the failing field, kOk
  std::map<std::size_t, Error> errors_;                  // by row
  std::map<std::size_t, std::string> error_columns_;     // by row: the column of the error
};

// Classifies a CSV cell the way a JSON scalar would be read: empty = not given, true/false
// (any case), an integer, a number (as written), or else a string.
RawValue raw_of_cell(std::string_view cell);

}  // namespace cybercover::detail
