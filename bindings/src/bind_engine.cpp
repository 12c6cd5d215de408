// cybercover.Engine: loads the rating tables once and quotes any number of requests, from any
// number of Python threads (the C++ engine is immutable; the GIL is released while it works).

#include <memory>
#include <string>

#include <pybind11/stl.h>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

// The request as a dict: itself, or a typed request object (cybercover.QuoteRequest,
// cybercover.AssessmentRequest) through its to_dict().
py::object request_dict(const py::object& request) {
  if (PyDict_Check(request.ptr())) return request;
  if (py::hasattr(request, "to_dict")) {
    py::object d = request.attr("to_dict")();
    if (PyDict_Check(d.ptr())) return d;
  }
  throw py::type_error("request must be a dict or a cybercover.QuoteRequest, got " +
                       std::string(py::str(py::type::handle_of(request).attr("__qualname__"))));
}

// Prices a request given as a Python dict: as JSON text through the library's JSON door (so a
// dict gets exactly the errors of the same JSON text), infinities allowed for the checks to name.
template <typename Result, typename Price>
Result price_dict(const Engine& e, const py::object& request, Price price) {
  const std::string text = request_json_text(request_dict(request));
  std::string out;
  nlohmann::json headline;
  {
    const py::gil_scoped_release release;
    price(e, std::string_view(text), out, headline);
  }
  Result result(std::move(out), std::move(headline));
  price.attach(result);
  return result;
}

// The figures the Quote properties show, under the same paths as the full JSON.
nlohmann::json quote_headline(const Quote& q) {
  nlohmann::json codes = nlohmann::json::array();
  for (DecisionCode c : q.decision) codes.push_back(to_string(c));
  nlohmann::json h = {{"tier", q.tier_name()},
                      {"assessment", {{"score", q.assessment.summary.score}}},
                      {"posture", {{"index", q.posture.index}}},
                      {"decision", {{"outcome", to_string(q.decision.outcome)}, {"codes", std::move(codes)}}},
                      {"base_cover", nullptr},
                      {"top_up", nullptr}};
  if (q.base_cover) h["base_cover"] = {{"monthly_premium_yen", q.base_cover->monthly_premium_yen}};
  if (q.top_up)
    h["top_up"] = {{"annual_premium_yen", q.top_up->annual_premium_yen},
                   {"payable_annual_yen", q.top_up->payable_annual_yen},
                   {"monthly_instalment_yen", q.top_up->monthly_instalment_yen}};
  return h;
}

JsonReadOptions python_options() {
  JsonReadOptions o;
  o.allow_infinity_literals = true;  // a Python float may be infinite: the checks name the field
  return o;
}

// edition= of the Python methods: as-if pricing under a named edition.
QuoteOptions as_if_options(const std::optional<std::string>& edition) {
  QuoteOptions o;
  o.edition = edition;
  return o;
}

struct PriceQuote {
  QuoteOptions as_if;
  void operator()(const Engine& e, std::string_view text, std::string& out, nlohmann::json& headline) {
    auto parsed = std::make_shared<const QuoteRequest>(parse_quote_request_text(text, e.library(), python_options(), as_if));
    const Quote q = e.quote(*parsed, as_if);
    write_json(q, out);
    headline = quote_headline(q);
    request_ = std::move(parsed);  // kept for Quote.report_html() and Quote.remediation()
    tables_ = q.tables;
  }
  void attach(QuoteResult& result) {
    result.request = std::move(request_);
    result.tables = std::move(tables_);
  }
  std::shared_ptr<const QuoteRequest> request_;
  std::shared_ptr<const RatingTables> tables_;
};

struct PriceAssessment {
  QuoteOptions as_if;
  void operator()(const Engine& e, std::string_view text, std::string& out, nlohmann::json&) const {
    write_json(e.assess(parse_assessment_request_text(text, e.library(), python_options(), as_if), as_if), out);
  }
  void attach(AssessmentResultJson&) const {}
};

std::unique_ptr<Engine> make_engine(const py::object& tables) {
  const py::object dir = tables.is_none()
                             ? py::module_::import("cybercover._paths").attr("default_tables_dir")()
                             : tables;
  return std::make_unique<Engine>(load_library(dir));
}

constexpr const char* kEngineDoc =
    R"(Prices cyber cover: assessment, posture and tier, underwriting decision, base cover
and top-up premiums, per the rate manual encoded in the rating tables.

Loads and validates the tables once; afterwards immutable and safe to share between
threads (the GIL is released while quoting). Picklable: the pickle carries the table files,
so the unpickled engine has the same editions and ``sha256`` anywhere.

Parameters
----------
tables : str or os.PathLike, optional
    A directory of edition sub-directories (or one edition directory). ``None`` (default)
    loads the default tables shipped inside the package.

Raises
------
TableError
    A table is malformed or inconsistent, or editions overlap.
TableIoError
    The directory or a table file cannot be read.

Examples
--------
>>> engine = cybercover.Engine()
>>> engine.editions[0]["edition"]
'2026-12'
>>> engine.quote(request).top_up_annual_premium_yen  # doctest: +SKIP
35800
)";

constexpr const char* kQuoteDoc = R"(Quotes a request (docs/rating_rules.md §7).

