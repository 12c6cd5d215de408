// A quote dated before 2027-04-01 must not change by a yen when edition 2027-04 ships (and
// 2026-12 closes on 2027-03-31). tests/data/frozen/corpus_2026-12.json holds the figures of a
// seeded corpus of 200,000 requests dated 2026-12-01 .. 2027-03-31, recorded with main's build
// before the rate revision (commit 374d2ef): the sha256 of every figure line of each block of
// rows, through the single quote (Engine::quote) and through the portfolio batch
// (price_portfolio, 2 threads), plus totals that say where a difference lies. The test prices
// the same corpus with today's tables and code and compares.
//
// To record the fixture again (only when a change is meant to move these figures):
//   CYBERCOVER_RECORD_CORPUS=1 build/tests/revision_tests --gtest_filter='FrozenCorpus.*'

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"
#include "detail/sha256.hpp"
#include "support/corpus.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using nlohmann::json;

constexpr std::uint64_t kSeed = 20261215;
constexpr std::size_t kRows = 200'000;
constexpr std::size_t kBlock = 5'000;
const std::string kFixture = std::string(CYBERCOVER_TEST_DATA_DIR) + "/frozen/corpus_2026-12.json";

struct Totals {
  std::map<std::string, std::int64_t> counts;
  void add(const std::string& key, std::int64_t v = 1) { counts[key] += v; }
  json to_json() const { return json(counts); }
};

// The batch's figures of row i on one line.
std::string batch_figures(const PortfolioResult& r, std::size_t i) {
  if (!r.ok[i]) {
    for (const RowError& e : r.errors)
      if (e.row == i) return "error|" + std::string(to_string(e.error.code())) + "|" + e.error.field();
    return "error|?";
  }
  std::string s = "ok|" + std::to_string(r.score[i]) + "," + std::to_string(r.unknown_count[i]) + "," +
                  std::to_string(r.posture_index[i]) + "," + r.tier_names[static_cast<std::size_t>(r.tier[i])] + "," +
                  std::to_string(r.outcome[i]) + "," + std::to_string(r.decision_codes[i]) + "," +
                  std::to_string(r.is_sme[i]) + "|";
  if (r.has_base_cover[i]) s += std::to_string(r.base_monthly_premium_yen[i]) + "," + std::to_string(r.base_annual_premium_yen[i]);
  s += "|";
  if (r.has_top_up[i]) {
    for (std::size_t k = 0; k < r.section_keys.size(); ++k) s += std::to_string(r.section_premium_yen[k][i]) + ",";
    s += std::to_string(r.package_yen[i]) + "," + std::to_string(r.annual_premium_yen[i]) + "," +
         std::to_string(r.subsidy_yen[i]) + "," + std::to_string(r.subsidy_code[i]) + "," +
         std::to_string(r.payable_annual_yen[i]) + "," + std::to_string(r.monthly_instalment_yen[i]);
  }
  return s;
}

// The corpus as portfolio columns (what quote_frame and the CSV reader fill).
struct CorpusColumns {
  std::vector<std::int64_t> day, employees, capital, revenue, endpoints, covered, installed, legacy, incidents, price;
  std::vector<std::int32_t> industry, subsidy;
  std::vector<std::uint8_t> answers, security_action, rubber, utm, edr, plan;
  std::vector<double> click;
  std::array<std::vector<std::int64_t>, 3> limit, deductible;
  std::vector<std::string> industry_keys;
  std::size_t items = 0;

  PortfolioColumns columns(std::size_t rows) const {
    PortfolioColumns c;
    c.rows = rows;
    c.quote_day = day.data();
    c.answers = answers.data();
    c.answer_columns = items;
    c.security_action = security_action.data();
    c.industry = industry.data();
    c.industry_keys = industry_keys;
    c.employees = employees.data();
    c.capital_yen = capital.data();
    c.revenue_yen = revenue.data();
    c.endpoints = endpoints.data();
    c.rubber_products = rubber.data();
    c.utm = utm.data();
    c.edr_status = edr.data();
    c.edr_covered_endpoints = covered.data();
    c.edr_installed_day = installed.data();
    c.legacy_os_endpoints = legacy.data();
    c.phishing_click_rate = click.data();
    c.incidents_3y = incidents.data();
    c.bundle_plan = plan.data();
    for (std::size_t s = 0; s < 3; ++s)
      c.top_up.push_back({testing::kCorpusSections[s], limit[s].data(), deductible[s].data()});
    c.subsidy_program_code = subsidy.data();
    c.subsidy_program_ids = {"sme-cyber-support-2026"};
    c.service_monthly_price_yen = price.data();
    return c;
  }
};

