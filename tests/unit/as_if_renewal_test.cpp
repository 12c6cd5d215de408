// As-if pricing (QuoteOptions::edition) and the renewal cap (top_up.json renewal_cap, request
// field prior_annual_premium_yen), with figures computed by hand.

#include <gtest/gtest.h>

#include <sstream>

#include "cybercover/cybercover.hpp"
#include "support/columns.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(to_string(e.code())) + " | " + e.what();
  }
  return "no error";
}

// 2026-12 closed on 2027-03-31 beside the test edition tests/data/editions/2027-04 (industry
// manufacturing 1.10, multi-section 0.96 / 0.93, utm rates 320..., tier A from 820), built in
// memory.
const Engine& two_editions() {
  static const Engine engine = [] {
    EditionDraft old_edition = EditionDraft::load(testing::kDefaultEditionDir);
    old_edition.set_effective_to(*Date::parse("2027-03-31"));
    const EditionDraft next = EditionDraft::load(std::string(CYBERCOVER_TEST_DATA_DIR) + "/editions/2027-04");
    return Engine(TableLibrary::from_editions({old_edition.build(), next.build()}));
  }();
  return engine;
}

QuoteOptions as_if(const char* edition) {
  QuoteOptions o;
  o.edition = edition;
  return o;
}

// Worked example 1 with its EDR installed on 2026-12-01: on 2026-12-15 it is 14 days old,
// still learning.
QuoteRequest learning_example() {
  QuoteRequest r = testing::worked_example_1(two_editions().tables_for(*Date::parse("2026-12-15")));
  r.controls.edr.installed_on = Date::parse("2026-12-01");
  return r;
}

