#pragma once
// The remediation plan: every measure a company can take, each re-quoted through the engine
// with everything else unchanged, ranked by the yen it saves a year; and the cheapest set of
// measures that lifts the company to the next risk tier and the one after, found by an exact
// search. docs/remediation.md explains the rules and the estimates behind the costs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cybercover/io/json_io.hpp"
#include "cybercover/quote/engine.hpp"
#include "cybercover/remediation/remediation_table.hpp"

namespace cybercover {

// The figures of one quote that a plan compares.
struct QuoteFigures {
  int score = 0;
  int unknown_count = 0;
  std::int64_t raw_index = 0;      // score + adjustments, before the floor
  std::int64_t posture_index = 0;  // after the floor
  int tier = 0;                    // index into PostureTable::tiers
  Decision decision;
  BundlePlan plan = BundlePlan::kNone;
  std::optional<BaseCoverQuote> base_cover;
  bool has_top_up = false;
  Yen top_up_annual_premium_yen = 0;
  Yen subsidy_yen = 0;
  Yen payable_annual_yen = 0;
  Yen monthly_instalment_yen = 0;
  // What a plan saves on: the payable top-up plus the base cover's annual premium.
  Yen insured_cost_yen = 0;
};

// Returns the figures of a quote priced under `plan`.
QuoteFigures figures_of(const Quote& quote, BundlePlan plan);

enum class MeasureKind : std::uint8_t { kItem, kUpgrade };

// What a measure costs the company: the one-off work and any monthly service fee.
struct MeasureCost {
  int effort = 0;           // index into RemediationTable::effort_classes
  Yen one_off_yen = 0;      // the class's typical cost (or per endpoint x endpoints)
  Yen monthly_yen = 0;      // added service fee per month (bundle plan prices)
  Yen first_year_yen = 0;   // one_off + months_per_year x monthly: what the cheapest set minimises
};

struct Measure {
  MeasureKind kind = MeasureKind::kItem;
  int item = -1;                          // kItem: index into Questionnaire::items
  Answer answer_before = Answer::kUnanswered;  // kItem: the effective answer now
  UpgradeKind upgrade = UpgradeKind::kUtmManaged;  // kUpgrade
  std::int64_t endpoints_affected = 0;    // kUpgrade: PCs to cover or replace (0 otherwise)
  BundlePlan plan_after = BundlePlan::kNone;
  int points_recovered = 0;        // kItem: the item's points lost, earned back
  std::int64_t points_gained = 0;  // raw posture index after - before
  QuoteFigures after;              // the re-quote with this measure alone
  Yen yen_saved = 0;               // baseline insured cost - after (negative: costs more)
  MeasureCost cost;

  // "D08.2" or the upgrade's name ("utm_managed").
  std::string id(const Questionnaire& q) const;
};

// The cheapest set of measures that reaches a tier.
struct TierTarget {
  int tier = 0;  // the tier aimed at
  bool reachable = false;
  std::vector<int> measures;  // indices into RemediationPlan::measures, in rank order
  Yen cost_yen = 0;           // first-year cost of the set
  std::int64_t points_gained = 0;
  std::optional<QuoteFigures> after;  // the re-quote with the whole set (when reachable)
  Yen yen_saved = 0;
  bool refer_to_accept = false;  // the baseline is referred and the set makes it an accept
};

struct RemediationPlan {
  std::shared_ptr<const RatingTables> tables;  // the edition used
  QuoteFigures baseline;
  std::vector<Measure> measures;    // by yen saved, then points gained (both descending)
  std::vector<TierTarget> targets;  // the next tier and the one after (fewer at the top)
};

// Applies a measure to a request (what the plan re-quotes): an item is answered `yes`; an
// upgrade changes the controls and, where it adds a managed service, the bundle plan
// (docs/remediation.md, "Bundle plans").
void apply_measure(const RatingTables& tables, QuoteRequest& request, const Measure& measure);

// Builds the plan. Throws what Engine::quote throws for an invalid request.
// Example:
//   cybercover::RemediationPlan plan = cybercover::plan_remediation(engine, request);
//   const cybercover::Measure& best = plan.measures.front();
//   std::cout << best.id(plan.tables->questionnaire) << " saves " << best.yen_saved << "\n";
RemediationPlan plan_remediation(const Engine& engine, const QuoteRequest& request);

// The plan as JSON (docs/remediation.md gives the fields); write_json appends compact text
// with sorted keys, to_json gives the same document.
void write_json(const RemediationPlan& plan, std::string& out);
nlohmann::json to_json(const RemediationPlan& plan);
// JSON request text in, plan JSON text out: the path of the HTTP API's /v1/remediation.
std::string remediation_json(const Engine& engine, std::string_view request_text);

// ---- a whole book: per row the best single measure and the next-tier set ----------------
struct RemediationSummary {
  bool ok = false;
  std::string error;  // the single plan's error message when !ok
  int tier = 0;
  std::string tier_name;  // the row's edition may differ from the next row's
  Outcome outcome = Outcome::kAccept;
  Yen insured_cost_yen = 0;
  std::size_t measure_count = 0;
  // The top-ranked measure (when measure_count > 0).
  std::string best_measure;  // its id
  Yen best_yen_saved = 0;
  std::int64_t best_points_gained = 0;
  Yen best_cost_yen = 0;
  // The cheapest set reaching the next tier (when has_next_tier: the tier is not the best).
  bool has_next_tier = false;
  int next_tier = 0;
  std::string next_tier_name;
  bool next_tier_reachable = false;
  std::size_t next_tier_measure_count = 0;
  Yen next_tier_cost_yen = 0;
  Yen next_tier_yen_saved = 0;
  bool next_tier_refer_to_accept = false;
};

// Summarises one plan.
RemediationSummary summarise(const RemediationPlan& plan);

struct RemediationBatchOptions {
  int threads = 0;             // 0: all hardware threads
  bool raise_on_error = false;  // true: rethrow the first row's error (by row order)
};

// Plans every request; row i of the result is request i. With raise_on_error false a bad
// row gets ok = false and its message, and the others are planned.
std::vector<RemediationSummary> plan_remediation_batch(const Engine& engine, const std::vector<QuoteRequest>& requests,
                                                       const RemediationBatchOptions& options = {});
// The same from JSON request texts (parsed in the worker threads, as `read` says).
std::vector<RemediationSummary> plan_remediation_batch_json(const Engine& engine,
                                                            const std::vector<std::string>& request_texts,
                                                            const RemediationBatchOptions& options = {},
                                                            const JsonReadOptions& read = {});

}  // namespace cybercover
