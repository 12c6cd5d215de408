// The C++ API end to end: in-memory requests, errors, threads.

#include <gtest/gtest.h>

#include <thread>
#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

TEST(Quote, ReproducesWorkedExample1FromAnInMemoryRequest) {
  const Quote q = engine().quote(testing::worked_example_1(tables()));
  EXPECT_EQ(q.assessment.summary.score, 1000);
  EXPECT_EQ(q.posture.index, 1163);
  EXPECT_EQ(q.tier_name(), "A");
  EXPECT_EQ(q.decision.outcome, Outcome::kAccept);
  ASSERT_TRUE(q.base_cover);
  EXPECT_EQ(q.base_cover->monthly_premium_yen, 765);
  EXPECT_EQ(q.base_cover->annual_premium_yen, 9180);
  EXPECT_EQ(q.base_cover->price_cap->cap_yen, 100000);
  EXPECT_TRUE(q.base_cover->price_cap->within);
  ASSERT_TRUE(q.top_up);
  ASSERT_EQ(q.top_up->sections.size(), 3u);
  EXPECT_EQ(q.top_up->sections[0].annual_premium_yen, 20350);
  EXPECT_EQ(q.top_up->sections[1].annual_premium_yen, 8910);
  EXPECT_EQ(q.top_up->sections[2].annual_premium_yen, 8420);
  EXPECT_EQ(q.top_up->package_yen, 35800);
  EXPECT_EQ(q.top_up->subsidy_yen, 11930);
  EXPECT_EQ(q.top_up->payable_annual_yen, 23870);
  EXPECT_EQ(q.top_up->monthly_instalment_yen, 2090);
}

TEST(Quote, AuditTrailNamesEveryFactorAndTheEdition) {
  const nlohmann::json j = to_json(engine().quote(testing::worked_example_1(tables())));
  EXPECT_EQ(j["tables"]["edition"], "2026-12");
  EXPECT_EQ(j["tables"]["sha256"], tables().sha256);
  EXPECT_EQ(j["engine_version"], engine_version());
  const auto& response = j["top_up"]["sections"]["response"];
  ASSERT_EQ(response["factors"].size(), 5u);
  EXPECT_EQ(response["factors"][4]["name"], "excess");
  EXPECT_EQ(response["factors"][4]["row"], "utm_edr");
  EXPECT_EQ(response["factors"][4]["value"], 0.9);
  EXPECT_EQ(response["base_premium"]["revenue_band"], 4);
  EXPECT_EQ(response["calculation"], "round10(30000 x 1 x 0.55 x 0.6 x 1 x 0.9) = 8910");
  EXPECT_EQ(j["posture"]["adjustments"][1]["code"], "EDR_MANAGED");
  EXPECT_EQ(j["posture"]["adjustments"][1]["points"], 113);
}

TEST(Quote, SameRequestSameYenFromManyThreads) {
  std::mt19937_64 rng(7);
  std::vector<QuoteRequest> requests;
  for (int i = 0; i < 200; ++i) requests.push_back(testing::random_request(tables(), rng));
  std::vector<std::string> expected;
  for (const auto& r : requests) expected.push_back(to_json(engine().quote(r)).dump());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < requests.size(); ++i)
        if (to_json(engine().quote(requests[i])).dump() != expected[i]) ++mismatches;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

void expect_input_error(const QuoteRequest& r, const std::string& where, const std::string& fragment) {
  try {
    engine().quote(r);
    ADD_FAILURE() << "accepted; expected an error at " << where;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInput) << e.what();
    EXPECT_EQ(e.field(), where) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what() << "\nlacks: " << fragment;
  }
}

