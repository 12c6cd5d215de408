#pragma once
// The steps of a quote after the answers are scored, shared by the single quote (which also
// builds the assessment's detail) and the portfolio batch (which keeps only the summary), so
// both give the same yen by construction.

#include <optional>

#include "cybercover/quote/engine.hpp"

namespace cybercover::detail {

// A request whose every field has been checked against the edition.
struct CheckedRequest {
  Date quote_date;
  const Company* company = nullptr;
  int industry = 0;
  SecurityAction security_action = SecurityAction::kNone;
  const Controls* controls = nullptr;
  BundlePlan bundle_plan = BundlePlan::kNone;
  ResolvedSelections selections;
  const SubsidyProgram* subsidy_program = nullptr;
  std::optional<Yen> service_monthly_price_yen;
};

// Checks what the request says about the company, its controls, plan and cover (not the
// answers: scoring checks those). Throws Error{kInput} naming the field.
void validate_company(const Company& company);
int resolve_industry(const UnderwritingTable& table, const std::string& key);
const SubsidyProgram* resolve_subsidy(const RatingTables& t, const std::optional<std::string>& id);
void check_common(const RatingTables& t, CheckedRequest& c);  // controls, plan, price

// Posture, tier, decision, base cover and top-up from a scored request, written in place.
void price_scored(const RatingTables& t, const CheckedRequest& c, const ScoreSummary& score, Posture& posture,
                  Decision& decision, std::optional<BaseCoverQuote>& base_cover, std::optional<TopUpQuote>& top_up);

}  // namespace cybercover::detail
