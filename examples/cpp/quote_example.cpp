// quote_example: where a quoting system that links cybercover starts.
//
// It loads the rating tables once, quotes one company, and prints the figures with their
// audit trail: the edition and its sha256, every posture adjustment, the decision codes, and
// for every premium each factor with the table row it came from and the calculation.
//
//   quote_example                          quotes the request built below in C++
//                                          (worked example 1 of docs/rating_rules.md)
//   quote_example REQUEST.json             quotes a JSON request (docs/request_contract.md)
//   quote_example REQUEST.json --tables DIR   ... with the tables in DIR
//
// Without --tables it uses the default tables, found where `cmake --install` put them beside
// the library (or $CYBERCOVER_TABLES): see docs/install.md. Exit status: 0 quoted, 2 the
// request or the tables were rejected (the message names the field and the value).

#include <cybercover/cybercover.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

namespace cc = cybercover;

namespace {

// The request of worked example 1, as a quoting system would fill it from its own screens.
cc::QuoteRequest example_request(const cc::Engine& engine) {
  cc::QuoteRequest r;
  r.quote_date = *cc::Date::parse("2026-12-15");
  //          industry         staff  capital       revenue       endpoints  rubber products
  r.company = {"manufacturing", 40, 50'000'000, 400'000'000, 48, false};
  r.security_action = cc::SecurityAction::kTwoStar;
  // Answers are kept in the order of the edition in force on the quote date: ask the engine
  // for that edition, then fill or set answers by item id ("D01.1", ...).
  const cc::RatingTables& tables = engine.tables_for(r.quote_date);
  r.answers = cc::AnswerSheet(tables.questionnaire, cc::Answer::kYes);
  r.controls.utm = cc::UtmStatus::kManaged;
  r.controls.edr = {cc::EdrStatus::kManaged, 45, cc::Date::parse("2026-11-10")};
  r.controls.phishing_click_rate = 0.04;
  r.controls.incidents_3y = 1;
  r.bundle_plan = cc::BundlePlan::kUtmEdr;
  // Section, limit, deductible (omitted: the section's default deductible).
  r.top_up = {{"liability", 100'000'000, std::nullopt},
              {"response", 10'000'000, 100'000},
              {"interruption", 10'000'000, 500'000}};
  r.subsidy_program = "sme-cyber-support-2026";
  r.service_monthly_price_yen = 80'000;
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cc::Error(cc::ErrorCode::kIoCannotRead, path, "cannot open file");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The factor as the audit trail names it: "tier A = 0.55" (name, table row, value).
std::string factor_text(const std::string& name, const std::string& row, cc::Decimal4 value) {
  return name + " " + row + " = " + value.to_string();
}

// Results refer to table rows by index; these name the rows of the edition that priced them.
const std::string& tier_of(const cc::RatingTables& t, int tier) {
  return t.posture.tiers.at(static_cast<std::size_t>(tier)).name;
}
const std::string& industry_of(const cc::RatingTables& t, int industry) {
  return t.underwriting.industries.at(static_cast<std::size_t>(industry)).key;
}

void print_quote(std::ostream& out, const cc::Quote& q) {
  const cc::RatingTables& t = *q.tables;  // the edition that priced it, every row of it

  out << "tables      edition " << t.edition << ", in force " << t.in_force.from.to_string()
      << " to " << (t.in_force.to ? t.in_force.to->to_string() : "open") << "\n";
  out << "sha256      " << t.sha256 << "\n";
  out << "engine      " << cc::engine_version() << "\n\n";

  const cc::ScoreSummary& s = q.assessment.summary;
  out << "assessment  score " << s.score << " of " << t.questionnaire.max_score << ", unknown "
      << s.unknown_count << ", unmet items " << q.assessment.unmet.size() << "\n";

  out << "posture     index " << q.posture.index << " = score " << q.posture.score;
  for (const cc::PostureAdjustment& a : q.posture)
    out << (a.points < 0 ? " - " : " + ") << cc::to_string(a.code) << " "
        << (a.points < 0 ? -a.points : a.points);
  out << " (floored at " << t.posture.floor << ")\n";
  out << "tier        " << q.tier_name() << "\n";

  const cc::SmeCategory& sme =
      t.underwriting.sme_categories[static_cast<std::size_t>(q.decision.sme_category)];
  out << "decision    " << cc::to_string(q.decision.outcome) << ", codes [";
  bool first = true;
  for (cc::DecisionCode c : q.decision) {
    out << (first ? "" : ", ") << cc::to_string(c);
    first = false;
  }
  out << "], SME " << (q.decision.is_sme ? "yes" : "no") << " (" << sme.key
      << ": capital <= " << sme.capital_max_yen << " or employees <= " << sme.employees_max
      << ")\n\n";

  // The embedded base cover: what the bundle provider pays per subscription.
  if (!q.base_cover) {
    out << "base cover  none (bundle plan none)\n";
  } else {
    const cc::BaseCoverQuote& b = *q.base_cover;
    const std::string& tier = tier_of(t, b.tier);
    out << "base cover  plan " << cc::to_string(b.plan) << ", limit " << b.limit_yen << " yen\n";
    out << "  rate        " << b.rate_yen << " yen/month (employee band " << b.employee_band + 1
        << ": band part " << b.band_rate_yen << ", endpoint part " << b.endpoint_rate_yen << ")\n";
    out << "  factor      " << factor_text("tier", tier, b.tier_factor) << "\n";
    out << "  monthly     rhu(" << b.rate_yen << " x " << b.tier_factor.to_string()
        << ") = " << b.monthly_premium_yen << " yen\n";
    out << "  annual      " << t.base_cover.months_per_year << " x " << b.monthly_premium_yen
        << " = " << b.annual_premium_yen << " yen\n";
    if (b.price_cap)
      out << "  price cap   service " << b.price_cap->service_monthly_price_yen
          << " yen/month, cap " << b.price_cap->cap_yen << ": "
          << (b.price_cap->within ? "within" : "above") << "\n";
  }
  out << "\n";

  // The optional top-up: each section is round10(base x industry x tier x limit x deductible
  // [x excess]); the figures are the engine's, never recomputed here.
  if (!q.top_up) {
    out << "top-up      none ("
        << (q.decision.outcome == cc::Outcome::kDecline ? "declined" : "no section selected")
        << ")\n";
    return;
  }
  const cc::TopUpQuote& u = *q.top_up;
  out << "top-up      " << u.sections.size() << " section(s)"
      << (q.decision.outcome == cc::Outcome::kRefer ? ", indicative (referred)" : "") << "\n";
  for (const cc::SectionQuote& sq : u.sections) {
    const cc::Section& section = t.top_up.sections.at(static_cast<std::size_t>(sq.section));
    const cc::RevenueBand& band =
        t.top_up.revenue_bands.at(static_cast<std::size_t>(sq.revenue_band));
    out << "  " << section.key << ": limit " << sq.limit_yen << ", deductible " << sq.deductible_yen
        << "\n";
    out << "    base        " << sq.base_premium_yen << " yen (revenue band " << sq.revenue_band + 1
        << ": revenue <= " << band.max_revenue_yen << ")\n";
    // Each factor with the row it came from: the industry, the tier, the limit, the deductible,
    // and for a section above the base cover the bundle plan.
    std::string factors = factor_text("industry", industry_of(t, sq.industry), sq.industry_factor);
    factors += ", " + factor_text("tier", tier_of(t, sq.tier), sq.tier_factor);
    factors += ", " + factor_text("limit", std::to_string(sq.limit_yen), sq.limit_factor);
    factors +=
        ", " + factor_text("deductible", std::to_string(sq.deductible_yen), sq.deductible_factor);
    if (sq.has_excess_factor)
      factors += ", " + factor_text("excess", std::string(cc::to_string(u.plan)), sq.excess_factor);
    out << "    factors     " << factors << "\n";
    // The same calculation text as the JSON response's "calculation".
    std::string calc = "round10(" + std::to_string(sq.base_premium_yen);
    for (cc::Decimal4 f :
         {sq.industry_factor, sq.tier_factor, sq.limit_factor, sq.deductible_factor})
      calc += " x " + f.to_string();
    if (sq.has_excess_factor) calc += " x " + sq.excess_factor.to_string();
    calc += ") = " + std::to_string(sq.annual_premium_yen);
    out << "    premium     " << calc << "\n";
  }
  out << "  package     round10(" << u.sections_total_yen << " x "
      << u.multi_section_factor.to_string() << ") = " << u.package_yen << " yen (multi-section row "
      << u.sections.size() << ")\n";
  out << "  annual      max(" << u.package_yen << ", minimum " << t.top_up.minimum_premium_yen
      << ") = " << u.annual_premium_yen << " yen\n";
  out << "  subsidy     " << u.subsidy_yen << " yen";
  if (u.subsidy_program) out << " (" << u.subsidy_program->id << ")";
  if (u.subsidy_code != cc::SubsidyCode::kNone) out << " " << cc::to_string(u.subsidy_code);
  out << "\n";
  out << "  payable     " << u.annual_premium_yen << " - " << u.subsidy_yen << " = "
      << u.payable_annual_yen << " yen\n";
  out << "  instalment  ceil10(" << u.payable_annual_yen << " x "
      << t.top_up.instalment_loading.to_string() << " / " << t.top_up.instalment_months
      << ") = " << u.monthly_instalment_yen << " yen/month\n";
}

int run(int argc, char** argv) {
  std::optional<std::string> request_path, tables_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tables" && i + 1 < argc) {
      tables_dir = argv[++i];
    } else if (!request_path && arg.rfind("--", 0) != 0) {
      request_path = arg;
    } else {
      std::cerr << "usage: quote_example [REQUEST.json] [--tables DIR]\n";
      return 2;
    }
  }

  // 1. Load and validate the tables once. The engine is immutable: share it between threads.
  const cc::Engine engine = tables_dir ? cc::Engine(cc::TableLibrary::load(*tables_dir))
                                       : cc::Engine::with_default_tables();

  // 2. A request: parsed from JSON text (checked field by field), or filled in C++.
  const cc::QuoteRequest request =
      request_path ? cc::parse_quote_request_text(read_file(*request_path), engine.library())
                   : example_request(engine);

  // 3. Quote: the quote date picks the edition; the result carries it with every figure.
  const cc::Quote quote = engine.quote(request);
  print_quote(std::cout, quote);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const cc::Error& e) {
    // e.code() is stable (input.below_minimum, ...): branch on it, show e.what() to people.
    std::cerr << "quote_example: " << e.what() << "\n";
    return 2;
  }
}
