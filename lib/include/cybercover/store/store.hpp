#pragma once
// The quote and policy register (docs/store.md): issued quotes with their full request and
// response, policies bound at exactly the quoted premium, cancellations with their refund,
// base-cover subscription changes re-rated by the engine, and the monthly bordereau.
//
// One Store is shared by any number of threads; several processes (service instances) may
// open the same database, and a quote is still bound at most once. The backend is chosen by
// URL: "sqlite:///var/lib/cybercover/store.db" (one file, WAL mode, created and migrated on
// first open) or "postgresql://user@host:5432/dbname" (libpq's URI syntax).
//
// Example:
//   auto store = cybercover::Store::open("sqlite:///tmp/register.db");
//   cybercover::StoredQuote q = store->issue_quote(engine, request_json_text);
//   cybercover::PolicyResult p = store->bind({q.id, *cybercover::Date::parse("2026-12-20"),
//   "order-1234"}); std::cout << p.policy.id << " " << p.policy.top_up->annual_premium_yen << "\n";
//
// Every failure is a cybercover::Error with a store.* code (store.quote_expired,
// store.unavailable, ...), or the engine's own input.* / no_edition.* error for a request.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/date.hpp"
#include "cybercover/quote/engine.hpp"
#include "cybercover/store/policy_rules.hpp"

namespace cybercover {

enum class QuoteStatus : std::uint8_t { kIssued, kBound };
enum class PolicyStatus : std::uint8_t { kActive, kCancelled };
// "issued", "bound"; "active", "cancelled".
std::string_view to_string(QuoteStatus status);
std::string_view to_string(PolicyStatus status);

// An issued quote: the request and the engine's §7 response as stored, and its figures.
struct StoredQuote {
  std::string id;         // "q-" and 32 hex digits
  std::string issued_at;  // UTC, RFC 3339 with microseconds: "2026-12-02T06:38:13.123456Z"
  Date quote_date;
  Date valid_until;  // quote_date + the edition's quote_validity_days; bindable through this day
  std::string edition, edition_sha256;
  std::string bundle_plan;  // "none", "utm", "edr", "utm_edr"
  std::string tier, outcome;
  std::optional<std::int64_t> base_monthly_premium_yen;   // null: plan none
  std::optional<std::int64_t> top_up_annual_premium_yen;  // null: no top-up
  std::optional<std::int64_t> top_up_subsidy_yen;
  std::optional<std::int64_t> top_up_payable_annual_yen;
  std::optional<std::int64_t> top_up_monthly_instalment_yen;
  std::string request_json;   // the request text as received
  std::string response_json;  // the §7 response, with the whole audit trail
  PolicyRules rules;          // the edition's policy.json, the terms a bind will carry
  QuoteStatus status = QuoteStatus::kIssued;
  std::optional<std::string> policy_id;  // once bound

