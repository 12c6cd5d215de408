// Regression tests for defects the fuzzers and sanitizers found (docs/reliability.md lists
// each with its finding). The reproducers themselves are replayed by the fuzz_replay_* tests.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }

// Splits RFC 4180 text into records of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') field += s[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      records.back().push_back(std::move(field));
      field.clear();
      if (c == '\n') records.emplace_back();
    } else {
      field += c;
    }
  }
  if (records.back().empty()) records.pop_back();
  return records;
}

std::string price(const std::string& csv) {
  std::istringstream in(csv);
  std::ostringstream out;
  CsvPriceOptions o;
  o.quote_date = Date::parse("2026-12-15");
  price_csv(engine(), in, out, o);
  return out.str();
}

// fuzz_csv: a failed row had one field fewer than the header (edition_sha256 was missing),
// so a strict reader rejected the priced file.
TEST(FuzzRegressions, AFailedCsvRowHasTheHeadersFieldCount) {
  const std::string header =
      "id,industry,employees,capital_yen,revenue_yen,endpoints,utm,edr_status,legacy_os_endpoints,incidents_3y,bundle_plan\n";
  for (const std::string& id : {std::string(), std::string("A-1")}) {
    std::string csv = id.empty() ? header.substr(3) : header;
    const std::string pre = id.empty() ? "" : id + ",";
    csv += pre + "retail,10,10000000,100000000,10,none,none,0,0,none\n";  // prices
    csv += pre + "retail,-3,10000000,100000000,10,none,none,0,0,none\n";  // employees below 1
    csv += pre + "retail,10,\"x\n";                                        // unbalanced quote
    const auto records = parse_csv(price(csv));
    ASSERT_EQ(records.size(), 4u) << csv;
    for (const auto& r : records) EXPECT_EQ(r.size(), records[0].size()) << "row " << r[0] << " of\n" << csv;
    EXPECT_EQ(records[1][id.empty() ? 1 : 2], "true");
    EXPECT_EQ(records[2][id.empty() ? 1 : 2], "false");
    EXPECT_EQ(records[3][id.empty() ? 1 : 2], "false");
    EXPECT_EQ(records[2].back(), "");  // no edition for a row that was not priced
  }
}

}  // namespace
}  // namespace cybercover
