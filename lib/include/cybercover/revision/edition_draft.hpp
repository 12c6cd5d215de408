#pragma once
// An edition as editable data, for rate revision (docs/rate_revision.md): its table files as
// JSON documents that a program changes — a factor, a row, a band — then checks with the
// library's own loader (the same errors as `cybercover tables check`), saves as canonical JSON
// and hashes, compares with another edition row by row, and prices with, in memory.
//
// Example: lower the tier-A top-up factor and price with the result.
//   auto draft = cybercover::EditionDraft::load("rating_tables/2026-12");
//   draft.set_identity("2027-04", *cybercover::Date::parse("2027-04-01"), std::nullopt);
//   draft.at("top_up", "tier_factors.A") = 0.45;
//   auto edition = draft.build();                     // throws the loader's table.* Error
//   cybercover::Engine engine(cybercover::TableLibrary::from_editions({edition}));
//   draft.save("rating_tables/2027-04");              // canonical JSON, sha256 == edition->sha256

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cybercover/date.hpp"
#include "cybercover/exact.hpp"
#include "cybercover/tables/rating_tables.hpp"

namespace cybercover {

// One table document: members in the order written (files keep their layout of keys).
using TableDocument = nlohmann::ordered_json;

class EditionDraft {
 public:
  // Reads the *.json files of an edition directory, parsed but not validated (build() checks).
  // Throws io.* for an unreadable directory or file and table.malformed_json for a file that
  // is not JSON, naming the file.
  static EditionDraft load(const std::string& edition_dir);
  // The files a loaded edition was read from (RatingTables::files).
  static EditionDraft from_tables(const RatingTables& tables);
  // Files by name ("top_up.json" -> bytes); `name` names the files in errors ("<name>/top_up.json").
  static EditionDraft from_files(const std::map<std::string, std::string>& files, std::string name);

  // The name files get in error messages (the source directory, or what from_files was given).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // The "edition" of the files (that of questionnaire.json when they disagree: build() says so).
  std::string edition() const;
  // Sets "edition", "effective_from" and "effective_to" (nullopt: open-ended) in every file.
  void set_identity(const std::string& edition, Date effective_from, std::optional<Date> effective_to);
  // Sets only "effective_to" in every file (closing an edition when the next one ships).
  void set_effective_to(std::optional<Date> effective_to);

  // Table names ("top_up"), in file-name order.
  std::vector<std::string> tables() const;
  bool has_table(std::string_view table) const;
  // The document of a table, by name ("top_up" or "top_up.json"); throws table.missing_file.
  TableDocument& table(std::string_view table);
  const TableDocument& table(std::string_view table) const;
  // Adds or replaces a table document.
  void set_table(std::string_view table, TableDocument document);

  // The value at a path spelled as the loader's errors spell it: "sections[1].limits[2].factor"
  // (keys with dots, 0-based indices). Throws table.missing_key naming the table, the path and
  // the first step that does not exist.
  TableDocument& at(std::string_view table, std::string_view path);
  const TableDocument& at(std::string_view table, std::string_view path) const;
  // Sets a factor exactly as its decimal text (1.39, never 1.3899999...).
  void set_decimal(std::string_view table, std::string_view path, Decimal4 value);

  // The files as canonical JSON (name -> bytes): 2-space indentation, members in their order,
  // a container on one line when it fits in 100 columns, UTF-8 text as is, numbers in their
  // shortest exact form. The same documents always give the same bytes.
  std::map<std::string, std::string> files() const;
  // The SHA-256 of those files, taken as the loader takes an edition's (docs/rating_rules.md §0):
  // what build()'s RatingTables::sha256 and a saved directory's `tables check` say.
  std::string sha256() const;

  // Validates the files with the library's loader and returns the edition; throws the
  // loader's Error (table.*, the field naming "<name>/<file>: key"), exactly as loading the
  // saved directory would.
  std::shared_ptr<const RatingTables> build() const;

  // Writes the canonical files into `dir` (created when missing), each through a temporary
  // file renamed into place; *.json files in `dir` that the draft does not have are removed,
  // so the directory holds exactly this edition. Validates first (build()): an invalid draft
  // writes nothing. Throws io.cannot_write.
  void save(const std::string& dir) const;

 private:
  std::string name_;
  std::map<std::string, TableDocument> files_;  // by file name: "top_up.json"
};

// The canonical text of one table document (EditionDraft::files()).
std::string canonical_table_json(const TableDocument& document);

// One difference between two editions, at the level of a table row's value.
struct EditionChange {
  enum class Kind { kChanged, kAdded, kRemoved };
  Kind kind = Kind::kChanged;
  std::string table;  // "top_up"
  // Where: array elements that are rows with an identity are named by it, so an inserted row
  // does not shift the others: "sections[key=liability].limits[limit_yen=300000000].factor",
  // "tier_factors.A", "revenue_bands[max_revenue_yen=50000000].base_premium_yen.liability".
  std::string path;
  std::optional<TableDocument> before, after;  // absent for an added / removed value
};
const char* to_string(EditionChange::Kind kind) noexcept;  // "changed", "added", "removed"

// The differences from `before` to `after`, table by table (file-name order), then in the
// order of the documents. Rows of an array are matched by their identity member (key, id,
// tier, number, limit_yen, deductible_yen, max_revenue_yen, max_employees, min_score), else by
// position. The edition's own id and dates are compared too.
std::vector<EditionChange> diff_editions(const EditionDraft& before, const EditionDraft& after);

}  // namespace cybercover
