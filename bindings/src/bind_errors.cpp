// cybercover.Error and its subclasses, created here so that every cybercover::Error thrown by
// the library reaches Python as the matching class, its message exactly what() and with the
// attributes `kind`, `where` and `detail`.

#include <Python.h>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

// Strong references owned by the module for the life of the process.
PyObject* g_error = nullptr;
PyObject* g_input_error = nullptr;
PyObject* g_table_error = nullptr;
PyObject* g_no_edition_error = nullptr;
PyObject* g_table_io_error = nullptr;
PyObject* g_store_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, const char* doc, py::tuple bases) {
  const std::string qualified = std::string("cybercover.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // the module takes its own reference
  return type;
}

PyObject* type_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInput:
      return g_input_error;
    case ErrorKind::kTable:
      return g_table_error;
    case ErrorKind::kNoEdition:
      return g_no_edition_error;
    case ErrorKind::kIo:
      return g_table_io_error;
    case ErrorKind::kStore:
      return g_store_error;
  }
  return g_error;
}

py::str utf8(const std::string& text) {
  // Messages may quote bytes from a file name or table; never fail on invalid UTF-8.
  PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

// Sets the Python error for a library error (requires the GIL).
void set_python_error(const Error& e) {
  PyObject* type = type_for(e.kind());
  try {
    py::object exc = py::reinterpret_borrow<py::object>(type)(utf8(e.what()));
    exc.attr("kind") = to_string(e.kind());
    exc.attr("code") = to_string(e.code());
    exc.attr("field") = utf8(e.field());
    exc.attr("detail") = utf8(e.detail());
    exc.attr("value") = utf8(e.value());
    exc.attr("row") = e.location().row ? py::object(py::int_(e.location().row)) : py::object(py::none());
    exc.attr("id") = e.location().id.empty() ? py::object(py::none()) : py::object(utf8(e.location().id));
    exc.attr("column") = e.location().column.empty() ? py::object(py::none()) : py::object(utf8(e.location().column));
    PyErr_SetObject(type, exc.ptr());
  } catch (py::error_already_set& failure) {
    failure.restore();  // e.g. MemoryError while building the exception: report that
  }
}

constexpr const char* kErrorDoc = R"(Base class of every error raised by cybercover.

The message is the library's message, e.g.
``"[cybercover.input] company.employees: must be an integer >= 1, got -3"``.

Attributes
----------
kind : str
    Stable kind of failure: ``"input"``, ``"table"``, ``"no_edition"`` or ``"io"``.
where : str
    The request field (``"company.employees"``) or table location the error is about;
    may be empty.
detail : str
    The message without the kind prefix and the location.
)";

constexpr const char* kInputErrorDoc =
    R"(A request field is missing, unknown, of the wrong type or out of range.

Also raised for malformed JSON text. Subclass of :class:`Error` and :class:`ValueError`;
``where`` names the field, e.g. ``"company.employees"``.
)";

constexpr const char* kTableErrorDoc = R"(A rating table file is malformed or inconsistent.

Subclass of :class:`Error` and :class:`ValueError`; ``where`` names the file and key.
)";

constexpr const char* kNoEditionErrorDoc = R"(No table edition is in force on the quote date.

Subclass of :class:`Error` and :class:`ValueError`.
)";

constexpr const char* kTableIoErrorDoc = R"(A rating table file or directory could not be read.

Subclass of :class:`Error` and :class:`OSError`.
)";

constexpr const char* kStoreErrorDoc = R"(The quote and policy register refused an operation or is unavailable.

``code`` says which rule: ``"store.quote_not_found"``, ``"store.unavailable"``... (docs/errors.md).
Subclass of :class:`Error`.
)";

}  // namespace

void bind_errors(py::module_& m) {
  const py::handle exception(PyExc_Exception), value_error(PyExc_ValueError),
      os_error(PyExc_OSError);
  g_error = new_exception(m, "Error", kErrorDoc, py::make_tuple(exception));
  const py::handle error(g_error);
  g_input_error =
      new_exception(m, "InputError", kInputErrorDoc, py::make_tuple(error, value_error));
  g_table_error =
      new_exception(m, "TableError", kTableErrorDoc, py::make_tuple(error, value_error));
  g_no_edition_error =
      new_exception(m, "NoEditionError", kNoEditionErrorDoc, py::make_tuple(error, value_error));
  g_table_io_error =
      new_exception(m, "TableIoError", kTableIoErrorDoc, py::make_tuple(error, os_error));
  g_store_error = new_exception(m, "StoreError", kStoreErrorDoc, py::make_tuple(error));
  // Class-level defaults, so that an Error raised from Python code has the attributes too.
  error.attr("kind") = py::none();
  error.attr("code") = py::none();
  error.attr("field") = "";
  error.attr("detail") = "";
  error.attr("value") = "";
  error.attr("row") = py::none();
  error.attr("id") = py::none();
  error.attr("column") = py::none();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      set_python_error(e);
    }
  });
}

}  // namespace cybercover::python
