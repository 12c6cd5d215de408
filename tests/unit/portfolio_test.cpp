// Portfolio batch pricing equals the single quote to the yen, row by row, for any thread
// count; bad rows fail with the single quote's message.

#include <gtest/gtest.h>

#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/columns.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

struct Columns : testing::Columns {
  explicit Columns(const std::vector<QuoteRequest>& requests) : testing::Columns(requests, tables()) {}
};

std::vector<QuoteRequest> portfolio(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<QuoteRequest> out;
  for (std::size_t i = 0; i < n; ++i) {
    QuoteRequest r = testing::random_request(tables(), rng);
    r.subsidy_program = "sme-cyber-support-2026";
    switch (i % 5) {  // vary plans, sizes, revenues, dates and the top-up mix
      case 0:
        r.bundle_plan = BundlePlan::kUtm;
        r.controls.utm = UtmStatus::kManaged;
        r.service_monthly_price_yen = 9000 + static_cast<Yen>(i % 3) * 1000;
        break;
      case 1:
        r.bundle_plan = BundlePlan::kUtmEdr;
        r.controls.utm = UtmStatus::kManaged;
        r.controls.edr = {EdrStatus::kManaged, r.company.endpoints, Date::parse("2026-11-20")};
        r.top_up.pop_back();
        break;
      case 2:
        r.company.employees = 400;
        r.company.capital_yen = 500'000'000;  // not an SME: declined
        break;
      case 3:
        r.top_up.clear();
        r.quote_date = *Date::parse("2027-04-02");  // subsidy programme over
        break;
      default:
        r.company.revenue_yen = 10'000'000'000;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void expect_row_equals_single_quote(const PortfolioResult& b, std::size_t i, const QuoteRequest& r) {
  const Quote q = engine().quote(r);
  SCOPED_TRACE("row " + std::to_string(i) + ": " + to_json(q).dump().substr(0, 300));
  ASSERT_EQ(b.ok[i], 1);
  EXPECT_EQ(b.score[i], q.assessment.summary.score);
  EXPECT_EQ(b.unknown_count[i], q.assessment.summary.unknown_count);
  EXPECT_EQ(b.posture_index[i], q.posture.index);
  EXPECT_EQ(b.tier_names[static_cast<std::size_t>(b.tier[i])], q.tier_name());
  EXPECT_EQ(b.outcome[i], static_cast<std::int8_t>(q.decision.outcome));
  std::uint8_t bits = 0;
  for (DecisionCode c : q.decision) bits = static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(c)));
  EXPECT_EQ(b.decision_codes[i], bits);
  EXPECT_EQ(b.has_base_cover[i], q.base_cover.has_value());
  if (q.base_cover) {
    EXPECT_EQ(b.base_monthly_premium_yen[i], q.base_cover->monthly_premium_yen);
  }
  EXPECT_EQ(b.has_top_up[i], q.top_up.has_value());
  if (q.top_up) {
    for (const auto& s : q.top_up->sections)
      EXPECT_EQ(b.section_premium_yen[static_cast<std::size_t>(s.section)][i], s.annual_premium_yen);
    EXPECT_EQ(b.package_yen[i], q.top_up->package_yen);
    EXPECT_EQ(b.annual_premium_yen[i], q.top_up->annual_premium_yen);
    EXPECT_EQ(b.subsidy_yen[i], q.top_up->subsidy_yen);
    EXPECT_EQ(b.subsidy_code[i], static_cast<std::uint8_t>(q.top_up->subsidy_code));
    EXPECT_EQ(b.payable_annual_yen[i], q.top_up->payable_annual_yen);
    EXPECT_EQ(b.monthly_instalment_yen[i], q.top_up->monthly_instalment_yen);
  }
}

