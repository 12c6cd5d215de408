// The store's schema, as numbered steps. A step, once released, is never edited: a change of
// schema is a new step appended here (docs/store.md: "Migrations"). The DDL is the subset
// SQLite and PostgreSQL share: TEXT, BIGINT, CHECK, UNIQUE, REFERENCES. Dates are TEXT
// "YYYY-MM-DD" (they sort as dates), timestamps TEXT RFC 3339 UTC, yen BIGINT.

#include "store/sql.hpp"

namespace cybercover::detail {

const std::vector<Migration>& store_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "quotes, policies, subscription periods, idempotency keys", R"sql(
CREATE TABLE quotes (
  id TEXT PRIMARY KEY,
  issued_at TEXT NOT NULL,
  quote_date TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  edition TEXT NOT NULL,
  edition_sha256 TEXT NOT NULL,
  bundle_plan TEXT NOT NULL,
  tier TEXT NOT NULL,
  outcome TEXT NOT NULL,
  base_monthly_premium_yen BIGINT,
  top_up_annual_premium_yen BIGINT,
  top_up_subsidy_yen BIGINT,
  top_up_payable_annual_yen BIGINT,
  top_up_monthly_instalment_yen BIGINT,
  rules_json TEXT NOT NULL,
  request_json TEXT NOT NULL,
  response_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('issued', 'bound')),
  policy_id TEXT UNIQUE
);
CREATE TABLE policies (
  id TEXT PRIMARY KEY,
  quote_id TEXT NOT NULL UNIQUE REFERENCES quotes (id),
  bound_at TEXT NOT NULL,
  bound_on TEXT NOT NULL,
  start_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
  bundle_plan TEXT NOT NULL,
  tier TEXT NOT NULL,
  edition TEXT NOT NULL,
  edition_sha256 TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  top_up_annual_premium_yen BIGINT,
  top_up_subsidy_yen BIGINT,
  top_up_payable_annual_yen BIGINT,
  top_up_monthly_instalment_yen BIGINT,
  top_up_end_date TEXT,
  cancelled_at TEXT,
  cancelled_from TEXT,
  refund_yen BIGINT,
  CHECK ((status = 'cancelled') = (cancelled_from IS NOT NULL))
);
CREATE TABLE subscription_periods (
  policy_id TEXT NOT NULL REFERENCES policies (id),
  seq BIGINT NOT NULL CHECK (seq >= 0),
  from_date TEXT NOT NULL,
  plan TEXT NOT NULL,
  tier TEXT NOT NULL,
  monthly_premium_yen BIGINT NOT NULL CHECK (monthly_premium_yen >= 0),
  edition TEXT NOT NULL,
  edition_sha256 TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  request_json TEXT NOT NULL,
  response_json TEXT NOT NULL,
  PRIMARY KEY (policy_id, seq)
);
CREATE TABLE idempotency_keys (
  idempotency_key TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  target_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql"},
      {2, "indexes for the bordereau and the register", R"sql(
CREATE INDEX policies_by_start ON policies (start_date);
CREATE INDEX policies_by_cancellation ON policies (cancelled_from);
CREATE INDEX quotes_by_issue ON quotes (issued_at);
)sql"},
  };
  return migrations;
}

}  // namespace cybercover::detail
