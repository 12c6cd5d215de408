// The quote and policy register, the same suite on both backends (docs/store.md): SQLite in
// a scratch file, PostgreSQL in a fresh schema of the server that CTest started
// (scripts/postgres_for_tests.sh; its URL is in $CYBERCOVER_TEST_POSTGRES_URL_FILE).
// Figures are computed by hand in the comments.

#include "cybercover/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "cybercover/cybercover.hpp"
#include "store/sql.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using nlohmann::json;
using testing::EditionCopy;
namespace fs = std::filesystem;

Date d(const char* text) { return *Date::parse(text); }
Date plus(Date day, int n) { return Date::from_day_number(day.day_number() + n); }

const Engine& engine() { return testing::default_engine(); }

// Worked example 1 (docs/rating_rules.md §8) as JSON text, every item answered yes.
json example_1() {
  json r = {
      {"quote_date", "2026-12-15"},
      {"company",
       {{"industry", "manufacturing"},
        {"employees", 40},
        {"capital_yen", 50000000},
        {"revenue_yen", 400000000},
        {"endpoints", 48}}},
      {"security_action", "two_star"},
      {"answers", json::object()},
      {"controls",
       {{"utm", "managed"},
        {"edr", {{"status", "managed"}, {"covered_endpoints", 45}, {"installed_on", "2026-11-10"}}},
        {"legacy_os_endpoints", 0},
        {"incidents_3y", 1},
        {"phishing_click_rate", 0.04}}},
      {"bundle_plan", "utm_edr"},
      {"top_up",
       {{"liability", {{"limit_yen", 100000000}}},
        {"response", {{"limit_yen", 10000000}, {"deductible_yen", 100000}}},
        {"interruption", {{"limit_yen", 10000000}, {"deductible_yen", 500000}}}}},
      {"subsidy_program", "sme-cyber-support-2026"},
      {"service_monthly_price_yen", 80000}};
  for (const auto& item : testing::default_tables().questionnaire.items)
    r["answers"][item.id] = "yes";
  return r;
}

// Example 1 on the `edr` plan: base cover 40 x 45 covered = 1,800 x tier A 0.90 = ¥1,620 a month;
// the response section's excess factor is 0.95: round10(30,000 x 0.55 x 0.60 x 1 x 0.95 = 9,405) =
// 9,410; package round10((20,350 + 9,410 + 8,420) x 0.95 = 36,271) = ¥36,270 a year.
json edr_example() {
  json r = example_1();
  r["bundle_plan"] = "edr";
  r.erase("service_monthly_price_yen");
  return r;
}

// A fixed clock that tests move; 01:00 UTC is 10:00 in Japan, the same calendar day.
struct TestClock {
  std::shared_ptr<std::atomic<std::int64_t>> seconds =
      std::make_shared<std::atomic<std::int64_t>>(0);
  void set(Date day) { *seconds = static_cast<std::int64_t>(day.day_number()) * 86400 + 3600; }
  std::function<std::chrono::system_clock::time_point()> fn() const {
    auto s = seconds;
    return [s] { return std::chrono::system_clock::time_point(std::chrono::seconds(s->load())); };
  }
};