TEST(AsIf, PricesUnderTheNamedEditionWithEveryDateUnchanged) {
  const QuoteRequest r = learning_example();
  const Quote q = two_editions().quote(r, as_if("2027-04"));
  EXPECT_EQ(q.tables->edition, "2027-04");
  // Posture: d = 14 < 30 still learning: EDR_LEARNING rhu(60 x 45 / 48 = 56.25) = 56;
  // 1000 + 120 + 56 + 30 - 100 = 1106 -> A (>= 820 in 2027-04).
  ASSERT_EQ(q.posture.edr_days, 14);
  EXPECT_EQ(q.posture.adjustments[1].code, PostureCode::kEdrLearning);
  EXPECT_EQ(q.posture.adjustments[1].points, 56);
  EXPECT_EQ(q.posture.index, 1106);
  EXPECT_EQ(q.tier_name(), "A");
  // Base: utm_edr band 2 = 850 (unchanged in 2027-04) x 0.90 = 765.
  EXPECT_EQ(q.base_cover->monthly_premium_yen, 765);
  // Top-up under 2027-04: manufacturing 1.10.
  //   liability 37,000 x 1.10 x 0.55 x 1.00 x 1.00 = 22,385 -> 22,390
  //   response 30,000 x 1.10 x 0.55 x 0.60 x 1.00 x 0.90 = 9,801 -> 9,800
  //   interruption 17,000 x 1.10 x 0.55 x 1.00 x 0.90 = 9,256.5 -> 9,260
  //   package round10(41,450 x 0.93 = 38,548.5) = 38,550
  const TopUpQuote& t = *q.top_up;
  EXPECT_EQ(t.sections[0].annual_premium_yen, 22'390);
  EXPECT_EQ(t.sections[1].annual_premium_yen, 9'800);
  EXPECT_EQ(t.sections[2].annual_premium_yen, 9'260);
  EXPECT_EQ(t.package_yen, 38'550);
  EXPECT_EQ(t.annual_premium_yen, 38'550);
  // The subsidy's dates are the quote date's: the 2026 programme is in force on 2026-12-15.
  // floor10(min(30,000, 38,550 / 3 = 12,850)) = 12,850; payable 25,700;
  // instalment ceil10(25,700 x 1.05 / 12 = 2,248.75) = 2,250.
  EXPECT_EQ(t.subsidy_code, SubsidyCode::kNone);
  EXPECT_EQ(t.subsidy_yen, 12'850);
  EXPECT_EQ(t.payable_annual_yen, 25'700);
  EXPECT_EQ(t.monthly_instalment_yen, 2'250);

  // Moving the date instead would have moved the EDR out of learning and the subsidy out of
  // force: what as-if pricing avoids.
  QuoteRequest moved = r;
  moved.quote_date = *Date::parse("2027-04-15");
  const Quote m = two_editions().quote(moved);
  EXPECT_EQ(m.tables->edition, "2027-04");
  EXPECT_EQ(m.posture.adjustments[1].code, PostureCode::kEdrManaged);
  EXPECT_EQ(m.top_up->subsidy_code, SubsidyCode::kNotEffective);

  // As-if under the edition in force is the ordinary quote; under the old one after it closed,
  // the old figures.
  EXPECT_EQ(two_editions().quote(r, as_if("2026-12")).top_up->annual_premium_yen, two_editions().quote(r).top_up->annual_premium_yen);
  const Quote old = two_editions().quote(moved, as_if("2026-12"));
  EXPECT_EQ(old.tables->edition, "2026-12");
  EXPECT_EQ(old.top_up->annual_premium_yen, 35'800);
}

TEST(AsIf, EveryDoorGivesTheSameFiguresAndTheSameUnknownEditionError) {
  const Engine& engine = two_editions();
  QuoteRequest r = learning_example();
  // JSON door: the answers are read with the named edition's questionnaire.
  nlohmann::json j = to_json(engine.quote(r, as_if("2027-04")));
  const std::string request = R"({"quote_date": "2026-12-15",
    "company": {"industry": "manufacturing", "employees": 40, "capital_yen": 50000000, "revenue_yen": 400000000, "endpoints": 48},
    "security_action": "two_star", "answers": {},
    "controls": {"utm": "managed", "edr": {"status": "managed", "covered_endpoints": 45, "installed_on": "2026-12-01"},
                 "legacy_os_endpoints": 0, "phishing_click_rate": 0.04, "incidents_3y": 1},
    "bundle_plan": "utm_edr",
    "top_up": {"liability": {"limit_yen": 100000000}, "response": {"limit_yen": 10000000, "deductible_yen": 100000},
               "interruption": {"limit_yen": 10000000, "deductible_yen": 500000}},
    "subsidy_program": "sme-cyber-support-2026"})";
  // The answers (all yes) through the edition's items.
  nlohmann::json req = nlohmann::json::parse(request);
  for (const Item& item : engine.library().edition("2027-04")->questionnaire.items) req["answers"][item.id] = "yes";
  const nlohmann::json from_text = nlohmann::json::parse(quote_json(engine, req.dump(), {}, as_if("2027-04")));
  EXPECT_EQ(from_text["top_up"]["annual_premium_yen"], 38'550);
  EXPECT_EQ(from_text["tables"]["edition"], "2027-04");
  EXPECT_EQ(from_text["top_up"], j["top_up"]);

  // Unknown id: the same error from the struct, the JSON text, the batch and the CSV.
  const std::string expected =
      "no_edition.unknown_edition | [cybercover.no_edition.unknown_edition] edition: no edition with this id is "
      "loaded (editions: 2026-12, 2027-04), got \"2027-05\"";
  EXPECT_EQ(error_of([&] { engine.quote(r, as_if("2027-05")); }), expected);
  EXPECT_EQ(error_of([&] { quote_json(engine, req.dump(), {}, as_if("2027-05")); }), expected);
  testing::Columns cols({r}, *engine.library().edition("2026-12"));
  BatchOptions options;
  options.edition = "2027-05";
  EXPECT_EQ(error_of([&] { price_portfolio(engine, cols.view, options); }), expected);
  std::istringstream csv("quote_date\n2026-12-15\n");
  std::ostringstream out;
  CsvPriceOptions csv_options;
  csv_options.edition = "2027-05";
  EXPECT_EQ(error_of([&] { price_csv(engine, csv, out, csv_options); }), expected);
}

TEST(AsIf, TheBatchEqualsTheSingleQuoteRowByRow) {
  const Engine& engine = two_editions();
  const RatingTables& old_edition = *engine.library().edition("2026-12");
  std::mt19937_64 rng(13);
  std::vector<QuoteRequest> requests;
  for (int i = 0; i < 400; ++i) {
    QuoteRequest r = testing::random_request(old_edition, rng);
    r.quote_date = Date::from_day_number(Date::parse("2026-12-01")->day_number() + i % 200);  // both sides of 2027-04-01
    requests.push_back(r);
  }
  testing::Columns cols(requests, old_edition);  // the same 98 items in both editions
  for (const char* edition : {"2026-12", "2027-04"}) {
    BatchOptions options;
    options.edition = edition;
    options.threads = 2;
    options.on_error = OnError::kCollect;
    const PortfolioResult batch = price_portfolio(engine, cols.view, options);
    ASSERT_EQ(batch.editions.size(), 1u);
    EXPECT_EQ(batch.editions[0].edition, edition);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const Quote q = engine.quote(requests[i], as_if(edition));
      ASSERT_TRUE(batch.ok[i]) << i;
      EXPECT_EQ(batch.annual_premium_yen[i], q.top_up ? q.top_up->annual_premium_yen : 0) << i;
      EXPECT_EQ(batch.payable_annual_yen[i], q.top_up ? q.top_up->payable_annual_yen : 0) << i;
      EXPECT_EQ(batch.base_monthly_premium_yen[i], q.base_cover ? q.base_cover->monthly_premium_yen : 0) << i;
      EXPECT_EQ(batch.posture_index[i], q.posture.index) << i;
    }
  }
}

// ---- the renewal cap -------------------------------------------------------------------------
// 2026-12 with a renewal cap of +25% / -20%, in memory.
const Engine& capped() {
  static const Engine engine = [] {
    EditionDraft d = EditionDraft::load(testing::kDefaultEditionDir);
    d.table("top_up")["renewal_cap"] = {{"max_increase", 0.25}, {"max_decrease", 0.20}};
    return Engine(TableLibrary::from_editions({d.build()}));
  }();
  return engine;
}

struct RenewalCase {
  Yen prior;
  RenewalCode code;
  Yen floor, ceiling, annual, subsidy, payable, instalment;
};

TEST(RenewalCap, HoldsTheAnnualPremiumWithinTheCapExactly) {
  // Worked example 1: uncapped annual 35,800 (the package; above the minimum).
  const std::vector<RenewalCase> cases = {
      // prior 20,000: ceiling floor(20,000 x 1.25) = 25,000 < 35,800 -> 25,000; floor ceil(16,000) = 16,000.
      // subsidy floor10(min(30,000, 8,333.33)) = 8,330; payable 16,670; ceil10(16,670 x 1.05 / 12 = 1,458.625) = 1,460.
      {20'000, RenewalCode::kIncreaseCapped, 16'000, 25'000, 25'000, 8'330, 16'670, 1'460},
      // prior 28,003: ceiling floor(35,003.75) = 35,003 (whole yen, never above +25%); floor ceil(22,402.4) = 22,403.
      // subsidy floor10(11,667.67) = 11,660; payable 23,343; ceil10(23,343 x 1.05 / 12 = 2,042.5125) = 2,050.
      {28'003, RenewalCode::kIncreaseCapped, 22'403, 35'003, 35'003, 11'660, 23'343, 2'050},
      // prior 33,333: ceiling floor(41,666.25) = 41,666; floor ceil(26,666.4) = 26,667: within.
      {33'333, RenewalCode::kWithinCap, 26'667, 41'666, 35'800, 11'930, 23'870, 2'090},
      // prior 44,751: floor ceil(44,751 x 0.8 = 35,800.8) = 35,801 > 35,800 -> 35,801 (never below -20%).
      // subsidy floor10(11,933.67) = 11,930; payable 23,871; ceil10(2,088.7125) = 2,090.
      {44'751, RenewalCode::kDecreaseCapped, 35'801, 55'938, 35'801, 11'930, 23'871, 2'090},
      // prior 50,000: floor 40,000 -> 40,000; subsidy floor10(13,333.33) = 13,330; payable 26,670;
      // ceil10(26,670 x 1.05 / 12 = 2,333.625) = 2,340.
      {50'000, RenewalCode::kDecreaseCapped, 40'000, 62'500, 40'000, 13'330, 26'670, 2'340},
  };
  for (const RenewalCase& c : cases) {
    QuoteRequest r = testing::worked_example_1(capped().tables_for(*Date::parse("2026-12-15")));
    r.prior_annual_premium_yen = c.prior;
    const Quote q = capped().quote(r);
    ASSERT_TRUE(q.top_up->renewal) << c.prior;
    const RenewalCapQuote& cap = *q.top_up->renewal;
    EXPECT_EQ(cap.code, c.code) << c.prior;
    EXPECT_EQ(cap.prior_annual_premium_yen, c.prior);
    EXPECT_EQ(cap.uncapped_annual_premium_yen, 35'800) << c.prior;
    EXPECT_EQ(cap.floor_yen, c.floor) << c.prior;
    EXPECT_EQ(cap.ceiling_yen, c.ceiling) << c.prior;
    EXPECT_EQ(q.top_up->package_yen, 35'800) << c.prior;
    EXPECT_EQ(q.top_up->annual_premium_yen, c.annual) << c.prior;
    EXPECT_EQ(q.top_up->subsidy_yen, c.subsidy) << c.prior;
    EXPECT_EQ(q.top_up->payable_annual_yen, c.payable) << c.prior;
    EXPECT_EQ(q.top_up->monthly_instalment_yen, c.instalment) << c.prior;
  }
}

TEST(RenewalCap, TheAuditTrailShowsTheUncappedPremiumTheBoundsAndTheCode) {
  QuoteRequest r = testing::worked_example_1(capped().tables_for(*Date::parse("2026-12-15")));
  r.prior_annual_premium_yen = 20'000;
  const nlohmann::json j = to_json(capped().quote(r));
  const nlohmann::json expected = {
      {"calculation", "min(max(35800, ceil(20000 x 0.8) = 16000), floor(20000 x 1.25) = 25000) = 25000"},
      {"ceiling_yen", 25'000},
      {"code", "RENEWAL_INCREASE_CAPPED"},
      {"floor_yen", 16'000},
      {"max_decrease", 0.2},
      {"max_increase", 0.25},
      {"prior_annual_premium_yen", 20'000},
      {"uncapped_annual_premium_yen", 35'800}};
  EXPECT_EQ(j["top_up"]["renewal"], expected);
  EXPECT_EQ(j["top_up"]["annual_premium_yen"], 25'000);
  // Without a prior premium: new business, no renewal key, no cap.
  r.prior_annual_premium_yen.reset();
  EXPECT_FALSE(to_json(capped().quote(r))["top_up"].contains("renewal"));
  EXPECT_EQ(capped().quote(r).top_up->annual_premium_yen, 35'800);
}

TEST(RenewalCap, AnEditionWithoutACapPricesTheRenewalLikeNewBusiness) {
  const Engine& engine = testing::default_engine();  // 2026-12 has no renewal cap
  QuoteRequest r = testing::worked_example_1(testing::default_tables());
  r.prior_annual_premium_yen = 20'000;
  const Quote q = engine.quote(r);
  EXPECT_EQ(q.top_up->annual_premium_yen, 35'800);
  EXPECT_EQ(q.top_up->payable_annual_yen, 23'870);
  ASSERT_TRUE(q.top_up->renewal);
  EXPECT_EQ(q.top_up->renewal->code, RenewalCode::kNoCap);
  const nlohmann::json j = to_json(q)["top_up"]["renewal"];
  EXPECT_EQ(j["code"], "RENEWAL_NO_CAP");
  EXPECT_TRUE(j["ceiling_yen"].is_null() && j["floor_yen"].is_null() && j["calculation"].is_null());
  // A declined company has no top-up, so nothing to cap.
  QuoteRequest declined = r;
  declined.company.capital_yen = 400'000'000;
  declined.company.employees = 400;
  EXPECT_FALSE(engine.quote(declined).top_up);
}

TEST(RenewalCap, ZeroPercentHoldsThePriorPremiumAndTheBoundsAreChecked) {
  EditionDraft d = EditionDraft::load(testing::kDefaultEditionDir);
  d.table("top_up")["renewal_cap"] = {{"max_increase", 0}, {"max_decrease", 0}};
  const Engine frozen(TableLibrary::from_editions({d.build()}));
  QuoteRequest r = testing::worked_example_1(frozen.tables_for(*Date::parse("2026-12-15")));
  r.prior_annual_premium_yen = 31'234;
  EXPECT_EQ(frozen.quote(r).top_up->annual_premium_yen, 31'234);
  r.prior_annual_premium_yen = 0;
  EXPECT_EQ(error_of([&] { frozen.quote(r); }),
            "input.below_minimum | [cybercover.input.below_minimum] prior_annual_premium_yen: must be an integer between 1 and "
            "1000000000000000, got 0");
}

TEST(RenewalCap, TheBatchAndTheCsvCarryTheUncappedPremiumAndTheCode) {
  std::vector<QuoteRequest> requests;
  for (const Yen prior : {Yen{20'000}, Yen{33'333}, Yen{50'000}}) {
    QuoteRequest r = testing::worked_example_1(capped().tables_for(*Date::parse("2026-12-15")));
    r.prior_annual_premium_yen = prior;
    requests.push_back(r);
  }
  requests.push_back(testing::worked_example_1(capped().tables_for(*Date::parse("2026-12-15"))));  // not a renewal
  testing::Columns cols(requests, capped().tables_for(*Date::parse("2026-12-15")));
  const PortfolioResult batch = price_portfolio(capped(), cols.view);
  const std::vector<Yen> annual = {25'000, 35'800, 40'000, 35'800};
  const std::vector<RenewalCode> codes = {RenewalCode::kIncreaseCapped, RenewalCode::kWithinCap, RenewalCode::kDecreaseCapped,
                                          RenewalCode::kNone};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(batch.annual_premium_yen[i], annual[i]) << i;
    EXPECT_EQ(batch.uncapped_annual_premium_yen[i], 35'800) << i;
    EXPECT_EQ(batch.renewal_code[i], static_cast<std::uint8_t>(codes[i])) << i;
    EXPECT_EQ(batch.payable_annual_yen[i], capped().quote(requests[i]).top_up->payable_annual_yen) << i;
  }
  // CSV: a prior_annual_premium_yen column adds the two renewal columns.
  std::ostringstream csv;
  const auto& t = capped().tables_for(*Date::parse("2026-12-15"));
  csv << "quote_date,industry,employees,capital_yen,revenue_yen,endpoints,security_action,utm,edr_status,"
         "edr_covered_endpoints,edr_installed_on,legacy_os_endpoints,phishing_click_rate,incidents_3y,bundle_plan,"
         "liability_limit_yen,prior_annual_premium_yen";
  for (const Item& item : t.questionnaire.items) csv << "," << item.id;
  csv << "\n";
  for (const char* prior : {"20000", ""}) {
    csv << "2026-12-15,manufacturing,40,50000000,400000000,48,two_star,managed,managed,45,2026-11-10,0,0.04,1,utm_edr,"
           "100000000,"
        << prior;
    for (std::size_t i = 0; i < t.questionnaire.items.size(); ++i) csv << ",yes";
    csv << "\n";
  }
  std::istringstream in(csv.str());
  std::ostringstream out;
  price_csv(capped(), in, out);
  std::istringstream lines(out.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_NE(header.find(",package_yen,annual_premium_yen,uncapped_annual_premium_yen,renewal_code,subsidy_yen,"), std::string::npos);
  // liability alone: 37,000 x 0.55 = 20,350, the annual premium; prior 20,000: ceiling 25,000, within.
  EXPECT_NE(first.find(",20350,20350,20350,RENEWAL_WITHIN_CAP,"), std::string::npos) << first;
  EXPECT_NE(second.find(",20350,20350,20350,,"), std::string::npos) << second;
}

}  // namespace
}  // namespace cybercover
