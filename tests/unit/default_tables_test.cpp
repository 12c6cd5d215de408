// default_tables_dir() finds the tables beside the library at run time (docs/install.md):
// in the build tree, the copy the build made; $CYBERCOVER_TABLES overrides it; a bad
// override is an error, never a silent fall-back. (tests/install/test_install.py runs the
// installed library from a moved prefix.)

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

namespace fs = std::filesystem;

// Sets (or unsets) CYBERCOVER_TABLES for one test and restores it afterwards.
class TablesVariable {
 public:
  explicit TablesVariable(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("CYBERCOVER_TABLES")) saved_ = old;
    if (value)
      ::setenv("CYBERCOVER_TABLES", value->c_str(), 1);
    else
      ::unsetenv("CYBERCOVER_TABLES");
  }
  ~TablesVariable() {
    if (saved_)
      ::setenv("CYBERCOVER_TABLES", saved_->c_str(), 1);
    else
      ::unsetenv("CYBERCOVER_TABLES");
  }

 private:
  std::optional<std::string> saved_;
};

TEST(DefaultTables, AreTheBuildTreeCopyBesideTheLibraryNotTheSourceTree) {
  const TablesVariable unset(std::nullopt);
  const std::string dir = default_tables_dir();
  EXPECT_EQ(fs::path(dir), fs::path(CYBERCOVER_BUILD_TABLES_DIR));
  EXPECT_NE(dir.rfind(testing::kSourceDir + "/rating_tables", 0), 0u) << dir;
  // The copy is the source edition byte for byte: the same sha256.
  const Engine engine = Engine::with_default_tables();
  const Date day = *Date::parse("2026-12-15");
  EXPECT_EQ(engine.tables_for(day).source_dir, dir + "/2026-12");
  EXPECT_EQ(engine.tables_for(day).sha256, testing::default_tables().sha256);
}

TEST(DefaultTables, EmptyVariableCountsAsUnset) {
  const TablesVariable empty(std::string{});
  EXPECT_EQ(fs::path(default_tables_dir()), fs::path(CYBERCOVER_BUILD_TABLES_DIR));
}

TEST(DefaultTables, VariableOverridesTheInstalledTables) {
  const std::string editions = std::string(CYBERCOVER_TEST_DATA_DIR) + "/editions";
  const TablesVariable set(editions);
  EXPECT_EQ(default_tables_dir(), editions);
  const Engine engine = Engine::with_default_tables();
  EXPECT_EQ(engine.tables_for(*Date::parse("2027-04-01")).edition, "2027-04");
}

TEST(DefaultTables, VariableNamingNoDirectoryIsAnErrorNotAFallBack) {
  const TablesVariable set("/nonexistent/cybercover-tables");
  try {
    default_tables_dir();
    ADD_FAILURE() << "accepted a CYBERCOVER_TABLES that names no directory";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIoNotADirectory);
    EXPECT_EQ(e.field(), "CYBERCOVER_TABLES");
    EXPECT_STREQ(e.what(),
                 "[cybercover.io.not_a_directory] CYBERCOVER_TABLES: must name a directory of "
                 "rating tables, but it "
                 "is not a directory, got \"/nonexistent/cybercover-tables\"");
  }
  EXPECT_THROW(Engine::with_default_tables(), Error);
}

}  // namespace
}  // namespace cybercover
