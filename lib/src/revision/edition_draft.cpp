// Editions as editable JSON documents: load, change, canonical text, hash, diff, build.

#include "cybercover/revision/edition_draft.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "cybercover/error.hpp"
#include "detail/json_doc.hpp"
#include "detail/sha256.hpp"
#include "tables/table_files.hpp"

namespace cybercover {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLineWidth = 100;

std::string file_name(std::string_view table) {
  std::string name(table);
  if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) name += ".json";
  return name;
}

std::string table_name(const std::string& file) { return file.substr(0, file.size() - 5); }

// Parses a table file as the loader does first (malformed text, duplicate names, depth and
// size limits give the loader's errors), then as a document to edit.
TableDocument parse_file(const std::string& bytes, const std::string& display_path) {
  if (bytes.size() > detail::kMaxTableFileBytes)
    throw Error(ErrorCode::kTableTooLarge, display_path,
                "is " + std::to_string(bytes.size()) + " bytes; a table file may have at most " +
                    std::to_string(detail::kMaxTableFileBytes));
  try {
    detail::JsonDoc::parse(bytes, detail::JsonDoc::ParseOptions{});
  } catch (const detail::JsonDoc::TooManyValues& e) {
    throw Error(ErrorCode::kTableTooLarge, display_path, e.what());
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::kTableMalformedJson, display_path, std::string("malformed JSON: ") + e.what());
  }
  try {
    return TableDocument::parse(bytes);
  } catch (const nlohmann::json::out_of_range& e) {
    // Well-formed JSON that a double cannot hold (1e400): the loader would name the key.
    throw Error(ErrorCode::kTableNumberOutOfRange, display_path, std::string("holds a number beyond a double: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kTableMalformedJson, display_path, std::string("cannot be edited as a document: ") + e.what());
  }
}

// ---- canonical text ------------------------------------------------------------------------
std::string scalar_text(const TableDocument& v) {
  // nlohmann writes the shortest text that reads back as the same double, and integers as
  // integers; strings as UTF-8 with the JSON escapes.
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

std::string inline_text(const TableDocument& v) {
  if (v.is_object()) {
    if (v.empty()) return "{}";
    std::string out = "{";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += first ? "" : ", ";
      first = false;
      out += scalar_text(TableDocument(it.key())) + ": " + inline_text(it.value());
    }
    return out + "}";
  }
  if (v.is_array()) {
    if (v.empty()) return "[]";
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + inline_text(v[i]);
    return out + "]";
  }
  return scalar_text(v);
}

void write_value(std::string& out, const TableDocument& v, std::size_t indent, std::size_t column, bool top) {
  if (!v.is_structured()) {
    out += scalar_text(v);
    return;
  }
  if (!top) {
    const std::string one_line = inline_text(v);
    if (column + one_line.size() <= kLineWidth) {
      out += one_line;
      return;
    }
  }
  const std::string pad(indent + 2, ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      const std::string key = scalar_text(TableDocument(it.key())) + ": ";
      out += pad + key;
      write_value(out, it.value(), indent + 2, indent + 2 + key.size(), false);
    }
    out += "\n" + std::string(indent, ' ') + "}";
  } else {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ",\n";
      out += pad;
      write_value(out, v[i], indent + 2, indent + 2, false);
    }
    out += "\n" + std::string(indent, ' ') + "]";
  }
}

// ---- paths ---------------------------------------------------------------------------------
struct PathStep {
  bool index = false;
  std::size_t position = 0;
  std::string key;
};

std::vector<PathStep> parse_path(std::string_view path, const std::string& where) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  auto bad = [&](const std::string& why) {
    throw Error(ErrorCode::kTableInvalidValue, where, "bad path: " + why, quote_for_message(path));
  };
  while (i < path.size()) {
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string_view::npos || close == i + 1) bad("an index must be written [n]");
      PathStep s;
      s.index = true;
      for (std::size_t k = i + 1; k < close; ++k) {
        if (path[k] < '0' || path[k] > '9') bad("an index must be a whole number");
        s.position = s.position * 10 + static_cast<std::size_t>(path[k] - '0');
      }
      steps.push_back(s);
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
    } else {
      std::size_t end = i;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      if (end == i) bad("an empty key");
      PathStep s;
      s.key = std::string(path.substr(i, end - i));
      steps.push_back(std::move(s));
      i = end;
      if (i < path.size() && path[i] == '.') {
        ++i;
        if (i == path.size()) bad("ends with a dot");
      }
    }
  }
  return steps;
}

