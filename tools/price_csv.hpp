#pragma once
// `cybercover price IN.csv -o OUT.csv`: streams a portfolio through the batch pricer in
// chunks, so memory stays constant whatever the file size.

#include <optional>
#include <string>

#include "cybercover/quote/engine.hpp"

namespace cybercover::cli {

struct PriceCsvOptions {
  std::string input;   // path, or "-" for standard input
  std::string output;  // path, or "-" for standard output
  std::optional<std::string> quote_date;      // for files without a quote_date column
  std::optional<std::string> subsidy_program;
  int threads = 0;
  bool raise_on_error = false;  // default: bad rows get their message in the error column
  bool progress = false;        // a progress bar on standard error
  std::size_t chunk_rows = 8192;
};

struct PriceCsvSummary {
  std::size_t rows = 0, errors = 0;
};

// Throws cybercover::Error for a bad header, a bad option, or (with raise_on_error) a bad row.
PriceCsvSummary price_csv(const Engine& engine, const PriceCsvOptions& options);

}  // namespace cybercover::cli
