#pragma once
// The quote engine: assessment -> posture and tier -> underwriting decision -> base cover and
// top-up premiums, with the audit trail. Immutable after construction; share it freely across
// threads. The quote date is always an input, never the clock.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cybercover/assessment/assessment.hpp"
#include "cybercover/date.hpp"
#include "cybercover/posture/posture.hpp"
#include "cybercover/pricing/base_cover.hpp"
#include "cybercover/pricing/top_up.hpp"
#include "cybercover/tables/table_library.hpp"
#include "cybercover/underwriting/underwriting.hpp"

namespace cybercover {

// Returns the library version, e.g. "0.1.0".
const char* engine_version() noexcept;

struct AssessmentRequest {
  Date quote_date;
  SecurityAction security_action = SecurityAction::kNone;
  AnswerSheet answers;  // in the order of the edition in force on quote_date
};

struct QuoteRequest {
  Date quote_date;
  Company company;
  SecurityAction security_action = SecurityAction::kNone;
  AnswerSheet answers;  // in the order of the edition in force on quote_date
  Controls controls;
  BundlePlan bundle_plan = BundlePlan::kNone;
  std::vector<CoverSelection> top_up;  // empty: no top-up
  std::optional<std::string> subsidy_program;
  std::optional<Yen> service_monthly_price_yen;
  // A renewal's prior top-up annual premium: the edition's renewal cap limits the change.
  std::optional<Yen> prior_annual_premium_yen;
};

// How one call prices, beside the request itself.
struct QuoteOptions {
  // Price under the edition with this id, whatever the quote date ("as-if" pricing: one book
  // under two editions, every date unchanged). Everything dated still uses the request's
  // quote date: the EDR learning period, the install-date check, the subsidy's dates. The
  // answers are in this edition's item order. An id no loaded edition has is
  // no_edition.unknown_edition. Empty: the edition in force on the quote date.
  std::optional<std::string> edition;
};

struct AssessmentResult {
  std::shared_ptr<const RatingTables> tables;  // the edition used
  Assessment assessment;
};

struct Quote {
  std::shared_ptr<const RatingTables> tables;  // the edition used: id, sha256, every table row
  Assessment assessment;
  Posture posture;
  Decision decision;
  std::optional<BaseCoverQuote> base_cover;
  std::optional<TopUpQuote> top_up;  // null when declined or nothing selected

  const std::string& tier_name() const { return tables->posture.tiers[posture.tier].name; }
};

// Example:
//   cybercover::Engine engine(cybercover::TableLibrary::load("rating_tables"));
//   cybercover::Quote q = engine.quote(request);
//   std::cout << q.tier_name() << " " << q.top_up->annual_premium_yen << "\n";
class Engine {
 public:
  explicit Engine(TableLibrary library);
  // Loads the default tables (default_tables_dir()).
  static Engine with_default_tables();

  const TableLibrary& library() const { return library_; }
  // Returns the edition in force on `date`; throws Error{kNoEdition}.
  const RatingTables& tables_for(Date date) const { return library_.for_date(date); }
  // The edition that prices a request dated `date` under `options`: the named one, else the
  // one in force that day. Throws Error{kNoEdition} (unknown_edition, not_in_force).
  std::shared_ptr<const RatingTables> edition_for(Date date, const QuoteOptions& options) const;

  AssessmentResult assess(const AssessmentRequest& request) const;
  Quote quote(const QuoteRequest& request) const;
  // The same under `options` (as-if pricing under a named edition).
  AssessmentResult assess(const AssessmentRequest& request, const QuoteOptions& options) const;
  Quote quote(const QuoteRequest& request, const QuoteOptions& options) const;

 private:
  TableLibrary library_;
};

}  // namespace cybercover
