// The engine is table-driven: a second edition (tests/data/editions/2027-04) with different
// factors, an extra limit and a new industry gives the figures that edition implies, and the
// quote date picks the edition.

#include <gtest/gtest.h>

#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using testing::EditionCopy;

// The default edition closed on 2027-03-31, side by side with the test edition from 2027-04-01.
class TwoEditions : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* table : {"questionnaire", "posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model", "remediation"})
      copy_.edit(table, [](nlohmann::json& j) { j["effective_to"] = "2027-03-31"; });
    std::filesystem::copy(std::string(CYBERCOVER_TEST_DATA_DIR) + "/editions/2027-04", copy_.root() + "/2027-04");
    engine_ = std::make_unique<Engine>(TableLibrary::load(copy_.root()));
  }

  QuoteRequest request(const char* date, const char* industry, Answer fill) const {
    QuoteRequest r;
    r.quote_date = *Date::parse(date);
    r.company = Company{industry, 40, 50'000'000, 400'000'000, 48, false};
    r.security_action = SecurityAction::kTwoStar;
    r.answers = AnswerSheet(engine_->tables_for(r.quote_date).questionnaire, fill);
    return r;
  }

  EditionCopy copy_{"editions"};
  std::unique_ptr<Engine> engine_;
};

TEST_F(TwoEditions, NewIndustryExtraLimitAndNewSubsidyPriceAsTheEditionSays) {
  QuoteRequest r = request("2027-05-10", "agriculture", Answer::kPartial);
  r.company = Company{"agriculture", 30, 10'000'000, 80'000'000, 9, false};
  r.security_action = SecurityAction::kOneStar;
  r.controls.utm = UtmStatus::kManaged;
  r.bundle_plan = BundlePlan::kUtm;
  r.top_up = {{"liability", 200'000'000, std::nullopt}};
  r.subsidy_program = "sme-cyber-support-2027";
  const Quote q = engine_->quote(r);
  EXPECT_EQ(q.tables->edition, "2027-04");
  EXPECT_EQ(q.posture.index, 620);  // 500 + 120
  EXPECT_EQ(q.tier_name(), "C");
  EXPECT_EQ(q.base_cover->monthly_premium_yen, 480);  // utm band 21-50 in 2027-04, x 1.00
  EXPECT_EQ(q.base_cover->annual_premium_yen, 5760);
  // 17,000 x 1.05 x 1.00 x 1.25 x 1.00 = 22,312.5 -> round10 22,310
  EXPECT_EQ(q.top_up->sections[0].annual_premium_yen, 22310);
  EXPECT_EQ(q.top_up->annual_premium_yen, 22310);
  // 1/2 x 22,310 = 11,155 -> floor10 11,150; payable 11,160; ceil10(11,160 x 1.05 / 12 = 976.5) = 980
  EXPECT_EQ(q.top_up->subsidy_yen, 11150);
  EXPECT_EQ(q.top_up->payable_annual_yen, 11160);
  EXPECT_EQ(q.top_up->monthly_instalment_yen, 980);
}

TEST_F(TwoEditions, TheQuoteDatePicksTheEditionAndItsTierBandsAndFactors) {
  // Posture 1000 - 200 = 800: tier A under 2026-12 (A >= 800), tier B under 2027-04 (A >= 820).
  QuoteRequest r = request("2027-03-31", "manufacturing", Answer::kYes);
  r.controls.incidents_3y = 2;
  r.top_up = {{"liability", 100'000'000, std::nullopt}, {"response", 10'000'000, std::nullopt}};
  const Quote old_edition = engine_->quote(r);
  EXPECT_EQ(old_edition.tables->edition, "2026-12");
  EXPECT_EQ(old_edition.tier_name(), "A");
  // 37,000 x 0.55 = 20,350; 30,000 x 0.55 x 0.60 = 9,900; round10(30,250 x 0.97 = 29,342.5) = 29,340
  EXPECT_EQ(old_edition.top_up->package_yen, 29340);

  r.quote_date = *Date::parse("2027-04-01");
  const Quote new_edition = engine_->quote(r);
  EXPECT_EQ(new_edition.tables->edition, "2027-04");
  EXPECT_EQ(new_edition.tier_name(), "B");
  // 37,000 x 1.10 x 0.80 = 32,560; 30,000 x 1.10 x 0.80 x 0.60 = 15,840; round10(48,400 x 0.96 = 46,464) = 46,460
  EXPECT_EQ(new_edition.top_up->sections[0].annual_premium_yen, 32560);
  EXPECT_EQ(new_edition.top_up->sections[1].annual_premium_yen, 15840);
  EXPECT_EQ(new_edition.top_up->package_yen, 46460);
  EXPECT_NE(new_edition.tables->sha256, old_edition.tables->sha256);
  EXPECT_EQ(new_edition.decision.outcome, Outcome::kRefer);  // two incidents
}

TEST_F(TwoEditions, WhatOneEditionOffersTheOtherRejects) {
  QuoteRequest r = request("2027-03-31", "agriculture", Answer::kYes);
  try {
    engine_->quote(r);
    ADD_FAILURE() << "agriculture is not an industry of 2026-12";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "company.industry");
  }
  r = request("2027-03-31", "manufacturing", Answer::kYes);
  r.top_up = {{"liability", 200'000'000, std::nullopt}};
  try {
    engine_->quote(r);
    ADD_FAILURE() << "a ¥200M liability limit is not offered in 2026-12";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "top_up.liability.limit_yen");
    EXPECT_NE(std::string(e.what()).find("got 200000000"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cybercover
