#pragma once
// Shared declarations of the cybercover._core module: one bind_* function per concept (each in
// its own file), called in order by module.cpp, and the helpers the files share.

#include <pybind11/pybind11.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cybercover/cybercover.hpp"

namespace cybercover::python {

namespace py = pybind11;

// ---- bind_errors.cpp: cybercover.Error and its subclasses, and the exception translator.
void bind_errors(py::module_& m);

// ---- bind_json.cpp: Python objects <-> nlohmann::json.
void bind_json(py::module_& m);
// Returns a request (dict/list/tuple/str/int/float/bool/None, numpy scalars, dates, pandas
// missing values) as the JSON text the library's JSON door reads; throws py::type_error naming
// the path for anything else. Requires the GIL.
std::string request_json_text(py::handle value);
// Converts JSON to fresh Python objects (object -> dict, array -> list; integers stay int).
// Requires the GIL.
py::object to_python(const nlohmann::json& value);

// ---- bind_tables.cpp: edition metadata, the edition-content state used for pickling.
void bind_tables(py::module_& m);
// [{"edition", "effective_from", "effective_to", "sha256"}, ...] in effective_from order.
py::list editions_info(const TableLibrary& library);
// [(edition_dir, {file name: bytes}), ...]: everything needed to rebuild the library.
py::list library_state(const TableLibrary& library);
TableLibrary library_from_state(const py::handle& state);
// Loads a table directory (str or os.PathLike) with the GIL released.
TableLibrary load_library(const py::handle& path);

// ---- bind_results.cpp: the Quote and Assessment result classes.
// Each holds the §7 JSON of one result (exactly to_json of the C++ result), immutable.
// A result as the compact §7 JSON text the library wrote; parsed into a DOM only when a
// property, to_dict() or repr needs it (parsing costs more than the quote itself).
class JsonResult {
 public:
  explicit JsonResult(std::string text, nlohmann::json headline = nullptr)
      : text_(std::move(text)), headline_(std::move(headline)) {}
  const std::string& text() const { return text_; }
  // The headline figures (same paths as the full JSON) when the pricer provided them, else
  // the full JSON: the properties read these without parsing the whole text.
  const nlohmann::json& headline() const { return headline_.is_null() ? json() : headline_; }
  const nlohmann::json& json() const {
    if (!dom_) dom_ = std::make_shared<const nlohmann::json>(nlohmann::json::parse(text_));
    return *dom_;
  }

 private:
  std::string text_;
  nlohmann::json headline_;
  mutable std::shared_ptr<const nlohmann::json> dom_;  // guarded by the GIL
};
struct QuoteResult : JsonResult {
  using JsonResult::JsonResult;
  // The request as priced and its edition, for Quote.report_html() and Quote.remediation();
  // empty in a quote rebuilt from a pickle.
  std::shared_ptr<const QuoteRequest> request;
  std::shared_ptr<const RatingTables> tables;
};
struct AssessmentResultJson : JsonResult {
  using JsonResult::JsonResult;
};
void bind_results(py::module_& m);

// ---- bind_engine.cpp: cybercover.Engine.
void bind_engine(py::module_& m);

// ---- bind_portfolio.cpp: the compiled half of Engine.quote_arrays (cybercover/portfolio.py).
void bind_portfolio(py::module_& m);

// ---- bind_loss.cpp: the compiled half of cybercover.loss (loss book, aggregates, simulation).
void bind_loss(py::module_& m);
// ---- bind_remediation.cpp: the compiled half of cybercover/remediation.py (plans, reports).
void bind_remediation(py::module_& m);

// ---- bind_revision.cpp: the compiled half of cybercover/editions.py (editable editions).
void bind_revision(py::module_& m);

}  // namespace cybercover::python

// ---- Objects made with cls.__new__(cls) and never initialised (pickle protocols, copy
// helpers and curious users do this): pybind11 would hand the methods a dangling pointer. The
// bound classes' casters refuse such an object with a TypeError instead.
namespace cybercover::python {
template <typename T>
class InitialisedCaster : public pybind11::detail::type_caster_base<T> {
 public:
  bool load(pybind11::handle src, bool convert) {
    if (!pybind11::detail::type_caster_base<T>::load(src, convert)) return false;
    if (pybind11::isinstance<T>(src)) {
      auto* instance = reinterpret_cast<pybind11::detail::instance*>(src.ptr());
      if (!instance->get_value_and_holder(pybind11::detail::get_type_info(typeid(T))).holder_constructed())
        throw pybind11::type_error(pybind11::str(pybind11::type::handle_of(src).attr("__module__")).cast<std::string>() + "." +
                                   pybind11::str(pybind11::type::handle_of(src).attr("__qualname__")).cast<std::string>() +
                                   " object was created without __init__ (cls.__new__(cls)); make one with "
                                   "its constructor or an Engine method");
    }
    return true;
  }
};
}  // namespace cybercover::python

namespace pybind11::detail {
template <>
class type_caster<cybercover::Engine> : public cybercover::python::InitialisedCaster<cybercover::Engine> {};
template <>
class type_caster<cybercover::python::QuoteResult>
    : public cybercover::python::InitialisedCaster<cybercover::python::QuoteResult> {};
template <>
class type_caster<cybercover::python::AssessmentResultJson>
    : public cybercover::python::InitialisedCaster<cybercover::python::AssessmentResultJson> {};
}  // namespace pybind11::detail
