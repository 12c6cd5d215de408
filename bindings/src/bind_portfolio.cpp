// The compiled half of portfolio batch pricing (Engine.quote_arrays / quote_frame, written in
// cybercover/portfolio.py): takes code columns that are already numpy arrays of the exact
// dtype, C-contiguous, and hands their buffers to price_portfolio without a copy (a column of
// any other dtype or layout is refused here, never silently converted: the Python layer
// converts explicitly). The results come back as read-only numpy views of the C++ vectors.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

using Answers = py::array_t<std::uint8_t, py::array::c_style>;

template <typename T>
const char* dtype_name();
template <>
const char* dtype_name<std::uint8_t>() { return "uint8"; }
template <>
const char* dtype_name<std::int32_t>() { return "int32"; }
template <>
const char* dtype_name<std::int64_t>() { return "int64"; }
template <>
const char* dtype_name<double>() { return "float64"; }

// Returns the buffer of a 1-D C-contiguous array of exactly T with `rows` entries, or nullptr
// when `value` is None and the column is optional. Throws TypeError/ValueError naming it.
template <typename T>
const T* column_data(const py::handle& value, const std::string& name, std::size_t rows, bool required) {
  if (value.is_none()) {
    if (required) throw py::value_error("column " + name + " is required");
    return nullptr;
  }
  using Array = py::array_t<T, py::array::c_style>;
  if (!Array::check_(value))
    throw py::type_error("column " + name + " must be a C-contiguous numpy array of " + dtype_name<T>() +
                         " (cybercover.portfolio converts other inputs)");
  const auto array = py::reinterpret_borrow<Array>(value);
  if (array.ndim() != 1 || static_cast<std::size_t>(array.shape(0)) != rows)
    throw py::value_error("column " + name + " must have shape (" + std::to_string(rows) + ",)");
  return array.data();
}

template <typename T>
const T* column(const py::dict& columns, const char* name, std::size_t rows, bool required) {
  const py::object value = columns.contains(name) ? py::object(columns[name]) : py::object(py::none());
  return column_data<T>(value, name, rows, required);
}

// A read-only 1-D numpy view of `v`, kept alive by `owner`.
template <typename T, typename Allocator>
py::array view(const std::vector<T, Allocator>& v, const py::handle& owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return std::move(a);
}

py::dict result_dict(PortfolioResult&& result, const Answers& answers) {
  // One owner for every view: the arrays keep the C++ result alive, nothing is copied.
  auto* owned = new PortfolioResult(std::move(result));
  const py::capsule owner(owned, [](void* p) { delete static_cast<PortfolioResult*>(p); });
  const PortfolioResult& r = *owned;
  py::dict d;
  d["rows"] = r.rows;
  d["ok"] = view(r.ok, owner);
  d["score"] = view(r.score, owner);
  d["unknown_count"] = view(r.unknown_count, owner);
  d["posture_index"] = view(r.posture_index, owner);
  d["tier"] = view(r.tier, owner);
  d["outcome"] = view(r.outcome, owner);
  d["decision_codes"] = view(r.decision_codes, owner);
  d["has_base_cover"] = view(r.has_base_cover, owner);
  d["base_monthly_premium_yen"] = view(r.base_monthly_premium_yen, owner);
  d["base_annual_premium_yen"] = view(r.base_annual_premium_yen, owner);
  d["has_top_up"] = view(r.has_top_up, owner);
  py::list sections;
  for (const auto& s : r.section_premium_yen) sections.append(view(s, owner));
  d["section_premium_yen"] = sections;
  d["package_yen"] = view(r.package_yen, owner);
  d["annual_premium_yen"] = view(r.annual_premium_yen, owner);
  d["subsidy_yen"] = view(r.subsidy_yen, owner);
  d["payable_annual_yen"] = view(r.payable_annual_yen, owner);
  d["monthly_instalment_yen"] = view(r.monthly_instalment_yen, owner);
  d["subsidy_code"] = view(r.subsidy_code, owner);
  d["section_keys"] = r.section_keys;
  d["tier_names"] = r.tier_names;
  d["edition"] = r.edition.empty() ? py::object(py::none()) : py::object(py::str(r.edition));
  d["sha256"] = r.sha256.empty() ? py::object(py::none()) : py::object(py::str(r.sha256));
  d["editions_used"] = r.editions_used;
  py::list errors;
  for (const auto& e : r.errors) errors.append(py::make_tuple(e.row, e.error.message()));
  d["errors"] = errors;
  // The buffer the pricing read the answers from (the caller's, when it was not converted).
  d["answers_address"] = reinterpret_cast<std::uintptr_t>(answers.data());
  return d;
}