std::string postgres_url() {
  const char* file = std::getenv("CYBERCOVER_TEST_POSTGRES_URL_FILE");
  if (!file) return {};
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

std::string random_hex(int n) {
  static std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (int i = 0; i < n; ++i) s += "0123456789abcdef"[rng() % 16];
  return s;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    clock_.set(d("2026-12-15"));
    if (GetParam() == "sqlite") {
      dir_ = fs::temp_directory_path() / ("cybercover_store_test_" + random_hex(12));
      fs::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "store.db").string();
    } else {
      const std::string base = postgres_url();
      ASSERT_FALSE(base.empty())
          << "no PostgreSQL for the tests: CTest starts one (postgres_start); by hand run "
             "scripts/postgres_for_tests.sh start DIR and set "
             "CYBERCOVER_TEST_POSTGRES_URL_FILE=DIR/url";
      schema_ = "t_" + random_hex(16);
      pqxx::connection c(base);
      pqxx::nontransaction(c).exec("CREATE SCHEMA " + schema_);
      url_ = base + "?options=-csearch_path%3D" + schema_;
    }
    store_ = open_store();
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
    if (!schema_.empty()) {
      pqxx::connection c(postgres_url());
      pqxx::nontransaction(c).exec("DROP SCHEMA " + schema_ + " CASCADE");
    }
  }

  std::unique_ptr<Store> open_store() const {
    StoreOptions options;
    options.clock = clock_.fn();
    return Store::open(url_, options);
  }

  StoredQuote issue(const json& request) { return store_->issue_quote(engine(), request.dump()); }

  PolicyResult bind(const std::string& id, const char* start, const std::string& key = {}) {
    return store_->bind({id, d(start), key});
  }

  static ErrorCode code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
      f();
    } catch (const Error& e) {
      if (message) *message = e.what();
      return e.code();
    }
    ADD_FAILURE() << "no error";
    return ErrorCode::kCount;
  }

  TestClock clock_;
  fs::path dir_;
  std::string schema_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, IssuesAQuoteWithItsRequestResponseEditionAndValidity) {
  const json request = example_1();
  const StoredQuote q = issue(request);
  EXPECT_EQ(q.id.size(), 34u);
  EXPECT_EQ(q.id.substr(0, 2), "q-");
  EXPECT_EQ(q.issued_at, "2026-12-15T01:00:00.000000Z");
  EXPECT_EQ(q.quote_date, d("2026-12-15"));
  EXPECT_EQ(q.valid_until, d("2027-01-14"));  // + 30 days (policy.json)
  EXPECT_EQ(q.edition, "2026-12");
  EXPECT_EQ(q.edition_sha256, testing::default_tables().sha256);
  EXPECT_EQ(q.tier, "A");
  EXPECT_EQ(q.outcome, "accept");
  EXPECT_EQ(q.bundle_plan, "utm_edr");
  EXPECT_EQ(q.base_monthly_premium_yen, 765);
  EXPECT_EQ(q.top_up_annual_premium_yen, 35'800);
  EXPECT_EQ(q.top_up_subsidy_yen, 11'930);
  EXPECT_EQ(q.top_up_payable_annual_yen, 23'870);
  EXPECT_EQ(q.top_up_monthly_instalment_yen, 2'090);
  // The response is the engine's, byte for byte, with its audit trail.
  EXPECT_EQ(q.response_json, quote_json(engine(), request.dump()));
  EXPECT_NE(q.response_json.find("round10(30000 x 1 x 0.55 x 0.6 x 1 x 0.9) = 8910"),
            std::string::npos);

  const StoredQuote back = store_->get_quote(q.id);
  EXPECT_EQ(back.request_json, request.dump());
  EXPECT_EQ(back.response_json, q.response_json);
  EXPECT_EQ(back.valid_until, q.valid_until);
  EXPECT_EQ(back.status, QuoteStatus::kIssued);
  EXPECT_FALSE(back.policy_id);
  EXPECT_EQ(back.rules, testing::default_tables().policy);
  const json record = json::parse(quote_record_json(back));
  EXPECT_EQ(record["response"]["top_up"]["annual_premium_yen"], 35'800);
  EXPECT_EQ(record["request"], request);
  EXPECT_EQ(record["status"], "issued");

  std::string message;
  EXPECT_EQ(code_of([&] { store_->get_quote("q-00000000000000000000000000000000"); }, &message),
            ErrorCode::kStoreQuoteNotFound);
  EXPECT_NE(
      message.find(
          "quote_id: no issued quote has this id, got \"q-00000000000000000000000000000000\""),
      std::string::npos)
      << message;
  // A bad request gets the engine's error and stores nothing.
  json bad = request;
  bad["company"]["employees"] = -3;
  EXPECT_EQ(code_of([&] { issue(bad); }), ErrorCode::kBelowMinimum);
  EXPECT_EQ(store_->list_quotes().size(), 1u);
}

TEST_P(StoreTest, AQuoteAlreadyPastItsValidityIsNotIssued) {
  clock_.set(d("2027-01-15"));  // example 1 is dated 2026-12-15: valid until 2027-01-14
  std::string message;
  EXPECT_EQ(code_of([&] { issue(example_1()); }, &message), ErrorCode::kStoreQuoteExpired);
  EXPECT_NE(message.find("valid until 2027-01-14"), std::string::npos) << message;
}

TEST_P(StoreTest, BindsAtTheQuotedPremiumEvenAfterTheTablesChange) {
  const StoredQuote q = issue(example_1());
  // A new edition in force (same dates, other factors): the engine now prices higher.
  EditionCopy copy("store_reload_" + random_hex(6));
  copy.edit("top_up", [](json& j) { j["tier_factors"]["A"] = 0.80; });
  copy.edit("base_cover", [](json& j) { j["tier_factors"]["A"] = 1.0; });
  const Engine reloaded(TableLibrary::load(copy.root()));
  const StoredQuote requote = store_->issue_quote(reloaded, example_1().dump());
  ASSERT_NE(requote.top_up_annual_premium_yen, 35'800);
  ASSERT_EQ(requote.base_monthly_premium_yen, 850);
  EXPECT_NE(requote.edition_sha256, q.edition_sha256);

  const Policy p = bind(q.id, "2026-12-20").policy;
  EXPECT_EQ(p.id.substr(0, 2), "p-");
  EXPECT_EQ(p.quote_id, q.id);
  EXPECT_EQ(p.status, PolicyStatus::kActive);
  EXPECT_EQ(p.edition_sha256, q.edition_sha256);
  ASSERT_TRUE(p.top_up);
  EXPECT_EQ(p.top_up->annual_premium_yen, 35'800);
  EXPECT_EQ(p.top_up->payable_annual_yen, 23'870);
  EXPECT_EQ(p.top_up->start, d("2026-12-20"));
  EXPECT_EQ(p.top_up->end, d("2027-12-19"));
  ASSERT_EQ(p.subscription.size(), 1u);
  EXPECT_EQ(p.subscription[0].monthly_premium_yen, 765);
  EXPECT_EQ(p.subscription[0].from, d("2026-12-20"));
  EXPECT_FALSE(p.subscription[0].to);
  EXPECT_EQ(p.subscription[0].response_json, q.response_json);
  EXPECT_EQ(p.bound_on, d("2026-12-15"));
  EXPECT_EQ(store_->get_quote(q.id).status, QuoteStatus::kBound);
  EXPECT_EQ(store_->get_quote(q.id).policy_id, p.id);
  const json pj = json::parse(policy_json(store_->get_policy(p.id)));
  EXPECT_EQ(pj["top_up"]["annual_premium_yen"], 35'800);
  EXPECT_EQ(pj["subscription"][0]["monthly_premium_yen"], 765);
  EXPECT_EQ(pj["status"], "active");
}

TEST_P(StoreTest, BindIsIdempotentThroughItsKey) {
  const StoredQuote q = issue(example_1());
  const PolicyResult first = bind(q.id, "2026-12-20", "order-1");
  EXPECT_FALSE(first.replayed);
  const PolicyResult again = bind(q.id, "2026-12-20", "order-1");
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.policy.id, first.policy.id);
  std::string message;
  EXPECT_EQ(code_of([&] { bind(q.id, "2026-12-21", "order-1"); }, &message),
            ErrorCode::kStoreIdempotencyKeyReused);
  EXPECT_NE(message.find("idempotency_key: was already used for bind of " + q.id),
            std::string::npos)
      << message;
  EXPECT_EQ(code_of([&] { bind(q.id, "2026-12-20", "order-2"); }, &message),
            ErrorCode::kStoreQuoteAlreadyBound);
  EXPECT_NE(message.find("is already bound to policy " + first.policy.id), std::string::npos)
      << message;
  EXPECT_EQ(code_of([&] { bind(q.id, "2026-12-20"); }), ErrorCode::kStoreQuoteAlreadyBound);
  // The key belongs to the bind: using it for another quote is refused.
  const StoredQuote other = issue(example_1());
  EXPECT_EQ(code_of([&] { bind(other.id, "2026-12-20", "order-1"); }),
            ErrorCode::kStoreIdempotencyKeyReused);
  EXPECT_EQ(code_of([&] { bind(other.id, "2026-12-20", std::string(256, 'k')); }),
            ErrorCode::kStoreBadIdempotencyKey);
  EXPECT_EQ(code_of([&] { bind(other.id, "2026-12-20", "tab\there"); }),
            ErrorCode::kStoreBadIdempotencyKey);
  EXPECT_EQ(store_->list_policies().size(), 1u);
}

TEST_P(StoreTest, ExpiredReferredAndEmptyQuotesAreNotBound) {
  const StoredQuote q = issue(example_1());  // valid until 2027-01-14
  const StoredQuote last_day = issue(example_1());
  clock_.set(d("2027-01-14"));
  EXPECT_FALSE(bind(last_day.id, "2027-01-14").replayed);
  clock_.set(d("2027-01-15"));
  std::string message;
  EXPECT_EQ(code_of([&] { bind(q.id, "2027-01-20"); }, &message), ErrorCode::kStoreQuoteExpired);
  EXPECT_NE(message.find("was valid until 2027-01-14; today is 2027-01-15"), std::string::npos)
      << message;
  EXPECT_TRUE(store_->get_quote(q.id).expired_on(d("2027-01-15")));

  clock_.set(d("2027-01-20"));
  json referred = example_1();  // worked example 2's reason: 25 unknown answers refer the quote
  referred["quote_date"] = "2027-01-20";
  int n = 0;
  for (auto& [id, answer] : referred["answers"].items())
    if (n++ < 25) answer = "unknown";
  const StoredQuote r = issue(referred);
  ASSERT_EQ(r.outcome, "refer");
  EXPECT_EQ(code_of([&] { bind(r.id, "2027-01-20"); }), ErrorCode::kStoreQuoteReferred);
  // The same referred company without a top-up binds its base cover.
  referred.erase("top_up");
  referred.erase("subsidy_program");
  const StoredQuote base_only = issue(referred);
  const Policy p = bind(base_only.id, "2027-01-20").policy;
  EXPECT_FALSE(p.top_up);
  EXPECT_EQ(p.subscription.size(), 1u);

  json nothing = referred;
  nothing["bundle_plan"] = "none";
  nothing.erase("service_monthly_price_yen");
  EXPECT_EQ(code_of([&] { bind(issue(nothing).id, "2027-01-20"); }),
            ErrorCode::kStoreNothingToBind);
}

TEST_P(StoreTest, StartDatesRunFromTodayToTheBindDelay) {
  const StoredQuote q = issue(example_1());
  clock_.set(d("2026-12-10"));  // before the quote date
  std::string message;
  EXPECT_EQ(code_of([&] { bind(q.id, "2026-12-12"); }, &message),
            ErrorCode::kStoreInvalidStartDate);
  EXPECT_NE(message.find("must be from 2026-12-15"), std::string::npos) << message;
  clock_.set(d("2026-12-16"));
  EXPECT_EQ(code_of([&] { bind(q.id, "2026-12-15"); }),
            ErrorCode::kStoreInvalidStartDate);  // backdated
  EXPECT_EQ(code_of([&] { bind(q.id, "2027-03-17"); }, &message),
            ErrorCode::kStoreInvalidStartDate);
  EXPECT_NE(message.find("to 2027-03-16 (90 days ahead)"), std::string::npos) << message;
  EXPECT_EQ(bind(q.id, "2027-03-16").policy.top_up->end, d("2028-03-15"));
}

TEST_P(StoreTest, CancellationRefundsTheTopUpProRata) {
  const StoredQuote q = issue(example_1());
  const Policy p = bind(q.id, "2026-12-20").policy;
  clock_.set(d("2027-03-01"));
  std::string message;
  EXPECT_EQ(code_of(
                [&] {
                  store_->cancel({p.id, d("2027-02-28"), {}});
                },
                &message),
            ErrorCode::kStoreInvalidEffectiveDate);
  EXPECT_NE(message.find("never backdated"), std::string::npos) << message;
  // From 2027-03-20: 275 of 365 days unexpired; floor10(35,800 x 275 / 365 = 26,972.60) = 26,970.
  const PolicyResult c = store_->cancel({p.id, d("2027-03-20"), "cancel-1"});
  EXPECT_FALSE(c.replayed);
  EXPECT_EQ(c.policy.status, PolicyStatus::kCancelled);
  ASSERT_TRUE(c.policy.cancellation);
  EXPECT_EQ(c.policy.cancellation->refund_yen, 26'970);
  EXPECT_EQ(c.policy.cancellation->effective, d("2027-03-20"));
  EXPECT_EQ(c.policy.subscription.back().to, d("2027-03-19"));
  EXPECT_TRUE(store_->cancel({p.id, d("2027-03-20"), "cancel-1"}).replayed);
  EXPECT_EQ(code_of([&] {
              store_->cancel({p.id, d("2027-03-21"), {}});
            }),
            ErrorCode::kStorePolicyCancelled);
  EXPECT_EQ(code_of([&] {
              store_->cancel({"p-nope", d("2027-03-21"), {}});
            }),
            ErrorCode::kStorePolicyNotFound);

  // Cancelled on or before its start, a policy is void: the whole premium back.
  const StoredQuote q2 = issue([] {
    json r = example_1();
    r["quote_date"] = "2027-03-01";
    return r;
  }());
  const Policy p2 = bind(q2.id, "2027-03-10").policy;
  EXPECT_EQ(store_->cancel({p2.id, d("2027-03-10"), {}}).policy.cancellation->refund_yen, 35'800);
}

TEST_P(StoreTest, ASubscriptionChangeReRatesTheBaseCoverFromItsDate) {
  const StoredQuote q = issue(edr_example());
  ASSERT_EQ(q.base_monthly_premium_yen, 1'620);  // 40 x 45 = 1,800 x 0.90
  const Policy p = bind(q.id, "2026-12-20").policy;
  clock_.set(d("2027-01-05"));
  // Three more PCs under the EDR: 40 x 48 = 1,920 x 0.90 = ¥1,728 from 2027-01-10.
  const PolicyResult changed = store_->change_subscription(
      engine(),
      {p.id, d("2027-01-10"), R"({"controls":{"edr":{"covered_endpoints":48}}})", "change-1"});
  EXPECT_FALSE(changed.replayed);
  ASSERT_EQ(changed.policy.subscription.size(), 2u);
  const SubscriptionPeriod& before = changed.policy.subscription[0];
  const SubscriptionPeriod& after = changed.policy.subscription[1];
  EXPECT_EQ(before.to, d("2027-01-09"));
  EXPECT_EQ(after.seq, 1);
  EXPECT_EQ(after.from, d("2027-01-10"));
  EXPECT_EQ(after.monthly_premium_yen, 1'728);
  EXPECT_EQ(after.tier, "A");
  const json requote = json::parse(after.request_json);
  EXPECT_EQ(requote["quote_date"], "2027-01-10");
  EXPECT_EQ(requote["controls"]["edr"]["covered_endpoints"], 48);
  EXPECT_FALSE(requote.contains("top_up"));  // only the base cover is re-rated
  EXPECT_EQ(json::parse(after.response_json)["base_cover"]["monthly_premium_yen"], 1'728);
  // The top-up keeps its bound premium.
  EXPECT_EQ(changed.policy.top_up->annual_premium_yen, 36'270);
  EXPECT_TRUE(store_
                  ->change_subscription(
                      engine(), {p.id, d("2027-01-10"),
                                 R"({"controls":{"edr":{"covered_endpoints":48}}})", "change-1"})
                  .replayed);

  std::string message;
  EXPECT_EQ(code_of(
                [&] {
                  store_->change_subscription(
                      engine(), {p.id, d("2027-02-01"), R"({"bundle_plan":"utm"})", {}});
                },
                &message),
            ErrorCode::kStoreChangeNotAllowed);
  EXPECT_NE(message.find("changes.bundle_plan: may not change"), std::string::npos) << message;
  EXPECT_EQ(code_of([&] {
              store_->change_subscription(
                  engine(), {p.id, d("2027-01-10"), R"({"company":{"endpoints":60}})", {}});
            }),
            ErrorCode::kStoreInvalidEffectiveDate);
  // The engine checks the changed request: more covered PCs than PCs.
  EXPECT_EQ(code_of([&] {
              store_->change_subscription(
                  engine(),
                  {p.id, d("2027-02-01"), R"({"controls":{"edr":{"covered_endpoints":49}}})", {}});
            }),
            ErrorCode::kCoveredAboveEndpoints);
  EXPECT_EQ(code_of([&] {
              store_->change_subscription(engine(), {p.id, d("2027-02-01"), "[1]", {}});
            }),
            ErrorCode::kWrongType);
  EXPECT_EQ(code_of([&] {
              store_->change_subscription(engine(), {p.id, d("2027-02-01"), "{", {}});
            }),
            ErrorCode::kMalformedJson);
  // Cancelling before the last change's date is refused; after it, fine.
  EXPECT_EQ(code_of([&] {
              store_->cancel({p.id, d("2027-01-08"), {}});
            }),
            ErrorCode::kStoreInvalidEffectiveDate);
  store_->cancel({p.id, d("2027-02-01"), {}});
  EXPECT_EQ(code_of([&] {
              store_->change_subscription(
                  engine(), {p.id, d("2027-03-01"), R"({"company":{"endpoints":60}})", {}});
            }),
            ErrorCode::kStorePolicyCancelled);
}

TEST_P(StoreTest, TheBordereauListsSubscriptionsAndTopUpsWithTotals) {
  const Policy p =
      bind(issue(edr_example()).id, "2026-12-20").policy;  // ¥1,620 a month, top-up ¥36,270
  clock_.set(d("2027-01-05"));
  store_->change_subscription(
      engine(), {p.id, d("2027-01-10"), R"({"controls":{"edr":{"covered_endpoints":48}}})", {}});

  const Bordereau dec = store_->bordereau("2026-12");
  ASSERT_EQ(dec.base_cover.size(), 1u);
  // 2026-12-20 .. 31: 12 of 31 days, rhu(1,620 x 12 / 31 = 627.10) = 627.
  EXPECT_EQ(dec.base_cover[0].days_in_force, 12);
  EXPECT_EQ(dec.base_cover[0].owed_yen, 627);
  EXPECT_EQ(dec.base_cover[0].plan, "edr");
  EXPECT_EQ(dec.base_cover[0].tier, "A");
  ASSERT_EQ(dec.top_up.size(), 1u);
  EXPECT_EQ(dec.top_up[0].written_yen, 36'270);
  EXPECT_EQ(dec.top_up[0].earned_yen, 1'192);  // floor(36,270 x 12 / 365 = 1,192.4)
  EXPECT_EQ(dec.top_up[0].days_in_force, 12);
  EXPECT_EQ(dec.totals.base_cover_owed_yen, 627);
  EXPECT_EQ(dec.totals.top_up_written_yen, 36'270);

  const Bordereau jan = store_->bordereau("2027-01");
  ASSERT_EQ(jan.base_cover.size(), 2u);
  // 1 .. 9 at 1,620: rhu(470.32) = 470; 10 .. 31 at 1,728: rhu(1,226.32) = 1,226.
  EXPECT_EQ(jan.base_cover[0].owed_yen, 470);
  EXPECT_EQ(jan.base_cover[1].owed_yen, 1'226);
  EXPECT_EQ(jan.base_cover[1].from, d("2027-01-10"));
  EXPECT_EQ(jan.totals.base_cover_owed_yen, 1'696);
  EXPECT_EQ(jan.top_up[0].written_yen, 0);
  EXPECT_EQ(jan.top_up[0].earned_yen, 3'080);  // floor(36,270 x 43 / 365 = 4,272.9) - 1,192
  EXPECT_EQ(store_->bordereau("2027-02").totals.base_cover_owed_yen, 1'728);  // a whole month
  EXPECT_TRUE(store_->bordereau("2026-11").base_cover.empty());

  // Cancelled from 2027-03-20: floor10(36,270 x 275 / 365 = 27,326.7) = 27,320 refunded, booked
  // in March; what is kept (8,950) is earned by then.
  clock_.set(d("2027-03-01"));
  store_->cancel({p.id, d("2027-03-20"), {}});
  const Bordereau mar = store_->bordereau("2027-03");
  ASSERT_EQ(mar.top_up.size(), 1u);
  EXPECT_EQ(mar.top_up[0].refund_yen, 27'320);
  EXPECT_EQ(mar.top_up[0].written_yen, -27'320);
  EXPECT_EQ(mar.top_up[0].days_in_force, 19);
  // Earned through Feb: floor(36,270 x 71 / 365 = 7,055.3) = 7,055; March earns 8,950 - 7,055 =
  // 1,895.
  EXPECT_EQ(mar.top_up[0].earned_yen, 1'895);
  EXPECT_EQ(mar.base_cover[0].owed_yen, 1'059);  // 19 of 31 days: rhu(1,728 x 19 / 31 = 1,059.1)
  EXPECT_TRUE(store_->bordereau("2027-04").base_cover.empty());
  EXPECT_TRUE(store_->bordereau("2027-04").top_up.empty());

  const std::string csv = bordereau_csv(mar);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "record,policy_id,quote_id,seq,plan,tier,monthly_premium_yen,annual_premium_yen,from,"
            "to,start_date,"
            "end_date,cancelled_from,days_in_force,days_in_month,base_cover_owed_yen,written_yen,"
            "earned_yen,"
            "refund_yen,edition");
  EXPECT_NE(csv.find("base_cover," + p.id + "," + p.quote_id +
                     ",1,edr,A,1728,,2027-03-01,2027-03-19,,,,19,31,1059,,,,2026-12"),
            std::string::npos)
      << csv;
  EXPECT_NE(
      csv.find("top_up," + p.id + "," + p.quote_id +
               ",,,A,,36270,,,2026-12-20,2027-12-19,2027-03-20,19,,,-27320,1895,27320,2026-12"),
      std::string::npos)
      << csv;
  EXPECT_NE(csv.find("total,,,,,,,,2027-03-01,2027-03-31,,,,,,1059,-27320,1895,27320,\r\n"),
            std::string::npos)
      << csv;
  const json j = json::parse(bordereau_json(mar));
  EXPECT_EQ(j["totals"]["top_up_refund_yen"], 27'320);
  EXPECT_EQ(j["totals"]["base_cover_owed_yen"], 1'059);
  EXPECT_EQ(j["month"], "2027-03");

  std::string message;
  EXPECT_EQ(code_of([&] { store_->bordereau("2027-13"); }, &message),
            ErrorCode::kStoreInvalidMonth);
  EXPECT_NE(message.find("month: must be a month written YYYY-MM"), std::string::npos) << message;
  EXPECT_EQ(code_of([&] { store_->bordereau("1899-12"); }), ErrorCode::kStoreInvalidMonth);
}

// Independent sums over the stored policies, day by day, for the totals property.
struct DaySums {
  std::map<std::string, std::int64_t> base_owed_by_month;  // recomputed per (period, month)
};

TEST_P(StoreTest, BordereauTotalsEqualTheSumsOverTheStoredPolicies) {
  std::mt19937_64 rng(20261215);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const char* plans[] = {"none", "utm", "edr", "utm_edr"};
  // 40 policies bound over three months, some changed, some cancelled, in date order.
  Date today = d("2026-12-01");
  for (int i = 0; i < 40; ++i) {
    today = plus(today, pick(3));
    clock_.set(today);
    json r = edr_example();
    r["quote_date"] = today.to_string();
    r["bundle_plan"] = plans[pick(4)];
    if (r["bundle_plan"] == "utm" || r["bundle_plan"] == "none")
      r["controls"]["edr"]["status"] = "self_managed";
    r["company"]["employees"] = 1 + pick(400);
    r["controls"]["edr"]["covered_endpoints"] = 1 + pick(48);
    if (pick(3) == 0) r.erase("top_up");
    if (r["bundle_plan"] == "none" && !r.contains("top_up"))
      r["bundle_plan"] = "edr", r["controls"]["edr"]["status"] = "managed";
    const StoredQuote q = issue(r);
    const Policy p = bind(q.id, plus(today, pick(20)).to_string().c_str()).policy;
    if (!p.subscription.empty() && pick(2) == 0) {
      clock_.set(plus(today, 1));
      store_->change_subscription(
          engine(), {p.id,
                     plus(p.start_date, 1 + pick(60)),
                     json({{"controls", {{"edr", {{"covered_endpoints", 1 + pick(48)}}}}}}).dump(),
                     {}});
    }
    if (pick(3) == 0) {
      const Policy now = store_->get_policy(p.id);
      const Date after = std::max(
          plus(today, 1), now.subscription.empty() ? today : plus(now.subscription.back().from, 1));
      clock_.set(plus(today, 1));
      store_->cancel({p.id, plus(after, pick(200)), {}});
    }
    clock_.set(today);
  }
  const std::vector<Policy> policies = store_->list_policies();
  ASSERT_EQ(policies.size(), 40u);

  std::map<std::string, std::int64_t> written, earned;
  std::int64_t rows = 0;
  for (Date first = d("2026-12-01"); first <= d("2029-03-01"); first = add_months(first, 1)) {
    const std::string month = first.to_string().substr(0, 7);
    const Bordereau b = store_->bordereau(month);
    BordereauTotals sums;
    for (const auto& r : b.base_cover) ++sums.subscriptions, sums.base_cover_owed_yen += r.owed_yen;
    for (const auto& r : b.top_up) {
      ++sums.top_up_policies;
      sums.top_up_written_yen += r.written_yen;
      sums.top_up_earned_yen += r.earned_yen;
      sums.top_up_refund_yen += r.refund_yen;
      written[r.policy_id] += r.written_yen;
      earned[r.policy_id] += r.earned_yen;
    }
    EXPECT_EQ(b.totals.subscriptions, sums.subscriptions) << month;
    EXPECT_EQ(b.totals.base_cover_owed_yen, sums.base_cover_owed_yen) << month;
    EXPECT_EQ(b.totals.top_up_written_yen, sums.top_up_written_yen) << month;
    EXPECT_EQ(b.totals.top_up_earned_yen, sums.top_up_earned_yen) << month;
    EXPECT_EQ(b.totals.top_up_refund_yen, sums.top_up_refund_yen) << month;

    // The base cover owed, recomputed from the stored policies by walking every day.
    std::int64_t owed = 0;
    const Month m = *parse_month(month);
    for (const auto& p : policies)
      for (const auto& s : p.subscription) {
        int days = 0;
        for (Date day = m.first; day <= m.last; day = plus(day, 1))
          days += day >= s.from && (!s.to || day <= *s.to);
        owed += base_cover_owed(p.rules, s.monthly_premium_yen, days, m.days());
      }
    EXPECT_EQ(b.totals.base_cover_owed_yen, owed) << month;
    rows += static_cast<std::int64_t>(b.base_cover.size() + b.top_up.size());
  }
  EXPECT_GT(rows, 200);
  // Over all months each top-up writes and earns what the insurer keeps: premium - refund.
  int top_ups = 0;
  for (const auto& p : policies) {
    if (!p.top_up) continue;
    const std::int64_t refund = p.cancellation ? p.cancellation->refund_yen : 0;
    const bool is_void = p.cancellation && p.cancellation->effective <= p.start_date;
    const std::int64_t kept = is_void ? 0 : p.top_up->annual_premium_yen - refund;
    EXPECT_EQ(written[p.id], kept) << p.id;
    EXPECT_EQ(earned[p.id], kept) << p.id;
    ++top_ups;
  }
  EXPECT_GT(top_ups, 10);
}

TEST_P(StoreTest, ConcurrentBindsFromThreadsGiveOnePolicy) {
  std::vector<StoredQuote> quotes;
  for (int i = 0; i < 10; ++i) quotes.push_back(issue(example_1()));
  constexpr int kThreads = 8;
  std::atomic<int> won{0}, lost{0}, other{0};
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ++ready;
      while (ready < kThreads) std::this_thread::yield();
      for (const auto& q : quotes) {
        try {
          bind(q.id, "2026-12-20", "thread-" + std::to_string(t) + "-" + q.id);
          ++won;
        } catch (const Error& e) {
          (e.code() == ErrorCode::kStoreQuoteAlreadyBound ? lost : other)++;
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, 10);
  EXPECT_EQ(lost, 10 * (kThreads - 1));
  EXPECT_EQ(other, 0);
  const auto policies = store_->list_policies();
  EXPECT_EQ(policies.size(), 10u);
  std::set<std::string> bound;
  for (const auto& p : policies) bound.insert(p.quote_id);
  EXPECT_EQ(bound.size(), 10u);

  // The same key from every thread: one policy, the others replay it.
  const StoredQuote q = issue(example_1());
  std::vector<std::string> ids(kThreads);
  std::atomic<int> replayed{0};
  threads.clear();
  ready = 0;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ++ready;
      while (ready < kThreads) std::this_thread::yield();
      const PolicyResult r = bind(q.id, "2026-12-20", "same-key");
      ids[static_cast<std::size_t>(t)] = r.policy.id;
      replayed += r.replayed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(replayed, kThreads - 1);
  EXPECT_EQ(store_->list_policies().size(), 11u);
}

TEST_P(StoreTest, ConcurrentBindsFromTwoProcessesGiveOnePolicy) {
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(issue(example_1()).id);
  // Each process binds every quote; a pipe starts them together and brings back the wins.
  int go[2], result[2][2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> children;
  for (int child = 0; child < 2; ++child) {
    ASSERT_EQ(pipe(result[child]), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int won = 0, bad = 0;
      try {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) != 0) _exit(3);  // EOF: both children are ready
        auto store = open_store();              // its own connections
        for (const auto& id : ids) {
          try {
            store->bind({id, d("2026-12-20"), "process-" + std::to_string(child) + "-" + id});
            ++won;
          } catch (const Error& e) {
            bad += e.code() != ErrorCode::kStoreQuoteAlreadyBound;
          }
        }
      } catch (...) {
        _exit(4);
      }
      const int out[2] = {won, bad};
      if (write(result[child][1], out, sizeof out) != static_cast<ssize_t>(sizeof out)) _exit(5);
      _exit(0);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(go[1]);  // both start now
  int total = 0;
  for (int child = 0; child < 2; ++child) {
    int status = 0;
    ASSERT_EQ(waitpid(children[static_cast<std::size_t>(child)], &status, 0),
              children[static_cast<std::size_t>(child)]);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    int out[2] = {0, 0};
    ASSERT_EQ(read(result[child][0], out, sizeof out), static_cast<ssize_t>(sizeof out));
    EXPECT_EQ(out[1], 0) << "errors other than already-bound in process " << child;
    total += out[0];
  }
  EXPECT_EQ(total, 30);
  const auto policies = store_->list_policies();
  ASSERT_EQ(policies.size(), 30u);
  std::set<std::string> quotes;
  for (const auto& p : policies) quotes.insert(p.quote_id);
  EXPECT_EQ(quotes, std::set<std::string>(ids.begin(), ids.end()));
}

TEST_P(StoreTest, ValuesNeverBecomeSql) {
  const StoredQuote q = issue(example_1());
  const std::string injections[] = {"' OR '1'='1", "x'); DROP TABLE policies; --", "\" OR 1=1 --",
                                    "%' UNION SELECT id, id FROM quotes --",
                                    "q-1; DELETE FROM quotes"};
  for (const auto& evil : injections) {
    EXPECT_EQ(code_of([&] { store_->get_quote(evil); }), ErrorCode::kStoreQuoteNotFound) << evil;
    EXPECT_EQ(code_of([&] { store_->get_policy(evil); }), ErrorCode::kStorePolicyNotFound) << evil;
    EXPECT_EQ(code_of([&] { bind(evil, "2026-12-20"); }), ErrorCode::kStoreQuoteNotFound) << evil;
    EXPECT_EQ(code_of([&] {
                store_->cancel({evil, d("2026-12-20"), {}});
              }),
              ErrorCode::kStorePolicyNotFound)
        << evil;
  }
  // A key full of SQL is stored and matched as the text it is.
  const std::string key = "k'); DELETE FROM quotes; DROP TABLE idempotency_keys; --";
  const PolicyResult p = bind(q.id, "2026-12-20", key);
  EXPECT_TRUE(bind(q.id, "2026-12-20", key).replayed);
  EXPECT_EQ(code_of([&] {
              bind(q.id, "2026-12-20", "k'); DELETE FROM quotes; DROP TABLE idempotency_keys; -- ");
            }),
            ErrorCode::kStoreQuoteAlreadyBound);
  EXPECT_EQ(store_->list_quotes().size(), 1u);
  EXPECT_EQ(store_->list_policies().size(), 1u);
  EXPECT_EQ(store_->get_policy(p.policy.id).quote_id, q.id);
  // And a request field name is checked by the contract before anything is stored.
  json evil = example_1();
  evil["company'); DROP TABLE quotes; --"] = 1;
  EXPECT_EQ(code_of([&] { issue(evil); }), ErrorCode::kUnknownField);
  EXPECT_EQ(store_->list_quotes().size(), 1u);
}

TEST_P(StoreTest, MigrationsAreVersionedAndAppliedOnce) {
  EXPECT_EQ(store_->schema_version(), static_cast<int>(detail::store_migrations().size()));
  EXPECT_EQ(store_->backend(), GetParam());
  const StoredQuote q = issue(example_1());
  store_.reset();
  store_ = open_store();  // reopened: nothing re-applied, the data intact
  EXPECT_EQ(store_->get_quote(q.id).response_json, q.response_json);
  EXPECT_EQ(store_->schema_version(), 2);
}

TEST_P(StoreTest, ASchemaFromANewerProgramIsRefused) {
  store_.reset();
  auto c = GetParam() == "sqlite" ? detail::open_sqlite((dir_ / "store.db").string(), 0,
                                                        std::chrono::milliseconds(1000))
                                  : detail::open_postgres(url_, std::chrono::milliseconds(1000));
  c->begin(true);
  c->execute(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', "
      "'now')",
      {});
  c->commit();
  std::string message;
  EXPECT_EQ(code_of([&] { open_store(); }, &message), ErrorCode::kStoreSchemaTooNew);
  EXPECT_NE(message.find("at version 99"), std::string::npos) << message;
}

TEST_P(StoreTest, AnOlderSchemaIsMigratedOnOpen) {
  store_.reset();
  // A database at version 1 only, as the first release left it.
  const std::string fresh_url = [&] {
    if (GetParam() == "sqlite") return "sqlite://" + (dir_ / "v1.db").string();
    const std::string schema = schema_ + "_v1";
    pqxx::connection admin(postgres_url());
    pqxx::nontransaction(admin).exec("CREATE SCHEMA " + schema);
    return postgres_url() + "?options=-csearch_path%3D" + schema;
  }();
  {
    auto c =
        GetParam() == "sqlite"
            ? detail::open_sqlite((dir_ / "v1.db").string(), 0, std::chrono::milliseconds(1000))
            : detail::open_postgres(fresh_url, std::chrono::milliseconds(1000));
    c->begin(true);
    c->execute_script(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)");
    c->execute_script(detail::store_migrations()[0].sql);
    c->execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'v1', 'then')",
               {});
    c->commit();
  }
  StoreOptions options;
  options.clock = clock_.fn();
  auto migrated = Store::open(fresh_url, options);
  EXPECT_EQ(migrated->schema_version(), 2);
  auto c = GetParam() == "sqlite"
               ? detail::open_sqlite((dir_ / "v1.db").string(), 0, std::chrono::milliseconds(1000))
               : detail::open_postgres(fresh_url, std::chrono::milliseconds(1000));
  c->begin(false);
  const auto rows = c->query("SELECT version, name FROM schema_migrations ORDER BY version", {});
  c->commit();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0][1], "v1");  // left as it was
  EXPECT_EQ(*rows[1][0], "2");
  const Policy p =
      migrated->bind({migrated->issue_quote(engine(), example_1().dump()).id, d("2026-12-20"), {}})
          .policy;
  EXPECT_EQ(migrated->bordereau("2026-12").top_up.at(0).policy_id, p.id);
  if (GetParam() == "postgresql") {
    migrated.reset();
    c.reset();
    pqxx::connection admin(postgres_url());
    pqxx::nontransaction(admin).exec("DROP SCHEMA " + schema_ + "_v1 CASCADE");
  }
}

TEST_P(StoreTest, AnUnreachableStoreIsUnavailable) {
  std::string message;
  const std::string url = GetParam() == "sqlite"
                              ? "sqlite:///nonexistent/cybercover/dir/store.db"
                              : "postgresql://cybercover@127.0.0.1:1/cybercover_test";
  EXPECT_EQ(code_of([&] { Store::open(url); }, &message), ErrorCode::kStoreUnavailable);
  EXPECT_NE(message.find("[cybercover.store.unavailable] store: "), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---- SQLite only ---------------------------------------------------------------------------
TEST(SqliteStore, IsOneFileInWalModeCreatedOnFirstOpen) {
  const fs::path dir = fs::temp_directory_path() / ("cybercover_store_wal_" + random_hex(8));
  fs::create_directories(dir);
  const std::string path = (dir / "register.db").string();
  ASSERT_FALSE(fs::exists(path));
  { Store::open("sqlite://" + path); }
  ASSERT_TRUE(fs::exists(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  fs::remove_all(dir);
}

TEST(SqliteStore, AFullDatabaseIsDiskFullAndKeepsWhatItHad) {
  const fs::path dir = fs::temp_directory_path() / ("cybercover_store_full_" + random_hex(8));
  fs::create_directories(dir);
  TestClock clock;
  clock.set(d("2026-12-15"));
  StoreOptions options;
  options.clock = clock.fn();
  // A 1 MiB quota: about a hundred quotes (each ~10 KB of request and response).
  auto store = Store::open("sqlite://" + (dir / "small.db").string() + "?max_size_mib=1", options);
  std::vector<std::string> issued;
  std::string message;
  for (int i = 0; i < 1000; ++i) {
    try {
      issued.push_back(store->issue_quote(engine(), example_1().dump()).id);
    } catch (const Error& e) {
      message = e.what();
      EXPECT_EQ(e.code(), ErrorCode::kStoreDiskFull) << message;
      break;
    }
  }
  ASSERT_FALSE(message.empty()) << "the quota was never reached";
  EXPECT_NE(message.find("[cybercover.store.disk_full] store: "), std::string::npos) << message;
  EXPECT_GT(issued.size(), 10u);
  // Nothing half-written: every acknowledged quote reads back whole, and no other.
  const auto quotes = store->list_quotes(true);
  EXPECT_EQ(quotes.size(), issued.size());
  for (const auto& q : quotes) EXPECT_EQ(q.response_json, quote_json(engine(), example_1().dump()));
  store.reset();
  fs::remove_all(dir);
}

ErrorCode open_error(const std::string& url, std::string* message = nullptr) {
  try {
    Store::open(url);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kCount;
}

TEST(StoreUrl, OnlySqliteAndPostgresqlUrlsAreAccepted) {
  std::string message;
  EXPECT_EQ(open_error("mysql://localhost/db", &message), ErrorCode::kStoreInvalidUrl);
  EXPECT_NE(message.find(
                "store: must start with sqlite:// or postgresql://, got \"mysql://localhost/db\""),
            std::string::npos)
      << message;
  EXPECT_EQ(open_error("sqlite://"), ErrorCode::kStoreInvalidUrl);
  EXPECT_EQ(open_error("sqlite:///tmp/x.db?cache=shared"), ErrorCode::kStoreInvalidUrl);
  EXPECT_EQ(open_error("sqlite:///tmp/x.db?max_size_mib=0"), ErrorCode::kStoreInvalidUrl);
  EXPECT_EQ(open_error("/tmp/x.db"), ErrorCode::kStoreInvalidUrl);
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsCorrupt) {
  const fs::path dir = fs::temp_directory_path() / ("cybercover_store_corrupt_" + random_hex(8));
  fs::create_directories(dir);
  std::ofstream(dir / "garbage.db") << std::string(8192, 'x');
  std::string message;
  EXPECT_EQ(open_error("sqlite://" + (dir / "garbage.db").string(), &message),
            ErrorCode::kStoreCorrupt);
  EXPECT_NE(message.find("not a database"), std::string::npos) << message;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cybercover