  // True when the quote can no longer be bound on `today` because its validity has ended.
  bool expired_on(Date today) const {
    return status == QuoteStatus::kIssued && today > valid_until;
  }
};

// One stretch of a base-cover subscription at one monthly premium: the bind opens the first
// (seq 0, from the start date); each change opens the next from its date.
struct SubscriptionPeriod {
  int seq = 0;
  Date from;
  std::optional<Date> to;  // last day at this premium; null: open-ended (or until cancelled)
  std::string plan, tier;
  std::int64_t monthly_premium_yen = 0;
  std::string edition, edition_sha256;  // of the quote that set this premium
  std::string recorded_at;
  std::string request_json, response_json;  // the re-quote (seq 0: the issued quote's)
};

struct TopUpCover {
  std::int64_t annual_premium_yen = 0;  // written premium: the quote's top_up.annual_premium_yen
  std::int64_t subsidy_yen = 0;
  std::int64_t payable_annual_yen = 0;
  std::int64_t monthly_instalment_yen = 0;
  Date start, end;  // one year: end = top_up_term_end(start)
};

struct Cancellation {
  std::string recorded_at;
  Date effective;               // the first day without cover
  std::int64_t refund_yen = 0;  // of the top-up's written premium (0 without a top-up)
};

struct Policy {
  std::string id;  // "p-" and 32 hex digits
  std::string quote_id;
  std::string bound_at;
  Date bound_on;  // the business day of the bind (Japan time)
  Date start_date;
  PolicyStatus status = PolicyStatus::kActive;
  std::string bundle_plan, tier;  // of the quote (the base cover's current tier: subscription)
  std::string edition, edition_sha256;  // of the quote
  PolicyRules rules;                    // frozen at the quote: later editions never change them
  std::optional<TopUpCover> top_up;
  std::vector<SubscriptionPeriod> subscription;  // empty: no base cover (plan none)
  std::optional<Cancellation> cancellation;
};

struct BindRequest {
  std::string quote_id;
  Date start_date;
  std::string idempotency_key;  // empty: none; else 1-255 printable ASCII bytes
};

struct CancelRequest {
  std::string policy_id;
  Date effective;  // the first day without cover
  std::string idempotency_key;
};

// A base-cover subscription change: `changes_json` gives the new values at their request
// paths, e.g. {"company":{"endpoints":60},"controls":{"edr":{"covered_endpoints":55}}}.
// Only company.endpoints, controls.edr.covered_endpoints and controls.legacy_os_endpoints may
// change; the stored request so changed is re-quoted dated `effective`, without its top-up.
struct ChangeRequest {
  std::string policy_id;
  Date effective;
  std::string changes_json;
  std::string idempotency_key;
};

struct PolicyResult {
  Policy policy;
  bool replayed = false;  // true: the idempotency key repeated an earlier, identical call
};

// ---- the bordereau ------------------------------------------------------------------------
// A base-cover period in force some days of the month.
struct BordereauBaseCoverRow {
  std::string policy_id, quote_id;
  int seq = 0;
  std::string plan, tier;
  std::int64_t monthly_premium_yen = 0;
  Date from, to;  // the days of the month in force at this premium
  int days_in_force = 0, days_in_month = 0;
  std::int64_t owed_yen = 0;  // base_cover_owed(rules, monthly, days_in_force, days_in_month)
  std::string edition;
};

// A top-up policy in force some days of the month, or written or refunded in it.
struct BordereauTopUpRow {
  std::string policy_id, quote_id;
  std::string tier;
  std::int64_t annual_premium_yen = 0;
  Date start, end;
  std::optional<Date> cancelled_from;
  int days_in_force = 0;
  std::int64_t written_yen =
      0;  // + premium in the start month; − refund in the cancellation's month
  std::int64_t earned_yen =
      0;  // earned_through(last day of month) − earned_through(day before the month)
  std::int64_t refund_yen = 0;  // the refund booked this month
  std::string edition;
};

struct BordereauTotals {
  std::int64_t subscriptions = 0;  // base-cover rows
  std::int64_t base_cover_owed_yen = 0;
  std::int64_t top_up_policies = 0;
  std::int64_t top_up_written_yen = 0;
  std::int64_t top_up_earned_yen = 0;
  std::int64_t top_up_refund_yen = 0;
};

struct Bordereau {
  std::string month;  // "YYYY-MM"
  Date first, last;
  std::vector<BordereauBaseCoverRow> base_cover;  // by policy id, then seq
  std::vector<BordereauTopUpRow> top_up;          // by policy id
  BordereauTotals totals;                         // the sums of the rows
};

// One CSV with a `record` column: base_cover rows, then top_up rows, then one total row.
std::string bordereau_csv(const Bordereau& bordereau);
// {"month", "first_day", "last_day", "base_cover": [...], "top_up": [...], "totals": {...}}.
std::string bordereau_json(const Bordereau& bordereau);
// Policies and quotes as JSON objects (docs/store.md): what GET /v1/policies/{id} returns.
std::string policy_json(const Policy& policy);
std::string quote_record_json(const StoredQuote& quote);

struct StoreOptions {
  // The clock of issued_at, bound_at and "today" (the date in Japan, UTC+9): quote validity,
  // start and effective dates. Tests set a fixed one; empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  // How long an operation waits for a database lock or a free connection before
  // store.unavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // Connections kept open (each thread uses one at a time).
  int max_connections = 8;
};

class Store {
 public:
  // Opens the store at `url`, creating and migrating its schema on first open.
  // Throws Error{store.invalid_url, store.unavailable, store.schema_too_new, store.corrupt}.
  static std::unique_ptr<Store> open(const std::string& url, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // "sqlite" or "postgresql".
  std::string_view backend() const;
  // The schema version the database is at (the number of migrations applied).
  int schema_version() const;
  // Today's business date (Japan) by the store's clock.
  Date today() const;

  // Quotes `request_json` through `engine` and stores the request, the response with its
  // audit trail, the edition and its sha256, and the validity. Throws the engine's input
  // errors, or store.quote_expired if the quote date is already past its validity.
  StoredQuote issue_quote(const Engine& engine, std::string_view request_json);
  StoredQuote get_quote(const std::string& id) const;

  // Binds an issued quote: a policy at exactly the quoted premiums, whatever tables are
  // loaded now. Two binds of one quote (any threads, any processes) give one policy; the one
  // that loses gets store.quote_already_bound, unless it repeats the winner's idempotency key,
  // when it gets the winner's policy (replayed).
  PolicyResult bind(const BindRequest& request);
  Policy get_policy(const std::string& id) const;

  // Cancels a policy from `effective` (the first day without cover): the subscription ends
  // and the top-up refunds by the policy's rules (top_up_refund).
  PolicyResult cancel(const CancelRequest& request);
  // Re-rates the base cover from `effective` by quoting the changed request (see ChangeRequest).
  PolicyResult change_subscription(const Engine& engine, const ChangeRequest& request);

  // The bordereau of a month "YYYY-MM"; throws store.invalid_month.
  Bordereau bordereau(std::string_view month) const;

  // The whole register, by id (for the Python frames and audits); JSON texts included only
  // when asked.
  std::vector<StoredQuote> list_quotes(bool with_json = false) const;
  std::vector<Policy> list_policies(bool with_json = false) const;

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cybercover
