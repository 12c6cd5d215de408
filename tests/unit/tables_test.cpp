// Loading rejects every kind of bad table with the file, the key and the reason.

#include <gtest/gtest.h>

#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "detail/sha256.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using nlohmann::json;
using testing::EditionCopy;

// Applies `change` to `table` in a fresh copy and expects loading to fail naming all `parts`.
void expect_rejected(const std::string& table, const std::function<void(json&)>& change,
                     const std::vector<std::string>& parts) {
  EditionCopy copy("reject");
  copy.edit(table, change);
  try {
    load_edition(copy.dir());
    ADD_FAILURE() << "loading accepted a bad " << table << " table; expected: " << parts[0];
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTable) << e.what();
    EXPECT_NE(std::string(e.what()).find(copy.file(table)), std::string::npos) << e.what();
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what() << "\nlacks: " << part;
  }
}

TEST(Tables, LoadsTheDefaultEdition) {
  const auto t = load_edition(testing::kDefaultEditionDir);
  EXPECT_EQ(t->edition, "2026-12");
  EXPECT_EQ(t->in_force.from.to_string(), "2026-12-01");
  ASSERT_TRUE(t->in_force.to);  // 2027-04 follows it
  EXPECT_EQ(t->in_force.to->to_string(), "2027-03-31");
  EXPECT_EQ(t->questionnaire.domains.size(), 24u);
  EXPECT_EQ(t->questionnaire.items.size(), 98u);
  EXPECT_EQ(t->questionnaire.total_points, 1000);
  EXPECT_EQ(t->sha256.size(), 64u);
  EXPECT_EQ(t->posture.tiers.size(), 5u);
  EXPECT_EQ(t->top_up.sections.size(), 3u);
  EXPECT_EQ(t->underwriting.industries.size(), 12u);
  int one_star = 0, two_star = 0;
  for (const auto& item : t->questionnaire.items) {
    one_star += item.security_action == SecurityAction::kOneStar;
    two_star += item.security_action == SecurityAction::kTwoStar;
  }
  EXPECT_EQ(one_star, 5);
  EXPECT_GE(two_star, 3);
}

TEST(Tables, HashIsOverFileNamesAndBytesAndChangesWithAnyByte) {
  EditionCopy copy("hash");
  const auto original = load_edition(copy.dir());
  EXPECT_EQ(original->sha256, load_edition(testing::kDefaultEditionDir)->sha256);
  // Recompute by the manual's rule: sorted relative paths, path NUL bytes NUL.
  std::string fed;
  for (const auto& [name, bytes] : original->files) fed += name + std::string(1, '\0') + bytes + std::string(1, '\0');
  EXPECT_EQ(original->files.size(), 8u);
  detail::Sha256 hash;
  hash.update(fed);
  EXPECT_EQ(hash.hex_digest(), original->sha256);
  copy.edit("top_up", [](json& j) { j["minimum_premium_yen"] = 15010; });
  EXPECT_NE(load_edition(copy.dir())->sha256, original->sha256);
}

TEST(Tables, RejectsMissingKeys) {
  expect_rejected("top_up", [](json& j) { j.erase("minimum_premium_yen"); }, {"minimum_premium_yen", "required field is missing"});
  expect_rejected("posture", [](json& j) { j["utm"].erase("managed_points"); }, {"utm.managed_points", "missing"});
  expect_rejected("questionnaire", [](json& j) { j["items"][3].erase("points"); }, {"items[3].points", "missing"});
}

TEST(Tables, RejectsWrongTypes) {
  expect_rejected("top_up", [](json& j) { j["minimum_premium_yen"] = "15000"; }, {"minimum_premium_yen", "must be an integer", "\"15000\""});
  expect_rejected("top_up", [](json& j) { j["industry_factors"]["retail"] = 1.23456; }, {"industry_factors.retail", "at most 4 decimal places", "1.23456"});
  expect_rejected("questionnaire", [](json& j) { j["items"][0]["allow_na"] = "yes"; }, {"items[0].allow_na", "true or false"});
}

TEST(Tables, RejectsUnknownKeys) {
  expect_rejected("base_cover", [](json& j) { j["tier_factor"] = 1; }, {"tier_factor", "unknown field"});
}

TEST(Tables, RejectsDuplicateIds) {
  expect_rejected("questionnaire", [](json& j) { j["items"][1]["id"] = j["items"][0]["id"]; }, {"items[1].id", "duplicate item id", "D01.1"});
  expect_rejected("underwriting", [](json& j) { j["industries"][1]["key"] = "manufacturing"; }, {"industries[1].key", "duplicate industry"});
  expect_rejected("subsidies", [](json& j) { j["programs"].push_back(j["programs"][0]); }, {"programs[1].id", "duplicate programme id"});
}

TEST(Tables, RejectsOddPointsAndATotalOtherThan1000) {
  expect_rejected("questionnaire", [](json& j) {
    j["items"][0]["points"] = j["items"][0]["points"].get<int>() + 1;
    j["items"][1]["points"] = j["items"][1]["points"].get<int>() - 1;
  }, {"items[0].points", "even"});
  expect_rejected("questionnaire", [](json& j) { j["items"][0]["points"] = j["items"][0]["points"].get<int>() + 2; },
                  {"items", "sum to 1002", "1000"});
}

TEST(Tables, RejectsUnknownDomain) {
  expect_rejected("questionnaire", [](json& j) { j["items"][0]["domain"] = 31; }, {"items[0].domain", "unknown domain", "31"});
  expect_rejected("questionnaire", [](json& j) { j["items"][0]["domain"] = 2; }, {"items[0].id", "Dnn.m"});
}

