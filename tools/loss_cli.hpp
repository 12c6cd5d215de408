#pragma once
// The loss-model commands: `cybercover loss REQUEST.json` (a quote's expected losses beside
// what it charges) and `cybercover simulate IN.csv --years N --seed S` (a book's Monte Carlo).

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "cybercover/loss/loss_model.hpp"
#include "cybercover/quote/engine.hpp"

namespace cybercover::cli {

// Closed forms per layer, the exact capped means (Panjer) and the company's annual-total tail,
// beside the premiums the quote charges (text or JSON).
void print_quote_losses(std::ostream& out, const QuoteRequest& request, const Quote& quote,
                        bool json);

struct SimulateCsvOptions {
  std::string input;         // path, or "-" for standard input
  std::string output = "-";  // path, or "-" for standard output
  bool csv = false;          // the summary as CSV (one row per series) instead of JSON
  int years = 0;             // required, >= 1
  std::uint64_t seed = 1;
  int threads = 0;
  std::optional<std::string> quote_date;  // for files without a quote_date column
  std::optional<std::string> subsidy_program;
  bool raise_on_error = true;  // default: a bad row stops the run, naming it
  bool progress = false;       // a progress bar on standard error
};

struct SimulateCsvSummary {
  std::size_t rows = 0, skipped = 0;
  std::uint64_t company_years = 0;
};

// Reads the CSV of `cybercover price` (plus an optional provider column), quotes each row,
// simulates the book and writes the summary. The output file is written only when the run
// succeeds (through a temporary file), and never over the input. Throws cybercover::Error.
SimulateCsvSummary simulate_csv(const Engine& engine, const SimulateCsvOptions& options);

}  // namespace cybercover::cli
