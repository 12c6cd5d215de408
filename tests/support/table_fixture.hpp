#pragma once
// Copies of the default edition that a test can change and reload.

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "cybercover/quote/engine.hpp"

namespace cybercover::testing {

inline const std::string kSourceDir = CYBERCOVER_SOURCE_DIR;
inline const std::string kDefaultEditionDir = kSourceDir + "/rating_tables/2026-12";

// The engine over the default tables, loaded once per test program.
inline const Engine& default_engine() {
  static const Engine engine(TableLibrary::load(kSourceDir + "/rating_tables"));
  return engine;
}

// The default edition (the one in force on 2026-12-15).
inline const RatingTables& default_tables() { return default_engine().tables_for(*Date::parse("2026-12-15")); }

// A scratch directory holding a copy of the default edition, removed on destruction.
class EditionCopy {
 public:
  explicit EditionCopy(const std::string& name) {
    root_ = std::filesystem::temp_directory_path() / ("cybercover_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    dir_ = root_ / "2026-12";
    std::filesystem::copy(kDefaultEditionDir, dir_);
  }
  ~EditionCopy() { std::filesystem::remove_all(root_); }

  std::string dir() const { return dir_.string(); }
  std::string root() const { return root_.string(); }
  std::string file(const std::string& table) const { return (dir_ / (table + ".json")).string(); }

  // Loads a table file, applies `change`, writes it back.
  void edit(const std::string& table, const std::function<void(nlohmann::json&)>& change) const {
    nlohmann::json j;
    {
      std::ifstream in(file(table));
      j = nlohmann::json::parse(in);
    }
    change(j);
    std::ofstream(file(table)) << j.dump(2);
  }
  void write_raw(const std::string& table, const std::string& text) const { std::ofstream(file(table)) << text; }

 private:
  std::filesystem::path root_;
  std::filesystem::path dir_;
};

}  // namespace cybercover::testing
