// The pandas/numpy door of portfolio pricing (Engine.quote_arrays / quote_frame; the thin
// Python side, cybercover/portfolio.py, only takes pandas objects apart into numpy arrays).
// Every column goes through the request contract's readers (lib/src/contract), the same as the
// JSON and CSV doors, so a bad value gets the same error; a column that already has the batch's
// dtype and layout is used in place (no copy) and checked with one vectorised pass.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
// After pybind11 (which includes Python.h first).
#include <datetime.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "batch/portfolio_builder.hpp"
#include "bindings.hpp"
#include "detail/decimal_text.hpp"
#include "detail/parallel.hpp"

namespace cybercover::python {
namespace {

using detail::PortfolioBuilder;
using detail::RawValue;

// ---- Python objects as the contract's raw values --------------------------------------------
// The pandas missing-value singletons (pd.NA, pd.NaT), when pandas is loaded.
struct Missing {
  PyObject* na = nullptr;
  PyObject* nat = nullptr;
  Missing() {
    const py::dict modules = py::module_::import("sys").attr("modules");
    if (modules.contains("pandas")) {
      const py::object pd = modules["pandas"];
      na = pd.attr("NA").ptr();
      nat = pd.attr("NaT").ptr();
    }
  }
};

// A Python value read as a raw value. `text` owns the characters of a string (or a number's
// digits); value() points the raw value at them, so a PyCell may be moved or copied freely.
struct PyCell {
  RawValue raw;
  std::string text;
  bool owns_text = false;

  RawValue value() const {
    RawValue v = raw;
    if (owns_text) v.text = text;
    return v;
  }
  void set_text(std::string t, RawValue::Kind kind) {
    text = std::move(t);
    owns_text = true;
    raw.kind = kind;
  }
};

std::string repr_of(PyObject* o) {
  PyObject* r = PyObject_Repr(o);
  if (!r) {
    PyErr_Clear();
    return "<unprintable>";
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(r, &size);
  std::string out = data ? std::string(data, static_cast<std::size_t>(size)) : "<unprintable>";
  if (!data) PyErr_Clear();
  Py_DECREF(r);
  return out;
}

bool is_numpy_bool(PyObject* o) { return std::string_view(Py_TYPE(o)->tp_name) == "numpy.bool_"; }

PyCell cell_of(PyObject* o, const Missing& missing) {
  PyCell c;
  if (o == Py_None || o == missing.na || o == missing.nat) return c;
  if (PyBool_Check(o) || is_numpy_bool(o)) {
    c.raw = RawValue::of_bool(PyObject_IsTrue(o) == 1);
    return c;
  }
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (!data) {  // lone surrogates
      PyErr_Clear();
      c.set_text(repr_of(o), RawValue::Kind::kOther);
      return c;
    }
    if (size == 0) return c;  // an empty cell, as in a CSV file: not given
    c.set_text(std::string(data, static_cast<std::size_t>(size)), RawValue::Kind::kString);
    return c;
  }
  if (PyFloat_Check(o)) {
    const double d = PyFloat_AS_DOUBLE(o);
    if (!std::isnan(d)) c.raw = RawValue::of_number(d);
    return c;
  }
  if (PyDateTime_Check(o)) {  // datetime.datetime and pandas.Timestamp
    if (PyDateTime_DATE_GET_HOUR(o) || PyDateTime_DATE_GET_MINUTE(o) || PyDateTime_DATE_GET_SECOND(o) ||
        PyDateTime_DATE_GET_MICROSECOND(o)) {
      c.set_text(py::str(py::handle(o).attr("isoformat")()).cast<std::string>(), RawValue::Kind::kString);  // not a date
      return c;
    }
    c.raw = RawValue::of_date(Date::from_ymd(PyDateTime_GET_YEAR(o), static_cast<unsigned>(PyDateTime_GET_MONTH(o)),
                                               static_cast<unsigned>(PyDateTime_GET_DAY(o))));
    return c;
  }
  if (PyDate_Check(o)) {
    c.raw = RawValue::of_date(Date::from_ymd(PyDateTime_GET_YEAR(o), static_cast<unsigned>(PyDateTime_GET_MONTH(o)),
                                               static_cast<unsigned>(PyDateTime_GET_DAY(o))));
    return c;
  }
  if (PyLong_Check(o) || (PyIndex_Check(o) && !PyBytes_Check(o))) {  // int, numpy integers
    PyObject* index = PyNumber_Index(o);
    if (index) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
      if (overflow == 0 && !(v == -1 && PyErr_Occurred())) {
        Py_DECREF(index);
        c.raw = RawValue::of_integer(v);
        return c;
      }
      PyErr_Clear();
      c.raw = RawValue::of_number(overflow > 0 ? HUGE_VAL : -HUGE_VAL);
      c.set_text(repr_of(index), RawValue::Kind::kNumber);  // beyond 64 bits: the digits, judged as a number
      Py_DECREF(index);
      return c;
    }
    PyErr_Clear();
  }
  if (PyNumber_Check(o) && Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->nb_float) {  // numpy floats
    const double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
    } else {
      if (!std::isnan(d)) c.raw = RawValue::of_number(d);
      return c;
    }
  }
  if (std::string_view(Py_TYPE(o)->tp_name) == "numpy.datetime64") {
    const std::string iso = py::str(py::handle(o)).cast<std::string>();
    if (iso.find("NaT") != std::string::npos) return c;
    const auto t = iso.find('T');
    const bool midnight = t == std::string::npos || iso.find_first_not_of("0:.", t + 1) == std::string::npos;
    c.set_text(midnight ? iso.substr(0, t) : iso, RawValue::Kind::kString);
    return c;
  }
  c.set_text(repr_of(o), RawValue::Kind::kOther);
  return c;
}

