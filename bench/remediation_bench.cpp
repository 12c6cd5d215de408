// Speed of a remediation plan. Target (issue "feedback report"): <= 1 ms per company for a
// plan. Baseline in the same run: one Engine::quote of the same request, so the plan reads as
// "N quotes' worth" (a plan re-quotes every measure, so N is about the number of measures).
// After the Google Benchmark runs, main() times plan and quote interleaved (median of 7
// rounds each) and prints the ratio, which is steadier on a shared machine.
//
// Run: build/bench/remediation_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "cybercover/cybercover.hpp"

namespace {

using namespace cybercover;

const Engine& engine() {
  static const Engine e(TableLibrary::load(std::string(CYBERCOVER_SOURCE_DIR) + "/rating_tables"));
  return e;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The 30-person manufacturer of examples/: 63 unmet items and 4 upgrades = 67 measures.
const QuoteRequest& typical() {
  static const QuoteRequest r = parse_quote_request_text(
      read(std::string(CYBERCOVER_SOURCE_DIR) + "/examples/requests/manufacturer_30_staff.json"), engine().library());
  return r;
}

// The worst case: nothing answered (98 unmet items), every upgrade open: 102 measures.
const QuoteRequest& worst() {
  static const QuoteRequest r = [] {
    QuoteRequest q = typical();
    q.security_action = SecurityAction::kNone;  // no auto-answers either
    q.answers = AnswerSheet(engine().tables_for(q.quote_date).questionnaire);
    q.controls.utm = UtmStatus::kUnmanaged;
    q.controls.edr = EdrControl{};
    q.controls.legacy_os_endpoints = 2;
    q.controls.phishing_click_rate = 0.3;
    q.bundle_plan = BundlePlan::kNone;
    q.service_monthly_price_yen.reset();
    return q;
  }();
  return r;
}

// A book of varied companies (random answers and controls), for the batch.
std::vector<QuoteRequest> book(std::size_t n) {
  std::mt19937_64 rng(42);
  const RatingTables& t = engine().tables_for(typical().quote_date);
  std::vector<QuoteRequest> out;
  for (std::size_t i = 0; i < n; ++i) {
    QuoteRequest r = typical();
    for (auto& a : r.answers.answers()) a = static_cast<Answer>(rng() % 5);
    r.controls.utm = static_cast<UtmStatus>(rng() % 3);
    r.controls.legacy_os_endpoints = static_cast<std::int64_t>(rng() % 3);
    r.bundle_plan = r.controls.utm == UtmStatus::kManaged ? BundlePlan::kUtm : BundlePlan::kNone;
    if (r.bundle_plan == BundlePlan::kNone) r.service_monthly_price_yen.reset();
    static_cast<void>(t);
    out.push_back(std::move(r));
  }
  return out;
}

void BM_Quote(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(engine().quote(typical()));
}
BENCHMARK(BM_Quote);

void BM_PlanTypical(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(plan_remediation(engine(), typical()));
  state.counters["measures"] = static_cast<double>(plan_remediation(engine(), typical()).measures.size());
}
BENCHMARK(BM_PlanTypical)->Unit(benchmark::kMicrosecond);

void BM_PlanWorstCase(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(plan_remediation(engine(), worst()));
  state.counters["measures"] = static_cast<double>(plan_remediation(engine(), worst()).measures.size());
}
BENCHMARK(BM_PlanWorstCase)->Unit(benchmark::kMicrosecond);

void BM_PlanJsonTextToJsonText(benchmark::State& state) {
  const std::string text = read(std::string(CYBERCOVER_SOURCE_DIR) + "/examples/requests/manufacturer_30_staff.json");
  for (auto _ : state) benchmark::DoNotOptimize(remediation_json(engine(), text));
}
BENCHMARK(BM_PlanJsonTextToJsonText)->Unit(benchmark::kMicrosecond);

void BM_ReportHtml(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(report_html(engine(), typical(), ReportOptions{}));
}
BENCHMARK(BM_ReportHtml)->Unit(benchmark::kMicrosecond);

void BM_PlanBatchPerCompany(benchmark::State& state) {
  static const std::vector<QuoteRequest> requests = book(2000);
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(plan_remediation_batch(engine(), requests, {threads, false}));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests.size()));
}
BENCHMARK(BM_PlanBatchPerCompany)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

template <typename F>
double median_ns(F f, int reps) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  for (int i = 0; i < reps; ++i) f();
  return std::chrono::duration<double, std::nano>(clock::now() - t0).count() / reps;
}

void print_ratio(const char* name, const QuoteRequest& r) {
  std::vector<double> plans, quotes;
  for (int round = 0; round < 7; ++round) {
    quotes.push_back(median_ns([&] { benchmark::DoNotOptimize(engine().quote(r)); }, 20000));
    plans.push_back(median_ns([&] { benchmark::DoNotOptimize(plan_remediation(engine(), r)); }, 300));
  }
  std::sort(plans.begin(), plans.end());
  std::sort(quotes.begin(), quotes.end());
  const double plan = plans[3], quote = quotes[3];
  std::printf("%-8s plan %8.1f us   one quote %6.3f us   plan / quote = %5.0f x   (target: plan <= 1000 us)\n", name,
              plan / 1000, quote / 1000, plan / quote);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\nInterleaved, median of 7 rounds:\n");
  print_ratio("typical", typical());
  print_ratio("worst", worst());
  return 0;
}
