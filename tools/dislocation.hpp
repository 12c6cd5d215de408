#pragma once
// `cybercover dislocation IN.csv --from A --to B -o OUT.csv`: one book priced under two
// editions (cybercover/revision/dislocation.hpp), one output row per company with both
// premiums and the change, and the summary (distribution, by tier, industry, size band and
// plan, winners and losers, the total) on standard output or as JSON. Files are written
// safely (tools/output_file.hpp): beside their target, renamed when complete, never onto an
// input.

#include <optional>
#include <string>

#include "cybercover/io/csv_portfolio.hpp"
#include "cybercover/revision/dislocation.hpp"

namespace cybercover::cli {

struct DislocationCliOptions {
  std::string input;   // path, or "-" for standard input
  std::string output;  // path, or "-" for standard output
  std::optional<std::string> summary_json;  // --summary FILE.json
  DislocationOptions dislocation;
  CsvPriceOptions csv;  // the reader's options (date, subsidy, chunk size)
  bool progress = false;
};

// Writes the per-company CSV and returns the summary; throws cybercover::Error (the output
// files are then left as they were).
DislocationSummary dislocation_csv_file(const Engine& engine, const DislocationCliOptions& options);

// The summary as readable text, and as JSON.
void print_dislocation_summary(std::ostream& out, const DislocationSummary& summary, const DislocationOptions& options);
std::string dislocation_summary_json(const DislocationSummary& summary, const DislocationOptions& options);

}  // namespace cybercover::cli
