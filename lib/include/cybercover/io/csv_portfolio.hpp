#pragma once
// Portfolio CSV: one company per row, the request contract's columns (docs/request_contract.md),
// read strictly as RFC 4180 and priced chunk by chunk in constant memory. The priced CSV has one
// row per input row: its figures, or the row's error (the single quote's, with its row, id and
// column). The cybercover CLI's `price` command is this plus safe file handling.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cybercover/batch/portfolio.hpp"
#include "cybercover/date.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover {

struct CsvPriceOptions {
  std::optional<Date> quote_date;              // for rows (or files) without a quote_date
  std::optional<std::string> subsidy_program;  // for rows (or files) without a subsidy_program
  // As-if pricing: every row under this edition, whatever its quote date (QuoteOptions::edition).
  std::optional<std::string> edition;
  int threads = 0;                             // 0 = all cores
  OnError on_error = OnError::kCollect;        // kRaise: throw the first bad row's error
  std::size_t chunk_rows = 65536;              // rows priced at a time (memory stays flat)
  std::size_t max_record_bytes = std::size_t{1} << 20;  // a longer record is a row error
  // Called after each chunk with the bytes read so far and the rows written.
  std::function<void(std::uintmax_t bytes, std::size_t rows)> progress;
};

struct CsvPriceSummary {
  std::size_t rows = 0;
  std::size_t errors = 0;
};

// Reads a portfolio CSV from `in` and writes the priced CSV to `out`. Whole-file problems (no
// header, an unknown or missing column, a subsidy programme no edition has) throw before any
// row is written; a bad row gets its error in its output row (or throws with kRaise).
// Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) are written with
// a leading apostrophe. A file with a prior_annual_premium_yen column (renewals) gets two more
// columns after annual_premium_yen: uncapped_annual_premium_yen and renewal_code.
CsvPriceSummary price_csv(const Engine& engine, std::istream& in, std::ostream& out, const CsvPriceOptions& options = {});

// One chunk of a portfolio CSV as read_csv_chunks hands it over.
struct CsvChunk {
  const PortfolioColumns& columns;  // columns.first_row: the chunk's first data row (1-based);
                                    // rows that could not be read are in columns.failed_rows
  const std::vector<std::string>& ids;  // each row's id ("" when the file has no id column)
  bool has_id_column = false;
};

// Reads a portfolio CSV chunk by chunk exactly as price_csv reads it (the same strict reader,
// column checks and row errors) and hands each chunk's columns to `sink`, for a caller that
// prices them its own way (the dislocation of two editions, cybercover/revision/dislocation.hpp).
// The column names are the edition's of options.edition, else of options.quote_date, else the
// newest. Whole-file problems throw before the first chunk. Returns the number of rows.
std::size_t read_csv_chunks(const Engine& engine, std::istream& in, const CsvPriceOptions& options,
                            const std::function<void(const CsvChunk&)>& sink);

// The output cell for `text`: quoted when needed (RFC 4180), formula-looking text neutralised.
std::string csv_output_cell(std::string_view text);

}  // namespace cybercover
