// Runs every golden file under tests/golden/{quotes,assessments,errors} through the C++ API.
// A failure prints the file, what it proves, the arithmetic and the first differing figure.

#include <gtest/gtest.h>

#include "cybercover/cybercover.hpp"
#include "golden/golden_file.hpp"

namespace cybercover {
namespace {

using testing::golden_files;
using testing::read_json_file;
using testing::request_of;
using testing::subset_mismatch;

const std::string kSource = CYBERCOVER_SOURCE_DIR;

const Engine& engine() {
  static const Engine e(TableLibrary::load(kSource + "/rating_tables"));
  return e;
}

const nlohmann::json& questionnaire() {
  static const nlohmann::json q = read_json_file(kSource + "/rating_tables/2026-12/questionnaire.json");
  return q;
}

std::string context(const std::filesystem::path& file, const nlohmann::json& golden) {
  std::string out = file.filename().string() + " — " + golden.value("proves", "") + "\n";
  for (const auto& line : golden.value("arithmetic", nlohmann::json::array())) out += "  " + line.get<std::string>() + "\n";
  return out;
}

void check(const std::filesystem::path& file, bool is_quote) {
  const nlohmann::json golden = read_json_file(file);
  is_quote = golden.value("request_type", is_quote ? "quote" : "assessment") == "quote";
  const nlohmann::json request = request_of(golden, questionnaire());
  SCOPED_TRACE(context(file, golden) + "request: " + request.dump());
  if (golden.contains("expected_error")) {
    const auto& e = golden.at("expected_error");
    try {
      if (is_quote) engine().quote(parse_quote_request(request, engine().library()));
      else engine().assess(parse_assessment_request(request, engine().library()));
      ADD_FAILURE() << "expected an error, got a result";
    } catch (const Error& err) {
      EXPECT_EQ(to_string(err.kind()), e.at("kind").get<std::string>()) << err.what();
      if (e.contains("field")) {
        EXPECT_EQ(err.field(), e.at("field").get<std::string>()) << err.what();
      }
      for (const auto& fragment : e.value("message_contains", nlohmann::json::array()))
        EXPECT_NE(std::string(err.what()).find(fragment.get<std::string>()), std::string::npos)
            << "message: " << err.what() << "\nlacks: " << fragment;
    }
    return;
  }
  const nlohmann::json actual =
      is_quote ? to_json(engine().quote(parse_quote_request(request, engine().library())))
               : to_json(engine().assess(parse_assessment_request(request, engine().library())));
  const std::string mismatch = subset_mismatch(golden.at("expected"), actual);
  EXPECT_EQ(mismatch, "") << "response: " << actual.dump();
  // The text path (strict parser, direct writer) gives the same bytes as the DOM path.
  const std::string text = is_quote ? quote_json(engine(), request.dump()) : assess_json(engine(), request.dump());
  EXPECT_EQ(text, actual.dump());
}

TEST(GoldenQuotes, EveryFileMatchesTheHandComputedFigures) {
  const auto files = golden_files(kSource + "/tests/golden/quotes");
  ASSERT_GE(files.size(), 12u) << "the quote engine issue asks for at least 12 golden quotes";
  for (const auto& f : files) check(f, true);
}

TEST(GoldenAssessments, EveryFileMatchesTheHandComputedScores) {
  const auto files = golden_files(kSource + "/tests/golden/assessments");
  ASSERT_GE(files.size(), 6u);
  for (const auto& f : files) check(f, false);
}

TEST(GoldenErrors, EveryBadRequestGetsItsNamedError) {
  const auto files = golden_files(kSource + "/tests/golden/errors");
  ASSERT_GE(files.size(), 10u);
  for (const auto& f : files) check(f, true);
}

}  // namespace
}  // namespace cybercover
