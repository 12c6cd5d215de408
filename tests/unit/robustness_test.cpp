// Bad input never crashes: tens of thousands of mutated requests and tables each end in a
// result or a cybercover::Error, never another exception (run under ASan/UBSan too).

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string mutate(std::string text, std::mt19937_64& rng) {
  static const std::string kPieces[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "null", "-1", "1e400", "0.5",
                                        "\"na\"", "\xff", "\xe3\x81", "\\ud800", "9223372036854775808", " "};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = rng() % text.size();
    switch (rng() % 4) {
      case 0: text[at] = static_cast<char>(rng() % 256); break;                    // flip a byte
      case 1: text.erase(at, 1 + rng() % 8); break;                                // drop a few
      case 2: text.insert(at, kPieces[rng() % std::size(kPieces)]); break;          // insert a token
      default: text.resize(at); break;                                             // truncate
    }
  }
  return text;
}

TEST(Robustness, MutatedRequestsEndInAResultOrANamedError) {
  const Engine& engine = testing::default_engine();
  const std::string original = read(testing::kSourceDir + "/examples/requests/manufacturer_30_staff.json");
  std::mt19937_64 rng(20261126);
  int results = 0, errors = 0;
  for (int n = 0; n < 30000; ++n) {
    const std::string text = mutate(original, rng);
    try {
      const std::string out = n % 2 ? quote_json(engine, text) : assess_json(engine, text);
      ASSERT_FALSE(out.empty());
      ++results;
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find("[cybercover."), std::string::npos);
      ++errors;
    } catch (const std::exception& e) {
      FAIL() << "a mutated request escaped as " << typeid(e).name() << ": " << e.what() << "\nrequest: " << text;
    }
  }
  EXPECT_GT(errors, 10000);
  EXPECT_GT(results, 100);  // some mutations stay valid (whitespace, a changed answer...)
}

TEST(Robustness, MutatedTablesAreRejectedWithTheFileNamed) {
  std::mt19937_64 rng(7);
  const char* tables[] = {"posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model"};
  for (int n = 0; n < 600; ++n) {
    testing::EditionCopy copy("mutated");
    const std::string table = tables[n % std::size(tables)];
    copy.write_raw(table, mutate(read(copy.file(table)), rng));
    try {
      load_edition(copy.dir());
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::kTable || e.kind() == ErrorKind::kIo) << e.what();
      EXPECT_NE(std::string(e.what()).find(table + ".json"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      FAIL() << "a mutated " << table << " table escaped as " << e.what();
    }
  }
}

}  // namespace
}  // namespace cybercover