template <typename Doc>
Doc& walk(Doc& root, std::string_view path, const std::string& where) {
  Doc* at = &root;
  std::string walked;
  for (const PathStep& s : parse_path(path, where)) {
    if (s.index) {
      if (!at->is_array() || s.position >= at->size())
        throw Error(ErrorCode::kTableMissingKey, where + (walked.empty() ? "" : ": " + walked),
                    at->is_array() ? "has " + std::to_string(at->size()) + " elements, no [" + std::to_string(s.position) + "]"
                                   : "is not an array");
      at = &(*at)[s.position];
      walked += "[" + std::to_string(s.position) + "]";
    } else {
      if (!at->is_object() || !at->contains(s.key))
        throw Error(ErrorCode::kTableMissingKey, where + (walked.empty() ? "" : ": " + walked),
                    at->is_object() ? "has no key \"" + s.key + "\"" : "is not an object");
      at = &(*at)[s.key];
      walked += (walked.empty() ? "" : ".") + s.key;
    }
  }
  return *at;
}

// ---- diff ----------------------------------------------------------------------------------
constexpr const char* kIdentityKeys[] = {"key",         "id",             "tier",           "number",
                                         "limit_yen",   "deductible_yen", "max_revenue_yen", "max_employees",
                                         "min_score"};

// The identity member the elements of an array share (every element an object holding it,
// each value distinct), or "".
std::string identity_of(const TableDocument& a, const TableDocument& b) {
  for (const char* key : kIdentityKeys) {
    bool all = true;
    std::set<std::string> seen_a, seen_b;
    for (const TableDocument* arr : {&a, &b})
      for (const auto& e : *arr) {
        if (!e.is_object() || !e.contains(key) || e[key].is_structured()) {
          all = false;
          break;
        }
        auto& seen = arr == &a ? seen_a : seen_b;
        if (!seen.insert(scalar_text(e[key])).second) all = false;
      }
    if (all && (!a.empty() || !b.empty())) return key;
  }
  return "";
}

bool all_strings(const TableDocument& a) {
  for (const auto& e : a)
    if (!e.is_string()) return false;
  return true;
}

std::string identity_label(const std::string& key, const TableDocument& value) {
  return key + "=" + (value.is_string() ? value.get<std::string>() : scalar_text(value));
}

