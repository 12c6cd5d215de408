// Throughput of portfolio pricing from columns, per core, against the baseline of calling
// Engine::quote row by row in the same run. Target (issue "Python bindings and portfolio
// batch pricing"): >= 3,000,000 full quotes per second per core.
//
// Run: build/bench/batch_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "cybercover/cybercover.hpp"

namespace {

using namespace cybercover;

const Engine& engine() {
  static const Engine e(TableLibrary::load(std::string(CYBERCOVER_SOURCE_DIR) + "/rating_tables"));
  return e;
}

// A seeded portfolio of valid SMEs: mixed answers, controls, plans and all three sections.
struct Book {
  static constexpr std::size_t kRows = 200000;
  std::vector<QuoteRequest> requests;
  std::vector<std::uint8_t> answers, sa, utm, edr, plan;
  std::vector<std::int32_t> industry;
  std::vector<std::int64_t> employees, capital, revenue, endpoints, covered, installed, legacy, incidents, l1, l2, l3;
  std::vector<double> click;
  PortfolioColumns cols;

  Book() {
    const RatingTables& t = engine().tables_for(*Date::parse("2026-12-15"));
    std::mt19937_64 rng(42);
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    for (std::size_t i = 0; i < kRows; ++i) {
      QuoteRequest r;
      r.quote_date = *Date::parse("2026-12-15");
      r.company = {t.underwriting.industries[static_cast<std::size_t>(pick(12))].key, 1 + pick(200), 30'000'000,
                   static_cast<Yen>(rng() % 5'000'000'000ULL), 1 + pick(100), false};
      r.security_action = static_cast<SecurityAction>(pick(3));
      r.answers = AnswerSheet(t.questionnaire);
      for (auto& a : r.answers.answers()) a = static_cast<Answer>(1 + pick(4));
      const int plan_code = pick(4);
      r.bundle_plan = static_cast<BundlePlan>(plan_code);
      r.controls.utm = plan_code == 1 || plan_code == 3 ? UtmStatus::kManaged : static_cast<UtmStatus>(pick(2));
      if (plan_code >= 2) r.controls.edr = {EdrStatus::kManaged, r.company.endpoints, Date::parse("2026-10-01")};
      r.controls.legacy_os_endpoints = pick(2);
      if (pick(2)) r.controls.phishing_click_rate = pick(40) / 100.0;
      r.controls.incidents_3y = pick(3);
      r.top_up = {{"liability", 100'000'000, std::nullopt}, {"response", 10'000'000, std::nullopt}, {"interruption", 10'000'000, std::nullopt}};
      for (Answer a : r.answers.answers()) answers.push_back(static_cast<std::uint8_t>(a));
      sa.push_back(static_cast<std::uint8_t>(r.security_action));
      industry.push_back(t.underwriting.industry_index(r.company.industry));
      employees.push_back(r.company.employees);
      capital.push_back(r.company.capital_yen);
      revenue.push_back(r.company.revenue_yen);
      endpoints.push_back(r.company.endpoints);
      utm.push_back(static_cast<std::uint8_t>(r.controls.utm));
      edr.push_back(static_cast<std::uint8_t>(r.controls.edr.status));
      covered.push_back(r.controls.edr.covered_endpoints);
      installed.push_back(r.controls.edr.installed_on ? r.controls.edr.installed_on->day_number() : PortfolioColumns::kNoDay);
      legacy.push_back(r.controls.legacy_os_endpoints);
      click.push_back(r.controls.phishing_click_rate.value_or(std::nan("")));
      incidents.push_back(r.controls.incidents_3y);
      plan.push_back(static_cast<std::uint8_t>(plan_code));
      l1.push_back(100'000'000);
      l2.push_back(10'000'000);
      l3.push_back(10'000'000);
      requests.push_back(std::move(r));
    }
    cols.rows = kRows;
    cols.quote_date = *Date::parse("2026-12-15");
    cols.answers = answers.data();
    cols.answer_columns = t.questionnaire.items.size();
    cols.security_action = sa.data();
    cols.industry = industry.data();
    for (const auto& ind : t.underwriting.industries) cols.industry_keys.push_back(ind.key);
    cols.employees = employees.data();
    cols.capital_yen = capital.data();
    cols.revenue_yen = revenue.data();
    cols.endpoints = endpoints.data();
    cols.utm = utm.data();
    cols.edr_status = edr.data();
    cols.edr_covered_endpoints = covered.data();
    cols.edr_installed_day = installed.data();
    cols.legacy_os_endpoints = legacy.data();
    cols.phishing_click_rate = click.data();
    cols.incidents_3y = incidents.data();
    cols.bundle_plan = plan.data();
    cols.top_up = {{"liability", l1.data(), nullptr}, {"response", l2.data(), nullptr}, {"interruption", l3.data(), nullptr}};
    cols.subsidy_program = "sme-cyber-support-2026";
  }
};

const Book& book() {
  static const Book b;
  return b;
}

void BM_BatchOneThread(benchmark::State& state) {
  BatchOptions options;
  options.threads = 1;
  book();  // built before timing
  for (auto _ : state) benchmark::DoNotOptimize(price_portfolio(engine(), book().cols, options));
  state.counters["quotes_per_s"] = benchmark::Counter(static_cast<double>(Book::kRows) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchOneThread)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BatchAllThreads(benchmark::State& state) {
  book();
  for (auto _ : state) benchmark::DoNotOptimize(price_portfolio(engine(), book().cols));
  state.counters["quotes_per_s"] = benchmark::Counter(static_cast<double>(Book::kRows) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchAllThreads)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baseline: the same rows through Engine::quote one at a time (full assessment detail).
void BM_BaselineSingleQuotes(benchmark::State& state) {
  book();
  for (auto _ : state)
    for (const auto& r : book().requests) benchmark::DoNotOptimize(engine().quote(r));
  state.counters["quotes_per_s"] = benchmark::Counter(static_cast<double>(Book::kRows) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BaselineSingleQuotes)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
