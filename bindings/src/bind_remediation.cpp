// The compiled half of cybercover/remediation.py: remediation plans (one request, or a book
// of them on all cores) and the feedback report, from an Engine or from a Quote that kept its
// request. Requests are converted under the GIL; planning runs with the GIL released.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

// A request given as a dict or as an object with to_dict() (cybercover.QuoteRequest).
py::object as_dict(const py::handle& request) {
  if (PyDict_Check(request.ptr())) return py::reinterpret_borrow<py::object>(request);
  if (py::hasattr(request, "to_dict")) {
    py::object d = request.attr("to_dict")();
    if (PyDict_Check(d.ptr())) return d;
  }
  throw py::type_error("request must be a dict or a cybercover.QuoteRequest, got " +
                       std::string(py::str(py::type::handle_of(request).attr("__qualname__"))));
}

// The request as the JSON text the library's JSON door reads (the same conversion and the
// same errors as Engine.quote). Requires the GIL.
std::string request_text(const py::handle& request) { return request_json_text(as_dict(request)); }

// Read as Engine.quote reads: a Python float may be infinite, and the checks then name it.
JsonReadOptions python_options() {
  JsonReadOptions o;
  o.allow_infinity_literals = true;
  return o;
}

QuoteRequest parse_request(const Engine& e, const std::string& text) {
  return parse_quote_request_text(text, e.library(), python_options());
}

ReportOptions report_options(const std::string& lang, const py::object& company_name, int max_measures) {
  ReportOptions o;
  const auto language = parse_report_language(lang);
  if (!language) throw py::value_error("lang must be 'ja' or 'en', got " + std::string(py::repr(py::str(lang))));
  o.language = *language;
  if (!company_name.is_none()) {
    if (!py::isinstance<py::str>(company_name)) throw py::type_error("company_name must be a str or None");
    o.company_name = company_name.cast<std::string>();
  }
  o.max_measures = max_measures;
  return o;
}

// What a Quote kept of its request, as a one-edition engine and the parsed request.
struct KeptRequest {
  Engine engine;
  std::shared_ptr<const QuoteRequest> request;
};

KeptRequest kept_request(const QuoteResult& q) {
  if (!q.request || !q.tables)
    throw py::value_error(
        "this Quote does not carry its request (it was rebuilt from a pickle); use "
        "engine.report_html(request) or engine.remediation(request)");
  return {Engine(TableLibrary::from_editions({q.tables})), q.request};
}

template <typename T>
py::array_t<T> column(const std::vector<RemediationSummary>& rows, T RemediationSummary::*field) {
  py::array_t<T> out(static_cast<py::ssize_t>(rows.size()));
  T* data = out.mutable_data();
  for (std::size_t i = 0; i < rows.size(); ++i) data[i] = rows[i].*field;
  return out;
}

template <typename T, typename Get>
py::array_t<T> column_of(const std::vector<RemediationSummary>& rows, Get get) {
  py::array_t<T> out(static_cast<py::ssize_t>(rows.size()));
  T* data = out.mutable_data();
  for (std::size_t i = 0; i < rows.size(); ++i) data[i] = get(rows[i]);
  return out;
}

py::dict batch_columns(const std::vector<RemediationSummary>& rows) {
  py::dict c;
  c["ok"] = column(rows, &RemediationSummary::ok);
  py::list error, tier, outcome, best, next_tier;
  for (const auto& r : rows) {
    error.append(r.ok ? py::object(py::none()) : py::object(py::str(r.error)));
    tier.append(r.ok ? py::object(py::str(r.tier_name)) : py::object(py::none()));
    outcome.append(r.ok ? py::object(py::str(std::string(to_string(r.outcome)))) : py::object(py::none()));
    best.append(r.ok && r.measure_count > 0 ? py::object(py::str(r.best_measure)) : py::object(py::none()));
    next_tier.append(r.ok && r.has_next_tier ? py::object(py::str(r.next_tier_name)) : py::object(py::none()));
  }
  c["error"] = error;
  c["tier"] = tier;
  c["outcome"] = outcome;
  c["insured_cost_yen"] = column(rows, &RemediationSummary::insured_cost_yen);
  c["measure_count"] = column_of<std::int64_t>(rows, [](const RemediationSummary& r) { return static_cast<std::int64_t>(r.measure_count); });
  c["best_measure"] = best;
  c["best_yen_saved"] = column(rows, &RemediationSummary::best_yen_saved);
  c["best_points_gained"] = column(rows, &RemediationSummary::best_points_gained);
  c["best_cost_yen"] = column(rows, &RemediationSummary::best_cost_yen);
  c["next_tier"] = next_tier;
  c["has_next_tier"] = column(rows, &RemediationSummary::has_next_tier);
  c["next_tier_reachable"] = column(rows, &RemediationSummary::next_tier_reachable);
  c["next_tier_measure_count"] =
      column_of<std::int64_t>(rows, [](const RemediationSummary& r) { return static_cast<std::int64_t>(r.next_tier_measure_count); });
  c["next_tier_cost_yen"] = column(rows, &RemediationSummary::next_tier_cost_yen);
  c["next_tier_yen_saved"] = column(rows, &RemediationSummary::next_tier_yen_saved);
  c["next_tier_refer_to_accept"] = column(rows, &RemediationSummary::next_tier_refer_to_accept);
  return c;
}

}  // namespace

