#pragma once
// `cybercover price IN.csv -o OUT.csv`: the library's CSV door (cybercover/io/csv_portfolio.hpp)
// with safe file handling: the output is written beside its target and renamed into place only
// when every row was written, and it is never the input.

#include <optional>
#include <string>

#include "cybercover/io/csv_portfolio.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover::cli {

struct PriceCsvOptions {
  std::string input;   // path, or "-" for standard input
  std::string output;  // path, or "-" for standard output
  CsvPriceOptions csv;
  bool progress = false;  // a progress bar on standard error
};

// Throws cybercover::Error for a bad header, a bad option, a file problem or (with
// OnError::kRaise) a bad row; the output file is then left as it was.
CsvPriceSummary price_csv_file(const Engine& engine, const PriceCsvOptions& options);

}  // namespace cybercover::cli
