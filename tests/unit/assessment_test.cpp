// Assessment rules of docs/rating_rules.md §1 through the C++ API (golden files cover the JSON
// path).

#include <gtest/gtest.h>

#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "detail/exact_arith.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const RatingTables& tables() {
  static const auto t = load_edition(testing::kDefaultEditionDir);
  return *t;
}
const Questionnaire& q() { return tables().questionnaire; }

int points_of(const std::string& id) { return q().items[static_cast<std::size_t>(q().item_index(id))].points; }

TEST(Assessment, AllYesIs1000AndAllNoIs0) {
  EXPECT_EQ(assess(q(), SecurityAction::kNone, AnswerSheet(q(), Answer::kYes)).summary.score, 1000);
  const Assessment none = assess(q(), SecurityAction::kNone, AnswerSheet(q(), Answer::kNo));
  EXPECT_EQ(none.summary.score, 0);
  EXPECT_EQ(none.unmet.size(), 98u);
  EXPECT_EQ(none.summary.unknown_count, 0);
}

TEST(Assessment, NaIsExcludedFromApplicablePoints) {
  AnswerSheet sheet(q(), Answer::kYes);
  int na_points = 0;
  for (std::size_t i = 0; i < q().items.size(); ++i)
    if (q().items[i].allow_na) {
      sheet.answers()[i] = Answer::kNa;
      na_points += q().items[i].points;
    }
  ASSERT_GT(na_points, 0);
  sheet.set(q(), "D01.1", Answer::kNo);
  const Assessment a = assess(q(), SecurityAction::kNone, sheet);
  EXPECT_EQ(a.summary.applicable, 1000 - na_points);
  EXPECT_EQ(a.summary.earned, 1000 - na_points - points_of("D01.1"));
  EXPECT_EQ(a.summary.score, round_half_up(Rational{Int128(1000) * a.summary.earned, a.summary.applicable}));
}

TEST(Assessment, UnansweredCountsAsUnknownAndIsListed) {
  AnswerSheet sheet(q(), Answer::kYes);
  sheet.set(q(), "D05.2", Answer::kUnanswered);
  sheet.set(q(), "D07.1", Answer::kUnknown);
  const Assessment a = assess(q(), SecurityAction::kNone, sheet);
  EXPECT_EQ(a.summary.unknown_count, 2);
  ASSERT_EQ(a.unanswered.size(), 1u);
  EXPECT_EQ(q().items[static_cast<std::size_t>(a.unanswered[0])].id, "D05.2");
}

TEST(Assessment, SecurityActionAutoAnswersAndWarnsOnContradiction) {
  const Assessment one = assess(q(), SecurityAction::kOneStar, AnswerSheet(q()));
  EXPECT_EQ(one.unanswered.size(), 93u);
  EXPECT_EQ(one.summary.earned, points_of("D01.1") + points_of("D02.1") + points_of("D03.1") + points_of("D04.1") + points_of("D05.1"));
  const Item& d01 = q().items[static_cast<std::size_t>(q().item_index("D01.1"))];
  EXPECT_EQ(effective_answer(d01, SecurityAction::kOneStar, Answer::kUnanswered), Answer::kYes);
  EXPECT_EQ(effective_answer(d01, SecurityAction::kNone, Answer::kUnanswered), Answer::kUnanswered);
  EXPECT_EQ(effective_answer(d01, SecurityAction::kTwoStar, Answer::kNo), Answer::kNo);  // explicit wins
  const Assessment two = assess(q(), SecurityAction::kTwoStar, AnswerSheet(q()));
  EXPECT_EQ(two.unanswered.size(), 90u);
  AnswerSheet contradicting(q());
  contradicting.set(q(), "D02.1", Answer::kNo);
  const Assessment c = assess(q(), SecurityAction::kTwoStar, contradicting);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].code, "SECURITY_ACTION_INCONSISTENT");
  EXPECT_EQ(q().items[static_cast<std::size_t>(c.warnings[0].item)].id, "D02.1");
  EXPECT_EQ(c.summary.earned, two.summary.earned - points_of("D02.1"));  // the explicit answer wins
}

TEST(Assessment, NaOnAnItemThatDoesNotAllowItIsAnErrorNamingTheItem) {
  AnswerSheet sheet(q(), Answer::kYes);
  sheet.set(q(), "D01.1", Answer::kNa);
  try {
    assess(q(), SecurityAction::kNone, sheet);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "answers.D01.1");
    EXPECT_NE(std::string(e.what()).find("\"na\" is not allowed"), std::string::npos) << e.what();
  }
  EXPECT_THROW(AnswerSheet(q()).set(q(), "D25.1", Answer::kYes), Error);
}

TEST(Assessment, DomainPercentRoundsHalfUpToOneDecimal) {
  AnswerSheet sheet(q(), Answer::kYes);
  sheet.set(q(), "D01.1", Answer::kPartial);
  const Assessment a = assess(q(), SecurityAction::kNone, sheet);
  const DomainScore& d1 = a.domains[0];
  EXPECT_EQ(d1.applicable, 76);
  EXPECT_EQ(d1.earned, 76 - points_of("D01.1") / 2);
  EXPECT_EQ(d1.percent_tenths, round_half_up(Rational{Int128(1000) * d1.earned, d1.applicable}));
}

}  // namespace
}  // namespace cybercover

namespace cybercover {
namespace {

TEST(Assessment, NoApplicableItemIsAnErrorNamingAnswers) {
  // Unreachable with the default questionnaire (most items do not allow na): use a copy
  // where every item does.
  testing::EditionCopy copy("all_na");
  copy.edit("questionnaire", [](nlohmann::json& j) {
    for (auto& item : j["items"]) {
      item["allow_na"] = true;
      item.erase("security_action");
    }
  });
  const auto t = load_edition(copy.dir());
  try {
    assess(t->questionnaire, SecurityAction::kNone, AnswerSheet(t->questionnaire, Answer::kNa));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "answers");
    EXPECT_NE(std::string(e.what()).find("no item is applicable"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cybercover