TEST(Tables, RejectsBadDatesAndEditionMismatch) {
  expect_rejected("posture", [](json& j) { j["effective_from"] = "2026-12-32"; }, {"effective_from", "valid date"});
  expect_rejected("posture", [](json& j) { j["effective_to"] = "2026-11-30"; }, {"effective_to", "before effective_from"});
  expect_rejected("top_up", [](json& j) { j["edition"] = "2027-01"; }, {"edition", "must match"});
  expect_rejected("subsidies", [](json& j) { j["programs"][0]["in_force_to"] = "2026-01-01"; }, {"programs[0].in_force_to", "before in_force_from"});
}

TEST(Tables, RejectsBandsThatAreNotContiguousAndIncreasing) {
  expect_rejected("top_up", [](json& j) { j["revenue_bands"][3]["max_revenue_yen"] = 100000000; }, {"revenue_bands[3].max_revenue_yen", "increasing"});
  expect_rejected("base_cover", [](json& j) { j["employee_bands"][4]["max_employees"] = 1000; }, {"employee_bands[4].max_employees", "open-ended"});
  expect_rejected("base_cover", [](json& j) { j["employee_bands"][1]["max_employees"] = nullptr; }, {"employee_bands[1].max_employees", "only the last band"});
  expect_rejected("posture", [](json& j) { j["tiers"][2]["min_index"] = 700; }, {"tiers[2].min_index", "decrease"});
}

TEST(Tables, RejectsFactorsThatAreNotPositive) {
  expect_rejected("top_up", [](json& j) { j["tier_factors"]["C"] = 0; }, {"tier_factors.C", "positive"});
  expect_rejected("top_up", [](json& j) { j["sections"][0]["limits"][0]["factor"] = -0.5; }, {"sections[0].limits[0].factor", "positive"});
}

TEST(Tables, RejectsIndustriesWithoutSmeCategoryOrFactor) {
  expect_rejected("underwriting", [](json& j) { j["industries"][0]["sme_category"] = "mining"; }, {"industries[0].sme_category", "unknown SME category"});
  expect_rejected("top_up", [](json& j) { j["industry_factors"].erase("retail"); },
                  {"industry_factors", "missing \"retail\"", "the industries of underwriting.json"});
  expect_rejected("top_up", [](json& j) { j["industry_factors"]["fishing"] = 1.0; }, {"industry_factors.fishing", "unknown key"});
}

TEST(Tables, RejectsDuplicateLimitsAndDeductibles) {
  expect_rejected("top_up", [](json& j) { j["sections"][1]["limits"][1]["limit_yen"] = 5000000; }, {"sections[1].limits[1].limit_yen", "unique and increasing"});
  expect_rejected("top_up", [](json& j) { j["sections"][2]["deductibles"][1]["deductible_yen"] = 0; }, {"sections[2].deductibles[1].deductible_yen", "unique"});
  expect_rejected("top_up", [](json& j) { j["sections"][1]["default_deductible_yen"] = 200000; }, {"sections[1].default_deductible_yen", "one of the section's deductibles"});
}

TEST(Tables, RejectsMalformedJsonAndMissingFiles) {
  {
    EditionCopy copy("malformed");
    copy.write_raw("posture", "{\"table\": \"posture\",");
    try {
      load_edition(copy.dir());
      ADD_FAILURE();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(copy.file("posture")), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos);
    }
  }
  {
    EditionCopy copy("missing");
    std::filesystem::remove(copy.file("subsidies"));
    EXPECT_THROW(
        {
          try {
            load_edition(copy.dir());
          } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("subsidies.json: table file is missing"), std::string::npos) << e.what();
            throw;
          }
        },
        Error);
  }
  EXPECT_THROW(load_edition("/nonexistent/cybercover"), Error);
}

TEST(Tables, RejectsOverlappingEditions) {
  EditionCopy copy("overlap");
  // The default edition ships closed on 2027-03-31: reopen it so that the second overlaps.
  for (const auto& name : {"questionnaire", "posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model", "remediation"})
    copy.edit(name, [](json& j) { j["effective_to"] = nullptr; });
  const std::string second = copy.root() + "/2027-06";
  std::filesystem::copy(copy.dir(), second);
  for (const auto& name : {"questionnaire", "posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model", "remediation"}) {
    const std::string path = second + "/" + name + ".json";
    json j;
    {
      std::ifstream in(path);
      j = json::parse(in);
    }
    j["edition"] = "2027-06";
    j["effective_from"] = "2027-06-01";
    std::ofstream(path) << j.dump(2);
  }
  try {
    TableLibrary::load(copy.root());
    ADD_FAILURE() << "overlapping editions were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("overlaps edition '2026-12'"), std::string::npos) << e.what();
  }
  // Closing the first edition the day before makes them side by side.
  for (const auto& name : {"questionnaire", "posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model", "remediation"})
    copy.edit(name, [](json& j) { j["effective_to"] = "2027-05-31"; });
  const auto library = TableLibrary::load(copy.root());
  EXPECT_EQ(library.for_date(*Date::parse("2027-05-31")).edition, "2026-12");
  EXPECT_EQ(library.for_date(*Date::parse("2027-06-01")).edition, "2027-06");
  try {
    library.for_date(*Date::parse("2026-11-30"));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNoEdition);
    EXPECT_NE(std::string(e.what()).find("no table edition is in force on this date"), std::string::npos) << e.what();
  }
}

TEST(Tables, SharedAcrossThreadsImmutably) {
  const auto tables = load_edition(testing::kDefaultEditionDir);
  static_assert(std::is_same_v<decltype(tables), const std::shared_ptr<const RatingTables>>);
  EXPECT_EQ(tables->questionnaire.item_index("D24.1") >= 0, true);
  EXPECT_EQ(tables->questionnaire.item_index("D99.1"), -1);
}

}  // namespace
}  // namespace cybercover
