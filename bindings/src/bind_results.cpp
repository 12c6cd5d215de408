// Quote and Assessment: immutable results holding the §7 JSON the C++ library produced
// (to_json of the C++ result), converted to Python objects only on request.

#include <utility>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

// Returns json[a][b]... as Python, or None where a level is absent or null.
py::object get(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* node = &j;
  for (const char* key : keys) {
    if (!node->is_object()) return py::none();
    const auto it = node->find(key);
    if (it == node->end()) return py::none();
    node = &*it;
  }
  return to_python(*node);
}

std::string dump(const JsonResult& r, const py::object& indent) {
  if (indent.is_none()) return r.text();  // compact: the library's own bytes
  const nlohmann::json& j = r.json();
  const int n = indent.cast<int>();
  if (n < 0) throw py::value_error("indent must be None or >= 0");
  return j.dump(n);
}

std::string parse_state(const py::handle& state, const char* what) {
  if (!py::isinstance<py::str>(state))
    throw py::type_error(std::string("invalid ") + what + " pickle state");
  std::string text = state.cast<std::string>();
  const nlohmann::json parsed = nlohmann::json::parse(text);  // rejects a corrupt state now, not at first use
  static_cast<void>(parsed);
  return text;
}

py::object display(const char* function, const nlohmann::json& j) {
  return py::module_::import("cybercover._display").attr(function)(to_python(j));
}

constexpr const char* kToDictDoc =
    R"(Returns the result as the JSON contract of docs/rating_rules.md §7 describes it.

Returns
-------
dict
    A fresh dict, equal to the parsed output of ``cybercover quote REQUEST.json --json``
    (the C++ ``to_json``): integers stay ``int``, absent parts are ``None``.
)";

constexpr const char* kToJsonDoc = R"(Returns the result as JSON text.

Parameters
----------
indent : int or None, optional
    Keyword-only. ``None`` (default) gives compact text, byte-identical to
    :meth:`Engine.quote_json` / :meth:`Engine.assess_json`; ``2`` gives the CLI's ``--json``.

Returns
-------
str
)";

template <typename Result>
void common_methods(py::class_<Result>& cls, const char* name) {
  cls.def(
         "to_dict",
         // Python's C JSON decoder builds the dict three times faster than converting a DOM.
         [](const Result& r) { return py::module_::import("json").attr("loads")(py::str(r.text())); },
         kToDictDoc)
      .def(
          "to_json", [](const Result& r, const py::object& indent) { return dump(r, indent); },
          py::kw_only(), py::arg("indent") = py::none(), kToJsonDoc)
      .def(
          "__eq__", [](const Result& a, const Result& b) { return a.text() == b.text(); },  // canonical text
          py::is_operator())
      .def(
          py::pickle([](const Result& r) { return py::object(py::str(r.text())); },
                     [name](const py::object& state) { return Result(parse_state(state, name)); }));
}

}  // namespace

