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

// Returns the directory of the default tables: $CYBERCOVER_TABLES if set, else the
// directory compiled in at build time.
std::string default_tables_dir();

}  // namespace cybercover