// ---- columns ---------------------------------------------------------------------------
bool is_int64_field(Field f) {
  switch (f) {
    case Field::kEmployees:
    case Field::kCapitalYen:
    case Field::kRevenueYen:
    case Field::kEndpoints:
    case Field::kEdrCoveredEndpoints:
    case Field::kLegacyOsEndpoints:
    case Field::kIncidents3y:
    case Field::kTopUpLimit:
    case Field::kTopUpDeductible:
    case Field::kServiceMonthlyPrice:
    case Field::kPriorAnnualPremium:
      return true;
    default:
      return false;
  }
}
bool is_code_field(Field f) {
  return f == Field::kSecurityAction || f == Field::kUtm || f == Field::kEdrStatus || f == Field::kBundlePlan;
}
bool is_date_field(Field f) { return f == Field::kQuoteDate || f == Field::kEdrInstalledOn; }

// Keeps converted buffers alive until the batch has read them.
struct Buffers {
  std::vector<std::unique_ptr<std::vector<std::int64_t>>> int64;
  std::vector<std::unique_ptr<std::vector<std::uint8_t>>> codes;
  std::vector<std::unique_ptr<std::vector<double>>> numbers;
  std::vector<std::unique_ptr<std::vector<std::int32_t>>> int32;
  std::vector<py::object> arrays;

  template <typename T>
  std::vector<T>& make(std::vector<std::unique_ptr<std::vector<T>>>& pool, std::size_t n, T fill) {
    pool.push_back(std::make_unique<std::vector<T>>(n, fill));
    return *pool.back();
  }
};

// numpy datetime64 units as days: values per day, or 0 when the unit is coarser (months...).
std::int64_t per_day(const std::string& unit) {
  if (unit == "D") return 1;
  if (unit == "h") return 24;
  if (unit == "m") return 1440;
  if (unit == "s") return 86400;
  if (unit == "ms") return 86400000;
  if (unit == "us") return 86400000000LL;
  if (unit == "ns") return 86400000000000LL;
  return 0;
}

class ColumnDoor {
 public:
  ColumnDoor(PortfolioBuilder& builder, std::size_t rows) : b_(builder), n_(rows) {}

  // One column: ("scalar", value) | ("array", ndarray, mask-or-None) | ("categorical", codes, categories).
  void add(std::size_t column, const py::tuple& payload) {
    const std::string kind = payload[0].cast<std::string>();
    if (kind == "scalar") return scalar(column, payload[1]);
    if (kind == "categorical") return categorical(column, py::array(payload[1]), py::list(payload[2]));
    const py::array values = py::array(payload[1]);
    const py::object mask = payload[2];
    if (values.ndim() != 1 || static_cast<std::size_t>(values.shape(0)) != n_)
      throw Error(ErrorCode::kColumnShape, b_.roles()[column].name,
                  "must be one value per row: " + std::to_string(n_) + " rows, got shape " + shape_of(values), {},
                  ErrorLocation{0, {}, b_.roles()[column].name});
    using Mask = py::array_t<bool, py::array::c_style | py::array::forcecast>;
    array(column, values, mask.is_none() ? py::array_t<bool>() : py::array_t<bool>(Mask(mask)));
  }

  Buffers& buffers() { return buffers_; }

 private:
  static std::string shape_of(const py::array& a) {
    std::string s = "(";
    for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
    return s + (a.ndim() == 1 ? ",)" : ")");
  }