void diff_values(const std::string& table, const std::string& path, const TableDocument* a, const TableDocument* b,
                 std::vector<EditionChange>& out) {
  auto add = [&](EditionChange::Kind kind) {
    EditionChange c;
    c.kind = kind;
    c.table = table;
    c.path = path;
    if (a) c.before = *a;
    if (b) c.after = *b;
    out.push_back(std::move(c));
  };
  if (!a || !b) {
    // An optional key given as null means the same as an absent one (docs/tables.md).
    if ((a && a->is_null()) || (b && b->is_null())) return;
    add(a ? EditionChange::Kind::kRemoved : EditionChange::Kind::kAdded);
    return;
  }
  auto join = [&](const std::string& step) { return path.empty() ? step : path + (step[0] == '[' ? "" : ".") + step; };
  if (a->is_object() && b->is_object()) {
    for (auto it = a->begin(); it != a->end(); ++it)
      diff_values(table, join(it.key()), &it.value(), b->contains(it.key()) ? &(*b)[it.key()] : nullptr, out);
    for (auto it = b->begin(); it != b->end(); ++it)
      if (!a->contains(it.key())) diff_values(table, join(it.key()), nullptr, &it.value(), out);
    return;
  }
  if (a->is_array() && b->is_array()) {
    const std::string id = identity_of(*a, *b);
    if (!id.empty()) {
      for (const auto& ea : *a) {
        const TableDocument* match = nullptr;
        for (const auto& eb : *b)
          if (eb[id] == ea[id]) match = &eb;
        diff_values(table, join("[" + identity_label(id, ea[id]) + "]"), &ea, match, out);
      }
      for (const auto& eb : *b) {
        bool found = false;
        for (const auto& ea : *a) found = found || ea[id] == eb[id];
        if (!found) diff_values(table, join("[" + identity_label(id, eb[id]) + "]"), nullptr, &eb, out);
      }
      return;
    }
    if (all_strings(*a) && all_strings(*b)) {  // a set of names (the items of an effort class)
      for (const auto& ea : *a)
        if (std::find(b->begin(), b->end(), ea) == b->end()) diff_values(table, join("[" + ea.get<std::string>() + "]"), &ea, nullptr, out);
      for (const auto& eb : *b)
        if (std::find(a->begin(), a->end(), eb) == a->end()) diff_values(table, join("[" + eb.get<std::string>() + "]"), nullptr, &eb, out);
      return;
    }
    const std::size_t n = std::max(a->size(), b->size());
    for (std::size_t i = 0; i < n; ++i)
      diff_values(table, join("[" + std::to_string(i) + "]"), i < a->size() ? &(*a)[i] : nullptr,
                  i < b->size() ? &(*b)[i] : nullptr, out);
    return;
  }
  // Scalars (or a change of type): equal numbers compare by value, 1.0 == 1.00 == 1.
  if (a->is_number() && b->is_number()) {
    if (a->get<double>() != b->get<double>()) add(EditionChange::Kind::kChanged);
    return;
  }
  if (*a != *b) add(EditionChange::Kind::kChanged);
}

// Writes `bytes` to `path` through a temporary file beside it; the caller renames it.
std::string write_temporary(const std::string& path, const std::string& bytes) {
  std::string pattern = (fs::path(path).parent_path() / ".cybercover-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) throw Error(ErrorCode::kIoCannotWrite, path, std::string("cannot create a file beside it: ") + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      std::remove(buf.data());
      throw Error(ErrorCode::kIoCannotWrite, path, std::string("write failed: ") + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::remove(buf.data());
    throw Error(ErrorCode::kIoCannotWrite, path, "write failed (disk full?)");
  }
  return buf.data();
}

}  // namespace

// ---- EditionDraft --------------------------------------------------------------------------
EditionDraft EditionDraft::load(const std::string& edition_dir) {
  EditionDraft d;
  d.name_ = edition_dir;
  for (const auto& entry : detail::list_directory(edition_dir)) {
    if (!entry.is_regular_file || fs::path(entry.name).extension() != ".json") continue;
    d.files_.emplace(entry.name, parse_file(detail::read_table_file(entry.path), (fs::path(edition_dir) / entry.name).generic_string()));
  }
  return d;
}

EditionDraft EditionDraft::from_tables(const RatingTables& tables) {
  return from_files(tables.files, tables.source_dir.empty() ? tables.edition : tables.source_dir);
}

EditionDraft EditionDraft::from_files(const std::map<std::string, std::string>& files, std::string name) {
  EditionDraft d;
  d.name_ = std::move(name);
  for (const auto& [file, bytes] : files) d.files_.emplace(file, parse_file(bytes, (fs::path(d.name_) / file).generic_string()));
  return d;
}

std::string EditionDraft::edition() const {
  for (const char* preferred : {"questionnaire.json", ""}) {
    for (const auto& [file, doc] : files_)
      if ((*preferred == '\0' || file == preferred) && doc.is_object() && doc.contains("edition") && doc["edition"].is_string())
        return doc["edition"].get<std::string>();
  }
  return "";
}

void EditionDraft::set_identity(const std::string& edition, Date effective_from, std::optional<Date> effective_to) {
  for (auto& [file, doc] : files_) {
    if (!doc.is_object()) continue;
    doc["edition"] = edition;
    doc["effective_from"] = effective_from.to_string();
  }
  set_effective_to(effective_to);
}

void EditionDraft::set_effective_to(std::optional<Date> effective_to) {
  for (auto& [file, doc] : files_) {
    if (!doc.is_object()) continue;
    doc["effective_to"] = effective_to ? TableDocument(effective_to->to_string()) : TableDocument(nullptr);
  }
}

