// Fuzz target: the table loader. The first byte picks one file of the edition (in name order:
// base_cover, loss_model, posture, questionnaire, remediation, subsidies, top_up,
// underwriting); the remaining bytes replace it. The edition is written to a per-process
// scratch directory and loaded with TableLibrary::load, as a user's edition directory would be.
// The other files are the default edition's (rating_tables/2026-12), minified and with the
// questionnaire's item texts cut to one character: the same tables, a quarter of the bytes to
// parse on every input. A bad table must be a cybercover::Error (table.* or io.*); a table
// that loads must quote: requests at the contract's bounds (every count and amount but the capital at its
// maximum, each bundle plan, best and worst answers, the largest limits and deductibles) end
// in a quote whose money figures are integers >= 0, or in a cybercover::Error; an overflow
// must never be undefined behaviour. The loss model's expected losses and a short simulation
// are finite and >= 0.

#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace cybercover;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fuzz::fail("cannot write " + path.string());
}

// The default edition, minified; the questionnaire's item texts cut to their first character.
std::string compact(const std::string& name, const std::string& bytes) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(bytes);
  if (name == "questionnaire.json") {
    for (auto& item : j["items"]) {
      for (const char* key : {"question_ja", "question_en", "measure_ja", "measure_en"}) {
        const std::string text = item[key];
        std::size_t n = 1;
        while (n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) ++n;
        item[key] = text.substr(0, n);
      }
    }
  }
  return j.dump();
}

// The edition's files, and a scratch copy of them that one input at a time changes (in
// /dev/shm when there is one: no disk writes).
class ScratchEdition {
 public:
  ScratchEdition() {
    for (const auto& entry : fs::directory_iterator(fuzz::kSourceDir + "/rating_tables/2026-12")) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() == ".json") files_[name] = compact(name, read_file(entry.path()));
    }
    for (const auto& [name, bytes] : files_) names_.push_back(name);
    std::error_code ec;
    const fs::path tmp = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                               : fs::temp_directory_path();
    root_ = tmp / ("cybercover_fuzz_tables_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "2026-12");
    for (const auto& [name, bytes] : files_) write_file(dir() / name, bytes);
  }
  ~ScratchEdition() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  fs::path dir() const { return root_ / "2026-12"; }

  // Puts back the file the last input changed, then writes `bytes` over file `index`.
  void replace(std::size_t index, std::string_view bytes) {
    if (changed_) write_file(dir() / *changed_, files_.at(*changed_));
    changed_ = names_[index % names_.size()];
    write_file(dir() / *changed_, bytes);
  }

 private:
  std::map<std::string, std::string> files_;
  std::vector<std::string> names_;
  fs::path root_;
  std::optional<std::string> changed_;
};

// Requests at the contract's bounds for this edition: its first industry, every section at
// its largest limit and deductible, the given plan (with the controls it needs) and answers.
QuoteRequest extreme_request(const RatingTables& t, BundlePlan plan, Answer answers, bool worst) {
  QuoteRequest r;
  r.quote_date = t.in_force.from;
  r.company.industry = t.underwriting.industries.empty() ? "none" : t.underwriting.industries.front().key;
  r.company.employees = bounds::kMaxEmployees;
  r.company.capital_yen = 0;  // an SME by its capital whatever its size: the top-up is priced
  const Yen top_band = t.top_up.revenue_bands.empty() ? 0 : t.top_up.revenue_bands.back().max_revenue_yen;
  r.company.revenue_yen = std::min<Yen>(bounds::kMaxYen, std::max<Yen>(0, top_band));
  r.company.endpoints = bounds::kMaxEndpoints;
  r.security_action = worst ? SecurityAction::kNone : SecurityAction::kTwoStar;
  r.answers = AnswerSheet(t.questionnaire, answers);
  r.controls.utm = worst ? UtmStatus::kNone : UtmStatus::kManaged;
  if (plan == BundlePlan::kUtm || plan == BundlePlan::kUtmEdr) r.controls.utm = UtmStatus::kManaged;
  if (!worst || plan == BundlePlan::kEdr || plan == BundlePlan::kUtmEdr)
    r.controls.edr = EdrControl{EdrStatus::kManaged, bounds::kMaxEndpoints, t.in_force.from};
  r.controls.legacy_os_endpoints = worst ? bounds::kMaxEndpoints : 0;
  r.controls.phishing_click_rate = worst ? 1.0 : 0.0;
  r.controls.incidents_3y = worst ? bounds::kMaxIncidents : 0;
  r.bundle_plan = plan;
  if (plan != BundlePlan::kNone) r.service_monthly_price_yen = worst ? bounds::kMaxMonthlyPriceYen : 1;
  for (const auto& s : t.top_up.sections) {
    CoverSelection c{s.key, s.limits.empty() ? 0 : s.limits.back().amount_yen, std::nullopt};
    if (!s.deductibles.empty()) c.deductible_yen = worst ? s.deductibles.front().amount_yen : s.deductibles.back().amount_yen;
    r.top_up.push_back(c);
  }
  if (!t.subsidies.empty()) r.subsidy_program = t.subsidies.front().id;
  return r;
}

