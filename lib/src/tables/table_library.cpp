#include "cybercover/tables/table_library.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "cybercover/error.hpp"

#ifndef CYBERCOVER_DEFAULT_TABLES_DIR
#define CYBERCOVER_DEFAULT_TABLES_DIR "rating_tables"
#endif

namespace cybercover {

namespace fs = std::filesystem;

TableLibrary TableLibrary::load(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(ErrorCode::kIoNotADirectory, root, "not a directory");
  std::vector<std::string> edition_dirs;
  bool has_json_files = false;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) edition_dirs.push_back(entry.path().string());
    if (entry.is_regular_file() && entry.path().extension() == ".json") has_json_files = true;
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
  throw Error(ErrorCode::kUnknownEdition, "edition", "no edition with this id is loaded", quote_for_message(id));
}

std::string default_tables_dir() {
  if (const char* env = std::getenv("CYBERCOVER_TABLES"); env && *env) return env;
  return CYBERCOVER_DEFAULT_TABLES_DIR;
}

}  // namespace cybercover