TEST(Quote, InMemoryRequestsAreCheckedLikeJsonOnes) {
  auto r = testing::worked_example_1(tables());
  r.company.employees = 0;
  expect_input_error(r, "company.employees", "must be an integer between 1 and 1000000, got 0");
  r = testing::worked_example_1(tables());
  r.company.industry = "fishing";
  expect_input_error(r, "company.industry", "got \"fishing\"");
  r = testing::worked_example_1(tables());
  r.controls.edr.covered_endpoints = 49;
  expect_input_error(r, "controls.edr.covered_endpoints", "must not exceed company.endpoints (48), got 49");
  r = testing::worked_example_1(tables());
  r.controls.phishing_click_rate = std::numeric_limits<double>::quiet_NaN();
  expect_input_error(r, "controls.phishing_click_rate", "finite");
  r = testing::worked_example_1(tables());
  r.top_up[0].limit_yen = 20'000'000;
  expect_input_error(r, "top_up.liability.limit_yen", "got 20000000");
  r = testing::worked_example_1(tables());
  r.answers.answers().pop_back();
  expect_input_error(r, "answers", "97 entries but the questionnaire has 98 items");
  r = testing::worked_example_1(tables());
  r.controls.edr.status = EdrStatus::kSelfManaged;
  expect_input_error(r, "bundle_plan", "includes a managed EDR");
  r = testing::worked_example_1(tables());
  r.quote_date = *Date::parse("2026-11-30");
  try {
    engine().quote(r);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNoEdition);
    EXPECT_EQ(e.field(), "quote_date");
  }
}

TEST(Quote, JsonTextPathEqualsTheObjectPath) {
  const Quote q = engine().quote(testing::worked_example_1(tables()));
  nlohmann::json request = {
      {"quote_date", "2026-12-15"},
      {"company", {{"industry", "manufacturing"}, {"employees", 40}, {"capital_yen", 50000000}, {"revenue_yen", 400000000}, {"endpoints", 48}}},
      {"security_action", "two_star"},
      {"answers", nlohmann::json::object()},
      {"controls", {{"utm", "managed"}, {"edr", {{"status", "managed"}, {"covered_endpoints", 45}, {"installed_on", "2026-11-10"}}},
                    {"legacy_os_endpoints", 0}, {"phishing_click_rate", 0.04}, {"incidents_3y", 1}}},
      {"bundle_plan", "utm_edr"},
      {"service_monthly_price_yen", 80000},
      {"top_up", {{"liability", {{"limit_yen", 100000000}}},
                  {"response", {{"limit_yen", 10000000}, {"deductible_yen", 100000}}},
                  {"interruption", {{"limit_yen", 10000000}, {"deductible_yen", 500000}}}}},
      {"subsidy_program", "sme-cyber-support-2026"}};
  for (const auto& item : tables().questionnaire.items) request["answers"][item.id] = "yes";
  EXPECT_EQ(quote_json(engine(), request.dump()), to_json(q).dump());
}

TEST(Quote, TextPathIsByteIdenticalToTheDomPathOnRandomRequests) {
  std::mt19937_64 rng(31);
  for (int n = 0; n < 300; ++n) {
    QuoteRequest r = testing::random_request(tables(), rng);
    if (n % 3 == 0) {
      r.bundle_plan = BundlePlan::kEdr;
      r.controls.edr.status = EdrStatus::kManaged;
      r.controls.edr.covered_endpoints = 1;
      r.service_monthly_price_yen = 1000 * n;
    }
    const Quote q = engine().quote(r);
    std::string written;
    write_json(q, written);
    EXPECT_EQ(written, to_json(q).dump());
  }
}

TEST(Quote, DuplicateFieldsAreRejectedNotSilentlyOverwritten) {
  for (const char* text : {
           R"({"quote_date": "2026-12-15", "quote_date": "2026-12-16"})",
           R"({"quote_date": "2026-12-15", "answers": {"D01.1": "yes", "D01.1": "no"}})"}) {
    try {
      assess_json(engine(), text);
      ADD_FAILURE() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInput);
      EXPECT_TRUE(std::string(e.what()).find("twice") != std::string::npos) << e.what();
    }
  }
}

TEST(Quote, MalformedJsonIsAnInputErrorWithThePosition) {
  try {
    quote_json(engine(), "{\"quote_date\": ");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInput);
    EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("line 1, column 16"), std::string::npos) << e.what();
  }
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "nul", "01", "1.", "\"\\x\"",
                          "\"\xff\"", "{\"a\":NaN}", "\"\\ud800\""}) {
    EXPECT_THROW(quote_json(engine(), bad), Error) << bad;
  }
}

}  // namespace
}  // namespace cybercover
