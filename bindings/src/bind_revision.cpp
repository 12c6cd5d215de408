// The compiled half of cybercover/editions.py: editions as editable data. Python holds each
// table as the JSON document it parsed (dicts and lists); the library parses the files (the
// loader's parser: the same errors for malformed text and duplicate keys), writes canonical
// JSON, hashes, validates with its own loader, diffs, saves, and builds engines in memory.

#include <pybind11/stl.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

using Files = std::map<std::string, std::string>;  // file name -> JSON text

// {file name: JSON text} (from Python's json.dumps) as a draft.
EditionDraft draft_of(const std::string& name, const Files& texts) {
  std::map<std::string, std::string> files;
  for (const auto& [file, text] : texts) files.emplace(file, text);
  return EditionDraft::from_files(files, name);
}

// The draft's documents as JSON text per file (for json.loads), in file-name order.
Files texts_of(const EditionDraft& d) {
  Files out;
  for (const std::string& t : d.tables()) out.emplace(t + ".json", d.table(t).dump(-1, ' ', false));
  return out;
}

py::tuple load(const py::object& path) {
  const std::string dir = py::module_::import("os").attr("fsdecode")(path).cast<std::string>();
  Files texts;
  std::string name;
  {
    const py::gil_scoped_release release;
    const EditionDraft d = EditionDraft::load(dir);
    name = d.name();
    texts = texts_of(d);
  }
  return py::make_tuple(name, texts);
}

py::tuple of_engine(const Engine& engine, const std::string& edition) {
  const auto tables = engine.library().edition(edition);
  const EditionDraft d = EditionDraft::from_tables(*tables);
  return py::make_tuple(d.name(), texts_of(d));
}

py::dict canonical(const std::string& name, const Files& texts) {
  py::dict out;
  for (const auto& [file, bytes] : draft_of(name, texts).files()) out[py::str(file)] = py::str(bytes);
  return out;
}

std::string sha256(const std::string& name, const Files& texts) { return draft_of(name, texts).sha256(); }

py::dict validate(const std::string& name, const Files& texts) {
  const EditionDraft d = draft_of(name, texts);
  std::shared_ptr<const RatingTables> t;
  {
    const py::gil_scoped_release release;
    t = d.build();
  }
  py::dict info;
  info["edition"] = t->edition;
  info["effective_from"] = t->in_force.from.to_string();
  info["effective_to"] = t->in_force.to ? py::object(py::str(t->in_force.to->to_string())) : py::object(py::none());
  info["sha256"] = t->sha256;
  return info;
}

void save(const std::string& name, const Files& texts, const py::object& path) {
  const std::string dir = py::module_::import("os").attr("fsdecode")(path).cast<std::string>();
  const EditionDraft d = draft_of(name, texts);
  const py::gil_scoped_release release;
  d.save(dir);
}

py::list diff(const std::string& name_a, const Files& a, const std::string& name_b, const Files& b) {
  py::list out;
  for (const EditionChange& c : diff_editions(draft_of(name_a, a), draft_of(name_b, b)))
    out.append(py::make_tuple(to_string(c.kind), c.table, c.path,
                              c.before ? py::object(py::str(c.before->dump())) : py::object(py::none()),
                              c.after ? py::object(py::str(c.after->dump())) : py::object(py::none())));
  return out;
}

// An engine over editions given as files: [(name, {file: JSON text})], each validated by the
// loader, their date ranges checked against each other.
Engine engine_of(const std::vector<std::pair<std::string, Files>>& editions) {
  std::vector<EditionDraft> drafts;
  for (const auto& [name, texts] : editions) drafts.push_back(draft_of(name, texts));
  const py::gil_scoped_release release;
  std::vector<std::shared_ptr<const RatingTables>> built;
  for (const EditionDraft& d : drafts) built.push_back(d.build());
  return Engine(TableLibrary::from_editions(std::move(built)));
}

}  // namespace

void bind_revision(py::module_& m) {
  m.def("_edition_load", &load, py::arg("path"), "Reads an edition directory's table files (private; cybercover.editions).");
  m.def("_edition_of_engine", &of_engine, py::arg("engine"), py::arg("edition"),
        "The table files of a loaded edition (private).");
  m.def("_edition_canonical", &canonical, py::arg("name"), py::arg("files"), "Canonical JSON of each file (private).");
  m.def("_edition_sha256", &sha256, py::arg("name"), py::arg("files"), "The edition's sha256 (private).");
  m.def("_edition_validate", &validate, py::arg("name"), py::arg("files"),
        "Validates with the library's loader; returns the edition's id, dates and sha256 (private).");
  m.def("_edition_save", &save, py::arg("name"), py::arg("files"), py::arg("path"),
        "Writes the canonical files into a directory (private).");
  m.def("_edition_diff", &diff, py::arg("before_name"), py::arg("before"), py::arg("after_name"), py::arg("after"),
        "Row-by-row differences (private).");
  m.def("_engine_of_editions", &engine_of, py::arg("editions"), "An Engine over in-memory editions (private).");
}

}  // namespace cybercover::python
