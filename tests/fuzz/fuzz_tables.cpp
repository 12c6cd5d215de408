// Fuzz target: the table loader. The first byte picks one file of the edition (in name order:
// base_cover, loss_model, policy, posture, questionnaire, remediation, subsidies, top_up,
// underwriting); the remaining bytes replace it. The edition is written to a per-process
// scratch directory and loaded with TableLibrary::load, as a user's edition directory would be.
// The other files are the default edition's (rating_tables/2026-12), minified and with the
// questionnaire's item texts cut to one character: the same tables, a quarter of the bytes to
// parse on every input. A bad table must be a cybercover::Error (table.* or io.*); a table
// that loads must quote: requests at the contract's bounds (every count and amount but the capital at its
// maximum, each bundle plan, best and worst answers, the largest limits and deductibles) end
// in a quote whose money figures are integers >= 0, or in a cybercover::Error; an overflow
// must never be undefined behaviour. The loss model over the quoted companies: expected losses
// finite and >= 0, the book charges the quotes' premiums, and a short simulation pays whole yen
// >= 0 and never more in a year than the layers' limits.

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

// The loss model over the quoted companies: closed forms finite and >= 0; the allocation of a
// top-up premium to its sections sums to it; the book charges exactly the quotes' premiums; a
// short simulation pays whole yen >= 0, and no layer pays more in a year than its companies'
// annual aggregates (each equals the per-claim limit) allow.
void check_loss(const std::shared_ptr<const RatingTables>& tables,
                const std::vector<std::pair<QuoteRequest, Quote>>& quoted) {
  const RatingTables& t = *tables;
  LossBook book(tables);
  Yen base_charged = 0, top_up_charged = 0;
  std::uint64_t key = 0;
  for (const auto& quoted_one : quoted) {
    const QuoteRequest& request = quoted_one.first;
    const Quote& quote = quoted_one.second;
    QuoteLosses q;
    if (!fuzz::run_or_error([&] { q = quote_losses(request, quote); })) continue;
    FUZZ_REQUIRE(std::isfinite(q.losses.incident_frequency) && q.losses.incident_frequency >= 0,
                 "incident frequency " + std::to_string(q.losses.incident_frequency));
    for (const auto& l : q.losses.layers)
      FUZZ_REQUIRE(std::isfinite(l.expected_loss_yen) && l.expected_loss_yen >= 0 &&
                       std::isfinite(l.indicated_premium_yen) && l.indicated_premium_yen >= 0 &&
                       std::isfinite(l.claim_frequency) && l.claim_frequency >= 0 &&
                       std::isfinite(l.systemic_expected_loss_yen) && l.systemic_expected_loss_yen >= 0 &&
                       std::isfinite(l.systemic_claim_frequency) && l.systemic_claim_frequency >= 0,
                   l.layer + ": expected loss " + std::to_string(l.expected_loss_yen) + ", indicated premium " +
                       std::to_string(l.indicated_premium_yen) + ", claim frequency " +
                       std::to_string(l.claim_frequency) + ", systemic " +
                       std::to_string(l.systemic_expected_loss_yen));
    if (q.charged.has_top_up && q.charged.sections_total_yen > 0) {
      double allocated = 0;
      for (std::size_t i = 0; i < q.losses.layers.size(); ++i)
        if (q.losses.layers[i].layer != "base_cover") allocated += q.charged.charged_yen[i];
      const double top_up = static_cast<double>(q.charged.top_up_annual_yen);
      FUZZ_REQUIRE(std::abs(allocated - top_up) <= 1e-9 * top_up + 1e-6,
                   "sections allocated " + std::to_string(allocated) + " of a top-up of " + std::to_string(top_up));
    }
    if (!fuzz::run_or_error([&] { book.add_quote(request, quote, key); })) continue;
    ++key;
    if (quote.base_cover) base_charged += quote.base_cover->annual_premium_yen;
    if (quote.top_up) top_up_charged += quote.top_up->annual_premium_yen;
  }
  BookExpectedLosses expected;
  if (!fuzz::run_or_error([&] { expected = book_expected_losses(book); })) return;
  FUZZ_REQUIRE(expected.base_premium_yen == base_charged && expected.top_up_premium_yen == top_up_charged,
               "the book charges " + std::to_string(expected.base_premium_yen) + " + " +
                   std::to_string(expected.top_up_premium_yen) + ", its quotes " + std::to_string(base_charged) +
                   " + " + std::to_string(top_up_charged));
  FUZZ_REQUIRE(std::isfinite(expected.expected_loss_yen) && expected.expected_loss_yen >= 0 &&
                   std::isfinite(expected.systemic_expected_loss_yen) && expected.systemic_expected_loss_yen >= 0,
               "book expected loss " + std::to_string(expected.expected_loss_yen));

  SimulationOptions o;
  o.years = 4;
  o.seed = 7;
  o.threads = 1;
  SimulationTotals sim;
  if (!fuzz::run_or_error([&] { sim = simulate(book, o); })) return;
  const std::size_t layers = sim.layers.size(), years = static_cast<std::size_t>(o.years);
  FUZZ_REQUIRE(sim.companies == book.size() && sim.layer_loss_yen.size() == years * layers &&
                   sim.layer_systemic_yen.size() == years * layers && !sim.layers.empty() &&
                   sim.layers.front() == "base_cover",
               "simulation shape: " + std::to_string(sim.companies) + " companies, " + std::to_string(layers) +
                   " layers, " + std::to_string(sim.layer_loss_yen.size()) + " layer-years");
  // The largest a layer can pay in a year: the sum of its companies' limits.
  std::vector<double> most(layers, 0.0);
  for (const BookCompany& c : book.companies())
    for (const LayerTerms& terms : layer_terms(t, c.exposure)) {
      std::size_t i = 0;
      while (i < layers && sim.layers[i] != terms.layer) ++i;
      FUZZ_REQUIRE(i < layers, "layer " + terms.layer + " not simulated");
      most[i] += terms.limit_yen;
    }
  for (std::size_t y = 0; y < years; ++y)
    for (std::size_t i = 0; i < layers; ++i) {
      const std::int64_t own = sim.layer_loss_yen[y * layers + i], systemic = sim.layer_systemic_yen[y * layers + i];
      FUZZ_REQUIRE(own >= 0 && systemic >= 0 && static_cast<double>(own) + static_cast<double>(systemic) <= most[i],
                   sim.layers[i] + " pays " + std::to_string(own) + " + " + std::to_string(systemic) +
                       " in year " + std::to_string(y) + ", limits " + std::to_string(most[i]));
    }
  for (const std::int64_t v : sim.max_incident_yen) FUZZ_REQUIRE(v >= 0, "largest incident " + std::to_string(v));
  for (const std::int64_t v : sim.event_paid_yen) FUZZ_REQUIRE(v >= 0, "systemic event paid " + std::to_string(v));
  FUZZ_REQUIRE(!sim.layer_premium_yen.empty() && sim.layer_premium_yen[0] == base_charged,
               "simulated base premium " + std::to_string(sim.layer_premium_yen.empty() ? -1 : sim.layer_premium_yen[0]));
  SimulationSummary summary;
  if (!fuzz::run_or_error([&] { summary = summarize(sim); })) return;
  for (const auto& s : summary.series)
    FUZZ_REQUIRE(std::isfinite(s.stats.mean) && s.stats.mean >= 0 && std::isfinite(s.stats.tvar_99_5),
                 s.name + ": simulated mean " + std::to_string(s.stats.mean));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchEdition scratch;
  if (size == 0) return 0;
  scratch.replace(data[0], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

  std::optional<Engine> engine;
  if (!fuzz::run_or_error([&] { engine.emplace(TableLibrary::load(scratch.dir().string())); })) return 0;
  const auto& t = *engine->library().editions().front();

  std::vector<std::pair<QuoteRequest, Quote>> quoted;
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
      quoted.emplace_back(request, std::move(*quote));
    }
  }
  check_loss(engine->library().editions().front(), quoted);
  return 0;
}