  const detail::ColumnRole& role(std::size_t column) const { return b_.roles()[column]; }

  // A scalar is a value for every row: a bad one is the whole call's error.
  void scalar(std::size_t column, const py::handle& value) {
    const PyCell cell = cell_of(value.ptr(), missing_);
    if (n_ == 0) return;
    b_.set(0, column, cell.value());
    if (b_.failed(0)) {
      const PortfolioColumns probe = b_.columns(1);
      throw probe.failed_rows.front().error.at(ErrorLocation{0, {}, {}});
    }
    const RawValue v = cell.value();
    for (std::size_t r = 1; r < n_; ++r) b_.set(r, column, v);
  }

  void categorical(std::size_t column, const py::array& codes_in, const py::list& categories) {
    const auto codes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(codes_in);
    if (static_cast<std::size_t>(codes.size()) != n_)
      throw Error(ErrorCode::kColumnShape, role(column).name, "must be one value per row: " + std::to_string(n_) + " rows", {},
                  ErrorLocation{0, {}, role(column).name});
    const std::int64_t* c = codes.data();
    std::vector<PyCell> cells;
    for (const py::handle cat : categories) cells.push_back(cell_of(cat.ptr(), missing_));
    if (role(column).field == Field::kIndustry) {
      // Categories are the keys: the codes are used as they are (a missing value is code -1).
      bool all_text = true;
      std::vector<std::string> keys;
      for (const PyCell& cell : cells) {
        all_text &= cell.value().kind == RawValue::Kind::kString;
        keys.emplace_back(cell.value().text);
      }
      if (all_text) {
        auto& out = buffers_.make(buffers_.int32, n_, std::int32_t{-1});
        for (std::size_t r = 0; r < n_; ++r) out[r] = c[r] < 0 || c[r] >= static_cast<std::int64_t>(keys.size()) ? -1 : static_cast<std::int32_t>(c[r]);
        b_.borrow_industry_codes(column, out.data(), std::move(keys));
        return;
      }
    }
    const Field f = role(column).field;
    if (is_code_field(f) || f == Field::kRubberProducts || f == Field::kAnswer) {
      // Each distinct value read once: its code, or its error (index 0: the missing value).
      std::vector<std::uint8_t> code(cells.size() + 1, 0);
      std::vector<std::optional<Error>> error(cells.size() + 1);
      for (std::size_t k = 0; k <= cells.size(); ++k) {
        try {
          code[k] = b_.read_code(column, k == 0 ? RawValue::absent() : cells[k - 1].value());
        } catch (const Error& e) {
          error[k] = e;
        }
      }
      auto& out = buffers_.make(buffers_.codes, n_, std::uint8_t{0});
      for (std::size_t r = 0; r < n_; ++r) {
        const std::size_t k = c[r] >= 0 && c[r] < static_cast<std::int64_t>(cells.size()) ? static_cast<std::size_t>(c[r]) + 1 : 0;
        if (error[k]) b_.fail_cell(r, column, *error[k]);
        else out[r] = code[k];
      }
      if (f == Field::kAnswer) b_.set_answer_codes(column, out.data());
      else b_.borrow_codes(column, out.data());
      return;
    }
    const PyCell absent;
    for (std::size_t r = 0; r < n_; ++r) {
      const bool valid = c[r] >= 0 && c[r] < static_cast<std::int64_t>(cells.size());
      b_.set(r, column, valid ? cells[static_cast<std::size_t>(c[r])].value() : absent.value());
    }
  }

  template <typename T>
  void each(const py::array& values, const py::array_t<bool>& mask, std::size_t column, RawValue (*make)(T)) {
    const auto typed = py::array_t<T, py::array::c_style | py::array::forcecast>(values);
    const T* v = typed.data();
    const bool* m = mask.size() ? mask.data() : nullptr;
    for (std::size_t r = 0; r < n_; ++r) b_.set(r, column, m && m[r] ? RawValue::absent() : make(v[r]));
  }

  static RawValue of_int64(std::int64_t v) { return RawValue::of_integer(v); }
  static RawValue of_uint64(std::uint64_t v) {
    return v <= static_cast<std::uint64_t>(INT64_MAX) ? RawValue::of_integer(static_cast<std::int64_t>(v))
                                                      : RawValue::of_number(static_cast<double>(v));
  }
  static RawValue of_double(double v) { return std::isnan(v) ? RawValue::absent() : RawValue::of_number(v); }
  static RawValue of_bool(bool v) { return RawValue::of_bool(v); }

