// Fuzz target: a portfolio CSV through the library's CSV door (price_csv, read from a
// std::istream). Whole-file problems are a cybercover::Error; otherwise the priced CSV is
// strict RFC 4180 with one record per input row and the header's field count, numbered
// 1, 2, ...; each row either prices (money cells are integers >= 0, the edition's SHA-256
// present) or carries its error, with a valid code and the line or row it came from. The
// output does not depend on the chunk size, and --errors raise throws exactly when collect
// has a bad row (otherwise it writes the same bytes).

#include <cstddef>
#include <cstdint>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace cybercover;

namespace {

// A strict RFC 4180 reader for the output (independent of the library's reader).
std::vector<std::vector<std::string>> parse_output(const std::string& s) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  FUZZ_REQUIRE(s.empty() || s.back() == '\n', "output does not end with a newline");
  while (i < s.size()) {
    if (s[i] == '"') {
      ++i;
      while (true) {
        FUZZ_REQUIRE(i < s.size(), "unterminated quoted field in the output");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += s[i++];
      }
      FUZZ_REQUIRE(i < s.size() && (s[i] == ',' || s[i] == '\n'), "text after a closing quote in the output");
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '\n') {
        FUZZ_REQUIRE(s[i] != '"' && s[i] != '\r', "a quote or CR in an unquoted output field");
        field += s[i++];
      }
    }
    record.push_back(std::move(field));
    field.clear();
    if (s[i] == '\n') {
      records.push_back(std::move(record));
      record.clear();
    }
    ++i;
  }
  return records;
}

bool is_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

bool is_code_name(const std::string& name) {
  for (const auto& info : error_codes())
    if (name == info.name) return true;
  return false;
}

struct Run {
  bool ok = false;
  std::string out;
  CsvPriceSummary summary;
  std::optional<Error> error;
};

Run price(std::string_view text, std::size_t chunk_rows, OnError on_error) {
  CsvPriceOptions o;
  o.quote_date = Date::parse("2026-12-15");
  o.threads = 1;
  o.on_error = on_error;
  o.chunk_rows = chunk_rows;
  o.max_record_bytes = 2048;  // reachable within -max_len
  std::istringstream in{std::string(text)};
  std::ostringstream out;
  Run r;
  r.ok = fuzz::run_or_error([&] {
    try {
      r.summary = price_csv(fuzz::default_engine(), in, out, o);
    } catch (const Error& e) {
      r.error = e;
      throw;
    }
  });
  r.out = out.str();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Run run = price(text, 64, OnError::kCollect);
  if (!run.ok) {
    FUZZ_REQUIRE(run.out.empty(), "a whole-file error after output was written: " + run.out.substr(0, 300));
    return 0;
  }

  const auto records = parse_output(run.out);
  FUZZ_REQUIRE(!records.empty(), "no header in the output");
  const auto& header = records[0];
  auto column = [&](const std::string& name) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    fuzz::fail("output header lacks " + name);
  };
  const std::size_t ok_col = column("ok"), code_col = column("error_code"), error_col = column("error"),
                    sha_col = column("edition_sha256"), edition_col = column("edition");
  FUZZ_REQUIRE(records.size() == run.summary.rows + 1, "summary.rows " + std::to_string(run.summary.rows) + " but " +
                                                            std::to_string(records.size() - 1) + " output rows");
  const std::size_t input_lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  FUZZ_REQUIRE(run.summary.rows < input_lines, "more output rows than input lines after the header");
  static const std::regex kLine("line ([0-9]+)");
  std::size_t errors = 0;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    const std::string where = "output row " + std::to_string(r) + ": ";
    FUZZ_REQUIRE(rec.size() == header.size(), where + std::to_string(rec.size()) + " fields, header has " +
                                                   std::to_string(header.size()));
    FUZZ_REQUIRE(rec[0] == std::to_string(r), where + "numbered " + rec[0]);
    if (rec[ok_col] == "false") {
      ++errors;
      FUZZ_REQUIRE(is_code_name(rec[code_col]), where + "error code " + rec[code_col]);
      FUZZ_REQUIRE(rec[error_col].rfind("[cybercover." + rec[code_col] + "] ", 0) == 0, where + "error " + rec[error_col]);
      FUZZ_REQUIRE(rec[sha_col].empty(), where + "a failed row has a sha256");
      // A record error names its line; a field error its data row.
      std::smatch m;
      const bool names_line = std::regex_search(rec[error_col], m, kLine);
      const bool names_row = rec[error_col].find("(row " + rec[0]) != std::string::npos;
      FUZZ_REQUIRE(names_line || names_row, where + "error without its line or row: " + rec[error_col]);
      if (names_line) FUZZ_REQUIRE(std::stoull(m[1]) <= input_lines, where + "line beyond the input: " + rec[error_col]);
    } else {
      FUZZ_REQUIRE(rec[ok_col] == "true", where + "ok is " + rec[ok_col]);
      FUZZ_REQUIRE(rec[code_col].empty() && rec[error_col].empty(), where + "a priced row has an error");
      FUZZ_REQUIRE(rec[sha_col].size() == 64 && rec[sha_col].find_first_not_of("0123456789abcdef") == std::string::npos,
                    where + "sha256 " + rec[sha_col]);
      const auto edition = fuzz::default_engine().library().edition(rec[edition_col]);
      FUZZ_REQUIRE(edition->sha256 == rec[sha_col], where + "sha256 of another edition");
      for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c].size() > 4 && header[c].compare(header[c].size() - 4, 4, "_yen") == 0)
          FUZZ_REQUIRE(rec[c].empty() || is_digits(rec[c]), where + header[c] + " = " + rec[c]);
    }
  }
  FUZZ_REQUIRE(errors == run.summary.errors, "summary.errors " + std::to_string(run.summary.errors) + " but " +
                                                  std::to_string(errors) + " failed rows");

  // Chunking changes nothing.
  const Run one_by_one = price(text, 1, OnError::kCollect);
  FUZZ_REQUIRE(one_by_one.ok && one_by_one.out == run.out, "chunk_rows 1 differs from chunk_rows 64");
  // kRaise throws exactly when a row is bad.
  const Run raise = price(text, 64, OnError::kRaise);
  if (errors == 0) {
    FUZZ_REQUIRE(raise.ok && raise.out == run.out, "kRaise differs from kCollect on a file without bad rows");
  } else {
    FUZZ_REQUIRE(!raise.ok, "kRaise did not throw on a file with a bad row");
  }
  return 0;
}
