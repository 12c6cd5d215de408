// Properties over seeded random companies: a better answer or an added control never raises
// a premium; premiums rise with limit and revenue band; the tier is monotone in the index.

#include <gtest/gtest.h>

#include <unistd.h>

#include "cybercover/cybercover.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

// Every premium figure of a quote, for "never raises" comparisons.
std::vector<Yen> premiums(const Quote& q) {
  std::vector<Yen> out;
  if (q.base_cover) out.push_back(q.base_cover->monthly_premium_yen);
  if (q.top_up) {
    for (const auto& s : q.top_up->sections) out.push_back(s.annual_premium_yen);
    out.push_back(q.top_up->annual_premium_yen);
    out.push_back(q.top_up->payable_annual_yen);
    out.push_back(q.top_up->monthly_instalment_yen);
  }
  return out;
}

void expect_not_raised(const QuoteRequest& before, const QuoteRequest& after, const std::string& what) {
  const auto a = premiums(engine().quote(before));
  const auto b = premiums(engine().quote(after));
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_LE(b[i], a[i]) << what << ": figure " << i << " rose from " << a[i] << " to " << b[i]
                          << "\nrequest: " << to_json(engine().quote(before)).dump();
}

Answer better(Answer a) {
  switch (a) {
    case Answer::kUnanswered:
    case Answer::kUnknown:
    case Answer::kNo: return Answer::kPartial;
    case Answer::kPartial: return Answer::kYes;
    default: return a;
  }
}

TEST(Properties, ABetterAnswerNeverRaisesAnyPremium) {
  std::mt19937_64 rng(2026);
  for (int n = 0; n < 300; ++n) {
    const QuoteRequest r = testing::random_request(tables(), rng);
    QuoteRequest improved = r;
    const std::size_t item = rng() % tables().questionnaire.items.size();
    improved.answers.answers()[item] = better(r.answers.answers()[item]);
    expect_not_raised(r, improved, "improving " + tables().questionnaire.items[item].id);
  }
}

TEST(Properties, AnAddedControlNeverRaisesAnyPremium) {
  std::mt19937_64 rng(12);
  for (int n = 0; n < 300; ++n) {
    const QuoteRequest r = testing::random_request(tables(), rng);
    QuoteRequest c = r;
    if (c.controls.utm != UtmStatus::kManaged) {
      c.controls.utm = static_cast<UtmStatus>(static_cast<int>(c.controls.utm) + 1);
      expect_not_raised(r, c, "a better UTM");
    }
    c = r;
    if (c.controls.edr.status != EdrStatus::kManaged) {
      c.controls.edr.status = static_cast<EdrStatus>(static_cast<int>(c.controls.edr.status) + 1);
      c.controls.edr.covered_endpoints = std::max<std::int64_t>(c.controls.edr.covered_endpoints, 1);
      expect_not_raised(r, c, "a better EDR");
    }
    c = r;
    if (c.controls.edr.status != EdrStatus::kNone && c.controls.edr.covered_endpoints < c.company.endpoints) {
      ++c.controls.edr.covered_endpoints;
      expect_not_raised(r, c, "one more covered endpoint");
    }
    c = r;
    if (c.controls.legacy_os_endpoints > 0) {
      c.controls.legacy_os_endpoints = 0;
      expect_not_raised(r, c, "replacing legacy OS");
    }
    c = r;
    if (c.controls.incidents_3y > 0) {
      --c.controls.incidents_3y;
      expect_not_raised(r, c, "one incident fewer");
    }
    c = r;
    c.controls.phishing_click_rate = 0.01;
    if (!r.controls.phishing_click_rate || *r.controls.phishing_click_rate > 0.01) expect_not_raised(r, c, "a lower click rate");
  }
}