  void array(std::size_t column, const py::array& values, const py::array_t<bool>& mask) {
    const Field f = role(column).field;
    const char kind = values.dtype().kind();
    const bool masked = mask.size() > 0 && std::any_of(mask.data(), mask.data() + mask.size(), [](bool x) { return x; });
    const bool contiguous = (values.flags() & py::array::c_style) != 0;
    if (kind == 'O') return objects(column, values, masked ? mask : py::array_t<bool>());
    if (!masked) {
      // Fast paths: the batch's own dtypes, used in place.
      if (is_int64_field(f) && (kind == 'i' || kind == 'u') && !(kind == 'u' && values.itemsize() == 8)) {
        if (kind == 'i' && values.itemsize() == 8 && contiguous) {
          buffers_.arrays.push_back(values);
          return b_.borrow_int64(column, static_cast<const std::int64_t*>(values.data()));
        }
        const auto cast = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(values);
        buffers_.arrays.push_back(cast);
        return b_.borrow_int64(column, cast.data());
      }
      if ((is_code_field(f) || f == Field::kRubberProducts) && (kind == 'u' || kind == 'i' || (kind == 'b' && f == Field::kRubberProducts))) {
        if ((kind == 'u' || kind == 'b') && values.itemsize() == 1 && contiguous) {
          buffers_.arrays.push_back(values);
          return b_.borrow_codes(column, static_cast<const std::uint8_t*>(values.data()));
        }
        const auto wide = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(values);
        auto& out = buffers_.make(buffers_.codes, n_, std::uint8_t{0});
        for (std::size_t r = 0; r < n_; ++r) {
          const std::int64_t v = wide.data()[r];
          if (v < 0 || v > 255) {
            b_.fail_cell(r, column, Error(ErrorCode::kUnknownValue, b_.path_of(column).str(), detail::spellings_text(field_spec(f)),
                                          "code " + std::to_string(v)));
            continue;
          }
          out[r] = static_cast<std::uint8_t>(v);
        }
        return b_.borrow_codes(column, out.data());
      }
      if (f == Field::kPhishingClickRate && (kind == 'f' || kind == 'i' || kind == 'u')) {
        const auto cast = py::array_t<double, py::array::c_style | py::array::forcecast>(values);
        buffers_.arrays.push_back(cast);
        return b_.borrow_numbers(column, cast.data());
      }
      if (f == Field::kAnswer && (kind == 'u' || kind == 'i' || kind == 'f')) return answer_codes(column, values);
    }
    if (kind == 'M') return datetimes(column, values, masked ? mask : py::array_t<bool>());
    if (f == Field::kAnswer && (kind == 'u' || kind == 'i' || kind == 'f')) return answer_codes(column, values, masked ? mask : py::array_t<bool>());
    // Everything else value by value, through the same readers as every door.
    const py::array_t<bool> m = masked ? mask : py::array_t<bool>();
    switch (kind) {
      case 'b': return each<bool>(values, m, column, of_bool);
      case 'i': return each<std::int64_t>(values, m, column, of_int64);
      case 'u': return each<std::uint64_t>(values, m, column, of_uint64);
      case 'f': return each<double>(values, m, column, of_double);
      default:
        throw Error(ErrorCode::kColumnType, role(column).name,
                    "has numpy dtype " + py::str(values.dtype()).cast<std::string>() + ", which no field is written in", {},
                    ErrorLocation{0, {}, role(column).name});
    }
  }

  void objects(std::size_t column, const py::array& values, const py::array_t<bool>& mask) {
    const py::array objs = py::module_::import("numpy").attr("ascontiguousarray")(values);
    buffers_.arrays.push_back(objs);
    PyObject* const* data = static_cast<PyObject* const*>(objs.data());
    const bool* m = mask.size() ? mask.data() : nullptr;
    for (std::size_t r = 0; r < n_; ++r) {
      if (m && m[r]) {
        b_.set(r, column, RawValue::absent());
        continue;
      }
      const PyCell cell = cell_of(data[r], missing_);
      b_.set(r, column, cell.value());
    }
  }