void append_row(CorpusColumns& c, const QuoteRequest& r) {
  c.day.push_back(r.quote_date.day_number());
  const auto it = std::find(c.industry_keys.begin(), c.industry_keys.end(), r.company.industry);
  c.industry.push_back(static_cast<std::int32_t>(it - c.industry_keys.begin()));
  if (it == c.industry_keys.end()) c.industry_keys.push_back(r.company.industry);
  c.employees.push_back(r.company.employees);
  c.capital.push_back(r.company.capital_yen);
  c.revenue.push_back(r.company.revenue_yen);
  c.endpoints.push_back(r.company.endpoints);
  c.rubber.push_back(r.company.rubber_products);
  c.security_action.push_back(static_cast<std::uint8_t>(r.security_action));
  for (Answer a : r.answers.answers()) c.answers.push_back(static_cast<std::uint8_t>(a));
  c.utm.push_back(static_cast<std::uint8_t>(r.controls.utm));
  c.edr.push_back(static_cast<std::uint8_t>(r.controls.edr.status));
  c.covered.push_back(r.controls.edr.covered_endpoints);
  c.installed.push_back(r.controls.edr.installed_on ? r.controls.edr.installed_on->day_number() : PortfolioColumns::kNoDay);
  c.legacy.push_back(r.controls.legacy_os_endpoints);
  c.click.push_back(r.controls.phishing_click_rate.value_or(std::numeric_limits<double>::quiet_NaN()));
  c.incidents.push_back(r.controls.incidents_3y);
  c.plan.push_back(static_cast<std::uint8_t>(r.bundle_plan));
  for (std::size_t s = 0; s < 3; ++s) {
    std::int64_t limit = 0, deductible = PortfolioColumns::kDefault;
    for (const CoverSelection& sel : r.top_up)
      if (sel.section == testing::kCorpusSections[s]) {
        limit = sel.limit_yen;
        if (sel.deductible_yen) deductible = *sel.deductible_yen;
      }
    c.limit[s].push_back(limit);
    c.deductible[s].push_back(deductible);
  }
  c.subsidy.push_back(r.subsidy_program ? 0 : PortfolioColumns::kNone);
  c.price.push_back(r.service_monthly_price_yen.value_or(PortfolioColumns::kNone));
}

// Prices the corpus both ways; returns the fixture's content.
json price_corpus(const Engine& engine) {
  const Questionnaire& questionnaire = engine.tables_for(*Date::parse("2026-12-15")).questionnaire;
  CorpusColumns cols;
  cols.items = questionnaire.items.size();
  json single_blocks = json::array(), batch_blocks = json::array();
  Totals single_totals, batch_totals;
  detail::Sha256 block_hash;
  std::vector<QuoteRequest> requests;
  requests.reserve(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    requests.push_back(testing::corpus_request(questionnaire, kSeed, i));
    append_row(cols, requests.back());
    std::string line;
    try {
      const Quote q = engine.quote(requests.back());
      line = testing::corpus_figures(q);
      single_totals.add("ok");
      single_totals.add("tier " + q.tier_name());
      single_totals.add(std::string("outcome ") + std::string(to_string(q.decision.outcome)));
      if (q.base_cover) single_totals.add("base_annual_yen", q.base_cover->annual_premium_yen);
      if (q.top_up) {
        single_totals.add("top_up_annual_yen", q.top_up->annual_premium_yen);
        single_totals.add("subsidy_yen", q.top_up->subsidy_yen);
        single_totals.add("payable_yen", q.top_up->payable_annual_yen);
      }
    } catch (const Error& e) {
      line = testing::corpus_error(e);
      single_totals.add(std::string("error ") + to_string(e.code()));
    }
    line += '\n';
    block_hash.update(line);
    if ((i + 1) % kBlock == 0) {
      single_blocks.push_back(block_hash.hex_digest());
      block_hash = detail::Sha256();
    }
  }
  BatchOptions options;
  options.threads = 2;
  options.on_error = OnError::kCollect;
  const PortfolioResult r = price_portfolio(engine, cols.columns(kRows), options);
  for (std::size_t i = 0; i < kRows; ++i) {
    const std::string line = batch_figures(r, i) + "\n";
    block_hash.update(line);
    if (r.ok[i]) {
      batch_totals.add("ok");
      batch_totals.add("annual_premium_yen", r.annual_premium_yen[i]);
      batch_totals.add("base_annual_premium_yen", r.base_annual_premium_yen[i]);
    }
    if ((i + 1) % kBlock == 0) {
      batch_blocks.push_back(block_hash.hex_digest());
      block_hash = detail::Sha256();
    }
  }
  return json{{"about", "Figures of a seeded corpus of quotes dated 2026-12-01..2027-03-31 (tests/support/corpus.hpp), "
                        "recorded before the rate revision; see tests/unit/frozen_corpus_test.cpp"},
              {"seed", kSeed},
              {"rows", kRows},
              {"block_rows", kBlock},
              {"single_quote", {{"block_sha256", single_blocks}, {"totals", single_totals.to_json()}}},
              {"batch", {{"block_sha256", batch_blocks}, {"totals", batch_totals.to_json()}}}};
}

TEST(FrozenCorpus, QuotesDatedBefore2027_04_01KeepEveryFigure) {
  const json now = price_corpus(testing::default_engine());
  if (const char* record = std::getenv("CYBERCOVER_RECORD_CORPUS"); record && std::string(record) == "1") {
    std::ofstream(kFixture) << now.dump(1) << "\n";
    GTEST_SKIP() << "recorded " << kFixture;
  }
  std::ifstream in(kFixture);
  ASSERT_TRUE(in) << "missing fixture " << kFixture;
  const json frozen = json::parse(in);
  ASSERT_EQ(frozen["rows"], kRows);
  for (const char* door : {"single_quote", "batch"}) {
    EXPECT_EQ(now[door]["totals"], frozen[door]["totals"]) << door << ": the totals moved";
    const auto& a = now[door]["block_sha256"];
    const auto& b = frozen[door]["block_sha256"];
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k)
      EXPECT_EQ(a[k], b[k]) << door << ": a figure of rows " << k * kBlock << ".." << (k + 1) * kBlock - 1 << " changed";
  }
  // The corpus covers what it means to: every tier, every outcome, most error rules.
  const auto& totals = frozen["single_quote"]["totals"];
  for (const char* key : {"tier A", "tier B", "tier C", "tier D", "tier E", "outcome accept", "outcome refer",
                          "outcome decline", "error input.limit_not_offered", "error input.covered_above_endpoints"})
    EXPECT_GT(totals.value(key, 0), 100) << key;
}

}  // namespace
}  // namespace cybercover
