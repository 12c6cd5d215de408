// cybercover._core._Store: the quote and policy register read as columns (dicts of lists),
// which cybercover.store turns into DataFrames. The database is read with the GIL released;
// the columns are built after, with it held.

#include <pybind11/stl.h>

#include <atomic>
#include <chrono>

#include "bindings.hpp"
#include "cybercover/store/store.hpp"

namespace cybercover::python {

namespace {

py::object opt(const std::optional<std::int64_t>& v) {
  return v ? py::object(py::int_(*v)) : py::object(py::none());
}
py::object opt(const std::optional<Date>& v) {
  return v ? py::object(py::str(v->to_string())) : py::object(py::none());
}
py::object opt(const std::optional<std::string>& v) {
  return v ? py::object(py::str(*v)) : py::object(py::none());
}

// A dict of equal-length lists, filled row by row.
class Columns {
 public:
  explicit Columns(std::initializer_list<const char*> names) {
    for (const char* n : names) columns_[n] = py::list();
  }
  void add(const char* name, py::object value) {
    columns_[name].cast<py::list>().append(std::move(value));
  }
  py::dict take() { return std::move(columns_); }

 private:
  py::dict columns_;
};

py::dict quote_columns(const std::vector<StoredQuote>& quotes, bool with_json) {
  Columns c{"id",
            "issued_at",
            "quote_date",
            "valid_until",
            "status",
            "policy_id",
            "edition",
            "edition_sha256",
            "bundle_plan",
            "tier",
            "outcome",
            "base_monthly_premium_yen",
            "top_up_annual_premium_yen",
            "top_up_subsidy_yen",
            "top_up_payable_annual_yen",
            "top_up_monthly_instalment_yen",
            "quote_validity_days"};
  py::dict out;
  py::list requests, responses;
  for (const auto& q : quotes) {
    c.add("id", py::str(q.id));
    c.add("issued_at", py::str(q.issued_at));
    c.add("quote_date", py::str(q.quote_date.to_string()));
    c.add("valid_until", py::str(q.valid_until.to_string()));
    c.add("status", py::str(std::string(to_string(q.status))));
    c.add("policy_id", opt(q.policy_id));
    c.add("edition", py::str(q.edition));
    c.add("edition_sha256", py::str(q.edition_sha256));
    c.add("bundle_plan", py::str(q.bundle_plan));
    c.add("tier", py::str(q.tier));
    c.add("outcome", py::str(q.outcome));
    c.add("base_monthly_premium_yen", opt(q.base_monthly_premium_yen));
    c.add("top_up_annual_premium_yen", opt(q.top_up_annual_premium_yen));
    c.add("top_up_subsidy_yen", opt(q.top_up_subsidy_yen));
    c.add("top_up_payable_annual_yen", opt(q.top_up_payable_annual_yen));
    c.add("top_up_monthly_instalment_yen", opt(q.top_up_monthly_instalment_yen));
    c.add("quote_validity_days", py::int_(q.rules.quote_validity_days));
    if (with_json) {
      requests.append(py::str(q.request_json));
      responses.append(py::str(q.response_json));
    }
  }
  out = c.take();
  if (with_json) {
    out["request_json"] = requests;
    out["response_json"] = responses;
  }
  return out;
}

py::dict policy_columns(const std::vector<Policy>& policies) {
  Columns c{"id",
            "quote_id",
            "bound_at",
            "bound_on",
            "start_date",
            "status",
            "bundle_plan",
            "tier",
            "edition",
            "edition_sha256",
            "base_monthly_premium_yen",
            "subscription_changes",
            "top_up_annual_premium_yen",
            "top_up_subsidy_yen",
            "top_up_payable_annual_yen",
            "top_up_monthly_instalment_yen",
            "top_up_end_date",
            "cancelled_at",
            "cancelled_from",
            "refund_yen"};
  for (const auto& p : policies) {
    c.add("id", py::str(p.id));
    c.add("quote_id", py::str(p.quote_id));
    c.add("bound_at", py::str(p.bound_at));
    c.add("bound_on", py::str(p.bound_on.to_string()));
    c.add("start_date", py::str(p.start_date.to_string()));
    c.add("status", py::str(std::string(to_string(p.status))));
    c.add("bundle_plan", py::str(p.bundle_plan));
    c.add("tier", py::str(p.tier));
    c.add("edition", py::str(p.edition));
    c.add("edition_sha256", py::str(p.edition_sha256));
    // The current (latest) monthly premium of the base cover.
    c.add("base_monthly_premium_yen",
          p.subscription.empty() ? py::object(py::none())
                                 : py::object(py::int_(p.subscription.back().monthly_premium_yen)));
    c.add("subscription_changes", py::int_(p.subscription.empty() ? 0 : p.subscription.size() - 1));
    const auto t = p.top_up;
    c.add("top_up_annual_premium_yen",
          t ? py::object(py::int_(t->annual_premium_yen)) : py::object(py::none()));
    c.add("top_up_subsidy_yen", t ? py::object(py::int_(t->subsidy_yen)) : py::object(py::none()));
    c.add("top_up_payable_annual_yen",
          t ? py::object(py::int_(t->payable_annual_yen)) : py::object(py::none()));
    c.add("top_up_monthly_instalment_yen",
          t ? py::object(py::int_(t->monthly_instalment_yen)) : py::object(py::none()));
    c.add("top_up_end_date", t ? py::object(py::str(t->end.to_string())) : py::object(py::none()));
    const auto& x = p.cancellation;
    c.add("cancelled_at", x ? py::object(py::str(x->recorded_at)) : py::object(py::none()));
    c.add("cancelled_from",
          x ? py::object(py::str(x->effective.to_string())) : py::object(py::none()));
    c.add("refund_yen", x ? py::object(py::int_(x->refund_yen)) : py::object(py::none()));
  }
  return c.take();
}

py::dict subscription_columns(const std::vector<Policy>& policies) {
  Columns c{"policy_id",           "seq",     "from",           "to",         "plan", "tier",
            "monthly_premium_yen", "edition", "edition_sha256", "recorded_at"};
  for (const auto& p : policies)
    for (const auto& s : p.subscription) {
      c.add("policy_id", py::str(p.id));
      c.add("seq", py::int_(s.seq));
      c.add("from", py::str(s.from.to_string()));
      c.add("to", opt(s.to));
      c.add("plan", py::str(s.plan));
      c.add("tier", py::str(s.tier));
      c.add("monthly_premium_yen", py::int_(s.monthly_premium_yen));
      c.add("edition", py::str(s.edition));
      c.add("edition_sha256", py::str(s.edition_sha256));
      c.add("recorded_at", py::str(s.recorded_at));
    }
  return c.take();
}

py::tuple bordereau_columns(const Bordereau& b) {
  Columns base{
      "policy_id", "quote_id", "seq",           "plan",          "tier",     "monthly_premium_yen",
      "from",      "to",       "days_in_force", "days_in_month", "owed_yen", "edition"};
  for (const auto& r : b.base_cover) {
    base.add("policy_id", py::str(r.policy_id));
    base.add("quote_id", py::str(r.quote_id));
    base.add("seq", py::int_(r.seq));
    base.add("plan", py::str(r.plan));
    base.add("tier", py::str(r.tier));
    base.add("monthly_premium_yen", py::int_(r.monthly_premium_yen));
    base.add("from", py::str(r.from.to_string()));
    base.add("to", py::str(r.to.to_string()));
    base.add("days_in_force", py::int_(r.days_in_force));
    base.add("days_in_month", py::int_(r.days_in_month));
    base.add("owed_yen", py::int_(r.owed_yen));
    base.add("edition", py::str(r.edition));
  }
  Columns top{"policy_id",   "quote_id",   "tier",           "annual_premium_yen",
              "start_date",  "end_date",   "cancelled_from", "days_in_force",
              "written_yen", "earned_yen", "refund_yen",     "edition"};
  for (const auto& r : b.top_up) {
    top.add("policy_id", py::str(r.policy_id));
    top.add("quote_id", py::str(r.quote_id));
    top.add("tier", py::str(r.tier));
    top.add("annual_premium_yen", py::int_(r.annual_premium_yen));
    top.add("start_date", py::str(r.start.to_string()));
    top.add("end_date", py::str(r.end.to_string()));
    top.add("cancelled_from", opt(r.cancelled_from));
    top.add("days_in_force", py::int_(r.days_in_force));
    top.add("written_yen", py::int_(r.written_yen));
    top.add("earned_yen", py::int_(r.earned_yen));
    top.add("refund_yen", py::int_(r.refund_yen));
    top.add("edition", py::str(r.edition));
  }
  const auto& t = b.totals;
  py::dict totals;
  totals["month"] = b.month;
  totals["subscriptions"] = t.subscriptions;
  totals["base_cover_owed_yen"] = t.base_cover_owed_yen;
  totals["top_up_policies"] = t.top_up_policies;
  totals["top_up_written_yen"] = t.top_up_written_yen;
  totals["top_up_earned_yen"] = t.top_up_earned_yen;
  totals["top_up_refund_yen"] = t.top_up_refund_yen;
  return py::make_tuple(base.take(), top.take(), totals);
}

Date parse_day(const std::string& text, const char* field) {
  const auto day = Date::parse(text);
  if (!day)
    throw Error(ErrorCode::kInvalidDate, field, "must be a date written YYYY-MM-DD",
                quote_for_message(text));
  return *day;
}

// The store with its clock: the system's, or a fixed business day (10:00 in Japan) that
// Python can move, for tests and back-fills.
struct PyStore {
  std::shared_ptr<std::atomic<std::int64_t>> fixed_seconds;  // null: the system clock
  std::unique_ptr<Store> store;
};

void set_day(PyStore& s, const std::string& day) {
  if (!s.fixed_seconds) throw py::value_error("this Store uses the system clock");
  *s.fixed_seconds = static_cast<std::int64_t>(parse_day(day, "today").day_number()) * 86400 + 3600;
}

py::tuple policy_result(const PolicyResult& r) {
  return py::make_tuple(policy_json(r.policy), r.replayed);
}

}  // namespace

void bind_store(py::module_& m) {
  py::class_<PyStore>(m, "_Store", "The quote and policy register (use cybercover.Store).")
      .def(
          py::init([](const std::string& url, std::optional<std::string> today) {
            PyStore s;
            StoreOptions options;
            if (today) {
              s.fixed_seconds = std::make_shared<std::atomic<std::int64_t>>(0);
              set_day(s, *today);
              options.clock = [seconds = s.fixed_seconds] {
                return std::chrono::system_clock::time_point(std::chrono::seconds(seconds->load()));
              };
            }
            py::gil_scoped_release release;
            s.store = Store::open(url, options);
            return s;
          }),
          py::arg("url"), py::arg("today") = py::none())
      .def_property_readonly("backend",
                             [](const PyStore& s) { return std::string(s.store->backend()); })
      .def_property_readonly("schema_version",
                             [](const PyStore& s) { return s.store->schema_version(); })
      .def_property_readonly("today", [](const PyStore& s) { return s.store->today().to_string(); })
      .def("_set_today", &set_day, py::arg("today"))
      .def(
          "_issue",
          [](PyStore& s, const Engine& engine, const std::string& request) {
            py::gil_scoped_release release;
            return quote_record_json(s.store->issue_quote(engine, request));
          },
          py::arg("engine"), py::arg("request"))
      .def(
          "_bind",
          [](PyStore& s, const std::string& id, const std::string& start, const std::string& key) {
            const Date day = parse_day(start, "start_date");
            PolicyResult r;
            {
              py::gil_scoped_release release;
              r = s.store->bind({id, day, key});
            }
            return policy_result(r);
          },
          py::arg("quote_id"), py::arg("start_date"), py::arg("idempotency_key"))
      .def(
          "_cancel",
          [](PyStore& s, const std::string& id, const std::string& effective,
             const std::string& key) {
            const Date day = parse_day(effective, "effective_date");
            PolicyResult r;
            {
              py::gil_scoped_release release;
              r = s.store->cancel({id, day, key});
            }
            return policy_result(r);
          },
          py::arg("policy_id"), py::arg("effective_date"), py::arg("idempotency_key"))
      .def(
          "_change",
          [](PyStore& s, const Engine& engine, const std::string& id, const std::string& effective,
             const std::string& changes, const std::string& key) {
            const Date day = parse_day(effective, "effective_date");
            PolicyResult r;
            {
              py::gil_scoped_release release;
              r = s.store->change_subscription(engine, {id, day, changes, key});
            }
            return policy_result(r);
          },
          py::arg("engine"), py::arg("policy_id"), py::arg("effective_date"), py::arg("changes"),
          py::arg("idempotency_key"))
      .def(
          "_quote_columns",
          [](const PyStore& s, bool with_json) {
            std::vector<StoredQuote> quotes;
            {
              py::gil_scoped_release release;
              quotes = s.store->list_quotes(with_json);
            }
            return quote_columns(quotes, with_json);
          },
          py::arg("with_json"))
      .def("_policy_and_subscription_columns",
           [](const PyStore& s) {
             std::vector<Policy> policies;
             {
               py::gil_scoped_release release;
               policies = s.store->list_policies(false);
             }
             return py::make_tuple(policy_columns(policies), subscription_columns(policies));
           })
      .def(
          "_bordereau",
          [](const PyStore& s, const std::string& month) {
            Bordereau b;
            std::string csv, json;
            {
              py::gil_scoped_release release;
              b = s.store->bordereau(month);
              csv = bordereau_csv(b);
              json = bordereau_json(b);
            }
            return py::make_tuple(bordereau_columns(b), csv, json);
          },
          py::arg("month"))
      .def(
          "_quote_json",
          [](const PyStore& s, const std::string& id) {
            py::gil_scoped_release release;
            return quote_record_json(s.store->get_quote(id));
          },
          py::arg("quote_id"))
      .def(
          "_policy_json",
          [](const PyStore& s, const std::string& id) {
            py::gil_scoped_release release;
            return policy_json(s.store->get_policy(id));
          },
          py::arg("policy_id"));
}

}  // namespace cybercover::python