  // Item columns of answer codes (0 unanswered ... 5 na; NaN unanswered), the matrix's coding.
  // Item columns of answer codes (0 unanswered ... 5 na; NaN unanswered), the matrix's coding.
  void answer_codes(std::size_t column, const py::array& values, const py::array_t<bool>& mask = py::array_t<bool>()) {
    const auto d = py::array_t<double, py::array::c_style | py::array::forcecast>(values);
    const bool* m = mask.size() ? mask.data() : nullptr;
    auto& out = buffers_.make(buffers_.codes, n_, std::uint8_t{0});
    for (std::size_t r = 0; r < n_; ++r) {
      const double v = d.data()[r];
      if ((m && m[r]) || std::isnan(v)) continue;  // unanswered
      if (v != std::trunc(v) || v < 0 || v > 5) {
        const std::string shown = v == std::trunc(v) && std::fabs(v) < 1e15 ? "code " + std::to_string(static_cast<long long>(v))
                                                                              : detail::float_text(v);
        b_.fail_cell(r, column,
                     Error(ErrorCode::kUnknownValue, b_.path_of(column).str(), detail::spellings_text(field_spec(Field::kAnswer)), shown));
        continue;
      }
      out[r] = static_cast<std::uint8_t>(v);
    }
    b_.set_answer_codes(column, out.data());
  }

  void datetimes(std::size_t column, const py::array& values, const py::array_t<bool>& mask) {
    const std::string descr = py::str(values.dtype()).cast<std::string>();  // "datetime64[ns]"
    const auto open = descr.find('['), close = descr.find(']');
    const std::string unit = open == std::string::npos ? "" : descr.substr(open + 1, close - open - 1);
    const std::int64_t scale = per_day(unit);
    const Field f = role(column).field;
    if (scale == 0)
      throw Error(ErrorCode::kColumnType, role(column).name, "has numpy dtype " + descr + "; dates need a unit of days or finer",
                  {}, ErrorLocation{0, {}, role(column).name});
    const auto raw = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(values.attr("view")("int64"));
    const std::int64_t* v = raw.data();
    const bool* m = mask.size() ? mask.data() : nullptr;
    if (is_date_field(f)) {
      auto& days = buffers_.make(buffers_.int64, n_, PortfolioColumns::kNoDay);
      for (std::size_t r = 0; r < n_; ++r) {
        if ((m && m[r]) || v[r] == PortfolioColumns::kNoDay) continue;  // NaT: not given
        const std::int64_t q = v[r] / scale - ((v[r] % scale) < 0 ? 1 : 0);
        if (v[r] % scale != 0) {  // a time of day: not a date
          const std::string text = py::str(values[py::int_(r)]).cast<std::string>();
          b_.set(r, column, RawValue::of_string(text));
          continue;
        }
        days[r] = q;
      }
      b_.borrow_int64(column, days.data());
      return;
    }
    for (std::size_t r = 0; r < n_; ++r) {  // a date where no date belongs
      if ((m && m[r]) || v[r] == PortfolioColumns::kNoDay) {
        b_.set(r, column, RawValue::absent());
        continue;
      }
      const std::string text = py::str(values[py::int_(r)]).cast<std::string>();
      b_.set(r, column, RawValue::of_string(text));
    }
  }

  PortfolioBuilder& b_;
  std::size_t n_;
  Missing missing_;
  Buffers buffers_;
};

// A read-only 1-D numpy view of a result column, kept alive by `owner`.
template <typename T>
py::array view(const ResultColumn<T>& v, const py::handle& owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return std::move(a);
}

py::object error_object(const Error& e, std::size_t row);

py::dict result_dict(PortfolioResult&& result, std::uintptr_t answers_address, bool renewals) {
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
  d["is_sme"] = view(r.is_sme, owner);
  d["has_base_cover"] = view(r.has_base_cover, owner);
  d["base_monthly_premium_yen"] = view(r.base_monthly_premium_yen, owner);
  d["base_annual_premium_yen"] = view(r.base_annual_premium_yen, owner);
  d["has_top_up"] = view(r.has_top_up, owner);
  py::list sections;
  for (const auto& s : r.section_premium_yen) sections.append(view(s, owner));
  d["section_premium_yen"] = sections;
  py::list selected;
  for (const auto& s : r.section_selected) selected.append(view(s, owner));
  d["section_selected"] = selected;
  d["package_yen"] = view(r.package_yen, owner);
  d["annual_premium_yen"] = view(r.annual_premium_yen, owner);
  d["subsidy_yen"] = view(r.subsidy_yen, owner);
  d["payable_annual_yen"] = view(r.payable_annual_yen, owner);
  d["monthly_instalment_yen"] = view(r.monthly_instalment_yen, owner);
  d["subsidy_code"] = view(r.subsidy_code, owner);
  d["renewals"] = renewals;  // the input had prior premiums: the frame shows the renewal cap
  d["uncapped_annual_premium_yen"] = view(r.uncapped_annual_premium_yen, owner);
  d["renewal_code"] = view(r.renewal_code, owner);
  d["edition"] = view(r.edition, owner);
  d["section_keys"] = r.section_keys;
  d["tier_names"] = r.tier_names;
  py::list editions;
  for (const auto& e : r.editions) editions.append(py::make_tuple(e.edition, e.sha256));
  d["editions"] = editions;
  py::list errors;
  for (const auto& e : r.errors) errors.append(error_object(e.error, e.row));
  d["errors"] = errors;
  d["answers_address"] = answers_address;
  return d;
}

