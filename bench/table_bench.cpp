// Loading an edition, and loading one whose top_up.json has an object of n extra keys (the
// hardening issue's quadratic-parsing defect: 100k keys took 15 s). Google Benchmark fits the
// growth: it must come out O(N) or O(NlogN), never O(N^2). Baseline in the same run: the
// default edition's load (BM_LoadDefaultEdition), so figures read as ratios to it.
//
// Run: build/bench/table_bench

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cybercover/cybercover.hpp"

namespace {

using namespace cybercover;

const std::map<std::string, std::string>& default_files() {
  static const std::map<std::string, std::string> files = [] {
    std::map<std::string, std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(std::string(CYBERCOVER_SOURCE_DIR) + "/rating_tables/2026-12")) {
      std::ifstream in(e.path());
      std::stringstream s;
      s << in.rdbuf();
      out[e.path().filename().string()] = s.str();
    }
    return out;
  }();
  return files;
}

void BM_LoadDefaultEdition(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(load_edition_from_files(default_files(), "2026-12"));
}
BENCHMARK(BM_LoadDefaultEdition)->Unit(benchmark::kMillisecond);

// n unknown keys in industry_factors, and a duplicate at the end: the parser's duplicate check
// sees all n, then refuses the file.
void BM_TableObjectWithManyKeys(benchmark::State& state) {
  auto files = default_files();
  std::string& top_up = files["top_up.json"];
  const auto at = top_up.find("\"industry_factors\"");
  const auto open = top_up.find('{', at) + 1;
  std::string extra;
  for (std::int64_t i = 0; i < state.range(0); ++i) extra += "\"k" + std::to_string(i) + "\": 1, ";
  top_up.insert(open, extra + "\"k0\": 2, ");
  for (auto _ : state) {
    try {
      load_edition_from_files(files, "2026-12");
      state.SkipWithError("the duplicate was not found");
    } catch (const Error& e) {
      benchmark::DoNotOptimize(e.code());
    }
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_TableObjectWithManyKeys)->RangeMultiplier(4)->Range(1 << 10, 1 << 18)->Unit(benchmark::kMillisecond)->Complexity();

}  // namespace

BENCHMARK_MAIN();
