// Editions as editable data (cybercover/revision/edition_draft.hpp): a draft read from a
// directory builds to the same edition as the loader gives, changes go in exactly, the
// loader's own errors come back, canonical JSON is stable and hashes as the loader hashes,
// diffs name rows by identity, and engines are built from editions held in memory.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cybercover/cybercover.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

namespace fs = std::filesystem;
using testing::kDefaultEditionDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(to_string(e.code())) + " | " + e.what();
  }
  return "no error";
}

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("cybercover_draft_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& sub) const { return (path_ / sub).string(); }

 private:
  fs::path path_;
};

TEST(EditionDraft, BuildsTheEditionTheLoaderLoadsAndPricesTheSame) {
  const EditionDraft draft = EditionDraft::load(kDefaultEditionDir);
  EXPECT_EQ(draft.edition(), "2026-12");
  EXPECT_EQ(draft.tables().size(), 8u);
  const auto built = draft.build();
  EXPECT_EQ(built->sha256, draft.sha256());  // the hash of the canonical files
  const Engine from_draft(TableLibrary::from_editions({built}));
  const RatingTables& shipped = testing::default_tables();
  const QuoteRequest r = testing::worked_example_1(shipped);
  const Quote a = testing::default_engine().quote(r), b = from_draft.quote(r);
  EXPECT_EQ(a.top_up->annual_premium_yen, 35'800);
  EXPECT_EQ(b.top_up->annual_premium_yen, 35'800);
  EXPECT_EQ(b.top_up->payable_annual_yen, a.top_up->payable_annual_yen);
  EXPECT_EQ(b.base_cover->monthly_premium_yen, 765);
  // from_tables: the files a loaded edition was read from, the same documents.
  EXPECT_EQ(EditionDraft::from_tables(shipped).sha256(), draft.sha256());
}

TEST(EditionDraft, CanonicalJsonIsStableAndSavedFilesLoadWithTheSameHash) {
  const EditionDraft draft = EditionDraft::load(kDefaultEditionDir);
  const auto files = draft.files();
  // Idempotent: the canonical text of the canonical text is itself.
  const EditionDraft again = EditionDraft::from_files(files, "again");
  EXPECT_EQ(again.files(), files);
  EXPECT_EQ(again.sha256(), draft.sha256());
  // The layout: 2-space indentation, short containers on one line, members in their order.
  const std::string& top_up = files.at("top_up.json");
  EXPECT_EQ(top_up.rfind("{\n  \"table\": \"top_up\",\n  \"edition\": \"2026-12\",\n", 0), 0u);
  EXPECT_NE(top_up.find("\"tier_factors\": {\"A\": 0.55, \"B\": 0.75, \"C\": 1.0, \"D\": 1.25, \"E\": 1.5},\n"), std::string::npos);
  EXPECT_NE(top_up.find("        {\"limit_yen\": 300000000, \"factor\": 1.45},\n"), std::string::npos);
  EXPECT_NE(files.at("subsidies.json").find("\"name_ja\": \"中小企業サイバー保険料補助（2026年度）\""), std::string::npos);
  // Saved, the directory loads with the draft's hash and `tables check` would say so.
  ScratchDir dir("save");
  draft.save(dir / "2026-12");
  const auto loaded = load_edition(dir / "2026-12");
  EXPECT_EQ(loaded->sha256, draft.sha256());
  for (const auto& [name, bytes] : files) {
    std::ifstream in(dir / ("2026-12/" + name), std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes) << name;
  }
}

TEST(EditionDraft, ChangesGoInExactlyByTheLoadersPaths) {
  EditionDraft draft = EditionDraft::load(kDefaultEditionDir);
  EXPECT_EQ(draft.at("top_up", "sections[1].limits[2].factor"), 1.0);  // response ¥30M
  EXPECT_EQ(draft.at("top_up.json", "tier_factors.A"), 0.55);
  draft.set_decimal("top_up", "industry_factors.retail", Decimal4::from_scaled(13'900));
  draft.set_decimal("top_up", "tier_factors.E", Decimal4::from_scaled(18'000));
  draft.at("top_up", "revenue_bands[0].base_premium_yen.liability") = 5'000;
  draft.at("base_cover", "plans.edr.monthly_rate.per_covered_endpoint_yen") = 25;
  draft.table("top_up")["sections"][0]["limits"].insert(draft.table("top_up")["sections"][0]["limits"].begin() + 4,
                                                        TableDocument{{"limit_yen", 200'000'000}, {"factor", 1.12}});
  draft.set_identity("2027-04", *Date::parse("2027-04-01"), std::nullopt);
  const auto t = draft.build();
  EXPECT_EQ(t->edition, "2027-04");
  EXPECT_EQ(t->in_force.from, *Date::parse("2027-04-01"));
  EXPECT_EQ(t->top_up.industry_factors[static_cast<std::size_t>(t->underwriting.industry_index("retail"))].scaled(), 13'900);
  EXPECT_EQ(t->top_up.tier_factors[4].scaled(), 18'000);
  EXPECT_EQ(t->top_up.revenue_bands[0].base_premium_yen[0], 5'000);
  EXPECT_EQ(t->base_cover.plans[static_cast<std::size_t>(BundlePlan::kEdr)].rate_per_covered_endpoint_yen, 25);
  ASSERT_EQ(t->top_up.sections[0].limits.size(), 7u);
  EXPECT_EQ(t->top_up.sections[0].limits[4].amount_yen, 200'000'000);
  EXPECT_EQ(t->top_up.sections[0].limits[4].factor.scaled(), 11'200);
  EXPECT_NE(draft.files().at("top_up.json").find("\"retail\": 1.39"), std::string::npos);
  // A path that does not exist names the table, the path walked and the missing step.
  EXPECT_EQ(error_of([&] { draft.at("top_up", "sections[7].limits"); }),
            "table.missing_key | [cybercover.table.missing_key] " + kDefaultEditionDir +
                "/top_up.json: sections: has 3 elements, no [7]");
  EXPECT_EQ(error_of([&] { draft.at("top_up", "tier_factors.Z"); }),
            "table.missing_key | [cybercover.table.missing_key] " + kDefaultEditionDir +
                "/top_up.json: tier_factors: has no key \"Z\"");
  EXPECT_EQ(error_of([&] { draft.table("policy"); }),
            "table.missing_file | [cybercover.table.missing_file] " + kDefaultEditionDir + "/policy.json: table file is missing");
}

TEST(EditionDraft, ValidatesWithTheLoadersOwnErrors) {
  ScratchDir dir("errors");
  struct Case {
    std::string what;
    std::function<void(EditionDraft&)> change;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"a zero factor", [](EditionDraft& d) { d.at("top_up", "tier_factors.A") = 0; }, "table.below_minimum"},
      {"five decimals", [](EditionDraft& d) { d.at("top_up", "tier_factors.A") = 0.55555; }, "table.invalid_value"},
      {"a yen amount as a fraction", [](EditionDraft& d) { d.at("top_up", "minimum_premium_yen") = 15000.5; }, "table.not_integer"},
      {"an unknown key", [](EditionDraft& d) { d.table("top_up")["rebate"] = 1; }, "table.unknown_key"},
      {"limits out of order",
       [](EditionDraft& d) { d.at("top_up", "sections[0].limits[0].limit_yen") = 600'000'000; }, "table.not_increasing"},
      {"a renewal cap above 100% decrease",
       [](EditionDraft& d) { d.table("top_up")["renewal_cap"] = {{"max_increase", 0.25}, {"max_decrease", 1.5}}; },
       "table.above_maximum"},
      {"editions that disagree", [](EditionDraft& d) { d.at("posture", "edition") = "2027-04"; }, "table.inconsistent"},
      {"a missing tier factor", [](EditionDraft& d) { d.table("top_up")["tier_factors"].erase("E"); }, "table.missing_key"},
  };
  for (const Case& c : cases) {
    EditionDraft draft = EditionDraft::load(kDefaultEditionDir);
    draft.set_name(dir / "2026-12");
    c.change(draft);
    const std::string from_draft = error_of([&] { draft.build(); });
    EXPECT_EQ(from_draft.substr(0, c.code.size()), c.code) << c.what << ": " << from_draft;
    // The same text, written as the draft writes it, gives the loader's same error.
    fs::remove_all(dir / "2026-12");
    fs::create_directories(dir / "2026-12");
    for (const auto& [name, bytes] : draft.files()) std::ofstream(dir / ("2026-12/" + name), std::ios::binary) << bytes;
    EXPECT_EQ(error_of([&] { TableLibrary::load(dir.str()); }), from_draft) << c.what;
    // And save() refuses it, writing nothing.
    ScratchDir out("refused");
    EXPECT_EQ(error_of([&] { draft.save(out / "e"); }), from_draft) << c.what;
    EXPECT_FALSE(fs::exists(out / "e"));
  }
  // Text that is not JSON, or repeats a key, is refused on reading, as the loader does.
  std::map<std::string, std::string> files = EditionDraft::load(kDefaultEditionDir).files();
  files["top_up.json"] = "{\"table\": \"top_up\", \"table\": \"top_up\"}";
  const std::string duplicate = error_of([&] { EditionDraft::from_files(files, "dup"); });
  EXPECT_EQ(duplicate, error_of([&] { load_edition_from_files(files, "dup"); }));
  EXPECT_EQ(duplicate.substr(0, 20), "table.malformed_json");
}

TEST(EditionDraft, SaveNeverClobbersAnotherEditionsFiles) {
  ScratchDir dir("clobber");
  const EditionDraft draft = EditionDraft::load(kDefaultEditionDir);
  fs::create_directories(dir / "e");
  std::ofstream(dir / "e/policy.json") << "{}";
  EXPECT_EQ(error_of([&] { draft.save(dir / "e"); }).substr(0, 15), "io.cannot_write");
  EXPECT_FALSE(fs::exists(dir / "e/top_up.json"));
  fs::remove(dir / "e/policy.json");
  draft.save(dir / "e");
  draft.save(dir / "e");  // over its own files: fine
  EXPECT_EQ(load_edition(dir / "e")->sha256, draft.sha256());
}

TEST(EditionDraft, DiffNamesRowsByTheirIdentity) {
  const EditionDraft before = EditionDraft::load(kDefaultEditionDir);
  EditionDraft after = before;
  after.set_decimal("top_up", "tier_factors.A", Decimal4::from_scaled(4'500));
  auto& limits = after.table("top_up")["sections"][0]["limits"];
  limits.insert(limits.begin() + 4, TableDocument{{"limit_yen", 200'000'000}, {"factor", 1.12}});
  after.table("top_up")["sections"][1]["deductibles"].erase(4);  // response ¥1M
  after.at("top_up", "revenue_bands[7].base_premium_yen.response") = 90'000;
  after.at("top_up", "tier_factors.C") = 1;  // 1 == 1.0: no change
  const auto changes = diff_editions(before, after);
  std::vector<std::string> lines;
  for (const auto& c : changes)
    lines.push_back(std::string(to_string(c.kind)) + " " + c.table + " " + c.path + " " +
                    (c.before ? c.before->dump() : "-") + " -> " + (c.after ? c.after->dump() : "-"));
  const std::vector<std::string> expected = {
      "added top_up sections[key=liability].limits[limit_yen=200000000] - -> {\"limit_yen\":200000000,\"factor\":1.12}",
      "removed top_up sections[key=response].deductibles[deductible_yen=1000000] {\"deductible_yen\":1000000,\"factor\":0.8} -> -",
      "changed top_up revenue_bands[max_revenue_yen=10000000000].base_premium_yen.response 102000 -> 90000",
      "changed top_up tier_factors.A 0.55 -> 0.45",
  };
  EXPECT_EQ(lines, expected);
  EXPECT_TRUE(diff_editions(before, before).empty());
}

TEST(EditionDraft, EnginesFromEditionsInMemoryPickByDateAndByName) {
  EditionDraft old_edition = EditionDraft::load(kDefaultEditionDir);
  old_edition.set_effective_to(*Date::parse("2027-03-31"));
  EditionDraft next = EditionDraft::load(kDefaultEditionDir);
  next.set_identity("2027-04", *Date::parse("2027-04-01"), std::nullopt);
  next.set_decimal("top_up", "tier_factors.A", Decimal4::from_scaled(4'500));
  const Engine engine(TableLibrary::from_editions({old_edition.build(), next.build()}));
  QuoteRequest r = testing::worked_example_1(engine.tables_for(*Date::parse("2026-12-15")));
  EXPECT_EQ(engine.quote(r).tables->edition, "2026-12");
  r.quote_date = *Date::parse("2027-04-01");
  r.subsidy_program.reset();
  const Quote q = engine.quote(r);
  EXPECT_EQ(q.tables->edition, "2027-04");
  EXPECT_EQ(q.tables->sha256, next.sha256());
  // 37,000 x 1 x 0.45 = 16,650; 30,000 x 0.45 x 0.6 x 0.9 = 7,290; 17,000 x 0.45 x 0.9 = 6,885 -> 6,890;
  // round10(30,830 x 0.95 = 29,288.5) = 29,290.
  EXPECT_EQ(q.top_up->sections[0].annual_premium_yen, 16'650);
  EXPECT_EQ(q.top_up->sections[1].annual_premium_yen, 7'290);
  EXPECT_EQ(q.top_up->sections[2].annual_premium_yen, 6'890);
  EXPECT_EQ(q.top_up->annual_premium_yen, 29'290);
  // Overlapping in-memory editions are refused as on disk.
  EditionDraft overlapping = next;
  overlapping.set_identity("2027-05", *Date::parse("2027-03-01"), std::nullopt);
  EXPECT_EQ(error_of([&] { TableLibrary::from_editions({old_edition.build(), overlapping.build()}); }).substr(0, 27),
            "table.overlapping_editions ");
}

}  // namespace
}  // namespace cybercover
