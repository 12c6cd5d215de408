// The policy rules (policy.json) and their arithmetic: every figure computed by hand in the
// comment beside it (docs/store.md has the same examples).

#include "cybercover/store/policy_rules.hpp"

#include <gtest/gtest.h>

#include "cybercover/error.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using testing::EditionCopy;

Date d(const char* text) { return *Date::parse(text); }

TEST(PolicyRules, ProrateRoundsTheExactFractionOnce) {
  // 35,800 x 275 / 365 = 26,972.602...
  EXPECT_EQ(prorate(Rounding::kFloor, 35'800, 275, 365), 26'972);
  EXPECT_EQ(prorate(Rounding::kRhu, 35'800, 275, 365), 26'973);
  EXPECT_EQ(prorate(Rounding::kFloor10, 35'800, 275, 365), 26'970);
  EXPECT_EQ(prorate(Rounding::kRound10, 35'800, 275, 365), 26'970);
  EXPECT_EQ(prorate(Rounding::kCeil10, 35'800, 275, 365), 26'980);
  // Halves: 765 x 1 / 2 = 382.5 -> rhu 383; 25 x 1 / 1 round10 = 30 (half up); exact stays exact.
  EXPECT_EQ(prorate(Rounding::kRhu, 765, 1, 2), 383);
  EXPECT_EQ(prorate(Rounding::kRound10, 25, 1, 1), 30);
  EXPECT_EQ(prorate(Rounding::kCeil10, 20, 1, 1), 20);
  // 10^15 x 366 stays exact (128-bit product).
  EXPECT_EQ(prorate(Rounding::kFloor, 1'000'000'000'000'000, 366, 366), 1'000'000'000'000'000);
  EXPECT_THROW(prorate(Rounding::kFloor, -1, 1, 1), std::invalid_argument);
  EXPECT_THROW(prorate(Rounding::kFloor, 1, 1, 0), std::invalid_argument);
}

TEST(PolicyRules, RoundingNamesRoundTrip) {
  for (Rounding r : {Rounding::kFloor, Rounding::kRhu, Rounding::kFloor10, Rounding::kRound10,
                     Rounding::kCeil10})
    EXPECT_EQ(parse_rounding(to_string(r)), r);
  EXPECT_FALSE(parse_rounding("round").has_value());
}

TEST(PolicyRules, CalendarMonthsClampToTheMonthEnd) {
  EXPECT_EQ(add_months(d("2027-01-31"), 1), d("2027-02-28"));
  EXPECT_EQ(add_months(d("2028-01-31"), 1), d("2028-02-29"));
  EXPECT_EQ(add_months(d("2026-12-15"), 12), d("2027-12-15"));
  EXPECT_EQ(add_months(d("2026-11-30"), 3), d("2027-02-28"));
  EXPECT_EQ(top_up_term_end(d("2027-01-15")), d("2028-01-14"));
  EXPECT_EQ(top_up_term_end(d("2028-02-29")), d("2029-02-27"));  // 2029-02-28 is the anniversary
  EXPECT_EQ(top_up_term_end(d("2026-12-20")), d("2027-12-19"));
  const auto m = parse_month("2028-02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->first, d("2028-02-01"));
  EXPECT_EQ(m->last, d("2028-02-29"));
  EXPECT_EQ(m->days(), 29);
  EXPECT_FALSE(parse_month("2028-13"));
  EXPECT_FALSE(parse_month("2028-2"));
  EXPECT_FALSE(parse_month("2028-02-01"));
}

TEST(PolicyRules, RefundIsTheUnexpiredShareLessWhatTheInsurerRetains) {
  PolicyRules r;  // the default edition's: floor10, nothing retained
  const Date start = d("2026-12-20"), end = d("2027-12-19");  // 365 days
  // Cancelled from 2027-03-20: unexpired 2027-03-20 .. 2027-12-19 = 275 days;
  // floor10(35,800 x 275 / 365 = 26,972.60) = 26,970.
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, d("2027-03-20")), 26'970);
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, start), 35'800);            // void: all back
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, d("2026-12-01")), 35'800);  // before the start
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, end), 90);                  // floor10(98.08)
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, d("2027-12-20")), 0);       // after the term
  // 2027-04 style: floor, at least 2,000 retained: min(26,972, 35,800 - 2,000) = 26,972 ...
  r.refund_rounding = Rounding::kFloor;
  r.retained_minimum_yen = 2'000;
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, d("2027-03-20")), 26'972);
  // ... but cancelled the day after the start: floor(35,800 x 364 / 365 = 35,701.9) = 35,701 >
  // 33,800.
  EXPECT_EQ(top_up_refund(r, 35'800, start, end, d("2026-12-21")), 33'800);
  // A premium below the retained minimum refunds nothing once in force.
  EXPECT_EQ(top_up_refund(r, 1'500, start, end, d("2026-12-21")), 0);
}

TEST(PolicyRules, EarnedGrowsByDayAndEndsAtWhatTheInsurerKeeps) {
  const PolicyRules r;  // earned: floor
  const Date start = d("2026-12-20"), end = d("2027-12-19");
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, std::nullopt, 0, d("2026-12-19")), 0);
  // 12 days through 2026-12-31: floor(35,800 x 12 / 365 = 1,176.98) = 1,176.
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, std::nullopt, 0, d("2026-12-31")), 1'176);
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, std::nullopt, 0, end), 35'800);
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, std::nullopt, 0, d("2030-01-01")), 35'800);
  // Cancelled from 2027-03-20 with refund 26,970: through 2027-03-19 (90 days) floor(8,827.4) =
  // 8,827; from 2027-03-20 on, what is kept: 35,800 - 26,970 = 8,830.
  const auto c = std::optional<Date>(d("2027-03-20"));
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, c, 26'970, d("2027-03-19")), 8'827);
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, c, 26'970, d("2027-03-20")), 8'830);
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, c, 26'970, d("2027-12-31")), 8'830);
  // Void: never earned.
  EXPECT_EQ(top_up_earned_through(r, 35'800, start, end, std::optional<Date>(start), 35'800,
                                  d("2027-06-01")),
            0);
  // Monotone day by day, never above the premium.
  std::int64_t previous = 0;
  for (Date day = start; day <= end; day = Date::from_day_number(day.day_number() + 1)) {
    const auto e = top_up_earned_through(r, 35'800, start, end, std::nullopt, 0, day);
    EXPECT_GE(e, previous);
    EXPECT_LE(e, 35'800);
    previous = e;
  }
}

TEST(PolicyRules, BaseCoverOwesTheMonthlyPremiumOrItsShareOfTheDays) {
  PolicyRules r;  // rhu
  EXPECT_EQ(base_cover_owed(r, 765, 31, 31), 765);
  EXPECT_EQ(base_cover_owed(r, 765, 0, 31), 0);
  EXPECT_EQ(base_cover_owed(r, 1'620, 12, 31), 627);    // rhu(627.10)
  EXPECT_EQ(base_cover_owed(r, 1'620, 9, 31), 470);     // rhu(470.32)
  EXPECT_EQ(base_cover_owed(r, 1'728, 22, 31), 1'226);  // rhu(1,226.32)
  r.base_cover_rounding = Rounding::kFloor10;
  EXPECT_EQ(base_cover_owed(r, 765, 31, 31), 765);  // a whole month is never rounded
  EXPECT_EQ(base_cover_owed(r, 765, 15, 30), 380);  // floor10(382.5)
}

TEST(PolicyRules, RulesTravelAsJson) {
  PolicyRules r;
  r.quote_validity_days = 14;
  r.refund_rounding = Rounding::kCeil10;
  r.retained_minimum_yen = 2'000;
  EXPECT_EQ(parse_policy_rules_json(policy_rules_json(r)), r);
  EXPECT_EQ(
      policy_rules_json(PolicyRules{}),
      R"({"bind":{"max_start_delay_days":90},"bordereau":{"base_cover_rounding":"rhu","earned_rounding":"floor"},)"
      R"("cancellation":{"refund_rounding":"floor10","retained_minimum_yen":0},"quote_validity_days":30})");
  try {
    parse_policy_rules_json("{}");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kStoreCorrupt);
  }
}

TEST(PolicyRules, TheDefaultEditionLoadsItsPolicyTable) {
  const PolicyRules& r = testing::default_tables().policy;
  EXPECT_EQ(r.quote_validity_days, 30);
  EXPECT_EQ(r.max_start_delay_days, 90);
  EXPECT_EQ(r.refund_rounding, Rounding::kFloor10);
  EXPECT_EQ(r.retained_minimum_yen, 0);
  EXPECT_EQ(r.base_cover_rounding, Rounding::kRhu);
  EXPECT_EQ(r.earned_rounding, Rounding::kFloor);
  const auto second = load_edition(std::string(CYBERCOVER_TEST_DATA_DIR) + "/editions/2027-04");
  EXPECT_EQ(second->policy.quote_validity_days, 14);
  EXPECT_EQ(second->policy.retained_minimum_yen, 2'000);
  EXPECT_EQ(second->policy.refund_rounding, Rounding::kFloor);
}

void expect_rejected(const std::function<void(nlohmann::json&)>& change, const std::string& key,
                     const std::string& words, ErrorCode code) {
  EditionCopy copy("policy_rules");
  copy.edit("policy", change);
  try {
    load_edition(copy.dir());
    ADD_FAILURE() << "accepted a bad policy.json (" << key << ")";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), code) << what;
    EXPECT_NE(what.find("policy.json: " + key), std::string::npos) << what;
    EXPECT_NE(what.find(words), std::string::npos) << what;
  }
}

TEST(PolicyRules, BadPolicyTablesAreRejectedNamingTheKey) {
  expect_rejected([](nlohmann::json& j) { j["quote_validity_days"] = -1; }, "quote_validity_days",
                  "got -1", ErrorCode::kTableBelowMinimum);
  expect_rejected([](nlohmann::json& j) { j["quote_validity_days"] = 30.5; }, "quote_validity_days",
                  "30.5", ErrorCode::kTableNotInteger);
  expect_rejected([](nlohmann::json& j) { j["bind"]["max_start_delay_days"] = 5000; },
                  "bind.max_start_delay_days", "got 5000", ErrorCode::kTableAboveMaximum);
  expect_rejected([](nlohmann::json& j) { j["cancellation"]["refund_rounding"] = "banker"; },
                  "cancellation.refund_rounding",
                  "must be one of floor, rhu, floor10, round10, ceil10",
                  ErrorCode::kTableInvalidValue);
  expect_rejected([](nlohmann::json& j) { j["cancellation"]["retained_minimum_yen"] = -5; },
                  "cancellation.retained_minimum_yen", "got -5", ErrorCode::kTableBelowMinimum);
  expect_rejected([](nlohmann::json& j) { j["bordereau"]["earned_rounding"] = 1; },
                  "bordereau.earned_rounding", "", ErrorCode::kTableWrongType);
  expect_rejected([](nlohmann::json& j) { j["bordereau"]["monthly"] = true; }, "bordereau.monthly",
                  "unknown", ErrorCode::kTableUnknownKey);
  expect_rejected([](nlohmann::json& j) { j.erase("cancellation"); }, "cancellation", "",
                  ErrorCode::kTableMissingKey);
  EditionCopy copy("policy_missing");
  std::filesystem::remove(copy.file("policy"));
  try {
    load_edition(copy.dir());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTableMissingFile);
    EXPECT_NE(std::string(e.what()).find("policy.json: table file is missing"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cybercover