void bind_results(py::module_& m) {
  py::class_<QuoteResult> quote(
      m, "Quote", R"(The result of :meth:`Engine.quote`: assessment, posture and tier, decision,
base cover and top-up, with every factor and the table edition used.

Immutable. Properties give the headline figures; :meth:`to_dict` gives everything.
In a notebook the quote renders as an HTML table.

Examples
--------
>>> q = cybercover.Engine().quote(request)  # doctest: +SKIP
>>> q
Quote(tier='A', outcome='accept', top_up_annual_premium_yen=35800)
>>> q.payable_annual_yen, q.monthly_instalment_yen
(23870, 2090)
)");
  quote.attr("__module__") =
      "cybercover";  // before the methods, so signatures say cybercover.Quote
  common_methods(quote, "Quote");
  quote
      .def_property_readonly(
          "tier", [](const QuoteResult& q) { return get(q.headline(), {"tier"}); },
          "str: Risk tier from the posture index, ``'A'`` (best) to ``'E'``.")
      .def_property_readonly(
          "score",
          [](const QuoteResult& q) {
            return get(q.headline(), {"assessment", "score"});
          },
          "int: Security assessment score, 0-1000.")
      .def_property_readonly(
          "posture_index",
          [](const QuoteResult& q) {
            return get(q.headline(), {"posture", "index"});
          },
          "int: Posture index: the score plus the control adjustments, floored at 0.")
      .def_property_readonly(
          "outcome",
          [](const QuoteResult& q) {
            return get(q.headline(), {"decision", "outcome"});
          },
          "str: Underwriting decision: ``'accept'``, ``'refer'`` or ``'decline'``.")
      .def_property_readonly(
          "decision_codes",
          [](const QuoteResult& q) {
            return get(q.headline(), {"decision", "codes"});
          },
          "list of str: Reason codes of a refer or decline, e.g. ``['NOT_SME']``.")
      .def_property_readonly(
          "base_monthly_premium_yen",
          [](const QuoteResult& q) {
            return get(q.headline(), {"base_cover", "monthly_premium_yen"});
          },
          "int or None: Monthly premium of the embedded base cover; None with plan ``'none'``.")
      .def_property_readonly(
          "top_up_annual_premium_yen",
          [](const QuoteResult& q) {
            return get(q.headline(), {"top_up", "annual_premium_yen"});
          },
          "int or None: Annual top-up premium before subsidy; None without a top-up.")
      .def_property_readonly(
          "payable_annual_yen",
          [](const QuoteResult& q) {
            return get(q.headline(), {"top_up", "payable_annual_yen"});
          },
          "int or None: Annual top-up premium after the subsidy; None without a top-up.")
      .def_property_readonly(
          "monthly_instalment_yen",
          [](const QuoteResult& q) {
            return get(q.headline(), {"top_up", "monthly_instalment_yen"});
          },
          "int or None: Monthly instalment of the payable top-up premium; None without a top-up.")
      .def("__repr__",
           [](const QuoteResult& q) {
             return "Quote(tier=" + std::string(py::repr(get(q.headline(), {"tier"}))) +
                    ", outcome=" + std::string(py::repr(get(q.headline(), {"decision", "outcome"}))) +
                    ", top_up_annual_premium_yen=" +
                    std::string(py::repr(get(q.headline(), {"top_up", "annual_premium_yen"}))) + ")";
           })
      .def(
          "_repr_html_", [](const QuoteResult& q) { return display("quote_html", q.json()); },
          "Returns an HTML table of the quote for Jupyter.");

  py::class_<AssessmentResultJson> assessment(
      m, "Assessment",
      R"(The result of :meth:`Engine.assess`: the security assessment score, per-domain
results, unmet items with their recommended measures, unanswered items and warnings.

Immutable. :meth:`to_dict` gives ``{"assessment": ..., "tables": ..., "engine_version": ...}``.

Examples
--------
>>> a = cybercover.Engine().assess(request)  # doctest: +SKIP
>>> a
Assessment(score=1000, unknown_count=0, unmet_count=0)
)");
  assessment.attr("__module__") = "cybercover";
  common_methods(assessment, "Assessment");
  assessment
      .def_property_readonly(
          "score",
          [](const AssessmentResultJson& a) {
            return get(a.json(), {"assessment", "score"});
          },
          "int: Security assessment score, 0-1000.")
      .def_property_readonly(
          "unknown_count",
          [](const AssessmentResultJson& a) {
            return get(a.json(), {"assessment", "unknown_count"});
          },
          "int: Items answered ``'unknown'`` plus items left unanswered.")
      .def_property_readonly(
          "unmet",
          [](const AssessmentResultJson& a) {
            return get(a.json(), {"assessment", "unmet"});
          },
          "list of dict: Items not fully met (``id``, ``domain``, ``points_lost``, "
          "``measure_ja``,\n"
          "``measure_en``), most points lost first.")
      .def("__repr__",
           [](const AssessmentResultJson& a) {
             const auto& unmet = a.json().at("assessment").at("unmet");
             return "Assessment(score=" +
                    std::string(py::repr(get(a.json(), {"assessment", "score"}))) +
                    ", unknown_count=" +
                    std::string(py::repr(get(a.json(), {"assessment", "unknown_count"}))) +
                    ", unmet_count=" + std::to_string(unmet.size()) + ")";
           })
      .def(
          "_repr_html_",
          [](const AssessmentResultJson& a) { return display("assessment_html", a.json()); },
          "Returns an HTML table of the assessment for Jupyter.");
}

}  // namespace cybercover::python
