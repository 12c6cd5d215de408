#pragma once
// Several editions side by side; a quote date picks the edition in force that day.

#include <memory>
#include <string>
#include <vector>

#include "cybercover/tables/rating_tables.hpp"

namespace cybercover {

// Example:
//   auto library = cybercover::TableLibrary::load("rating_tables");
//   const RatingTables& t = library.for_date(*Date::parse("2026-12-15"));
class TableLibrary {
 public:
  // Loads every edition sub-directory of `root` (a directory holding *.json files directly
  // is taken as a single edition). Rejects editions whose date ranges overlap.
  static TableLibrary load(const std::string& root);
  // Builds a library from already loaded editions (checks overlaps).
  static TableLibrary from_editions(std::vector<std::shared_ptr<const RatingTables>> editions);

  // Returns the edition in force on `date`; throws Error{kNoEdition} if there is none.
  const RatingTables& for_date(Date date) const;
  std::shared_ptr<const RatingTables> shared_for_date(Date date) const;
  // Returns the edition with this id; throws Error{kNoEdition} if absent.
  std::shared_ptr<const RatingTables> edition(const std::string& id) const;

  const std::vector<std::shared_ptr<const RatingTables>>& editions() const { return editions_; }

 private:
  std::vector<std::shared_ptr<const RatingTables>> editions_;  // sorted by effective_from
};

// Returns the directory of the default tables, looked up at run time (docs/install.md):
//   1. $CYBERCOVER_TABLES when set and not empty (it must be a directory; no fall-back);
//   2. <directory of libcybercover.so>/../share/cybercover/rating_tables, i.e. where
//      `cmake --install` put them beside the library, wherever the prefix now is (the build
//      tree has the same layout, with a copy of the source tables);
//   3. <directory of the program>/../share/cybercover/rating_tables (a program that links
//      the library statically and is installed in <prefix>/bin).
// Throws Error{io.not_a_directory} listing every place it looked at when none exists.
// Example:
//   auto engine = cybercover::Engine(cybercover::TableLibrary::load(cybercover::default_tables_dir()));
std::string default_tables_dir();

}  // namespace cybercover
