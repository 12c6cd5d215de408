// Python objects <-> nlohmann::json, for requests in and results out.
//
// In: dict (str keys) -> object, list/tuple -> array, str -> string, bool -> boolean (checked
// before int, bool being a subclass of int), int (or any integer with __index__, e.g. numpy)
// -> integer, float -> number (NaN and infinities kept, so the library rejects them naming the
// field), None -> null. Anything else is a TypeError naming the path.
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

nlohmann::json integer_json(py::handle value, const std::string& path) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow == 0) return nlohmann::json(static_cast<std::int64_t>(v));
  if (overflow > 0) {
    const unsigned long long u = PyLong_AsUnsignedLongLong(value.ptr());
    if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred()))
      return nlohmann::json(static_cast<std::uint64_t>(u));
    PyErr_Clear();
  }
  throw Error(ErrorCode::kNumberOutOfRange, path, "must be an integer that fits in 64 bits",
              sanitize_for_message(std::string(py::str(value))));
}

// Guards recursion into containers (a dict that contains itself raises RecursionError).
struct RecursionGuard {
  RecursionGuard() {
    if (Py_EnterRecursiveCall(" while converting a request to JSON") != 0)
      throw py::error_already_set();
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

bool append_plain_json(py::handle v, std::string& out, int depth) {
  if (depth > 64) return false;
  PyObject* o = v.ptr();
  if (o == Py_None) {
    out += "null";
  } else if (o == Py_True || o == Py_False) {
    out += o == Py_True ? "true" : "false";
  } else if (PyLong_CheckExact(o)) {
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0 || (n == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      return false;  // the careful path names the field
    }
    out += std::to_string(n);
  } else if (PyFloat_CheckExact(o)) {
    const double d = PyFloat_AS_DOUBLE(o);
    if (!std::isfinite(d)) return false;
    char* text = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);  // shortest round trip
    if (!text) {
      PyErr_Clear();
      return false;
    }
    out += text;
    PyMem_Free(text);
  } else if (PyUnicode_CheckExact(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (!data) {
      PyErr_Clear();
      return false;  // lone surrogates
    }
    append_escaped(out, data, size);
  } else if (PyDict_CheckExact(o)) {
    out += '{';
    PyObject *key = nullptr, *value = nullptr;
    Py_ssize_t pos = 0;
    bool first = true;
    while (PyDict_Next(o, &pos, &key, &value)) {
      if (!PyUnicode_CheckExact(key)) return false;
      if (!first) out += ',';
      first = false;
      Py_ssize_t size = 0;
      const char* data = PyUnicode_AsUTF8AndSize(key, &size);
      if (!data) {
        PyErr_Clear();
        return false;
      }
      append_escaped(out, data, size);
      out += ':';
      if (!append_plain_json(value, out, depth + 1)) return false;
    }
    out += '}';
  } else if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
    out += '[';
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (i) out += ',';
      if (!append_plain_json(items[i], out, depth + 1)) return false;
    }
    out += ']';
  } else {
    return false;  // numpy scalars, dates, other objects: the careful path
  }
  return true;
}

}  // namespace

std::optional<std::string> plain_json_text(py::handle value) {
  std::string out;
  out.reserve(4096);
  if (!append_plain_json(value, out, 0)) return std::nullopt;
  return out;
}