void bind_remediation(py::module_& m) {
  m.def(
      "_remediation_json",
      [](const Engine& e, const py::object& request) {
        const std::string text = request_text(request);
        const py::gil_scoped_release release;
        std::string out;
        write_json(plan_remediation(e, parse_request(e, text)), out);
        return out;
      },
      py::arg("engine"), py::arg("request"), "Private: the remediation plan's JSON text (Engine.remediation).");
  m.def(
      "_report_html",
      [](const Engine& e, const py::object& request, const std::string& lang, const py::object& company_name,
         int max_measures) {
        const ReportOptions o = report_options(lang, company_name, max_measures);
        const std::string text = request_text(request);
        const py::gil_scoped_release release;
        return report_html(e, parse_request(e, text), o);
      },
      py::arg("engine"), py::arg("request"), py::arg("lang"), py::arg("company_name"), py::arg("max_measures"),
      "Private: the report's HTML (Engine.report_html).");
  m.def(
      "_quote_remediation_json",
      [](const QuoteResult& q) {
        const KeptRequest kept = kept_request(q);
        const py::gil_scoped_release release;
        std::string out;
        write_json(plan_remediation(kept.engine, *kept.request), out);
        return out;
      },
      py::arg("quote"), "Private: the plan of the request a Quote priced (Quote.remediation).");
  m.def(
      "_quote_report_html",
      [](const QuoteResult& q, const std::string& lang, const py::object& company_name, int max_measures) {
        const ReportOptions o = report_options(lang, company_name, max_measures);
        const KeptRequest kept = kept_request(q);
        const py::gil_scoped_release release;
        return report_html(kept.engine, *kept.request, o);
      },
      py::arg("quote"), py::arg("lang"), py::arg("company_name"), py::arg("max_measures"),
      "Private: the report of the request a Quote priced (Quote.report_html).");
  m.def(
      "_remediation_batch",
      [](const Engine& e, const py::iterable& requests, int threads, bool collect) {
        // Conversion under the GIL; a row that does not convert is that row's error.
        std::vector<std::string> texts;
        std::vector<std::string> conversion_errors;
        for (const py::handle request : requests) {
          conversion_errors.emplace_back();
          try {
            texts.push_back(request_text(request));
          } catch (py::error_already_set& err) {
            if (!collect) throw;
            conversion_errors.back() = err.what();
            texts.emplace_back();
          } catch (const py::builtin_exception& err) {
            if (!collect) throw;
            conversion_errors.back() = err.what();
            texts.emplace_back();
          }
        }
        std::vector<RemediationSummary> rows;
        {
          const py::gil_scoped_release release;
          rows = plan_remediation_batch_json(e, texts, {threads, !collect}, python_options());
        }
        for (std::size_t i = 0; i < rows.size(); ++i)
          if (!conversion_errors[i].empty()) {
            rows[i] = RemediationSummary{};
            rows[i].error = conversion_errors[i];
          }
        return batch_columns(rows);
      },
      py::arg("engine"), py::arg("requests"), py::arg("threads"), py::arg("collect"),
      "Private: per request the best measure and the next-tier set (Engine.remediation_frame).");
}

}  // namespace cybercover::python