TEST(Portfolio, EveryRowEqualsTheSingleQuoteWhateverTheThreadCount) {
  const auto requests = portfolio(12000, 77);
  Columns cols(requests);
  BatchOptions one;
  one.threads = 1;
  const PortfolioResult single_thread = price_portfolio(engine(), cols.view, one);
  ASSERT_TRUE(single_thread.errors.empty()) << single_thread.errors.front().error.what();
  for (std::size_t i = 0; i < requests.size(); ++i) expect_row_equals_single_quote(single_thread, i, requests[i]);
  for (int threads : {2, 3, 8}) {
    BatchOptions options;
    options.threads = threads;
    const PortfolioResult r = price_portfolio(engine(), cols.view, options);
    EXPECT_EQ(r.annual_premium_yen, single_thread.annual_premium_yen) << threads;
    EXPECT_EQ(r.base_monthly_premium_yen, single_thread.base_monthly_premium_yen) << threads;
    EXPECT_EQ(r.section_premium_yen, single_thread.section_premium_yen) << threads;
    EXPECT_EQ(r.posture_index, single_thread.posture_index) << threads;
  }
  // The rows dated 2027-04-02 are priced by edition 2027-04, the others by 2026-12.
  ASSERT_EQ(single_thread.editions.size(), 2u);
  EXPECT_EQ(single_thread.editions[0].edition, "2026-12");
  EXPECT_EQ(single_thread.editions[0].sha256, tables().sha256);
  EXPECT_EQ(single_thread.editions[1].edition, "2027-04");
}

TEST(Portfolio, CollectedErrorsCarryTheSingleQuoteMessage) {
  auto requests = portfolio(50, 3);
  requests[7].company.employees = 0;
  requests[11].top_up = {{"liability", 20'000'000, std::nullopt}};
  requests[19].controls.edr = {EdrStatus::kSelfManaged, requests[19].company.endpoints + 1, std::nullopt};
  requests[23].answers.answers()[0] = Answer::kNa;
  Columns cols(requests);
  cols.industry[31] = 99;  // a code outside the key list
  BatchOptions collect;
  collect.on_error = OnError::kCollect;
  const PortfolioResult r = price_portfolio(engine(), cols.view, collect);
  ASSERT_EQ(r.errors.size(), 5u);
  const std::size_t bad[] = {7, 11, 19, 23};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(r.errors[k].row, bad[k]);
    EXPECT_EQ(r.ok[bad[k]], 0);
    try {
      engine().quote(requests[bad[k]]);
      ADD_FAILURE() << "row " << bad[k] << " should fail";
    } catch (const Error& e) {
      EXPECT_EQ(r.errors[k].error.message(), e.message());
      EXPECT_EQ(r.errors[k].error.location().row, bad[k] + 1);
    }
  }
  EXPECT_EQ(r.errors[4].row, 31u);
  EXPECT_NE(std::string(r.errors[4].error.what()).find("company.industry: must be a code of one of"), std::string::npos) << std::string(r.errors[4].error.what());
  EXPECT_EQ(r.ok[8], 1);  // the other rows are priced

  try {
    price_portfolio(engine(), cols.view);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "[cybercover.input.below_minimum] company.employees: must be an integer between 1 and 1000000, got 0 "
              "(row 8, column \"employees\")");
  }
}

TEST(Portfolio, ColumnProblemsAreReportedByName) {
  auto requests = portfolio(3, 1);
  Columns cols(requests);
  PortfolioColumns view = cols.view;
  view.employees = nullptr;
  try {
    price_portfolio(engine(), view);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMissingColumn);
    EXPECT_EQ(e.field(), "employees");
  }
  view = cols.view;
  view.answer_columns = 97;
  try {
    price_portfolio(engine(), view);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kColumnShape);
    EXPECT_NE(std::string(e.what()).find("has 97 columns but no edition's questionnaire has that many items"), std::string::npos)
        << e.what();
  }
  view = cols.view;
  view.rows = 0;
  EXPECT_EQ(price_portfolio(engine(), view).rows, 0u);
}

}  // namespace
}  // namespace cybercover