// What a pandas row holds: NaN, None, pd.NA and NaT mean "not given" (JSON null); a date or
// pandas.Timestamp at midnight is its "YYYY-MM-DD" (a time of day keeps its ISO text, which the
// contract rejects as not a date); numpy scalars are their Python values.
std::optional<nlohmann::json> pandas_value(py::handle value) {
  const std::string_view type = Py_TYPE(value.ptr())->tp_name;
  if (type == "NAType" || type == "NaTType") return nlohmann::json(nullptr);
  if (PyFloat_Check(value.ptr()) && std::isnan(PyFloat_AS_DOUBLE(value.ptr()))) return nlohmann::json(nullptr);
  if (py::hasattr(value, "isoformat") && py::hasattr(value, "year")) {
    const bool has_time = py::hasattr(value, "hour") &&
                          (value.attr("hour").cast<int>() || value.attr("minute").cast<int>() ||
                           value.attr("second").cast<int>() || value.attr("microsecond").cast<int>());
    const std::string iso = py::str(value.attr("isoformat")()).cast<std::string>();
    return nlohmann::json(has_time ? iso : iso.substr(0, 10));
  }
  if (type == "numpy.datetime64") {
    const std::string iso = py::str(value).cast<std::string>();
    if (iso.find("NaT") != std::string::npos) return nlohmann::json(nullptr);
    const auto t = iso.find('T');
    const bool midnight = t == std::string::npos || iso.find_first_not_of("0:.", t + 1) == std::string::npos;
    return nlohmann::json(midnight ? iso.substr(0, t) : iso);
  }
  if (type == "numpy.bool_") return nlohmann::json(PyObject_IsTrue(value.ptr()) == 1);
  if (type.rfind("numpy.float", 0) == 0) {
    const double d = PyFloat_AsDouble(value.ptr());
    if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
    return std::isnan(d) ? nlohmann::json(nullptr) : nlohmann::json(d);
  }
  if (type == "numpy.str_") return nlohmann::json(py::str(value).cast<std::string>());
  return std::nullopt;
}

nlohmann::json json_from_python(py::handle value, const std::string& path) {
  if (value.is_none()) return nullptr;
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  if (PyLong_Check(value.ptr())) return integer_json(value, path);
  if (PyFloat_Check(value.ptr())) {
    const double d = PyFloat_AS_DOUBLE(value.ptr());
    return std::isnan(d) ? nlohmann::json(nullptr) : nlohmann::json(d);
  }
  if (const auto v = pandas_value(value)) return *v;
  if (PyUnicode_Check(value.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
    if (data == nullptr) throw py::error_already_set();  // e.g. lone surrogates
    return std::string(data, static_cast<std::size_t>(size));
  }
  if (PyDict_Check(value.ptr())) {
    const RecursionGuard guard;
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : py::reinterpret_borrow<py::dict>(value)) {
      if (!PyUnicode_Check(key.ptr()))
        type_error(path, "dict keys must be str, got " + type_name(key) + " " +
                             std::string(py::repr(key)));
      const std::string k = key.cast<std::string>();
      out[k] = json_from_python(item, child(path, k));
    }
    return out;
  }
  if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr())) {
    const RecursionGuard guard;
    nlohmann::json out = nlohmann::json::array();
    const py::sequence seq = py::reinterpret_borrow<py::sequence>(value);
    const std::size_t n = seq.size();
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(json_from_python(seq[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }
  // Integers of other types (numpy.int64, ...): anything exact that implements __index__,
  // except numpy.bool_, whose __index__ is deprecated.
  if (!PyBytes_Check(value.ptr()) && !PyByteArray_Check(value.ptr()) &&
      PyIndex_Check(value.ptr()) && type_name(value) != "bool_") {
    const py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    return integer_json(index, path);
  }
  type_error(path, "cannot convert " + type_name(value) +
                       " to JSON; expected dict, list, tuple, str, int, float, bool, None, a date or a pandas "
                       "missing value");
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
  m.def(
      "_json_round_trip", [](py::handle value) { return to_python(json_from_python(value)); },
      py::arg("value"),
      R"(Converts a value to the library's JSON and back (for tests of the conversion).

Parameters
----------
value : object
    dict, list, tuple, str, int, float, bool or None, nested.

Returns
-------
object
    The value as the C++ library sees it: tuples become lists, integers stay int.

Raises
------
TypeError
    For a non-str dict key or a value of another type; the message names the path.
)");
}

}  // namespace cybercover::python