py::dict price(const Engine& engine, const Answers& answers, const py::dict& columns,
               const std::vector<std::string>& industry_keys, const py::object& quote_day,
               const py::list& top_up, const std::optional<std::string>& subsidy_program, int threads,
               bool collect) {
  if (answers.ndim() != 2) throw py::value_error("answers must be a 2-D array (rows x items)");
  if (threads < 0) throw py::value_error("threads must be >= 0");
  const auto rows = static_cast<std::size_t>(answers.shape(0));

  PortfolioColumns c;
  c.rows = rows;
  c.answers = answers.data();
  c.answer_columns = static_cast<std::size_t>(answers.shape(1));
  c.quote_day = column<std::int64_t>(columns, "quote_day", rows, false);
  if (!c.quote_day) {
    if (quote_day.is_none()) throw py::value_error("quote_date is required (a day or a quote_day column)");
    const auto day = quote_day.cast<std::int64_t>();
    if (day < -100000 || day > 1000000)
      throw Error(ErrorCode::kDateOutOfRange, "quote_date", "must be a date between 1700 and 4700", "day " + std::to_string(day));
    c.quote_date = Date::from_day_number(static_cast<std::int32_t>(day));
  }
  c.security_action = column<std::uint8_t>(columns, "security_action", rows, false);
  c.industry = column<std::int32_t>(columns, "industry", rows, true);
  c.industry_keys = industry_keys;
  c.employees = column<std::int64_t>(columns, "employees", rows, true);
  c.capital_yen = column<std::int64_t>(columns, "capital_yen", rows, true);
  c.revenue_yen = column<std::int64_t>(columns, "revenue_yen", rows, true);
  c.endpoints = column<std::int64_t>(columns, "endpoints", rows, true);
  c.rubber_products = column<std::uint8_t>(columns, "rubber_products", rows, false);
  c.utm = column<std::uint8_t>(columns, "utm", rows, true);
  c.edr_status = column<std::uint8_t>(columns, "edr_status", rows, true);
  c.edr_covered_endpoints = column<std::int64_t>(columns, "edr_covered_endpoints", rows, false);
  c.edr_installed_day = column<std::int64_t>(columns, "edr_installed_day", rows, false);
  c.legacy_os_endpoints = column<std::int64_t>(columns, "legacy_os_endpoints", rows, true);
  c.phishing_click_rate = column<double>(columns, "phishing_click_rate", rows, false);
  c.incidents_3y = column<std::int64_t>(columns, "incidents_3y", rows, true);
  c.bundle_plan = column<std::uint8_t>(columns, "bundle_plan", rows, true);
  c.service_monthly_price_yen = column<std::int64_t>(columns, "service_monthly_price_yen", rows, false);
  for (const py::handle entry : top_up) {
    const auto t = entry.cast<py::tuple>();
    if (t.size() != 3) throw py::type_error("top_up entries must be (section, limit, deductible) tuples");
    PortfolioColumns::SectionColumns s;
    s.section = t[0].cast<std::string>();
    s.limit_yen = column_data<std::int64_t>(t[1], "top_up." + s.section + ".limit_yen", rows, true);
    s.deductible_yen = column_data<std::int64_t>(t[2], "top_up." + s.section + ".deductible_yen", rows, false);
    c.top_up.push_back(std::move(s));
  }
  c.subsidy_program = subsidy_program;

  BatchOptions options;
  options.threads = threads;
  options.on_error = collect ? OnError::kCollect : OnError::kRaise;
  PortfolioResult result;
  {
    // The arrays stay referenced by the caller's frame (and `columns`) while we read them.
    const py::gil_scoped_release release;
    result = price_portfolio(engine, c, options);
  }
  return result_dict(std::move(result), answers);
}

template <typename E>
py::list names(int count) {
  py::list out;
  for (int i = 0; i < count; ++i) out.append(std::string(to_string(static_cast<E>(i))));
  return out;
}

// The spellings of every code column, in code order (the enum values of the C++ library).
py::dict codes() {
  py::dict d;
  d["answers"] = names<Answer>(static_cast<int>(Answer::kNa) + 1);
  d["security_action"] = names<SecurityAction>(static_cast<int>(SecurityAction::kTwoStar) + 1);
  d["utm"] = names<UtmStatus>(static_cast<int>(UtmStatus::kManaged) + 1);
  d["edr_status"] = names<EdrStatus>(static_cast<int>(EdrStatus::kManaged) + 1);
  d["bundle_plan"] = names<BundlePlan>(kBundlePlanCount);
  d["outcome"] = names<Outcome>(static_cast<int>(Outcome::kDecline) + 1);
  d["decision_codes"] = names<DecisionCode>(kDecisionCodeCount);
  py::list subsidy;
  for (int i = 0; i <= static_cast<int>(SubsidyCode::kNotEligible); ++i) {
    const auto code = static_cast<SubsidyCode>(i);
    subsidy.append(code == SubsidyCode::kNone ? py::object(py::none())
                                              : py::object(py::str(std::string(to_string(code)))));
  }
  d["subsidy_code"] = subsidy;
  return d;
}

// What the column names of a frame depend on, per edition in effective_from order.
py::list editions_layout(const Engine& engine) {
  py::list out;
  for (const auto& e : engine.library().editions()) {
    py::dict d;
    d["edition"] = e->edition;
    d["from_day"] = e->in_force.from.day_number();
    d["to_day"] = e->in_force.to ? py::object(py::int_(e->in_force.to->day_number())) : py::object(py::none());
    py::list items, industries, sections;
    for (const auto& item : e->questionnaire.items) items.append(item.id);
    for (const auto& industry : e->underwriting.industries) industries.append(industry.key);
    for (const auto& section : e->top_up.sections) sections.append(section.key);
    d["item_ids"] = items;
    d["industries"] = industries;
    d["sections"] = sections;
    out.append(std::move(d));
  }
  return out;
}

constexpr const char* kPriceDoc =
    R"(Prices code columns with the C++ batch (private; use Engine.quote_arrays).

Every column must already have its exact dtype and be C-contiguous; nothing is converted.
Returns a dict of read-only numpy views of the C++ result vectors and the metadata.
)";

}  // namespace

void bind_portfolio(py::module_& m) {
  m.def("_price_portfolio", &price, py::arg("engine"), py::arg("answers").noconvert(), py::arg("columns"),
        py::kw_only(), py::arg("industry_keys"), py::arg("quote_day"), py::arg("top_up"),
        py::arg("subsidy_program"), py::arg("threads"), py::arg("collect"), kPriceDoc);
  m.def("_portfolio_codes", &codes, "The spellings of the portfolio code columns, in code order (private).");
  m.def("_portfolio_editions", &editions_layout, py::arg("engine"),
        "Item ids, industries and sections of each edition, with day numbers (private).");
}

}  // namespace cybercover::python