void check_loss(const RatingTables& t, const std::vector<LossExposure>& exposures) {
  for (const auto& e : exposures) {
    ExpectedLosses losses;
    if (!fuzz::run_or_error([&] { losses = expected_losses(t, e); })) continue;
    FUZZ_REQUIRE(std::isfinite(losses.incident_frequency) && losses.incident_frequency >= 0,
                  "incident frequency " + std::to_string(losses.incident_frequency));
    for (const auto& l : losses.layers)
      FUZZ_REQUIRE(std::isfinite(l.expected_loss_yen) && l.expected_loss_yen >= 0 && std::isfinite(l.indicated_premium_yen) &&
                        l.indicated_premium_yen >= 0 && std::isfinite(l.claim_frequency) && l.claim_frequency >= 0,
                    l.layer + ": expected loss " + std::to_string(l.expected_loss_yen) + ", indicated premium " +
                        std::to_string(l.indicated_premium_yen) + ", claim frequency " + std::to_string(l.claim_frequency));
  }
  SimulationOptions o;
  o.years = 4;
  o.threads = 1;
  SimulationResult sim;
  if (!fuzz::run_or_error([&] { sim = simulate_portfolio(t, exposures, o); })) return;
  FUZZ_REQUIRE(std::isfinite(sim.mean_total_yen) && sim.mean_total_yen >= 0, "simulated mean " + std::to_string(sim.mean_total_yen));
  for (const auto& l : sim.layers)
    FUZZ_REQUIRE(std::isfinite(l.mean_yen) && l.mean_yen >= 0 && std::isfinite(l.std_dev_yen) && l.std_dev_yen >= 0,
                  l.layer + ": simulated mean " + std::to_string(l.mean_yen) + ", std dev " + std::to_string(l.std_dev_yen));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchEdition scratch;
  if (size == 0) return 0;
  scratch.replace(data[0], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

  std::optional<Engine> engine;
  if (!fuzz::run_or_error([&] { engine.emplace(TableLibrary::load(scratch.dir().string())); })) return 0;
  const auto& t = *engine->library().editions().front();

  std::vector<LossExposure> exposures;
  for (const BundlePlan plan : {BundlePlan::kNone, BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr}) {
    for (const bool worst : {false, true}) {
      const QuoteRequest request = extreme_request(t, plan, worst ? Answer::kNo : Answer::kYes, worst);
      std::optional<Quote> quote;
      if (!fuzz::run_or_error([&] { quote.emplace(engine->quote(request)); })) continue;
      std::string response;
      write_json(*quote, response);
      const nlohmann::json j = fuzz::parse_response(response);
      fuzz::check_money(j);
      fuzz::check_tables(j, *engine);
      LossExposure e;
      e.employees = request.company.employees;
      e.tier = quote->posture.tier;
      e.bundle_plan = request.bundle_plan;
      if (!fuzz::run_or_error([&] { e.top_up = resolve_selections(t.top_up, request.top_up); })) continue;
      exposures.push_back(std::move(e));
    }
  }
  check_loss(t, exposures);
  return 0;
}
