// Rating table editions as Python sees them: metadata dicts, loading a directory, and the
// edition-content state that pickles an Engine (the table files themselves, so an unpickled
// engine has the same sha256 without access to the original directory).

#include <map>
#include <utility>
#include <vector>

#include "bindings.hpp"

namespace cybercover::python {

py::list editions_info(const TableLibrary& library) {
  py::list out;
  for (const auto& e : library.editions()) {
    py::dict d;
    d["edition"] = e->edition;
    d["effective_from"] = e->in_force.from.to_string();
    d["effective_to"] =
        e->in_force.to ? py::object(py::str(e->in_force.to->to_string())) : py::object(py::none());
    d["sha256"] = e->sha256;
    out.append(std::move(d));
  }
  return out;
}

py::list library_state(const TableLibrary& library) {
  py::list out;
  for (const auto& e : library.editions()) {
    py::dict files;
    for (const auto& [name, bytes] : e->files) files[py::str(name)] = py::bytes(bytes);
    out.append(py::make_tuple(e->source_dir, std::move(files)));
  }
  return out;
}

TableLibrary library_from_state(const py::handle& state) {
  const auto bad = [](const std::string& what) -> py::type_error {
    return py::type_error("invalid Engine pickle state: " + what);
  };
  if (!py::isinstance<py::list>(state) && !py::isinstance<py::tuple>(state))
    throw bad("expected a list of (edition_dir, {file name: bytes})");
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> editions;
  for (const py::handle entry : state) {
    if (!py::isinstance<py::tuple>(entry) || py::len(entry) != 2)
      throw bad("expected (edition_dir, files) pairs");
    const py::tuple pair = py::reinterpret_borrow<py::tuple>(entry);
    if (!py::isinstance<py::str>(pair[0]) || !py::isinstance<py::dict>(pair[1]))
      throw bad("expected (str, dict) pairs");
    std::map<std::string, std::string> files;
    for (const auto& [name, bytes] : py::reinterpret_borrow<py::dict>(pair[1])) {
      if (!py::isinstance<py::str>(name) || !py::isinstance<py::bytes>(bytes))
        throw bad("files must map str names to bytes");
      files.emplace(name.cast<std::string>(), bytes.cast<std::string>());
    }
    editions.emplace_back(pair[0].cast<std::string>(), std::move(files));
  }
  const py::gil_scoped_release release;
  std::vector<std::shared_ptr<const RatingTables>> loaded;
  loaded.reserve(editions.size());
  for (const auto& [dir, files] : editions) loaded.push_back(load_edition_from_files(files, dir));
  return TableLibrary::from_editions(std::move(loaded));
}

TableLibrary load_library(const py::handle& path) {
  // os.fsencode: str, bytes or os.PathLike -> the file system's bytes; TypeError otherwise.
  const std::string dir = py::module_::import("os").attr("fsencode")(path).cast<std::string>();
  const py::gil_scoped_release release;
  return TableLibrary::load(dir);
}

void bind_tables(py::module_& m) {
  m.def(
      "check_tables", [](const py::object& path) { return editions_info(load_library(path)); },
      py::arg("path"),
      R"(Loads and validates a rating table directory, like ``cybercover tables check DIR``.

Parameters
----------
path : str or os.PathLike
    A directory of edition sub-directories, or one edition directory of ``*.json`` files.

Returns
-------
list of dict
    One dict per edition, in ``effective_from`` order, with keys ``edition``,
    ``effective_from``, ``effective_to`` (``None`` when open-ended) and ``sha256``.

Raises
------
TableError
    A table is malformed or inconsistent, or editions overlap; the message names the file
    and key.
TableIoError
    The directory or a file cannot be read.

Examples
--------
>>> cybercover.check_tables("rating_tables")[0]["edition"]  # doctest: +SKIP
'2026-12'
)");
}

}  // namespace cybercover::python
