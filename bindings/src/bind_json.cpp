// Python objects -> JSON text for requests (read by the library's JSON door, so a dict gets the
// same errors as JSON text), and nlohmann::json -> Python objects for results.
//
// In: dict (str keys) -> object, list/tuple -> array, str -> string, bool -> boolean (checked
// before int, bool being a subclass of int), int (any size; numpy integers) -> its digits,
// float -> number (NaN -> null: a pandas row's empty cell; infinities -> Infinity literals,
// which the checks name), None / pandas.NA / NaT -> null, a date or pandas.Timestamp ->
// "YYYY-MM-DD" (with a time of day, its ISO text). Anything else is a TypeError naming the path.
// Out: integers stay int, floats float, objects become dicts with the keys in JSON order.

#include <climits>
#include <cmath>
#include <cstdint>
#include <optional>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string display(const std::string& path) { return path.empty() ? "request" : path; }

std::string type_name(py::handle value) {
  return py::str(py::type::handle_of(value).attr("__qualname__"));
}

[[noreturn]] void type_error(const std::string& path, const std::string& message) {
  throw py::type_error(display(path) + ": " + message);
}

// Guards recursion into containers (a dict that contains itself raises RecursionError).
struct RecursionGuard {
  RecursionGuard() {
    if (Py_EnterRecursiveCall(" while converting a request to JSON") != 0) throw py::error_already_set();
  }
  ~RecursionGuard() { Py_LeaveRecursiveCall(); }
  RecursionGuard(const RecursionGuard&) = delete;
  RecursionGuard& operator=(const RecursionGuard&) = delete;
};

void append_escaped(std::string& out, const char* data, Py_ssize_t size) {
  out += '"';
  for (Py_ssize_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void append_str(std::string& out, PyObject* o, const std::string& path) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(o, &size);
  if (!data) {
    PyErr_Clear();
    type_error(path, "a str that is not valid Unicode (lone surrogates)");
  }
  append_escaped(out, data, size);
}

void append_float(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "null";  // what a pandas row gives for an empty cell: not given
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";  // read with allow_infinity_literals
    return;
  }
  char* text = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);  // shortest round trip
  if (!text) throw py::error_already_set();
  out += text;
  PyMem_Free(text);
}

// The ISO date of a datetime.date / datetime.datetime / pandas.Timestamp: "YYYY-MM-DD" at
// midnight; with a time of day the full ISO text (the contract reads it as an invalid date).
std::string iso_date(py::handle value) {
  const std::string iso = py::str(value.attr("isoformat")()).cast<std::string>();
  if (!py::hasattr(value, "hour")) return iso;
  const bool midnight = !value.attr("hour").cast<int>() && !value.attr("minute").cast<int>() &&
                        !value.attr("second").cast<int>() && !value.attr("microsecond").cast<int>();
  return midnight ? iso.substr(0, 10) : iso;
}

