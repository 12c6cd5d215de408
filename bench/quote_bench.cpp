// Speed of one quote. Targets (issue "Quote engine"): median <= 1 us for a quote from an
// in-memory request, <= 20 us JSON text in -> JSON text out. Baseline in the same run: parsing
// and dumping the same JSON with nlohmann alone, so JSON figures read as a ratio to it.
//
// Run: build/bench/quote_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <fstream>
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

// A typical request: the 30-person manufacturer of examples/ (mixed answers, three sections).
const std::string& request_text() {
  static const std::string text = read(std::string(CYBERCOVER_SOURCE_DIR) + "/examples/requests/manufacturer_30_staff.json");
  return text;
}

const QuoteRequest& in_memory_request() {
  static const QuoteRequest r = parse_quote_request(nlohmann::json::parse(request_text()), engine().library());
  return r;
}

void BM_QuoteInMemory(benchmark::State& state) {
  const QuoteRequest& r = in_memory_request();
  for (auto _ : state) benchmark::DoNotOptimize(engine().quote(r));
}
BENCHMARK(BM_QuoteInMemory);

void BM_AssessmentOnly(benchmark::State& state) {
  const QuoteRequest& r = in_memory_request();
  const Questionnaire& q = engine().tables_for(r.quote_date).questionnaire;
  for (auto _ : state) benchmark::DoNotOptimize(assess(q, r.security_action, r.answers));
}
BENCHMARK(BM_AssessmentOnly);

void BM_QuoteJsonTextToJsonText(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(quote_json(engine(), request_text()));
}
BENCHMARK(BM_QuoteJsonTextToJsonText);

void BM_BaselineNlohmannParseAndDump(benchmark::State& state) {
  const std::string response = quote_json(engine(), request_text());
  for (auto _ : state) {
    benchmark::DoNotOptimize(nlohmann::json::parse(request_text()).dump());
    benchmark::DoNotOptimize(nlohmann::json::parse(response).dump());
  }
}
BENCHMARK(BM_BaselineNlohmannParseAndDump);

}  // namespace

BENCHMARK_MAIN();
namespace {
void BM_PartRequestFromText(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_quote_request_text(request_text(), engine().library()));
}
BENCHMARK(BM_PartRequestFromText);
void BM_PartWriteJson(benchmark::State& state) {
  const Quote q = engine().quote(in_memory_request());
  for (auto _ : state) {
    std::string out;
    write_json(q, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_PartWriteJson);
}