std::vector<std::string> EditionDraft::tables() const {
  std::vector<std::string> out;
  for (const auto& [file, doc] : files_) out.push_back(table_name(file));
  return out;
}

bool EditionDraft::has_table(std::string_view table) const { return files_.count(file_name(table)) > 0; }

TableDocument& EditionDraft::table(std::string_view table) {
  const auto it = files_.find(file_name(table));
  if (it == files_.end())
    throw Error(ErrorCode::kTableMissingFile, (fs::path(name_) / file_name(table)).generic_string(), "table file is missing");
  return it->second;
}

const TableDocument& EditionDraft::table(std::string_view table) const { return const_cast<EditionDraft*>(this)->table(table); }

void EditionDraft::set_table(std::string_view table, TableDocument document) { files_[file_name(table)] = std::move(document); }

TableDocument& EditionDraft::at(std::string_view t, std::string_view path) {
  return walk(table(t), path, (fs::path(name_) / file_name(t)).generic_string());
}

const TableDocument& EditionDraft::at(std::string_view t, std::string_view path) const {
  return const_cast<EditionDraft*>(this)->at(t, path);
}

void EditionDraft::set_decimal(std::string_view t, std::string_view path, Decimal4 value) {
  // The double nearest the decimal prints back as the decimal's own text (at most 19 digits).
  at(t, path) = TableDocument::parse(value.to_string());
}

std::map<std::string, std::string> EditionDraft::files() const {
  std::map<std::string, std::string> out;
  for (const auto& [file, doc] : files_) out.emplace(file, canonical_table_json(doc));
  return out;
}

std::string EditionDraft::sha256() const {
  detail::Sha256 hash;
  for (const auto& [file, bytes] : files()) {
    hash.update(file);
    hash.update(std::string_view("\0", 1));
    hash.update(bytes);
    hash.update(std::string_view("\0", 1));
  }
  return hash.hex_digest();
}

std::shared_ptr<const RatingTables> EditionDraft::build() const { return load_edition_from_files(files(), name_); }

void EditionDraft::save(const std::string& dir) const {
  build();  // an invalid draft writes nothing
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::kIoCannotWrite, dir, "cannot create the directory: " + ec.message());
  const auto files = this->files();
  for (const auto& entry : detail::list_directory(dir))
    if (fs::path(entry.name).extension() == ".json" && !files.count(entry.name))
      throw Error(ErrorCode::kIoCannotWrite, dir,
                  "holds " + entry.name + ", which is not a table of this edition; save into an empty directory");
  std::vector<std::pair<std::string, std::string>> written;  // temporary -> target
  try {
    for (const auto& [file, bytes] : files) {
      const std::string target = (fs::path(dir) / file).string();
      written.emplace_back(write_temporary(target, bytes), target);
    }
  } catch (...) {
    for (const auto& [temp, target] : written) std::remove(temp.c_str());
    throw;
  }
  for (const auto& [temp, target] : written)
    if (std::rename(temp.c_str(), target.c_str()) != 0)
      throw Error(ErrorCode::kIoCannotWrite, target, std::string("cannot replace the file: ") + std::strerror(errno));
}

std::string canonical_table_json(const TableDocument& document) {
  std::string out;
  write_value(out, document, 0, 0, true);
  out += "\n";
  return out;
}

const char* to_string(EditionChange::Kind kind) noexcept {
  switch (kind) {
    case EditionChange::Kind::kChanged: return "changed";
    case EditionChange::Kind::kAdded: return "added";
    case EditionChange::Kind::kRemoved: return "removed";
  }
  return "";
}

std::vector<EditionChange> diff_editions(const EditionDraft& before, const EditionDraft& after) {
  std::vector<EditionChange> out;
  std::set<std::string> names;
  for (const auto& t : before.tables()) names.insert(t);
  for (const auto& t : after.tables()) names.insert(t);
  for (const auto& t : names)
    diff_values(t, "", before.has_table(t) ? &before.table(t) : nullptr, after.has_table(t) ? &after.table(t) : nullptr, out);
  return out;
}

}  // namespace cybercover