Parameters
----------
request : dict or QuoteRequest
    The JSON request as Python objects (dict keys str; ints for counts and yen), or a
    :class:`cybercover.QuoteRequest`.
edition : str, optional
    Keyword-only. As-if pricing: price under the edition with this id whatever the quote
    date. Everything dated still uses the request's quote date (the EDR learning period,
    the install date, the subsidy's dates); the answers are matched to that edition's items.

Returns
-------
Quote

Raises
------
InputError
    A field is missing, unknown, of the wrong type or out of range (also NaN or infinite
    numbers); ``where`` names it, e.g. ``'company.employees'``.
NoEditionError
    No table edition is in force on ``quote_date`` (``no_edition.not_in_force``), or no
    loaded edition has the id given as ``edition`` (``no_edition.unknown_edition``).
TypeError
    The request holds a value that is not JSON (the message names its path) or a dict key
    that is not a str.
)";

constexpr const char* kAssessDoc = R"(Scores the security assessment of a request (docs/rating_rules.md §1).

Parameters
----------
request : dict, AssessmentRequest or QuoteRequest
    Needs ``quote_date`` and ``answers``; ``security_action`` is optional and the other
    fields of a quote request are allowed and ignored.

Returns
-------
Assessment

Raises
------
InputError
    A field is missing, unknown or invalid, e.g. an answer for an item that does not exist.
NoEditionError
    No table edition is in force on ``quote_date``.
TypeError
    The request holds a value that is not JSON, or a dict key that is not a str.
)";

constexpr const char* kQuoteJsonDoc =
    R"(Quotes a request given as JSON text; returns compact JSON text.

The same path as the HTTP API and ``cybercover quote REQUEST.json --json`` (which indents
the same JSON).

Parameters
----------
text : str
    The request, docs/request_contract.md.
edition : str, optional
    Keyword-only. As-if pricing under the edition with this id (see :meth:`quote`).

Returns
-------
str
    The quote as compact JSON.

Raises
------
InputError
    Malformed JSON (the message gives the parser's position), or an invalid request.
NoEditionError
    No table edition is in force on ``quote_date``.
)";

constexpr const char* kAssessJsonDoc =
    R"(Scores the assessment of a request given as JSON text; returns compact JSON text.

Parameters
----------
text : str
    The request: ``quote_date``, ``answers`` and optionally ``security_action``.
edition : str, optional
    Keyword-only. Score with the questionnaire of the edition with this id.

Returns
-------
str
    ``{"assessment": ..., "tables": ..., "engine_version": ...}`` as compact JSON.

Raises
------
InputError
    Malformed JSON or an invalid request.
NoEditionError
    No table edition is in force on ``quote_date``.
)";

}  // namespace

void bind_engine(py::module_& m) {
  py::class_<Engine> engine(m, "Engine", kEngineDoc);
  engine.attr("__module__") = "cybercover";
  engine.def(py::init(&make_engine), py::arg("tables") = py::none())
      .def_property_readonly(
          "editions", [](const Engine& e) { return editions_info(e.library()); },
          R"(list of dict: The loaded editions in ``effective_from`` order, each with keys
``edition``, ``effective_from``, ``effective_to`` (``None`` when open-ended) and ``sha256``.)")
      .def(
          "quote",
          [](const Engine& e, const py::object& request, const std::optional<std::string>& edition) {
            return price_dict<QuoteResult>(e, request, PriceQuote{as_if_options(edition), {}, {}});
          },
          py::arg("request"), py::kw_only(), py::arg("edition") = py::none(), kQuoteDoc)
      .def(
          "assess",
          [](const Engine& e, const py::object& request, const std::optional<std::string>& edition) {
            return price_dict<AssessmentResultJson>(e, request, PriceAssessment{as_if_options(edition)});
          },
          py::arg("request"), py::kw_only(), py::arg("edition") = py::none(), kAssessDoc)
      .def(
          "quote_json",
          [](const Engine& e, const std::string& text, const std::optional<std::string>& edition) {
            return cybercover::quote_json(e, text, {}, as_if_options(edition));
          },
          py::arg("text"), py::kw_only(), py::arg("edition") = py::none(), py::call_guard<py::gil_scoped_release>(),
          kQuoteJsonDoc)
      .def(
          "assess_json",
          [](const Engine& e, const std::string& text, const std::optional<std::string>& edition) {
            return cybercover::assess_json(e, text, {}, as_if_options(edition));
          },
          py::arg("text"), py::kw_only(), py::arg("edition") = py::none(), py::call_guard<py::gil_scoped_release>(),
          kAssessJsonDoc)
      .def("__repr__",
           [](const Engine& e) {
             py::list ids;
             for (const auto& t : e.library().editions()) ids.append(t->edition);
             return "Engine(editions=" + std::string(py::repr(ids)) + ")";
           })
      // Immutable: a copy may be the engine itself.
      .def("__copy__", [](const py::object& self) { return self; })
      .def(
          "__deepcopy__", [](const py::object& self, const py::handle&) { return self; },
          py::arg("memo"))
      .def(py::pickle([](const Engine& e) { return py::object(library_state(e.library())); },
                      [](const py::object& state) { return Engine(library_from_state(state)); }));
}

}  // namespace cybercover::python