TEST(Properties, PremiumRisesWithLimitAndRevenueBand) {
  std::mt19937_64 rng(99);
  const TopUpTable& t = tables().top_up;
  for (int n = 0; n < 100; ++n) {
    QuoteRequest r = testing::random_request(tables(), rng);
    for (std::size_t s = 0; s < t.sections.size(); ++s) {
      Yen previous = -1;
      for (const auto& limit : t.sections[s].limits) {
        r.top_up = {{t.sections[s].key, limit.amount_yen, std::nullopt}};
        const Quote q = engine().quote(r);
        ASSERT_TRUE(q.top_up);
        EXPECT_GE(q.top_up->sections[0].annual_premium_yen, previous) << t.sections[s].key << " limit " << limit.amount_yen;
        previous = q.top_up->sections[0].annual_premium_yen;
      }
    }
    r.top_up = {{"liability", 100'000'000, std::nullopt}};
    Yen previous = -1;
    for (const auto& band : t.revenue_bands) {
      r.company.revenue_yen = band.max_revenue_yen;
      const Yen premium = engine().quote(r).top_up->sections[0].annual_premium_yen;
      EXPECT_GE(premium, previous) << "revenue " << band.max_revenue_yen;
      previous = premium;
    }
  }
}

TEST(Properties, TierIsMonotoneInThePostureIndex) {
  const PostureTable& p = tables().posture;
  int previous = 0;
  for (std::int64_t index = 1500; index >= -100; --index) {
    const int tier = p.tier_for(index);
    EXPECT_GE(tier, previous) << "index " << index;  // a lower index is never a better tier
    previous = tier;
  }
  EXPECT_EQ(p.tiers[static_cast<std::size_t>(p.tier_for(800))].name, "A");
  EXPECT_EQ(p.tiers[static_cast<std::size_t>(p.tier_for(799))].name, "B");
  EXPECT_EQ(p.tiers[static_cast<std::size_t>(p.tier_for(350))].name, "D");
  EXPECT_EQ(p.tiers[static_cast<std::size_t>(p.tier_for(349))].name, "E");
}

TEST(Properties, LeanScoringRejectsWhatTheFullScoringRejects) {
  const Questionnaire& q = tables().questionnaire;
  std::vector<Answer> answers(q.items.size(), Answer::kYes);
  answers[0] = Answer::kNa;  // D01.1 does not allow na
  EXPECT_THROW(score_summary(q, SecurityAction::kNone, answers.data(), answers.size()), Error);
  answers[0] = static_cast<Answer>(9);  // no such answer code
  try {
    score_summary(q, SecurityAction::kNone, answers.data(), answers.size());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "answers.D01.1");
    EXPECT_NE(std::string(e.what()).find("got code 9"), std::string::npos) << e.what();
  }
}

TEST(Properties, ScoreStaysWithin0And1000AndLeanPathAgrees) {
  std::mt19937_64 rng(5);
  const Questionnaire& q = tables().questionnaire;
  for (int n = 0; n < 2000; ++n) {
    QuoteRequest r = testing::random_request(tables(), rng);
    for (std::size_t i = 0; i < q.items.size(); ++i)
      if (q.items[i].allow_na && rng() % 3 == 0) r.answers.answers()[i] = Answer::kNa;
    const Assessment a = assess(q, r.security_action, r.answers);
    EXPECT_GE(a.summary.score, 0);
    EXPECT_LE(a.summary.score, 1000);
    const ScoreSummary lean = score_summary(q, r.security_action, r.answers.answers().data(), r.answers.answers().size());
    EXPECT_EQ(lean.score, a.summary.score);
    EXPECT_EQ(lean.unknown_count, a.summary.unknown_count);
    int lost = 0;
    for (const auto& u : a.unmet) lost += u.points_lost;
    EXPECT_EQ(a.summary.applicable - a.summary.earned, lost);
    for (std::size_t i = 1; i < a.unmet.size(); ++i) {
      const auto& x = a.unmet[i - 1];
      const auto& y = a.unmet[i];
      EXPECT_TRUE(x.points_lost > y.points_lost || (x.points_lost == y.points_lost && x.item < y.item));
    }
  }
}

}  // namespace
}  // namespace cybercover
