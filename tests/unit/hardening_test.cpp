// Regression tests of the hardening issue's defects that the C++ API reaches, one or more per
// defect (the number in the test name is the defect's). The Python suite's test_hardening.py
// covers the CLI, CSV and Python ones.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <new>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"
#include "detail/json_doc.hpp"
#include "detail/parallel.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no cybercover::Error";
  return Error(ErrorCode::kMissing, "", "");
}

std::string worked_example_text() {
  std::ifstream in(testing::kSourceDir + "/examples/requests/manufacturer_30_staff.json");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- 1. Numbers beyond the doubles are errors, never 0 --------------------------------
TEST(Hardening, Defect01_NumbersBeyondTheDoublesAreOutOfRangeNotZero) {
  for (const char* value : {"1e400", "-1e400", "2e308"}) {
    auto j = nlohmann::json::parse(worked_example_text());
    j["controls"]["phishing_click_rate"] = 0.123456;
    std::string text = j.dump();
    const auto at = text.find("0.123456");
    text.replace(at, 8, value);
    const Error e = error_of([&] { quote_json(engine(), text); });
    EXPECT_EQ(e.code(), ErrorCode::kNumberOutOfRange) << value << ": " << e.what();
    EXPECT_EQ(e.field(), "controls.phishing_click_rate");
    EXPECT_EQ(e.value(), value);
  }
}

TEST(Hardening, Defect01_TableNumbersBeyondTheDoublesAreRefused) {
  testing::EditionCopy copy("beyond_doubles");
  std::ifstream in(copy.file("loss_model"));
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  const auto key = text.find("\"claim_probability\"");
  ASSERT_NE(key, std::string::npos);
  const auto value = text.find_first_of("0123456789", key);
  const auto end = text.find_first_of(",}\n", value);
  text.replace(value, end - value, "1e400");
  copy.write_raw("loss_model", text);
  const Error e = error_of([&] { load_edition(copy.dir()); });
  EXPECT_EQ(e.code(), ErrorCode::kTableNumberOutOfRange) << e.what();
  EXPECT_NE(e.field().find("loss_model.json"), std::string::npos) << e.what();
  EXPECT_NE(e.detail().find("range of a double"), std::string::npos) << e.what();
}

// ---- 5. Overflow: counts are bounded, and tables whose quotes could overflow are refused
TEST(Hardening, Defect05_HugeEndpointCountsAreAboveTheirBound) {
  for (std::int64_t endpoints : {std::int64_t{1} << 62, std::int64_t{5'000'000'000'000'000}}) {
    QuoteRequest r = testing::worked_example_1(tables());
    r.company.endpoints = endpoints;
    r.controls.edr.covered_endpoints = endpoints;
    r.bundle_plan = BundlePlan::kEdr;
    const Error e = error_of([&] { engine().quote(r); });
    EXPECT_EQ(e.code(), ErrorCode::kAboveMaximum) << e.what();
    EXPECT_EQ(e.field(), "company.endpoints");
  }
}

TEST(Hardening, Defect05_ExtremeRequestsWithinTheBoundsPriceWithoutOverflow) {
  // Every count and amount at its bound, in every plan: the load-time proof says these fit.
  for (BundlePlan plan : {BundlePlan::kNone, BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr}) {
    QuoteRequest r = testing::worked_example_1(tables());
    r.company.employees = bounds::kMaxEmployees;
    r.company.endpoints = bounds::kMaxEndpoints;
    r.company.capital_yen = 1;  // an SME by capital, so the subsidy applies too
    r.controls.edr.covered_endpoints = bounds::kMaxEndpoints;
    r.controls.incidents_3y = bounds::kMaxIncidents;
    r.controls.legacy_os_endpoints = bounds::kMaxEndpoints;
    r.bundle_plan = plan;
    r.service_monthly_price_yen = plan == BundlePlan::kNone ? std::nullopt : std::optional<Yen>(bounds::kMaxMonthlyPriceYen);
    const Quote q = engine().quote(r);
    if (q.base_cover) {
      EXPECT_GT(q.base_cover->annual_premium_yen, 0);
      EXPECT_EQ(q.base_cover->annual_premium_yen, 12 * q.base_cover->monthly_premium_yen);
    }
  }
}

TEST(Hardening, Defect05_TablesWhoseQuotesCouldOverflowAreRefusedNamingTheRow) {
  {
    testing::EditionCopy copy("overflow_rate");
    copy.edit("base_cover", [](nlohmann::json& j) { j["plans"]["edr"]["monthly_rate"]["per_covered_endpoint_yen"] = 1'000'000'000'000; });
    const Error e = error_of([&] { load_edition(copy.dir()); });
    EXPECT_EQ(e.code(), ErrorCode::kTableOverflow) << e.what();
    EXPECT_NE(e.field().find("base_cover.json: plans.edr.monthly_rate"), std::string::npos) << e.what();
    EXPECT_NE(e.detail().find("10000000000000000000 yen"), std::string::npos) << e.what();  // 10^12 x 10^7
  }
  {
    testing::EditionCopy copy("overflow_cap");
    copy.edit("base_cover", [](nlohmann::json& j) { j["plans"]["edr"]["price_cap"]["per_covered_endpoint_yen"] = 1'000'000'000; });
    const Error e = error_of([&] { load_edition(copy.dir()); });
    EXPECT_EQ(e.code(), ErrorCode::kTableOverflow) << e.what();
    EXPECT_NE(e.field().find("plans.edr.price_cap"), std::string::npos) << e.what();
  }
  {
    // ¥10^15 base premium x the largest industry, tier and limit factors > 10^15.
    testing::EditionCopy copy("overflow_top_up");
    copy.edit("top_up", [](nlohmann::json& j) { j["revenue_bands"][2]["base_premium_yen"]["liability"] = 1'000'000'000'000'000; });
    const Error e = error_of([&] { load_edition(copy.dir()); });
    EXPECT_EQ(e.code(), ErrorCode::kTableOverflow) << e.what();
    EXPECT_NE(e.field().find("top_up.json: revenue_bands[2].base_premium_yen.liability"), std::string::npos) << e.what();
  }
  {
    // Points near 2^63 would overflow the posture index: above the table bound.
    testing::EditionCopy copy("overflow_points");
    copy.edit("posture", [](nlohmann::json& j) { j["prior_incidents"]["points_per_incident"] = std::int64_t{1} << 62; });
    const Error e = error_of([&] { load_edition(copy.dir()); });
    EXPECT_EQ(e.code(), ErrorCode::kTableAboveMaximum) << e.what();
    EXPECT_NE(e.field().find("posture.json: prior_incidents.points_per_incident"), std::string::npos) << e.what();
  }
}

TEST(Hardening, Defect05_TheDefaultEditionPassesTheOverflowProofWithRoomToSpare) {
  // A thousandfold rate still fits: the bound is far from the real tables.
  testing::EditionCopy copy("overflow_room");
  copy.edit("base_cover", [](nlohmann::json& j) {
    for (auto& [plan, p] : j["plans"].items())
      if (p["monthly_rate"].contains("per_covered_endpoint_yen"))
        p["monthly_rate"]["per_covered_endpoint_yen"] = p["monthly_rate"]["per_covered_endpoint_yen"].get<std::int64_t>() * 1000;
  });
  EXPECT_NO_THROW(load_edition(copy.dir()));
}

// ---- 7. A request size limit before parsing ---------------------------------------------
TEST(Hardening, Defect07_RequestsAboveTheSizeLimitAreRefusedBeforeParsing) {
  const std::string text = worked_example_text();
  // Padding keeps it valid JSON: only the size can refuse it.
  const std::string padded = text + std::string(JsonReadOptions::kDefaultMaxBytes - text.size() + 1, ' ');
  const Error e = error_of([&] { quote_json(engine(), padded); });
  EXPECT_EQ(e.code(), ErrorCode::kRequestTooLarge) << e.what();
  EXPECT_NE(e.detail().find("1048577 bytes; the limit is 1048576"), std::string::npos) << e.what();
  JsonReadOptions larger;
  larger.max_bytes = 2 * JsonReadOptions::kDefaultMaxBytes;
  EXPECT_EQ(quote_json(engine(), padded, larger), quote_json(engine(), text));
  JsonReadOptions tiny;
  tiny.max_bytes = 100;
  EXPECT_EQ(error_of([&] { assess_json(engine(), text, tiny); }).code(), ErrorCode::kRequestTooLarge);
}

TEST(Hardening, Defect07_ParsingMemoryIsBoundedByAValueLimit) {
  // 600 KB of tiny values (within the byte limit) would cost ~20 MB of nodes: refused at the
  // 16,385th value instead, whatever the shape.
  std::string text = "{\"answers\":[";
  for (int i = 0; i < 300000; ++i) text += "0,";
  text += "0]}";
  const Error e = error_of([&] { quote_json(engine(), text); });
  EXPECT_EQ(e.code(), ErrorCode::kRequestTooLarge) << e.what();
  EXPECT_EQ(e.detail(), "holds more than 16384 values; the limit is 16384 (JsonReadOptions::max_values)");
  // A request of the largest questionnaire an edition may have (10,000 items) stays within it.
  EXPECT_GT(JsonReadOptions::kDefaultMaxValues, 10000u + 100u);
}

// ---- 8. Parsing is not quadratic in the keys of one object ------------------------------
TEST(Hardening, Defect08_ADuplicateAmongManyKeysIsFoundAndPlaced) {
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += "\"k" + std::to_string(i) + "\":0,";
  text += "\"k123\":1}";
  try {
    detail::JsonDoc::parse(text);
    FAIL() << "duplicate not found";
  } catch (const std::invalid_argument& e) {
    // The same place the member-by-member check reports: just after the repeated name.
    EXPECT_EQ(std::string(e.what()), "duplicate member name \"k123\" at line 1, column " + std::to_string(text.size() - 2));
  }
  // Small objects keep the early check, with the same message and place.
  try {
    detail::JsonDoc::parse("{\"a\":1,\"b\":2,\"a\":3}");
    FAIL() << "duplicate not found";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "duplicate member name \"a\" at line 1, column 17");
  }
  // Without duplicates a large object parses.
  text.resize(text.rfind(",\"k123\""));
  text += "}";
  EXPECT_EQ(detail::JsonDoc::parse(text).node(0).count, 200000u);
}

TEST(Hardening, Defect08_TableListsAreBounded) {
  testing::EditionCopy copy("long_list");
  copy.edit("underwriting", [](nlohmann::json& j) {
    const nlohmann::json first = j["industries"][0];
    for (int i = 0; i < 1200; ++i) {
      nlohmann::json ind = first;
      ind["key"] = "industry_" + std::to_string(i);
      j["industries"].push_back(ind);
    }
  });
  const Error e = error_of([&] { load_edition(copy.dir()); });
  EXPECT_EQ(e.code(), ErrorCode::kTableAboveMaximum) << e.what();
  EXPECT_NE(std::string(e.what()).find("underwriting.json: industries: must list at most 1000 entries"), std::string::npos)
      << e.what();
}

// ---- 10. Messages quote input within limits and safely ----------------------------------
TEST(Hardening, Defect10_MessagesAreShortSafeLinesWhateverTheInput) {
  auto j = nlohmann::json::parse(worked_example_text());
  j["company"]["industry"] = std::string("a\0b\x1b[2J\r\nc", 10) + std::string(10'000'000, 'x');
  JsonReadOptions options;
  options.max_bytes = 20'000'000;
  const Error e = error_of([&] { quote_json(engine(), j.dump(), options); });
  const std::string message = e.what();
  EXPECT_EQ(e.code(), ErrorCode::kUnknownIndustry);
  EXPECT_LT(message.size(), 800u);
  EXPECT_EQ(message.find_first_of(std::string("\0\x1b\r\n", 4)), std::string::npos) << message;
  EXPECT_NE(message.find("\"a\\x00b\\x1b[2J\\r\\nc"), std::string::npos) << message;  // the NUL does not cut it
  EXPECT_NE(message.find("(10000010 bytes)"), std::string::npos) << message;
}

// ---- 14. Messages say what is wrong -----------------------------------------------------
TEST(Hardening, Defect14_AHugeFactorIsAboveTheMaximumNotInfinite) {
  testing::EditionCopy copy("huge_factor");
  std::ifstream in(copy.file("top_up"));
  std::stringstream s;
  s << in.rdbuf();
  auto j = nlohmann::json::parse(s.str());
  j["tier_factors"]["A"] = 0.123456;  // placeholder replaced by the literal below
  std::string text = j.dump();
  text.replace(text.find("0.123456"), 8, "1e308");
  copy.write_raw("top_up", text);
  const Error e = error_of([&] { load_edition(copy.dir()); });
  EXPECT_EQ(e.code(), ErrorCode::kTableAboveMaximum) << e.what();
  EXPECT_EQ(e.detail(), "must be <= 1000") << e.what();
  EXPECT_EQ(e.value(), "1e308");
}

TEST(Hardening, Defect14_ANumberTooLongForExactArithmeticSaysSo) {
  testing::EditionCopy copy("long_factor");
  std::ifstream in(copy.file("top_up"));
  std::stringstream s;
  s << in.rdbuf();
  auto j = nlohmann::json::parse(s.str());
  j["tier_factors"]["A"] = 0.123456;
  std::string text = j.dump();
  text.replace(text.find("0.123456"), 8, "1.0000000000000000000000000000001");  // 32 digits
  copy.write_raw("top_up", text);
  const Error e = error_of([&] { load_edition(copy.dir()); });
  EXPECT_EQ(e.code(), ErrorCode::kTableNumberOutOfRange) << e.what();
  EXPECT_NE(e.detail().find("at most 30 significant digits"), std::string::npos) << e.what();
}

// ---- 15. Worker exceptions reach the caller ---------------------------------------------
TEST(Hardening, Defect15_AnyExceptionInAWorkerReachesTheCaller) {
  std::atomic<int> finished{0};
  EXPECT_THROW(detail::run_workers(4,
                                   [&](std::size_t t) {
                                     if (t == 2) throw std::bad_alloc();
                                     ++finished;
                                   }),
               std::bad_alloc);
  EXPECT_EQ(finished.load(), 3);  // the others ran to the end and were joined
  EXPECT_THROW(detail::run_workers(3, [](std::size_t t) { if (t == 1) throw 42; }), int);
  // The lowest-numbered worker's exception wins, whatever finishes first.
  try {
    detail::run_workers(3, [](std::size_t t) { throw std::runtime_error("worker " + std::to_string(t)); });
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "worker 0");
  }
  EXPECT_EQ(error_of([] { detail::check_thread_count(kMaxThreads + 1); }).code(), ErrorCode::kBadOption);
  EXPECT_EQ(error_of([] { detail::check_thread_count(-1); }).code(), ErrorCode::kBadOption);
}

// ---- 11. Filesystem problems are io.* errors naming the path ---------------------------
TEST(Hardening, Defect11_ASymlinkLoopInTheTablesIsAnIoError) {
  testing::EditionCopy copy("symlink_loop");
  const std::string loop = copy.root() + "/loop";
  std::filesystem::create_symlink(loop, loop);
  const Error e = error_of([&] { TableLibrary::load(copy.root()); });
  EXPECT_EQ(e.code(), ErrorCode::kIoCannotRead) << e.what();
  EXPECT_EQ(e.field(), loop);
  EXPECT_NE(e.detail().find("symbolic links"), std::string::npos) << e.what();
  const Error missing = error_of([&] { TableLibrary::load(copy.root() + "/nothing"); });
  EXPECT_EQ(missing.code(), ErrorCode::kIoNotADirectory) << missing.what();
}

TEST(Hardening, Defect11_AnOversizedTableFileIsRefusedBeforeReading) {
  testing::EditionCopy copy("oversized");
  std::filesystem::resize_file(copy.file("questionnaire"), std::uintmax_t{65} << 20);  // sparse
  const Error e = error_of([&] { load_edition(copy.dir()); });
  EXPECT_EQ(e.code(), ErrorCode::kTableTooLarge) << e.what();
  EXPECT_NE(e.field().find("questionnaire.json"), std::string::npos);
}

// The claim-count sampler at the largest frequency a table may give (100 incidents a year):
// the simulated mean and sd of a tier-E company's base-cover losses meet the exact (Panjer)
// distribution, so the sampler holds over the whole allowed range, not only at small λ.
TEST(Hardening, Defect16_TheClaimSamplerIsExactAtTheLargestAllowedFrequency) {
  testing::EditionCopy copy("defect16");
  copy.edit("loss_model", [](nlohmann::json& j) {
    j.erase("systemic_events");
    j["frequency"]["tier_c_lambda_by_employee_band"][4] = 50;
    j["frequency"]["tier_multipliers"]["E"] = 2;
  });
  const std::shared_ptr<const RatingTables> t = load_edition(copy.dir());
  LossBook book(t);
  BookCompany c;
  c.exposure.employees = 400;  // the last band
  c.exposure.tier = 4;         // E: 50 x 2 = 100 incidents a year
  c.exposure.bundle_plan = BundlePlan::kUtm;
  c.base_premium_yen = 12'000;
  for (std::uint64_t k = 0; k < 4; ++k) {
    c.key = k;
    book.add(c, "");
  }
  AggregateOptions panjer;
  panjer.method = AggregateMethod::kPanjer;
  panjer.span_yen = 5'000;
  const AggregateDistribution exact = book_aggregate(book, "base_cover", panjer);
  SimulationOptions o;
  o.years = 20000;
  o.seed = 16;
  const TailStats s = tail_stats(annual_layer(simulate(book, o), 0, false));
  EXPECT_GT(exact.mean(), 0);
  EXPECT_NEAR(s.mean, exact.mean(), 4 * s.se_mean);
  EXPECT_NEAR(s.sd, exact.sd(), 0.05 * exact.sd());
}

}  // namespace
}  // namespace cybercover
