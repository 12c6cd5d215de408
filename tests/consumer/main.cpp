// Quotes worked example 1 (docs/rating_rules.md) with the installed library, as a quoting
// system would: with its default tables (no argument: Engine::with_default_tables, found
// beside the installed library), or with the tables in the directory given.
#include <cybercover/cybercover.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (argc > 2) return 2;
  try {
    const bool defaults = argc == 1;
    const cybercover::Engine engine =
        defaults ? cybercover::Engine::with_default_tables()
                 : cybercover::Engine(cybercover::TableLibrary::load(argv[1]));
    const auto& tables = engine.tables_for(*cybercover::Date::parse("2026-12-15"));
    cybercover::QuoteRequest r;
    r.quote_date = *cybercover::Date::parse("2026-12-15");
    r.company = {"manufacturing", 40, 50'000'000, 400'000'000, 48, false};
    r.security_action = cybercover::SecurityAction::kTwoStar;
    r.answers = cybercover::AnswerSheet(tables.questionnaire, cybercover::Answer::kYes);
    r.controls.utm = cybercover::UtmStatus::kManaged;
    r.controls.edr = {cybercover::EdrStatus::kManaged, 45, cybercover::Date::parse("2026-11-10")};
    r.controls.phishing_click_rate = 0.04;
    r.controls.incidents_3y = 1;
    r.bundle_plan = cybercover::BundlePlan::kUtmEdr;
    r.top_up = {{"liability", 100'000'000, {}},
                {"response", 10'000'000, 100'000},
                {"interruption", 10'000'000, 500'000}};
    r.subsidy_program = "sme-cyber-support-2026";
    const cybercover::Quote q = engine.quote(r);
    std::cout << "tables=" << (defaults ? cybercover::default_tables_dir() : std::string(argv[1]))
              << "\n"
              << "edition=" << q.tables->edition << " sha256=" << q.tables->sha256 << "\n"
              << "tier=" << q.tier_name() << " annual=" << q.top_up->annual_premium_yen
              << " payable=" << q.top_up->payable_annual_yen << "\n";
    return 0;
  } catch (const cybercover::Error& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 2;
  }
}
