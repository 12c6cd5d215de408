#include "cybercover/tables/table_library.hpp"

#include "tables/table_files.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "cybercover/error.hpp"

// The default tables' place relative to the directory of the library file and of the
// program file (set by lib/CMakeLists.txt from the install directories, e.g.
// "../share/cybercover/rating_tables"). Never an absolute path: see default_tables_dir().
#ifndef CYBERCOVER_TABLES_FROM_LIBDIR
#define CYBERCOVER_TABLES_FROM_LIBDIR "../share/cybercover/rating_tables"
#endif
#ifndef CYBERCOVER_TABLES_FROM_BINDIR
#define CYBERCOVER_TABLES_FROM_BINDIR "../share/cybercover/rating_tables"
#endif

namespace cybercover {

namespace fs = std::filesystem;

TableLibrary TableLibrary::load(const std::string& root) {
  std::vector<std::string> edition_dirs;
  bool has_json_files = false;
  for (const auto& entry : detail::list_directory(root)) {
    if (entry.is_directory) edition_dirs.push_back(entry.path);
    if (entry.is_regular_file && fs::path(entry.name).extension() == ".json") has_json_files = true;
  }
  if (has_json_files) {
    if (!edition_dirs.empty())
      throw Error(ErrorCode::kTableInvalidValue, root,
                  "holds both table files and edition directories; use one or the other");
    edition_dirs = {root};
  }
  if (edition_dirs.empty()) throw Error(ErrorCode::kTableMissingFile, root, "holds no table edition");
  std::sort(edition_dirs.begin(), edition_dirs.end());
  std::vector<std::shared_ptr<const RatingTables>> editions;
  for (const auto& dir : edition_dirs) editions.push_back(load_edition(dir));
  return from_editions(std::move(editions));
}

TableLibrary TableLibrary::from_editions(std::vector<std::shared_ptr<const RatingTables>> editions) {
  std::sort(editions.begin(), editions.end(),
            [](const auto& a, const auto& b) { return a->in_force.from < b->in_force.from; });
  for (std::size_t i = 0; i < editions.size(); ++i) {
    for (std::size_t j = i + 1; j < editions.size(); ++j) {
      if (editions[i]->edition == editions[j]->edition)
        throw Error(ErrorCode::kTableOverlappingEditions, editions[j]->source_dir,
                    "edition id '" + editions[j]->edition + "' is also used by " + editions[i]->source_dir);
      if (editions[i]->in_force.overlaps(editions[j]->in_force))
        throw Error(ErrorCode::kTableOverlappingEditions, editions[j]->source_dir,
                    "edition '" + editions[j]->edition + "' (from " +
                        editions[j]->in_force.from.to_string() + ") overlaps edition '" +
                        editions[i]->edition + "' (" + editions[i]->in_force.from.to_string() +
                        " to " + (editions[i]->in_force.to ? editions[i]->in_force.to->to_string() : "open") + ")");
    }
  }
  TableLibrary library;
  library.editions_ = std::move(editions);
  return library;
}

std::shared_ptr<const RatingTables> TableLibrary::shared_for_date(Date date) const {
  for (const auto& e : editions_)
    if (e->in_force.contains(date)) return e;
  std::string known;
  for (const auto& e : editions_)
    known += (known.empty() ? "" : ", ") + e->edition + " from " + e->in_force.from.to_string() +
             (e->in_force.to ? " to " + e->in_force.to->to_string() : "");
  throw Error(ErrorCode::kNotInForce, "quote_date", "no table edition is in force on this date (editions: " + known + ")",
              quote_for_message(date.to_string()));
}

const RatingTables& TableLibrary::for_date(Date date) const {
  // Linear scan: a library holds a handful of editions.
  for (const auto& e : editions_)
    if (e->in_force.contains(date)) return *e;
  return *shared_for_date(date);  // throws with the list of editions
}

std::shared_ptr<const RatingTables> TableLibrary::edition(const std::string& id) const {
  for (const auto& e : editions_)
    if (e->edition == id) return e;
  std::string known;
  for (const auto& e : editions_) known += (known.empty() ? "" : ", ") + e->edition;
  throw Error(ErrorCode::kUnknownEdition, "edition", "no edition with this id is loaded (editions: " + known + ")",
              quote_for_message(id));
}

namespace {

// Any object of this library: dladdr maps its address to the file the library was loaded from.
const char kLocationAnchor = 0;

std::optional<fs::path> program_file() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return std::nullopt;
  return exe;
}

// The shared library's own file; nullopt when this code was linked into the program itself
// (a static libcybercover.a), where dladdr would only name the program (possibly by a
// relative argv[0]).
std::optional<fs::path> library_file(const std::optional<fs::path>& program) {
  Dl_info info{};
  if (dladdr(&kLocationAnchor, &info) == 0 || info.dli_fname == nullptr || *info.dli_fname == '\0')
    return std::nullopt;
  std::error_code ec;
  const fs::path file = fs::absolute(info.dli_fname, ec);
  if (ec) return std::nullopt;
  if (program && fs::equivalent(file, *program, ec)) return std::nullopt;
  return file;
}

struct Candidate {
  fs::path dir;
  std::string reason;  // for the error message: what it is relative to
};

void add_candidates(std::vector<Candidate>& out, const fs::path& loaded, const char* relative, const char* what) {
  // The directory as loaded (<prefix>/bin/../lib/... reads <prefix>/lib/...), then with
  // symbolic links resolved: a library symlinked into another prefix keeps its tables
  // beside its real file.
  std::error_code ec;
  const fs::path file = loaded.lexically_normal();
  const fs::path real = fs::canonical(file, ec);
  for (const fs::path& f : {file, ec ? file : real}) {
    const fs::path dir = (f.parent_path() / relative).lexically_normal();
    const bool seen = std::any_of(out.begin(), out.end(), [&](const Candidate& c) { return c.dir == dir; });
    if (!seen) out.push_back({dir, std::string("next to the ") + what + " " + f.generic_string()});
  }
}

}  // namespace

std::string default_tables_dir() {
  std::error_code ec;
  if (const char* env = std::getenv("CYBERCOVER_TABLES"); env && *env) {
    // An explicit choice: never fall back to other tables behind the user's back.
    if (!fs::is_directory(env, ec))
      throw Error(ErrorCode::kIoNotADirectory, "CYBERCOVER_TABLES",
                  "must name a directory of rating tables, but it is not a directory", quote_for_message(env));
    return env;
  }
  const std::optional<fs::path> program = program_file();
  std::vector<Candidate> candidates;
  if (const auto library = library_file(program)) add_candidates(candidates, *library, CYBERCOVER_TABLES_FROM_LIBDIR, "library");
  if (program) add_candidates(candidates, *program, CYBERCOVER_TABLES_FROM_BINDIR, "program");
  std::string looked_at;
  for (const Candidate& c : candidates) {
    if (fs::is_directory(c.dir, ec)) return c.dir.generic_string();
    looked_at += (looked_at.empty() ? "" : ", ") + c.dir.generic_string() + " (" + c.reason + ")";
  }
  if (looked_at.empty()) looked_at = "nowhere (the library could not tell where it or the program is)";
  throw Error(ErrorCode::kIoNotADirectory, "default tables",
              "no default rating tables found; looked at " + looked_at +
                  "; set CYBERCOVER_TABLES to a tables directory, or load one with TableLibrary::load");
}

}  // namespace cybercover
