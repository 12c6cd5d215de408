// The loss model's speed: the book simulation in company-years per second (targets: >= 150M
// per core, >= 250M on two; the side-by-side comparison with numpy is bench/loss_bench.py),
// the closed forms per company, and the exact aggregate distributions (Panjer against FFT).
//
// Run: build/bench/loss_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <random>

#include "cybercover/cybercover.hpp"

namespace {

using namespace cybercover;

const Engine& engine() {
  static const Engine e(TableLibrary::load(std::string(CYBERCOVER_SOURCE_DIR) + "/rating_tables"));
  return e;
}

// A seeded book of quoted SMEs: mixed answers, controls, plans, sections and five providers.
const LossBook& book() {
  static const LossBook b = [] {
    const RatingTables& t = engine().tables_for(*Date::parse("2026-12-15"));
    LossBook out(engine().library().editions().front());
    std::mt19937_64 rng(42);
    auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    const char* providers[] = {"provider_a", "provider_b", "provider_c", "provider_d",
                               "provider_e"};
    const Yen liability[] = {10'000'000, 30'000'000, 50'000'000, 100'000'000};
    const Yen response[] = {5'000'000, 10'000'000, 30'000'000};
    for (std::uint64_t i = 0; i < 100000; ++i) {
      QuoteRequest r;
      r.quote_date = *Date::parse("2026-12-15");
      r.company = {t.underwriting.industries[static_cast<std::size_t>(pick(12))].key,
                   1 + pick(300),
                   30'000'000,
                   static_cast<Yen>(rng() % 5'000'000'000ULL),
                   1 + pick(100),
                   false};
      r.answers = AnswerSheet(t.questionnaire);
      for (auto& a : r.answers.answers()) a = static_cast<Answer>(1 + pick(4));
      const int plan = pick(4);
      r.bundle_plan = static_cast<BundlePlan>(plan);
      r.controls.utm =
          plan == 1 || plan == 3 ? UtmStatus::kManaged : static_cast<UtmStatus>(pick(2));
      if (plan >= 2)
        r.controls.edr = {EdrStatus::kManaged, r.company.endpoints, Date::parse("2026-10-01")};
      r.controls.incidents_3y = pick(3);
      if (pick(10) < 7) r.top_up.push_back({"liability", liability[pick(4)], std::nullopt});
      if (pick(10) < 6) r.top_up.push_back({"response", response[pick(3)], std::nullopt});
      if (pick(10) < 4) r.top_up.push_back({"interruption", 10'000'000, std::nullopt});
      out.add_quote(r, engine().quote(r), i, providers[pick(5)]);
    }
    return out;
  }();
  return b;
}

void BM_Simulate(benchmark::State& state) {
  const LossBook& b = book();
  SimulationOptions o;
  o.years = 2000;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    ++o.seed;
    benchmark::DoNotOptimize(simulate(b, o));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(b.size()) * o.years);
  state.counters["company_years_per_s"] = benchmark::Counter(
      static_cast<double>(b.size()) * o.years, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Simulate)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

void BM_ExpectedLosses(benchmark::State& state) {
  const LossBook& b = book();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(expected_losses(b.tables(), b.companies()[i].exposure));
    i = (i + 1) % b.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExpectedLosses);

// One company's base cover (limit ¥3M): 2,000 lattice points, the annual aggregate applied.
void BM_LayerAggregate(benchmark::State& state) {
  LossExposure e;
  e.employees = 40;
  e.tier = 2;
  e.bundle_plan = BundlePlan::kUtmEdr;
  AggregateOptions o;
  o.method = state.range(0) == 0 ? AggregateMethod::kPanjer : AggregateMethod::kFft;
  const RatingTables& t = book().tables();
  for (auto _ : state) benchmark::DoNotOptimize(layer_aggregate(t, e, "base_cover", o));
  state.SetLabel(state.range(0) == 0 ? "panjer" : "fft");
}
BENCHMARK(BM_LayerAggregate)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// A company's annual total over four layers (every section, the base cover).
void BM_CompanyAggregate(benchmark::State& state) {
  const RatingTables& t = book().tables();
  LossExposure e;
  e.employees = 150;
  e.tier = 3;
  e.bundle_plan = BundlePlan::kUtmEdr;
  e.top_up.push_back(resolve_selection(t.top_up, 0, 100'000'000, std::nullopt));
  e.top_up.push_back(resolve_selection(t.top_up, 1, 10'000'000, std::nullopt));
  e.top_up.push_back(resolve_selection(t.top_up, 2, 10'000'000, std::nullopt));
  for (auto _ : state) benchmark::DoNotOptimize(company_aggregate(t, e));
}
BENCHMARK(BM_CompanyAggregate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