void append_json(py::handle value, std::string& out, const std::string& path) {
  PyObject* o = value.ptr();
  if (o == Py_None) {
    out += "null";
  } else if (o == Py_True || o == Py_False) {
    out += o == Py_True ? "true" : "false";
  } else if (PyLong_CheckExact(o)) {
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (n == -1 && PyErr_Occurred()) throw py::error_already_set();
    // Beyond 64 bits: the digits, as JSON text would carry them (the checks name the field).
    out += overflow == 0 ? std::to_string(n) : py::str(value).cast<std::string>();
  } else if (PyFloat_CheckExact(o)) {
    append_float(out, PyFloat_AS_DOUBLE(o));
  } else if (PyUnicode_CheckExact(o)) {
    append_str(out, o, path);
  } else if (PyDict_Check(o)) {
    const RecursionGuard guard;
    out += '{';
    PyObject *key = nullptr, *item = nullptr;
    Py_ssize_t pos = 0;
    bool first = true;
    while (PyDict_Next(o, &pos, &key, &item)) {
      if (!PyUnicode_Check(key))
        type_error(path, "dict keys must be str, got " + type_name(key) + " " + std::string(py::repr(key)));
      if (!first) out += ',';
      first = false;
      append_str(out, key, path);
      out += ':';
      Py_ssize_t size = 0;
      const char* k = PyUnicode_AsUTF8AndSize(key, &size);
      append_json(item, out, child(path, std::string(k, static_cast<std::size_t>(size))));
    }
    out += '}';
  } else if (PyList_Check(o) || PyTuple_Check(o)) {
    const RecursionGuard guard;
    out += '[';
    const py::sequence seq = py::reinterpret_borrow<py::sequence>(value);
    const std::size_t n = seq.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      append_json(seq[i], out, path + "[" + std::to_string(i) + "]");
    }
    out += ']';
  } else if (PyBool_Check(o)) {  // a bool subclass
    out += PyObject_IsTrue(o) == 1 ? "true" : "false";
  } else if (PyUnicode_Check(o)) {  // str subclasses, numpy.str_
    append_str(out, o, path);
  } else if (PyFloat_Check(o)) {
    append_float(out, PyFloat_AsDouble(o));
  } else {
    const std::string_view type = Py_TYPE(o)->tp_name;
    if (type == "NAType" || type == "NaTType") {
      out += "null";  // pandas' missing values
    } else if (type == "numpy.bool_") {
      out += PyObject_IsTrue(o) == 1 ? "true" : "false";
    } else if (type == "numpy.datetime64") {
      const std::string iso = py::str(value).cast<std::string>();
      const auto t = iso.find('T');
      const bool midnight = t == std::string::npos || iso.find_first_not_of("0:.", t + 1) == std::string::npos;
      if (iso.find("NaT") != std::string::npos) {
        out += "null";
      } else {
        const std::string day = midnight ? iso.substr(0, t) : iso;
        append_escaped(out, day.data(), static_cast<Py_ssize_t>(day.size()));
      }
    } else if (py::hasattr(value, "isoformat") && py::hasattr(value, "year")) {
      const std::string iso = iso_date(value);
      append_escaped(out, iso.data(), static_cast<Py_ssize_t>(iso.size()));
    } else if (!PyBytes_Check(o) && !PyByteArray_Check(o) && PyIndex_Check(o)) {  // numpy integers
      const py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(o));
      if (!index) throw py::error_already_set();
      append_json(index, out, path);
    } else if (PyNumber_Check(o) && Py_TYPE(o)->tp_as_number && Py_TYPE(o)->tp_as_number->nb_float &&
               type.rfind("numpy.", 0) == 0) {  // numpy floats
      const double d = PyFloat_AsDouble(o);
      if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
      append_float(out, d);
    } else {
      type_error(path, "cannot convert " + type_name(value) +
                           " to JSON; expected dict, list, tuple, str, int, float, bool, None, a date or a pandas "
                           "missing value");
    }
  }
}

}  // namespace

std::string request_json_text(py::handle value) {
  std::string out;
  out.reserve(4096);
  append_json(value, out, "");
  return out;
}

py::object to_python(const nlohmann::json& value) {
  using T = nlohmann::json::value_t;
  switch (value.type()) {
    case T::null:
    case T::discarded:
      return py::none();
    case T::boolean:
      return py::bool_(value.get<bool>());
    case T::number_integer:
      return py::int_(value.get<std::int64_t>());
    case T::number_unsigned:
      return py::int_(value.get<std::uint64_t>());
    case T::number_float:
      return py::float_(value.get<double>());
    case T::string: {
      const auto& s = value.get_ref<const std::string&>();
      PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
      if (o == nullptr) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(o);
    }
    case T::array: {
      py::list out(value.size());
      std::size_t i = 0;
      for (const auto& item : value) out[i++] = to_python(item);
      return std::move(out);
    }
    case T::object: {
      py::dict out;
      for (const auto& [key, item] : value.items()) out[py::str(key)] = to_python(item);
      return std::move(out);
    }
    case T::binary: {
      const auto& b = value.get_binary();
      return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
    }
  }
  return py::none();
}

void bind_json(py::module_& m) {
  m.def("_request_json_text", &request_json_text, py::arg("value"),
        R"(Returns a request as the JSON text the library reads it from (for tests of the conversion).

Parameters
----------
value : object
    dict, list, tuple, str, int, float, bool, None, numpy scalars, dates, pandas missing values.

Returns
-------
str
    JSON text; NaN, None, pandas.NA and NaT are null, a date at midnight "YYYY-MM-DD",
    infinities the literals Infinity / -Infinity, integers beyond 64 bits their digits.

Raises
------
TypeError
    For a non-str dict key or a value of another type; the message names the path.
)");
}

}  // namespace cybercover::python