py::str utf8(const std::string& text) {
  PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

// (row index, 1-based row, id, column, code, field, value, message) of a failed row.
py::object error_object(const Error& e, std::size_t row) {
  const ErrorLocation& l = e.location();
  return py::make_tuple(row, l.row, l.id.empty() ? py::object(py::none()) : py::object(utf8(l.id)),
                        l.column.empty() ? py::object(py::none()) : py::object(utf8(l.column)), to_string(e.code()),
                        utf8(e.field()), utf8(e.value()), utf8(e.what()));
}

// A row's id as its error names it: the value's text; a missing value (NaN, None) is no id.
std::string id_text(const py::handle& id, const Missing& missing) {
  const PyCell cell = cell_of(id.ptr(), missing);
  if (cell.value().kind == RawValue::Kind::kAbsent) return "";
  return py::str(id).cast<std::string>();
}

// The edition whose item ids and sections name the columns: in force on the default date, or
// on the rows' dates (they must agree when the answers come as item columns).
const RatingTables& layout_for(const Engine& engine, const std::optional<Date>& date, const py::object& day_column,
                               bool item_columns, const std::optional<std::string>& edition) {
  if (edition) return *engine.library().edition(*edition);  // as-if: the named edition's columns
  if (date) return engine.tables_for(*date);
  const auto& editions = engine.library().editions();
  std::vector<const RatingTables*> used;
  if (!day_column.is_none()) {
    const auto days = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(day_column);
    for (const auto& e : editions) {
      const auto from = e->in_force.from.day_number();
      const auto to = e->in_force.to ? e->in_force.to->day_number() : INT64_MAX;
      for (py::ssize_t i = 0; i < days.size(); ++i)
        if (days.data()[i] >= from && days.data()[i] <= to) {
          used.push_back(e.get());
          break;
        }
    }
  }
  if (used.empty()) return *editions.back();
  for (const RatingTables* e : used) {
    bool same = e->questionnaire.items.size() == used.front()->questionnaire.items.size();
    for (std::size_t i = 0; same && i < e->questionnaire.items.size(); ++i)
      same = e->questionnaire.items[i].id == used.front()->questionnaire.items[i].id;
    if (!same && item_columns) {
      std::string ids;
      for (const RatingTables* u : used) ids += (ids.empty() ? "" : ", ") + u->edition;
      throw Error(ErrorCode::kMixedQuestionnaires, "answers",
                  "the rows span editions with different questionnaires (" + ids +
                      "); give the answers= matrix or price each edition's rows separately");
    }
  }
  return *used.front();
}

py::dict quote_columns(const Engine& engine, std::size_t rows, const py::list& columns, const py::object& answers,
                       const py::object& quote_date, const py::object& subsidy_program, const py::object& ids,
                       const py::object& day_column, int threads, bool collect, const std::optional<std::string>& edition) {
  detail::check_thread_count(threads);
  PortfolioBuilder::Defaults defaults;
  const Missing missing;
  if (!quote_date.is_none()) {
    const PyCell cell = cell_of(quote_date.ptr(), missing);
    defaults.quote_date = detail::read_date(field_spec(Field::kQuoteDate), "quote_date", cell.value());
  }
  if (!subsidy_program.is_none()) defaults.subsidy_program = subsidy_program.cast<std::string>();

  std::vector<std::string> names;
  for (const py::handle c : columns) names.push_back(c.cast<py::tuple>()[0].cast<std::string>());
  if (!ids.is_none()) names.emplace_back("id");
  const RatingTables& layout = layout_for(engine, defaults.quote_date, day_column, answers.is_none(), edition);
  PortfolioBuilder builder(layout, names, defaults, !answers.is_none());
  builder.resize(rows);
  ColumnDoor door(builder, rows);
  for (std::size_t k = 0; k < columns.size(); ++k) door.add(k, columns[k].cast<py::tuple>()[1].cast<py::tuple>());

  std::uintptr_t answers_address = 0;
  if (!answers.is_none()) {
    const py::array matrix = py::array(answers);
    if (matrix.ndim() != 2 || static_cast<std::size_t>(matrix.shape(0)) != rows)
      throw Error(ErrorCode::kColumnShape, "answers",
                  "must be a matrix of one row per company (" + std::to_string(rows) + " rows) and one column per item");
    const auto cast = py::array_t<std::uint8_t, py::array::c_style>(matrix);
    door.buffers().arrays.push_back(cast);
    builder.borrow_answers(cast.data(), static_cast<std::size_t>(matrix.shape(1)));
    answers_address = reinterpret_cast<std::uintptr_t>(cast.data());
  }
  PortfolioColumns cols = builder.columns(1);
  BatchOptions options;
  options.threads = threads;
  options.on_error = collect ? OnError::kCollect : OnError::kRaise;
  options.edition = edition;
  const bool renewals = cols.prior_annual_premium_yen != nullptr;
  PortfolioResult result;
  {
    // The arrays stay referenced by `door` (and the caller) while the batch reads them.
    const py::gil_scoped_release release;
    try {
      result = price_portfolio(engine, cols, options);
    } catch (const Error& e) {
      const std::size_t row = e.location().row ? e.location().row - 1 : 0;
      if (e.location().row == 0 || ids.is_none()) throw;
      const py::gil_scoped_acquire acquire;
      throw e.at(ErrorLocation{0, id_text(py::sequence(ids)[row], missing), {}});
    }
  }
  if (!ids.is_none()) {  // the rows' ids into their errors' locations (only failing rows are read)
    const py::sequence seq(ids);
    for (RowError& e : result.errors)
      if (e.error.location().id.empty()) e.error = e.error.at(ErrorLocation{0, id_text(seq[e.row], missing), {}});
  }
  return result_dict(std::move(result), answers_address, renewals);
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
  py::list renewal;
  for (int i = 0; i <= static_cast<int>(RenewalCode::kNoCap); ++i) {
    const auto code = static_cast<RenewalCode>(i);
    renewal.append(code == RenewalCode::kNone ? py::object(py::none()) : py::object(py::str(std::string(to_string(code)))));
  }
  d["renewal_code"] = renewal;
  return d;
}

// The request contract: every field with its JSON path, column, type, bounds and defaults.
py::list contract() {
  py::list out;
  for (const FieldSpec& f : request_fields()) {
    py::dict d;
    d["field"] = std::string(f.json_path);
    d["column"] = std::string(f.column);
    d["type"] = to_string(f.type);
    d["required"] = f.required;
    d["when_absent"] = std::string(f.when_absent);
    if (f.type == FieldType::kInteger) {
      d["min"] = f.min;
      d["max"] = f.max;
    } else if (!f.min_text.empty()) {
      d["min"] = std::string(f.min_text);
      d["max"] = std::string(f.max_text);
    } else {
      d["min"] = py::none();
      d["max"] = py::none();
    }
    py::list spellings;
    for (std::string_view s : f.spellings) spellings.append(std::string(s));
    d["spellings"] = spellings;
    d["description"] = std::string(f.description);
    out.append(std::move(d));
  }
  return out;
}

// What the columns and the synthetic generator read from one edition.
py::dict edition_layout(const RatingTables& t) {
  py::dict d;
  d["edition"] = t.edition;
  d["sha256"] = t.sha256;
  d["from_day"] = t.in_force.from.day_number();
  d["to_day"] = t.in_force.to ? py::object(py::int_(t.in_force.to->day_number())) : py::object(py::none());
  py::list items;
  for (const Item& item : t.questionnaire.items) {
    py::dict i;
    i["id"] = item.id;
    i["domain"] = item.domain;
    i["points"] = item.points;
    i["allow_na"] = item.allow_na;
    i["security_action"] = std::string(to_string(item.security_action));
    i["ipa_no"] = item.ipa_no ? py::object(py::int_(*item.ipa_no)) : py::object(py::none());
    items.append(std::move(i));
  }
  d["items"] = items;
  d["industries"] = allowed_values(t, Field::kIndustry);
  d["bundle_plans"] = allowed_values(t, Field::kBundlePlan);
  d["subsidy_programs"] = allowed_values(t, Field::kSubsidyProgram);
  py::dict sections;
  for (const Section& s : t.top_up.sections) {
    py::dict sec;
    py::list limits, deductibles;
    for (const LimitOption& o : s.limits) limits.append(o.amount_yen);
    for (const LimitOption& o : s.deductibles) deductibles.append(o.amount_yen);
    sec["limits"] = limits;
    sec["deductibles"] = deductibles;
    sec["default_deductible"] = s.default_deductible_yen;
    sections[py::str(s.key)] = sec;
  }
  d["sections"] = sections;
  py::list band_max;
  for (std::size_t i = 0; i < t.base_cover.employee_band_max.size(); ++i)
    band_max.append(i + 1 == t.base_cover.employee_band_max.size() ? py::object(py::none())
                                                                   : py::object(py::int_(t.base_cover.employee_band_max[i])));
  d["employee_band_max"] = band_max;
  d["frequency_by_employee_band"] = t.loss_model.frequency_by_employee_band;
  d["revenue_max_yen"] = t.underwriting.revenue_max_yen;
  return d;
}

py::list editions_layout(const Engine& engine) {
  py::list out;
  for (const auto& e : engine.library().editions()) out.append(edition_layout(*e));
  return out;
}

// Scores answer sheets (rows x items codes) with the edition in force on `quote_date`:
// score, unknown count, applicable points and the effective answers (after SECURITY ACTION).
py::dict score_matrix(const Engine& engine, const py::array_t<std::uint8_t, py::array::c_style>& answers,
                      const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& security_action,
                      const py::object& quote_date) {
  const Missing missing;
  const PyCell cell = cell_of(quote_date.ptr(), missing);
  const Date date = detail::read_date(field_spec(Field::kQuoteDate), "quote_date", cell.value());
  const RatingTables& t = engine.tables_for(date);
  if (answers.ndim() != 2 || static_cast<std::size_t>(answers.shape(1)) != t.questionnaire.items.size())
    throw Error(ErrorCode::kColumnShape, "answers",
                "must have one column per item of edition " + t.edition + " (" + std::to_string(t.questionnaire.items.size()) + ")");
  const auto rows = static_cast<std::size_t>(answers.shape(0));
  if (static_cast<std::size_t>(security_action.size()) != rows)
    throw Error(ErrorCode::kColumnShape, "security_action", "must be one value per row");
  py::array_t<std::int32_t> score(static_cast<py::ssize_t>(rows)), unknown(static_cast<py::ssize_t>(rows)),
      applicable(static_cast<py::ssize_t>(rows));
  py::array_t<std::uint8_t> effective({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(t.questionnaire.items.size())});
  const std::size_t items = t.questionnaire.items.size();
  {
    const py::gil_scoped_release release;
    for (std::size_t r = 0; r < rows; ++r) {
      const auto* row = reinterpret_cast<const Answer*>(answers.data() + r * items);
      const auto sa = static_cast<SecurityAction>(std::min<std::uint8_t>(security_action.data()[r], 2));
      ScoreSummary s;
      try {
        s = score_summary(t.questionnaire, sa, row, items);
      } catch (const Error& e) {
        throw e.at(ErrorLocation{r + 1, {}, {}});
      }
      score.mutable_data()[r] = s.score;
      unknown.mutable_data()[r] = s.unknown_count;
      applicable.mutable_data()[r] = s.applicable;
      for (std::size_t i = 0; i < items; ++i)
        effective.mutable_data()[r * items + i] =
            static_cast<std::uint8_t>(effective_answer(t.questionnaire.items[i], sa, row[i]));
    }
  }
  py::dict d;
  d["score"] = score;
  d["unknown_count"] = unknown;
  d["applicable"] = applicable;
  d["effective"] = effective;
  return d;
}

constexpr const char* kQuoteColumnsDoc =
    R"(Prices portfolio columns through the request contract (private; use Engine.quote_arrays).

columns: [(name, ("scalar", value) | ("array", ndarray, mask) | ("categorical", codes, categories))].
Returns a dict of read-only numpy views of the C++ result and its metadata.
)";

}  // namespace

void bind_portfolio(py::module_& m) {
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  m.def("_quote_columns", &quote_columns, py::arg("engine"), py::arg("rows"), py::arg("columns"), py::kw_only(),
        py::arg("answers"), py::arg("quote_date"), py::arg("subsidy_program"), py::arg("ids"), py::arg("day_column"),
        py::arg("threads"), py::arg("collect"), py::arg("edition") = py::none(), kQuoteColumnsDoc);
  m.def("_portfolio_codes", &codes, "The spellings of the portfolio code columns, in code order (private).");
  m.def("_portfolio_editions", &editions_layout, py::arg("engine"),
        "Item ids, points, tags, industries, sections and bands of each edition (private).");
  m.def("_request_contract", &contract, "The request contract's fields (private; see cybercover.request_contract()).");
  m.def("_score_matrix", &score_matrix, py::arg("engine"), py::arg("answers").noconvert(), py::arg("security_action"),
        py::arg("quote_date"), "Scores answer sheets with the engine's edition (private; cybercover.synthetic).");
}

}  // namespace cybercover::python
